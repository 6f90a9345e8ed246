//! What the journal file itself must show at the end of a run: lines in
//! write order, one record per provider call, and capacity refusals that the
//! durable records explain.

use super::{Evidence, Invariant, Violation};
use crate::emulator::truth::TruthCall;
use crate::scenario::Scenario;
use callproof_core::journal::{self, Replay};
use callproof_core::manager::CommandError;
use callproof_core::record::Direction;
use std::collections::BTreeMap;

/// Liveness, as the operator sees it: a call refused for capacity was
/// refused while the durable journal really held `maxConcurrentCalls` live
/// calls (memory is never ahead of the disk: a record is written before it
/// counts).
pub(super) fn refusals_explained(evidence: &Evidence<'_>, scenario: &Scenario) -> Vec<Violation> {
    let max = scenario.config.max_concurrent_calls;
    // Refusals come in bursts at one journal length: replay each length once.
    let mut last: Option<(usize, usize)> = None;
    for (at, result, durable) in evidence.results {
        if !matches!(result, Err(CommandError::CapacityReached { .. })) {
            continue;
        }
        let len = (*durable).min(evidence.journal_bytes.len());
        let live = match last {
            Some((l, live)) if l == len => live,
            _ => journal::replay(&evidence.journal_bytes[..len])
                .live()
                .count(),
        };
        last = Some((len, live));
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

/// Durability: journal lines land in the order they were written, so a
/// reader going by line order (OpenClaw's own) restores the newest record.
pub(super) fn lines_in_order(bytes: &[u8], at_ms: u64) -> Vec<Violation> {
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
pub(super) fn one_record_per_call(
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
