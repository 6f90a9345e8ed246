//! The checkers: each reads one [`Observation`] (the operator's side and the
//! emulator's ground truth) and answers pass, fail or unknown, never from
//! the subject's opinion of itself.
//!
//! They are pure functions of what was recorded, so a verdict does not
//! depend on when the gate looked: the runner waits for conditions, the
//! checkers only judge the record, with the tolerances it states.

mod capacity;
mod idempotency;
mod inbound;
mod orphan;
mod phantom;
mod service;
pub mod spans;

use super::observe::Observation;
use super::truth::Call;
use serde::{Deserialize, Serialize};

/// The answer of a check, or of a whole scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every fact was established and none breaks the invariant.
    Pass,
    /// The gate could not establish a fact the verdict needs.
    Unknown,
    /// A fact breaks the invariant (the findings say which).
    Fail,
}

impl Verdict {
    /// Its name in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Unknown => "unknown",
            Verdict::Fail => "FAIL",
        }
    }
}

/// The invariants a black box can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// A refusal for capacity while the provider held fewer of the subject's
    /// calls than its limit (OpenClaw #6721).
    Phantom,
    /// A call of the subject's live past max duration plus slack, never hung up.
    Orphan,
    /// More of the subject's calls live at once than it allows.
    Capacity,
    /// A refused caller answered or left ringing, or an allowed one refused.
    Inbound,
    /// An ended call revived or ended twice.
    Idempotency,
    /// A call the scenario expected to be placed failed for another reason.
    Service,
}

impl Check {
    /// Every check, in report order.
    pub const ALL: [Check; 6] = [
        Check::Phantom,
        Check::Orphan,
        Check::Capacity,
        Check::Inbound,
        Check::Idempotency,
        Check::Service,
    ];

    /// Its name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Check::Phantom => "phantom",
            Check::Orphan => "orphan",
            Check::Capacity => "capacity",
            Check::Inbound => "inbound",
            Check::Idempotency => "idempotency",
            Check::Service => "service",
        }
    }
}

/// One fact that breaks an invariant (or that could not be established).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What happened, in one sentence with times and ids.
    pub summary: String,
    /// The provider ids of the calls it is about.
    pub calls: Vec<String>,
    /// When it happened.
    pub at_ms: u64,
}

/// A check's answer with its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Which check.
    pub check: Check,
    /// Its answer.
    pub verdict: Verdict,
    /// Failures (for `Fail`) or the facts that could not be established
    /// (for `Unknown`).
    pub findings: Vec<Finding>,
}

impl Outcome {
    fn from_findings(check: Check, fails: Vec<Finding>, unknowns: Vec<Finding>) -> Outcome {
        if !fails.is_empty() {
            Outcome {
                check,
                verdict: Verdict::Fail,
                findings: fails,
            }
        } else if !unknowns.is_empty() {
            Outcome {
                check,
                verdict: Verdict::Unknown,
                findings: unknowns,
            }
        } else {
            Outcome {
                check,
                verdict: Verdict::Pass,
                findings: Vec::new(),
            }
        }
    }
}

/// Runs every check over `obs`.
pub fn run_all(obs: &Observation) -> Vec<Outcome> {
    Check::ALL.iter().map(|&c| run(c, obs)).collect()
}

/// Runs one check.
pub fn run(check: Check, obs: &Observation) -> Outcome {
    match check {
        Check::Phantom => phantom::check(obs),
        Check::Orphan => orphan::check(obs),
        Check::Capacity => capacity::check(obs),
        Check::Inbound => inbound::check(obs),
        Check::Idempotency => idempotency::check(obs),
        Check::Service => service::check(obs),
    }
}

/// The calls that hold a slot of the subject's capacity: every outbound
/// call, and every inbound call it answered.
fn subject_calls(obs: &Observation) -> impl Iterator<Item = &Call> {
    obs.truth
        .calls
        .iter()
        .filter(|c| c.holds_slot_from().is_some() && !c.rejected)
}

/// The subject's calls as live spans at the provider.
fn subject_spans(obs: &Observation) -> Vec<spans::Span> {
    subject_calls(obs)
        .filter_map(|c| {
            Some(spans::Span {
                id: c.provider_call_id.clone(),
                from_ms: c.holds_slot_from()?,
                until_ms: c.ended_at_ms,
            })
        })
        .collect()
}

/// `12.345 s` after the scenario started: times in findings are relative,
/// so two runs read alike.
fn at(obs: &Observation, ms: u64) -> String {
    let rel = ms.saturating_sub(obs.started_ms);
    format!("t={}.{:03}s", rel / 1000, rel % 1000)
}

/// `CA… (tag)` for a provider id.
fn name(obs: &Observation, provider_call_id: &str) -> String {
    match obs.tag_of(provider_call_id) {
        Some(tag) => format!("{provider_call_id} ({tag})"),
        None => provider_call_id.to_owned(),
    }
}

#[cfg(test)]
mod tests;
