//! No orphan, checked throughout the run: a call live at the provider that
//! the gateway placed or answered must have a live record in the durable
//! journal, or be on its way to one within a short grace.
//!
//! The journal is followed incrementally (only bytes appended since the last
//! look are parsed), so the check can run every few simulated milliseconds.

use super::{Invariant, Violation};
use crate::emulator::truth::TruthCall;
use callproof_core::record::CallRecord;
use callproof_core::state::CallState;
use std::collections::BTreeMap;

/// How long a live call may go untracked before it counts as an orphan: the
/// provider's own time limit may end a call a few seconds after the gateway's
/// conservative deadline when a create was held up in the network.
pub const ORPHAN_GRACE_MS: u64 = 10_000;

/// The latest record of each call in the durable journal, followed as it grows.
#[derive(Debug, Default)]
struct JournalView {
    boots: u32,
    parsed: usize,
    /// call id -> (seq, state, provider id)
    calls: BTreeMap<String, (u64, CallState, Option<String>)>,
    /// provider id -> call id
    by_pid: BTreeMap<String, String>,
}

impl JournalView {
    fn follow(&mut self, bytes: &[u8], boots: u32) {
        if boots != self.boots || bytes.len() < self.parsed {
            *self = JournalView {
                boots,
                ..JournalView::default()
            };
        }
        let Some(end) = bytes.iter().rposition(|b| *b == b'\n') else {
            return;
        };
        if end < self.parsed {
            return;
        }
        for line in bytes[self.parsed..end].split(|b| *b == b'\n') {
            let Ok(r) = serde_json::from_slice::<CallRecord>(line) else {
                continue;
            };
            let seq = r.seq.unwrap_or(0);
            let newer = self.calls.get(&r.call_id).is_none_or(|(s, _, _)| seq >= *s);
            if newer {
                if let Some(pid) = &r.provider_call_id {
                    self.by_pid.insert(pid.clone(), r.call_id.clone());
                }
                self.calls.insert(
                    r.call_id.clone(),
                    (seq, r.state, r.provider_call_id.clone()),
                );
            }
        }
        self.parsed = end + 1;
    }

    fn tracks(&self, call: &TruthCall) -> bool {
        let by_id = call.call_id.as_ref().and_then(|id| self.calls.get(id));
        let by_pid = || {
            self.by_pid
                .get(&call.provider_call_id)
                .and_then(|id| self.calls.get(id))
        };
        by_id
            .or_else(by_pid)
            .is_some_and(|(_, state, _)| !state.is_terminal())
    }
}

/// Watches for orphans over a run.
#[derive(Debug, Default)]
pub struct OrphanWatch {
    view: JournalView,
    untracked_since: BTreeMap<String, u64>,
    reported: bool,
}

impl OrphanWatch {
    /// Looks at the provider's calls and the durable journal at `now`.
    pub fn check(
        &mut self,
        calls: &BTreeMap<String, TruthCall>,
        journal: &[u8],
        boots: u32,
        now: u64,
        at_ms: u64,
    ) -> Option<Violation> {
        self.view.follow(journal, boots);
        let mut found = None;
        for c in calls.values().filter(|c| c.owned && c.is_live()) {
            if self.view.tracks(c) {
                self.untracked_since.remove(&c.provider_call_id);
                continue;
            }
            let since = *self
                .untracked_since
                .entry(c.provider_call_id.clone())
                .or_insert(now);
            if now >= since + ORPHAN_GRACE_MS && found.is_none() && !self.reported {
                found = Some(Violation {
                    invariant: Invariant::NoOrphan,
                    at_ms,
                    detail: format!(
                        "call {} ({:?}) has been live at the provider for {} s without a live journal record",
                        c.provider_call_id,
                        c.call_id,
                        (now - since) / 1000
                    ),
                });
            }
        }
        self.untracked_since
            .retain(|pid, _| calls.get(pid).is_some_and(|c| c.owned && c.is_live()));
        if found.is_some() {
            self.reported = true;
        }
        found
    }
}
