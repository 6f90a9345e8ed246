//! What each call went through, in time order: the timeline the control API
//! shows beside the ground truth. Kept by the behaviour itself so the
//! simulator and the standalone server record the same events.

use super::dialect::CallbackKind;
use std::collections::BTreeMap;

/// A call's timeline stops growing here (a bound on every queue).
const MAX_EVENTS_PER_CALL: usize = 256;

/// One thing that happened to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// When (ms since the epoch).
    pub at_ms: u64,
    /// What: `created`, `ringing`, `answered`, `ended`, `hangup`, `speak`,
    /// `listen`, `status`, `inbound_accepted`, `inbound_rejected`.
    pub event: &'static str,
    /// Why, or with what, in words.
    pub detail: String,
}

/// One call's record beside its truth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallLog {
    /// Its events, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The control API ended it (the far end hung up on request).
    pub ended_by_control: bool,
}

/// Every call's log, by provider call id.
#[derive(Debug, Clone, Default)]
pub struct CallLogs {
    by_call: BTreeMap<String, CallLog>,
}

impl CallLogs {
    /// The log of `pid`, if it has one.
    pub fn get(&self, pid: &str) -> Option<&CallLog> {
        self.by_call.get(pid)
    }

    /// Adds an event to `pid`'s timeline.
    pub fn record(&mut self, pid: &str, at_ms: u64, event: &'static str, detail: &str) {
        let log = self.by_call.entry(pid.to_owned()).or_default();
        if log.timeline.len() < MAX_EVENTS_PER_CALL {
            log.timeline.push(TimelineEntry {
                at_ms,
                event,
                detail: detail.to_owned(),
            });
        }
    }

    /// Records the truth change a callback reports (callbacks are emitted
    /// exactly when the call changes).
    pub fn record_callback(&mut self, pid: &str, kind: CallbackKind, at_ms: u64) {
        match kind {
            CallbackKind::Initiated => self.record(pid, at_ms, "created", ""),
            CallbackKind::Ringing => self.record(pid, at_ms, "ringing", ""),
            CallbackKind::Answered => self.record(pid, at_ms, "answered", ""),
            CallbackKind::Ended(reason) => self.record(pid, at_ms, "ended", reason.as_str()),
            // Not a change of the call: a note, like a machine answering.
            CallbackKind::Unrecognised => self.record(pid, at_ms, "status", "unrecognised word"),
            CallbackKind::Speech { is_final: true, .. } => {
                self.record(pid, at_ms, "speech", "final result")
            }
            CallbackKind::Speech { .. } => self.record(pid, at_ms, "speech", "interim result"),
        }
    }

    /// Marks `pid` as ended through the control API.
    pub fn ended_by_control(&mut self, pid: &str) {
        self.by_call
            .entry(pid.to_owned())
            .or_default()
            .ended_by_control = true;
    }
}
