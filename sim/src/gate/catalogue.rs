//! The named scenarios: one per class of `bug-history.md` that a black box
//! can show. Settings are small (max duration of a few seconds, one or two
//! slots) so each runs in seconds of real time; both shipped subjects run
//! real timers, so the emulator's clock is real too.

use super::observe::{Settings, Tolerances};
use super::scenario::{
    Behaviour, Fault, FaultAction, Operation, Phase, Scenario, Step, WebhookAction,
};

/// A callee that answers and stays on the line.
const STAYS: &str = "+15550001001";
/// A callee that answers and hangs up after a second.
const BRIEF: &str = "+15550001002";
/// A second callee that answers and hangs up after a second.
const BRIEF_2: &str = "+15550001003";
/// The one caller the inbound scenarios allow.
pub const ALLOWED_CALLER: &str = "+15550100001";

fn tag(t: &str) -> String {
    t.to_owned()
}

fn callees() -> Vec<Step> {
    vec![
        Step::Callee {
            number: STAYS.into(),
            behaviour: Behaviour::Answer {
                after_ms: 300,
                hangup_after_ms: None,
            },
        },
        Step::Callee {
            number: BRIEF.into(),
            behaviour: Behaviour::Answer {
                after_ms: 300,
                hangup_after_ms: Some(1_000),
            },
        },
        Step::Callee {
            number: BRIEF_2.into(),
            behaviour: Behaviour::Answer {
                after_ms: 300,
                hangup_after_ms: Some(1_000),
            },
        },
    ]
}

fn place(t: &str, to: &str) -> Step {
    Step::Place {
        tag: tag(t),
        to: to.into(),
        notify: false,
        expect_accepted: true,
    }
}

fn try_place(t: &str, to: &str) -> Step {
    Step::Place {
        tag: tag(t),
        to: to.into(),
        notify: false,
        expect_accepted: false,
    }
}

fn wait(t: &str, phase: Phase, timeout_ms: u64) -> Step {
    Step::Await {
        tag: tag(t),
        phase,
        timeout_ms,
        must: true,
    }
}

fn scenario(name: &str, about: &str, settings: Settings, steps: Vec<Step>) -> Scenario {
    let mut all = callees();
    all.extend(steps);
    Scenario {
        name: name.into(),
        about: about.into(),
        settings,
        tolerances: Tolerances::default(),
        steps: all,
        seed: None,
    }
}

fn limits(max_concurrent_calls: usize, max_duration_secs: u64) -> Settings {
    Settings {
        max_concurrent_calls,
        max_duration_secs,
        ..Settings::default()
    }
}

/// After a fault or a restart, a call that ended must have ended at least
/// the phantom grace (plus a margin) before the next call is placed, so a
/// refusal then can only be a phantom.
fn after_grace(t: &str, tolerances: &Tolerances) -> Step {
    Step::QuietSince {
        tag: tag(t),
        ms: tolerances.phantom_grace_ms + 500,
    }
}

/// Every named scenario, in the order the gate runs them.
pub fn all() -> Vec<Scenario> {
    let t = Tolerances::default();
    vec![
        scenario(
            "restart-6721",
            "OpenClaw #6721 (B1): a call is live, the gateway is SIGKILLed, the call ends at the provider while it is down and the ended callback is lost; after the restart the next call must not be refused",
            // A long max duration: the stale call is younger than it, so a
            // load-time age filter (B2) does not hide the bug.
            limits(1, 60),
            vec![
                place("A", STAYS),
                wait("A", Phase::Answered, 10_000),
                Step::Pause { ms: 500 },
                Step::Kill,
                Step::FarEnd { tag: tag("A") },
                wait("A", Phase::Ended, 5_000),
                Step::CallbacksSettle { tag: tag("A"), late: false, quiet_ms: 1_500 },
                Step::Restart,
                after_grace("A", &t),
                Step::Snapshot,
                place("B", BRIEF),
                wait("B", Phase::Ended, 10_000),
            ],
        ),
        scenario(
            "restart-api-failing",
            "B3: a live call across a restart while the provider's status API answers 503; the call must still count (no second call admitted) and still be hung up at max duration",
            limits(1, 6),
            vec![
                place("A", STAYS),
                wait("A", Phase::Answered, 10_000),
                Step::Kill,
                Step::Fault(Fault {
                    operation: Operation::Status,
                    action: FaultAction::Status(503),
                    count: None,
                    for_ms: Some(6_000),
                }),
                Step::Restart,
                try_place("B", BRIEF),
                wait("A", Phase::Ended, 30_000),
                Step::ClearFaults,
                after_grace("A", &t),
                place("C", BRIEF_2),
                wait("C", Phase::Ended, 10_000),
            ],
        ),
        scenario(
            "crash-during-create",
            "B5-W2: the gateway is SIGKILLed while its create is in flight (the provider created the call but its reply is held back, and the call's first callbacks are late), so its journal has no provider id; after the restart the call must still be found, counted and hung up",
            limits(1, 5),
            vec![
                Step::Fault(Fault {
                    operation: Operation::Create,
                    action: FaultAction::Latency(3_000),
                    count: Some(1),
                    for_ms: None,
                }),
                Step::WebhookFault { action: WebhookAction::Delay(2_500), count: 2 },
                Step::PlaceInFlight { tag: tag("A"), to: STAYS.into() },
                Step::Await { tag: tag("A"), phase: Phase::Created, timeout_ms: 10_000, must: true },
                Step::Kill,
                Step::Collect { tag: tag("A") },
                Step::ClearFaults,
                Step::Restart,
                try_place("B", BRIEF),
                wait("A", Phase::Ended, 30_000),
                after_grace("A", &t),
                place("C", BRIEF_2),
                wait("C", Phase::Ended, 10_000),
            ],
        ),
        scenario(
            "live-call-across-restart",
            "B4: a call is live across a SIGKILL and restart; it must still count against capacity and be hung up when its remaining max duration runs out",
            limits(1, 5),
            vec![
                place("A", STAYS),
                wait("A", Phase::Answered, 10_000),
                Step::Pause { ms: 1_000 },
                Step::Kill,
                Step::Pause { ms: 500 },
                Step::Restart,
                try_place("B", BRIEF),
                wait("A", Phase::Ended, 30_000),
                after_grace("A", &t),
                place("C", BRIEF_2),
                wait("C", Phase::Ended, 10_000),
            ],
        ),
        scenario(
            "late-callbacks-after-restart",
            "B6-B8: a call ends normally with every callback duplicated; after a restart the provider redelivers all of them late; the ended call must stay ended and capacity free",
            limits(1, 6),
            vec![
                Step::WebhookFault { action: WebhookAction::Duplicate, count: 20 },
                place("A", BRIEF),
                wait("A", Phase::Ended, 10_000),
                Step::Pause { ms: 1_000 },
                Step::ClearWebhookFaults,
                Step::Kill,
                Step::Restart,
                Step::Redeliver { window_ms: 60_000 },
                Step::CallbacksSettle { tag: tag("A"), late: true, quiet_ms: 1_500 },
                Step::Snapshot,
                after_grace("A", &t),
                place("B", BRIEF_2),
                wait("B", Phase::Ended, 10_000),
                Step::Snapshot,
            ],
        ),
        scenario(
            "inbound-callers",
            "B9, B10: callers ring an allowlist gateway: the allowed number is answered; an unknown number, an anonymous caller, an empty caller id and a number sharing the allowed one's digits as a suffix are refused and off the line at once",
            Settings {
                inbound_policy: "allowlist".into(),
                allow_from: vec![ALLOWED_CALLER.into()],
                ..limits(2, 5)
            },
            vec![
                Step::Inbound { tag: tag("allowed"), from: ALLOWED_CALLER.into() },
                Step::Await { tag: tag("allowed"), phase: Phase::Answered, timeout_ms: 5_000, must: false },
                Step::Inbound { tag: tag("unknown"), from: "+15550199999".into() },
                Step::Inbound { tag: tag("anonymous"), from: "anonymous".into() },
                Step::Inbound { tag: tag("hidden"), from: String::new() },
                Step::Inbound { tag: tag("suffix"), from: "+4415550100001".into() },
                Step::Await { tag: tag("suffix"), phase: Phase::Ended, timeout_ms: 6_000, must: false },
                Step::FarEnd { tag: tag("allowed") },
            ],
        ),
        scenario(
            "refused-caller-across-restart",
            "B9 across a restart: an unknown caller rings while the gateway is down; once it is back and the provider retries the callback, the caller must be refused and off the line, never answered",
            Settings {
                inbound_policy: "allowlist".into(),
                allow_from: vec![ALLOWED_CALLER.into()],
                ..limits(1, 5)
            },
            vec![
                Step::Kill,
                Step::Inbound { tag: tag("unknown"), from: "+15550199999".into() },
                Step::Pause { ms: 500 },
                Step::Restart,
                Step::Redeliver { window_ms: 30_000 },
                Step::Await { tag: tag("unknown"), phase: Phase::Ended, timeout_ms: 8_000, must: false },
            ],
        ),
        scenario(
            "notify-across-restart",
            "B12: a notify call is answered and the gateway is SIGKILLed before its hang-up delay ran out; after the restart it must still hang the call up soon, not only at max duration",
            Settings { notify_hangup_delay_secs: 1, ..limits(1, 30) },
            vec![
                Step::Place { tag: tag("A"), to: STAYS.into(), notify: true, expect_accepted: true },
                wait("A", Phase::Answered, 10_000),
                Step::Delivered { tag: tag("A"), kind: "answered".into(), timeout_ms: 10_000 },
                Step::Kill,
                Step::Pause { ms: 500 },
                Step::Restart,
                Step::DeadlineAfterReady {
                    tag: tag("A"),
                    ms: 1_000 + t.orphan_slack_ms,
                    why: "the notify hang-up delay (1 s) plus slack after the restart".into(),
                },
                Step::Await { tag: tag("A"), phase: Phase::Ended, timeout_ms: 1_000 + t.orphan_slack_ms + 1_000, must: false },
            ],
        ),
        scenario(
            "outage-during-hangup",
            "B3, B12: the operator ends a live call while the provider's hangup API answers 503 for three seconds; the call must still be hung up, by max duration at the latest, and capacity freed",
            limits(1, 6),
            vec![
                place("A", STAYS),
                wait("A", Phase::Answered, 10_000),
                Step::Fault(Fault {
                    operation: Operation::Hangup,
                    action: FaultAction::Status(503),
                    count: None,
                    for_ms: Some(3_000),
                }),
                Step::End { tag: tag("A") },
                wait("A", Phase::Ended, 30_000),
                Step::ClearFaults,
                after_grace("A", &t),
                place("B", BRIEF_2),
                wait("B", Phase::Ended, 10_000),
            ],
        ),
    ]
}

/// The scenario called `name`.
pub fn named(name: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.name == name)
}

/// Every name, for `--help` and errors.
pub fn names() -> Vec<String> {
    all().into_iter().map(|s| s.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_tag_is_introduced_before_it_is_used() {
        let all = all();
        let mut names: Vec<_> = all.iter().map(|s| s.name.clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
        for s in &all {
            let mut known: Vec<&str> = Vec::new();
            for step in &s.steps {
                match step {
                    Step::Place { tag, .. }
                    | Step::PlaceInFlight { tag, .. }
                    | Step::Inbound { tag, .. } => known.push(tag),
                    Step::Collect { tag }
                    | Step::Await { tag, .. }
                    | Step::QuietSince { tag, .. }
                    | Step::CallbacksSettle { tag, .. }
                    | Step::End { tag }
                    | Step::Delivered { tag, .. }
                    | Step::FarEnd { tag }
                    | Step::DeadlineAfterReady { tag, .. } => {
                        assert!(
                            known.contains(&tag.as_str()),
                            "{}: {tag} used before it is placed",
                            s.name
                        )
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn the_issue_names_every_required_scenario() {
        for name in [
            "restart-6721",
            "restart-api-failing",
            "crash-during-create",
            "live-call-across-restart",
            "late-callbacks-after-restart",
            "inbound-callers",
            "refused-caller-across-restart",
            "notify-across-restart",
            "outage-during-hangup",
        ] {
            assert!(named(name).is_some(), "{name}");
        }
    }

    #[test]
    fn every_restart_follows_a_kill() {
        for s in all() {
            let mut down = false;
            for step in &s.steps {
                match step {
                    Step::Kill => {
                        assert!(!down, "{}: killed twice", s.name);
                        down = true
                    }
                    Step::Restart => {
                        assert!(down, "{}: restarted while up", s.name);
                        down = false
                    }
                    _ => {}
                }
            }
            assert!(!down, "{} ends with the subject down", s.name);
        }
    }
}
