//! The oracle: the eight invariants, judged from the provider's ground truth
//! and the gateway's journal file, never from the gateway's own opinion.

mod compaction;
mod deadlines;
pub mod ground;
mod journal_file;
pub mod observe;
mod orphans;
#[cfg(test)]
mod tests;
mod transcript;

pub use compaction::check_recovered_journal;
pub use orphans::{OrphanWatch, ORPHAN_GRACE_MS};

use crate::emulator::truth::TruthCall;
use crate::scenario::Scenario;
use callproof_core::journal::{Replay, SkipReason};
use callproof_core::manager::{CommandError, CommandOk, InboundPolicy};
use callproof_core::record::Direction;
use callproof_core::state::CallState;
use std::collections::BTreeMap;
use std::fmt;

/// Slack past max duration before a call counts as outliving it: the
/// hangup may wait out a crash, a partition, an API outage and a backoff.
pub const DURATION_SLACK_MS: u64 = 120_000;

/// How long the gateway may take to act on a deadline once nothing disrupts
/// it: a retry backoff (at most 10 s in the campaign) plus round trips.
pub const PROMPT_MS: u64 = 20_000;

/// A span (ms since the epoch) in which the harness disrupted the gateway:
/// down, cut off from the provider, the provider's API failing, the disk
/// failing. Deadlines that fall in one are judged from its end.
pub type Disruption = (u64, u64);

/// The invariants of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Invariant {
    /// After the settle window every call the gateway counts is live at the provider.
    NoPhantom,
    /// Every call live at the provider that the gateway placed or accepted is tracked.
    NoOrphan,
    /// Calls live on the gateway's behalf never exceed `maxConcurrentCalls`.
    Capacity,
    /// Once faults stop, capacity frees and a new call can be placed.
    Liveness,
    /// Every call the provider saw ends with a journal record that agrees.
    Durability,
    /// No call outlives max duration plus the stated slack.
    BoundedDuration,
    /// A caller that is not allowed is never answered.
    InboundPolicy,
    /// Duplicated, retried or late callbacks never revive a call.
    Idempotency,
    /// The gateway ends a connected call only when the operator, max
    /// duration, notify mode or inbound policy asks it to.
    NoUnrequestedHangup,
    /// Every final answer of a callee is applied to its call's transcript
    /// at most once, in the order the callee gave them, and only words the
    /// callee really said.
    TranscriptOnceInOrder,
}

impl Invariant {
    /// All of them, in table order.
    pub const ALL: [Invariant; 10] = [
        Invariant::NoPhantom,
        Invariant::NoOrphan,
        Invariant::Capacity,
        Invariant::Liveness,
        Invariant::Durability,
        Invariant::BoundedDuration,
        Invariant::InboundPolicy,
        Invariant::Idempotency,
        Invariant::NoUnrequestedHangup,
        Invariant::TranscriptOnceInOrder,
    ];

    /// The name used in tables and regression files.
    pub fn name(self) -> &'static str {
        match self {
            Invariant::NoPhantom => "no-phantom",
            Invariant::NoOrphan => "no-orphan",
            Invariant::Capacity => "capacity",
            Invariant::Liveness => "liveness",
            Invariant::Durability => "durability",
            Invariant::BoundedDuration => "bounded-duration",
            Invariant::InboundPolicy => "inbound-policy",
            Invariant::Idempotency => "idempotency",
            Invariant::NoUnrequestedHangup => "no-unrequested-hangup",
            Invariant::TranscriptOnceInOrder => "transcript-once-in-order",
        }
    }
}

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which.
    pub invariant: Invariant,
    /// When (ms after start).
    pub at_ms: u64,
    /// What the oracle saw.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {:.3}s: {}",
            self.invariant.name(),
            self.at_ms as f64 / 1000.0,
            self.detail
        )
    }
}

fn owned_live(calls: &BTreeMap<String, TruthCall>) -> impl Iterator<Item = &TruthCall> {
    calls.values().filter(|c| c.owned && c.is_live())
}

/// Safety, checked throughout: capacity, bounded duration, inbound policy.
pub fn check_step(
    calls: &BTreeMap<String, TruthCall>,
    scenario: &Scenario,
    now: u64,
    at_ms: u64,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let live = owned_live(calls).count();
    if live > scenario.config.max_concurrent_calls {
        let ids: Vec<&str> = owned_live(calls)
            .map(|c| c.provider_call_id.as_str())
            .collect();
        out.push(Violation {
            invariant: Invariant::Capacity,
            at_ms,
            detail: format!(
                "{live} calls live at the provider for the gateway (limit {}): {ids:?}",
                scenario.config.max_concurrent_calls
            ),
        });
    }
    let bound = scenario.config.max_duration_ms + DURATION_SLACK_MS;
    for c in calls
        .values()
        .filter(|c| c.owned && c.talk_time(now) > bound)
    {
        out.push(Violation {
            invariant: Invariant::BoundedDuration,
            at_ms,
            detail: format!(
                "call {} talked {} ms, more than max duration {} ms + slack {} ms",
                c.provider_call_id,
                c.talk_time(now),
                scenario.config.max_duration_ms,
                DURATION_SLACK_MS
            ),
        });
    }
    for c in calls
        .values()
        .filter(|c| c.direction == Direction::Inbound && c.owned)
    {
        if !harness_allows(&scenario.config.inbound, &c.from) {
            out.push(Violation {
                invariant: Invariant::InboundPolicy,
                at_ms,
                detail: format!(
                    "caller {:?} is not allowed but call {} was answered",
                    c.from, c.provider_call_id
                ),
            });
        }
    }
    out
}

/// Whether the harness's policy lets `from` in, decided here rather than by
/// `InboundPolicy::allows`: the judge must not share the code it judges (a
/// broken comparison in core would otherwise break the verdict with it).
/// The harness's callers are plain: one allowed, one unknown, one withheld,
/// one whose digits end with the allowed caller's, one cut short. A number
/// is E.164 as the policy's contract has it: `+`, a first digit that is not
/// 0, 8 to 15 digits in all.
pub(super) fn harness_allows(policy: &InboundPolicy, from: &str) -> bool {
    let plain_number = from.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    });
    match policy {
        InboundPolicy::Disabled => false,
        InboundPolicy::Open => plain_number,
        InboundPolicy::Allowlist(allowed) => {
            plain_number && allowed.iter().any(|a| a.as_str() == from)
        }
    }
}

/// Durability at the moment of a crash: what the gateway told the provider
/// it had applied must already be in the journal (`journal` is the durable
/// bytes replayed, before the crash tears anything).
pub fn check_crash(
    calls: &BTreeMap<String, TruthCall>,
    journal: &Replay,
    at_ms: u64,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in calls.values().filter(|c| c.owned) {
        let record = journal_record(journal, c);
        if c.end_accepted && !record.is_some_and(|r| r.state.is_terminal()) {
            out.push(Violation {
                invariant: Invariant::Durability,
                at_ms,
                detail: format!(
                    "the gateway accepted the end of call {} ({:?}) but at the crash its journal record is {}",
                    c.provider_call_id,
                    c.call_id,
                    record.map_or("missing".to_owned(), |r| r.state.to_string())
                ),
            });
        }
        if c.direction == Direction::Inbound && record.is_none() {
            out.push(Violation {
                invariant: Invariant::Durability,
                at_ms,
                detail: format!(
                    "the gateway answered inbound call {} but at the crash its journal has no record of it",
                    c.provider_call_id
                ),
            });
        }
    }
    out
}

/// What the end-of-run checks look at besides the provider's calls.
pub struct Evidence<'a> {
    /// The journal's durable bytes at the end.
    pub journal_bytes: &'a [u8],
    /// The journal replayed.
    pub journal: &'a Replay,
    /// Command results with the durable journal length at the time.
    pub results: &'a [(u64, Result<CommandOk, CommandError>, usize)],
    /// When the harness disrupted the gateway.
    pub disruptions: &'a [Disruption],
}

/// Whether the journal tracks `call` (by our id, else by provider id).
fn journal_record<'a>(
    journal: &'a Replay,
    call: &TruthCall,
) -> Option<&'a callproof_core::record::CallRecord> {
    if let Some(id) = &call.call_id {
        if let Some(r) = journal.records.get(id) {
            return Some(r);
        }
    }
    journal
        .records
        .values()
        .find(|r| r.provider_call_id.as_deref() == Some(call.provider_call_id.as_str()))
}

/// Liveness and end-of-run checks, after the fault-free settle window.
pub fn check_end(
    calls: &BTreeMap<String, TruthCall>,
    evidence: &Evidence<'_>,
    scenario: &Scenario,
    probe_to: &str,
    at_ms: u64,
) -> Vec<Violation> {
    let journal = evidence.journal;
    let mut out = Vec::new();
    out.extend(journal_file::refusals_explained(evidence, scenario));
    out.extend(deadlines::rejected_hung_up(calls, evidence.disruptions));
    out.extend(deadlines::notify_calls_end(
        calls,
        evidence.disruptions,
        scenario,
    ));
    out.extend(journal_file::lines_in_order(evidence.journal_bytes, at_ms));
    out.extend(journal_file::one_record_per_call(calls, journal, at_ms));
    for c in calls.values().filter(|c| c.owned) {
        out.extend(transcript::check(c, journal_record(journal, c), at_ms));
    }
    let probe_placed = calls.values().any(|c| c.to == probe_to);
    if !probe_placed {
        out.push(Violation {
            invariant: Invariant::Liveness,
            at_ms,
            detail: format!(
                "{} s after the last fault, a new call could not be placed",
                (scenario.probe_at_ms - scenario.faults_end_ms) / 1000
            ),
        });
    }
    for c in owned_live(calls).filter(|c| c.to != probe_to) {
        let tracked = journal_record(journal, c).is_some_and(|r| !r.state.is_terminal());
        if !tracked {
            out.push(Violation {
                invariant: Invariant::NoOrphan,
                at_ms,
                detail: format!(
                    "call {} ({:?}) is live at the provider but the journal does not track it",
                    c.provider_call_id, c.call_id
                ),
            });
        }
    }
    for r in journal.live() {
        let at_provider = calls.values().find(|c| {
            c.call_id.as_deref() == Some(r.call_id.as_str())
                || r.provider_call_id.as_deref() == Some(c.provider_call_id.as_str())
        });
        let live = at_provider.is_some_and(|c| c.is_live());
        if !live {
            out.push(Violation {
                invariant: Invariant::NoPhantom,
                at_ms,
                detail: format!(
                    "journal counts call {} ({}) but the provider has {}",
                    r.call_id,
                    r.state,
                    at_provider.map_or("no such call".to_owned(), |c| format!("{:?}", c.phase))
                ),
            });
        }
    }
    for c in calls.values().filter(|c| c.owned && !c.is_live()) {
        let record = journal_record(journal, c);
        // A record that kept the answer it heard cannot end as never
        // connected. (One whose answer never became durable may: an end
        // without detail is then all the gateway knows.)
        let denied = record.filter(|r| {
            c.answered_at.is_some()
                && r.answered_at.is_some()
                && matches!(r.state, CallState::NoAnswer | CallState::Busy)
        });
        if let Some(r) = denied {
            out.push(Violation {
                invariant: Invariant::Durability,
                at_ms,
                detail: format!(
                    "call {} ({}) was answered and its journal record says so (answeredAt), but it ended as {}",
                    c.provider_call_id, r.call_id, r.state
                ),
            });
        }
        let agrees = record.is_some_and(|r| r.state.is_terminal());
        if !agrees {
            out.push(Violation {
                invariant: Invariant::Durability,
                at_ms,
                detail: format!(
                    "call {} ({:?}) ended at the provider but its journal record is not terminal",
                    c.provider_call_id, c.call_id
                ),
            });
        }
    }
    for s in &journal.skipped {
        if let SkipReason::AfterTerminal {
            call_id,
            state,
            kept,
        } = &s.reason
        {
            out.push(Violation {
                invariant: Invariant::Idempotency,
                at_ms,
                detail: format!(
                    "journal line {} moves ended call {call_id} ({kept}) back to {state}",
                    s.line
                ),
            });
        }
    }
    out
}
