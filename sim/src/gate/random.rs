//! `--random --seed N`: a schedule drawn from the same ingredients as the
//! named scenarios (calls, far-end hangups, operator ends, SIGKILLs and
//! restarts, REST and callback faults, inbound callers, redeliveries), the
//! same seed always giving the same script. The checkers judge it like any
//! other; refusals and stale state inside a deliberate fault window (and the
//! time to converge after it) are excused, so a failure is the subject's.

use super::observe::{Settings, Tolerances};
use super::scenario::{
    Behaviour, Fault, FaultAction, Operation, Phase, Scenario, Step, WebhookAction,
};
use rand::rngs::SmallRng;
use rand::{Rng as _, SeedableRng as _};

/// How many ingredients one schedule draws.
const STEPS: usize = 14;

/// The schedule of `seed`.
pub fn schedule(seed: u64) -> Scenario {
    let mut rng = SmallRng::seed_from_u64(seed);
    let settings = Settings {
        max_concurrent_calls: rng.random_range(1..=2),
        max_duration_secs: 5,
        inbound_policy: "allowlist".into(),
        allow_from: vec![super::catalogue::ALLOWED_CALLER.into()],
        notify_hangup_delay_secs: 1,
    };
    let mut steps = Vec::new();
    let mut placed: Vec<String> = Vec::new();
    let mut up = true;
    let mut calls = 0;
    let mut callers = 0;
    for _ in 0..STEPS {
        let draw = rng.random_range(0..100);
        match draw {
            0..=29 if up => {
                calls += 1;
                let tag = format!("call{calls}");
                let number = format!("+1555000{:04}", 2000 + calls);
                let behaviour = match rng.random_range(0..10) {
                    0 => Behaviour::Busy,
                    1 => Behaviour::NoAnswer,
                    2..=5 => Behaviour::Answer {
                        after_ms: rng.random_range(100..800),
                        hangup_after_ms: Some(rng.random_range(500..4_000)),
                    },
                    _ => Behaviour::Answer {
                        after_ms: rng.random_range(100..800),
                        hangup_after_ms: None,
                    },
                };
                steps.push(Step::Callee {
                    number: number.clone(),
                    behaviour,
                });
                steps.push(Step::Place {
                    tag: tag.clone(),
                    to: number,
                    notify: rng.random_bool(0.2),
                    expect_accepted: false,
                });
                placed.push(tag);
            }
            30..=39 if !placed.is_empty() => {
                let tag = placed[rng.random_range(0..placed.len())].clone();
                steps.push(Step::FarEnd { tag });
            }
            40..=47 if up && !placed.is_empty() => {
                let tag = placed[rng.random_range(0..placed.len())].clone();
                steps.push(Step::End { tag });
            }
            48..=59 => {
                if up {
                    steps.push(Step::Kill);
                } else {
                    steps.push(Step::Restart);
                }
                up = !up;
            }
            60..=69 => {
                let operation = [
                    Operation::Create,
                    Operation::Status,
                    Operation::Hangup,
                    Operation::Any,
                ][rng.random_range(0..4)];
                let action = match rng.random_range(0..4) {
                    0 => FaultAction::Status(503),
                    1 => FaultAction::Status(429),
                    2 => FaultAction::Drop,
                    _ => FaultAction::ReplyLost,
                };
                steps.push(Step::Fault(Fault {
                    operation,
                    action,
                    count: None,
                    for_ms: Some(rng.random_range(1_000..4_000)),
                }));
            }
            70..=74 => {
                let action = match rng.random_range(0..3) {
                    0 => WebhookAction::Drop,
                    1 => WebhookAction::Duplicate,
                    _ => WebhookAction::Delay(rng.random_range(200..2_000)),
                };
                steps.push(Step::WebhookFault {
                    action,
                    count: rng.random_range(1..4),
                });
            }
            75..=84 => {
                callers += 1;
                let from = match rng.random_range(0..4) {
                    0 => super::catalogue::ALLOWED_CALLER.to_owned(),
                    1 => "anonymous".to_owned(),
                    2 => "+4415550100001".to_owned(),
                    _ => "+15550199999".to_owned(),
                };
                let tag = format!("caller{callers}");
                steps.push(Step::Inbound {
                    tag: tag.clone(),
                    from,
                });
                placed.push(tag);
            }
            85..=89 => steps.push(Step::Redeliver {
                window_ms: rng.random_range(2_000..30_000),
            }),
            _ => steps.push(Step::Pause {
                ms: rng.random_range(200..1_500),
            }),
        }
    }
    if !up {
        steps.push(Step::Restart);
    }
    steps.push(Step::ClearFaults);
    steps.push(Step::ClearWebhookFaults);
    steps.push(Step::Snapshot);
    // The liveness phase: once the faults are lifted, every call the
    // subject holds ends by max duration and a new call gets through.
    for tag in placed.iter().filter(|t| t.starts_with("call")) {
        steps.push(Step::Await {
            tag: tag.clone(),
            phase: Phase::Ended,
            timeout_ms: 30_000,
            must: false,
        });
    }
    steps.push(Step::Pause {
        ms: Tolerances::default().phantom_grace_ms + 500,
    });
    steps.push(Step::Callee {
        number: "+15550009999".into(),
        behaviour: Behaviour::Answer {
            after_ms: 200,
            hangup_after_ms: Some(1_000),
        },
    });
    steps.push(Step::Place {
        tag: "final".into(),
        to: "+15550009999".into(),
        notify: false,
        expect_accepted: false,
    });
    Scenario {
        name: format!("random-{seed}"),
        about: format!("a schedule drawn from seed {seed}"),
        settings,
        tolerances: Tolerances::default(),
        steps,
        seed: Some(seed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_always_draws_the_same_schedule() {
        assert_eq!(schedule(7), schedule(7));
        assert_ne!(schedule(7).steps, schedule(8).steps);
    }

    #[test]
    fn a_schedule_never_restarts_a_running_subject_and_ends_with_it_up() {
        for seed in 0..200 {
            let mut up = true;
            for step in schedule(seed).steps {
                match step {
                    Step::Kill => {
                        assert!(up, "seed {seed}: kill while down");
                        up = false
                    }
                    Step::Restart => {
                        assert!(!up, "seed {seed}: restart while up");
                        up = true
                    }
                    Step::Place { .. } | Step::End { .. } => {
                        assert!(up, "seed {seed}: operator call while down")
                    }
                    _ => {}
                }
            }
            assert!(up, "seed {seed}");
        }
    }
}
