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
                Callee::Answers { after_ms, .. }
                | Callee::Voicemail { after_ms, .. }
                | Callee::Declines { after_ms }
                | Callee::RingsOut { after_ms } => {
                    Some(start + after_ms).filter(|at| *at < give_up)
                }
                Callee::Busy => Some(start + BUSY_AFTER_MS),
                Callee::CarrierFailure | Callee::NetworkError => Some(start + FAILURE_AFTER_MS),
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

#[cfg(test)]
mod tests {
    use super::super::dialect::TwilioDialect;
    use super::super::{Emulator, EmulatorProfile};
    use base64::Engine as _;

    const T0: u64 = 1_700_000_000_000;

    fn emulator(seed: u64) -> Emulator {
        let calm = EmulatorProfile {
            loss: 0.0,
            duplicate: 0.0,
            max_delay_ms: 0,
            retries: 0,
            retry_delay_ms: 0,
        };
        let mut e = Emulator::new(
            Box::new(TwilioDialect::default()),
            seed,
            calm,
            String::new(),
        );
        for n in 0..6 {
            let body = format!(
                "To=%2B1555000000{n}&From=%2B15550001111&Url=http%3A%2F%2Fgw%2Fv&Timeout=40&TimeLimit=90"
            );
            let (sid, token) = super::super::dialect::twilio_credentials();
            let auth = base64::engine::general_purpose::STANDARD.encode(format!("{sid}:{token}"));
            let request = http::Request::post(format!("/2010-04-01/Accounts/{sid}/Calls.json"))
                .header("authorization", format!("Basic {auth}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.into_bytes())
                .expect("a request");
            assert_eq!(e.handle_api(&request, T0 + n * 700).status(), 201);
        }
        e
    }

    /// Each call's id, phase, answer and end times, and callbacks emitted.
    type Truth = Vec<(String, String, Option<u64>, Option<u64>, u32)>;

    fn truth(e: &Emulator) -> Truth {
        e.calls
            .values()
            .map(|c| {
                let phase = format!("{:?}", c.phase);
                (
                    c.provider_call_id.clone(),
                    phase,
                    c.answered_at,
                    c.ended_at,
                    c.callbacks,
                )
            })
            .collect()
    }

    #[test]
    fn stepping_from_one_due_event_to_the_next_ends_calls_as_advancing_every_millisecond_does() {
        let end = T0 + 150_000;
        for seed in 0..12 {
            let mut every_ms = emulator(seed);
            for now in T0..=end {
                every_ms.advance(now);
                let _ = every_ms.take_due(now);
            }
            let mut stepped = emulator(seed);
            let mut steps = 0;
            while let Some(at) = stepped.next_due().filter(|at| *at <= end) {
                stepped.advance(at);
                let _ = stepped.take_due(at);
                steps += 1;
                assert!(steps < 10_000, "seed {seed}: next_due does not move on");
            }
            stepped.advance(end);
            assert_eq!(truth(&stepped), truth(&every_ms), "seed {seed}");
        }
    }
}
