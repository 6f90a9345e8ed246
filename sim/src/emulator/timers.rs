//! When the behaviour will next act on its own: the earliest ring, answer,
//! hang-up, limit or callback due. A manual clock steps from one of these to
//! the next, so every event fires at its own time and in order however far
//! the clock is moved at once.

use super::behaviour::{Emulator, BUSY_AFTER_MS, FAILURE_AFTER_MS, QUEUE_MS};
use super::truth::{Callee, Phase, TruthCall};
use callproof_core::record::Direction;

impl Emulator {
    /// The earliest time at which [`Emulator::advance`] or
    /// [`Emulator::take_due`] has something to do, if anything is pending.
    pub fn next_due(&self) -> Option<u64> {
        let calls = self.calls.values().filter_map(call_due);
        let deliveries = self.outbox.iter().map(|d| d.due_at);
        calls.chain(deliveries).min()
    }
}

/// The time of `call`'s next change, mirroring `Emulator::advance`.
fn call_due(call: &TruthCall) -> Option<u64> {
    let outbound = call.direction == Direction::Outbound;
    match call.phase {
        Phase::Queued => Some(call.created_at + QUEUE_MS),
        Phase::Ringing => {
            let start = call.created_at + if outbound { QUEUE_MS } else { 0 };
            let give_up = start + call.ring_timeout_ms;
            if !outbound {
                return Some(give_up);
            }
            let own = match call.callee {
                Callee::Answers { after_ms, .. } | Callee::Voicemail { after_ms, .. } => {
                    Some(start + after_ms).filter(|at| *at < give_up)
                }
                Callee::Busy => Some(start + BUSY_AFTER_MS),
                Callee::CarrierFailure => Some(start + FAILURE_AFTER_MS),
                Callee::NoAnswer => None,
            };
            Some(own.map_or(give_up, |at| at.min(give_up)))
        }
        Phase::Answered => {
            let base = call.answered_at.unwrap_or(call.created_at);
            let hangs_up = match call.callee {
                Callee::Answers {
                    talk_ms: Some(t), ..
                } => Some(base + t),
                Callee::Voicemail { message_ms, .. } => Some(base + message_ms),
                _ => None,
            };
            let limit = call.time_limit_ms.map(|l| base + l);
            match (hangs_up, limit) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        Phase::Ended(_) => None,
    }
}
