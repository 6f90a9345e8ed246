//! The oracle: the eight invariants, judged from the provider's ground truth
//! and the gateway's journal file, never from the gateway's own opinion.

mod orphans;

pub use orphans::{OrphanWatch, ORPHAN_GRACE_MS};

use crate::emulator::truth::{Phase, TruthCall};
use crate::gateway::Job;
use crate::scenario::Scenario;
use callproof_core::journal::{self, Replay, SkipReason};
use callproof_core::manager::{CommandError, CommandOk};
use callproof_core::record::{CallMode, Direction};
use callproof_core::state::CallState;
use std::collections::{BTreeMap, BTreeSet};
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

/// `deadline`, pushed past every disruption that overlaps `[from, deadline]`
/// by [`PROMPT_MS`].
fn deadline_past(disruptions: &[Disruption], from: u64, deadline: u64) -> u64 {
    let mut deadline = deadline;
    let mut sorted = disruptions.to_vec();
    sorted.sort_unstable();
    for (start, end) in sorted {
        if start <= deadline && end >= from {
            deadline = deadline.max(end + PROMPT_MS);
        }
    }
    deadline
}

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
}

impl Invariant {
    /// All of them, in table order.
    pub const ALL: [Invariant; 8] = [
        Invariant::NoPhantom,
        Invariant::NoOrphan,
        Invariant::Capacity,
        Invariant::Liveness,
        Invariant::Durability,
        Invariant::BoundedDuration,
        Invariant::InboundPolicy,
        Invariant::Idempotency,
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
        if !scenario.config.inbound.allows(&c.from) {
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

/// Durability at the moment of a crash: what the gateway told the provider
/// it had applied must already be in the journal (`journal` is the durable
/// bytes, before the crash tears anything).
pub fn check_crash(
    calls: &BTreeMap<String, TruthCall>,
    journal_bytes: &[u8],
    at_ms: u64,
) -> Vec<Violation> {
    let journal = journal::replay(journal_bytes);
    let mut out = Vec::new();
    for c in calls.values().filter(|c| c.owned) {
        let record = journal_record(&journal, c);
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
    out.extend(refusals_explained(evidence, scenario));
    out.extend(rejected_hung_up(calls, evidence.disruptions));
    out.extend(notify_calls_end(calls, evidence.disruptions, scenario));
    out.extend(lines_in_order(evidence.journal_bytes, at_ms));
    out.extend(one_record_per_call(calls, journal, at_ms));
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
        let agrees = journal_record(journal, c).is_some_and(|r| r.state.is_terminal());
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

/// Liveness, as the operator sees it: a call refused for capacity was
/// refused while the durable journal really held `maxConcurrentCalls` live
/// calls (memory is never ahead of the disk: a record is written before it
/// counts).
fn refusals_explained(evidence: &Evidence<'_>, scenario: &Scenario) -> Vec<Violation> {
    let max = scenario.config.max_concurrent_calls;
    for (at, result, durable) in evidence.results {
        if !matches!(result, Err(CommandError::CapacityReached { .. })) {
            continue;
        }
        let prefix = &evidence.journal_bytes[..(*durable).min(evidence.journal_bytes.len())];
        let live = journal::replay(prefix).live().count();
        if live < max {
            return vec![Violation {
                invariant: Invariant::Liveness,
                at_ms: at.saturating_sub(crate::clock::EPOCH_MS),
                detail: format!(
                    "a call was refused for capacity ({max}) while the journal held {live} live calls: memory is ahead of the disk"
                ),
            }];
        }
    }
    Vec::new()
}

/// Inbound policy, second half: a caller the gateway refused is hung up, not
/// left ringing until they give up (B9).
fn rejected_hung_up(
    calls: &BTreeMap<String, TruthCall>,
    disruptions: &[Disruption],
) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in calls.values().filter(|c| c.rejected) {
        let (Some(decided), Some(ended), Phase::Ended(CallState::HangupUser)) =
            (c.decided_at, c.ended_at, c.phase)
        else {
            continue;
        };
        if ended > deadline_past(disruptions, decided, decided + PROMPT_MS) {
            out.push(Violation {
                invariant: Invariant::InboundPolicy,
                at_ms: ended.saturating_sub(crate::clock::EPOCH_MS),
                detail: format!(
                    "the gateway refused caller {:?} (call {}) but never hung up: it rang {} s until the caller gave up",
                    c.from,
                    c.provider_call_id,
                    (ended - decided) / 1000
                ),
            });
        }
    }
    out
}

/// Bounded duration for notify calls: once the message is spoken the call
/// ends after the notify delay, promptly, whatever crashed meanwhile (B12).
fn notify_calls_end(
    calls: &BTreeMap<String, TruthCall>,
    disruptions: &[Disruption],
    scenario: &Scenario,
) -> Vec<Violation> {
    let notify: BTreeSet<&str> = scenario
        .workload
        .iter()
        .filter_map(|w| match &w.job {
            Job::Place {
                to,
                mode: CallMode::Notify,
                ..
            } => Some(to.as_str()),
            _ => None,
        })
        .collect();
    let end = crate::clock::EPOCH_MS + scenario.end_ms;
    let delay = scenario.config.notify_hangup_delay_ms;
    let mut out = Vec::new();
    for c in calls
        .values()
        .filter(|c| c.owned && notify.contains(c.to.as_str()))
    {
        let Some(spoken) = c.first_spoken_at else {
            continue;
        };
        let deadline = deadline_past(disruptions, spoken, spoken + delay + PROMPT_MS);
        let ended = c.ended_at.unwrap_or(end);
        if ended > deadline {
            out.push(Violation {
                invariant: Invariant::BoundedDuration,
                at_ms: deadline.saturating_sub(crate::clock::EPOCH_MS),
                detail: format!(
                    "notify call {} ({:?}) was still up {} s after its message was spoken (hang-up delay {} s)",
                    c.provider_call_id,
                    c.call_id,
                    (ended - spoken) / 1000,
                    delay / 1000
                ),
            });
        }
    }
    out
}

/// Durability: journal lines land in the order they were written, so a
/// reader going by line order (OpenClaw's own) restores the newest record.
fn lines_in_order(bytes: &[u8], at_ms: u64) -> Vec<Violation> {
    let mut newest: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let Ok(record) = serde_json::from_slice::<callproof_core::record::CallRecord>(line) else {
            continue;
        };
        let Some(seq) = record.seq else { continue };
        if let Some((before, state)) = newest.get(&record.call_id) {
            if seq < *before {
                return vec![Violation {
                    invariant: Invariant::Durability,
                    at_ms,
                    detail: format!(
                        "journal line {} (call {}, {}, seq {seq}) landed after seq {before} ({state}): writes were not ordered",
                        n + 1,
                        record.call_id,
                        record.state
                    ),
                }];
            }
        }
        newest.insert(record.call_id.clone(), (seq, record.state.to_string()));
    }
    Vec::new()
}

/// Idempotency: one provider call is one journal record, and the journal
/// never calls an outbound call inbound (a late callback made into a new
/// call, B8).
fn one_record_per_call(
    calls: &BTreeMap<String, TruthCall>,
    journal: &Replay,
    at_ms: u64,
) -> Vec<Violation> {
    let mut by_pid: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in journal.records.values() {
        if let Some(pid) = r.provider_call_id.as_deref() {
            by_pid.entry(pid).or_default().push(r.call_id.as_str());
        }
    }
    let mut out = Vec::new();
    if let Some((pid, ids)) = by_pid.iter().find(|(_, ids)| ids.len() > 1) {
        out.push(Violation {
            invariant: Invariant::Idempotency,
            at_ms,
            detail: format!(
                "provider call {pid} is journaled as {} calls: {ids:?}",
                ids.len()
            ),
        });
    }
    let turned = journal.records.values().find(|r| {
        r.direction == Direction::Inbound
            && r.provider_call_id
                .as_deref()
                .and_then(|pid| calls.get(pid))
                .is_some_and(|c| c.direction == Direction::Outbound)
    });
    if let Some(r) = turned {
        out.push(Violation {
            invariant: Invariant::Idempotency,
            at_ms,
            detail: format!(
                "call {} is journaled as inbound but provider call {:?} is one the gateway placed",
                r.call_id, r.provider_call_id
            ),
        });
    }
    out
}
