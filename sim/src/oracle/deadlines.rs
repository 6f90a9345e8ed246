//! Deadlines the gateway must meet once nothing disrupts it: a refused
//! caller is hung up (B9) and a notify call ends after its message (B12).

use super::{Disruption, Invariant, Violation, PROMPT_MS};
use crate::emulator::truth::{Phase, TruthCall};
use crate::scenario::Scenario;
use callproof_core::state::CallState;
use std::collections::BTreeMap;

/// `deadline`, pushed past every disruption that overlaps `[from, deadline]`
/// by [`PROMPT_MS`].
pub(super) fn deadline_past(disruptions: &[Disruption], from: u64, deadline: u64) -> u64 {
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

/// Inbound policy, second half: a caller the gateway refused is hung up, not
/// left ringing until they give up (B9).
pub(super) fn rejected_hung_up(
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
pub(super) fn notify_calls_end(
    calls: &BTreeMap<String, TruthCall>,
    disruptions: &[Disruption],
    scenario: &Scenario,
) -> Vec<Violation> {
    let notify = scenario.notify_numbers();
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
