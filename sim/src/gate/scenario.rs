//! A scenario is a named script: operator calls through the subject's
//! control API, provider behaviour and faults through the emulator's, and
//! crashes and restarts of the subject. It is data, so the catalogue and the
//! random schedules are pure and a failing scenario replays by name.

use super::observe::{Settings, Tolerances};
use serde_json::{json, Value};

/// The number the subject calls from and is called on.
pub const FROM_NUMBER: &str = "+15550000000";

/// What a callee does when called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers after `after_ms`, hangs up after `hangup_after_ms` if given.
    Answer {
        /// Ring time.
        after_ms: u64,
        /// Talk time before the callee hangs up.
        hangup_after_ms: Option<u64>,
    },
    /// Busy.
    Busy,
    /// Never answers.
    NoAnswer,
}

impl Behaviour {
    /// The contract's JSON.
    pub fn to_json(self) -> Value {
        match self {
            Behaviour::Answer {
                after_ms,
                hangup_after_ms,
            } => {
                json!({"kind": "answer", "after_ms": after_ms, "hangup_after_ms": hangup_after_ms})
            }
            Behaviour::Busy => json!({"kind": "busy"}),
            Behaviour::NoAnswer => json!({"kind": "no_answer"}),
        }
    }
}

/// A REST operation a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Every operation.
    Any,
    /// Placing a call.
    Create,
    /// Looking a call up.
    Status,
    /// Hanging up.
    Hangup,
}

impl Operation {
    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Any => "any",
            Operation::Create => "create",
            Operation::Status => "status",
            Operation::Hangup => "hangup",
        }
    }
}

/// What a REST fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer with this status.
    Status(u16),
    /// Reset the connection before applying.
    Drop,
    /// Apply, then reset the connection.
    ReplyLost,
    /// Delay the answer.
    Latency(u64),
}

/// A REST fault rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// Which operation.
    pub operation: Operation,
    /// What it does.
    pub action: FaultAction,
    /// For the next N matching requests only.
    pub count: Option<u32>,
    /// For this long only.
    pub for_ms: Option<u64>,
}

impl Fault {
    /// The contract's JSON, for `provider`.
    pub fn to_json(self, provider: &str) -> Value {
        let action = match self.action {
            FaultAction::Status(code) => json!({"kind": "status", "code": code}),
            FaultAction::Drop => json!({"kind": "drop"}),
            FaultAction::ReplyLost => json!({"kind": "reply_lost"}),
            FaultAction::Latency(ms) => json!({"kind": "latency", "ms": ms}),
        };
        json!({
            "provider": provider,
            "operation": self.operation.as_str(),
            "action": action,
            "probability": 1.0,
            "count": self.count,
            "for_ms": self.for_ms,
        })
    }

    /// In words, for evidence.
    pub fn describe(self) -> String {
        let action = match self.action {
            FaultAction::Status(code) => format!("answer {code}"),
            FaultAction::Drop => "drop the connection".into(),
            FaultAction::ReplyLost => "apply, then lose the reply".into(),
            FaultAction::Latency(ms) => format!("delay {ms} ms"),
        };
        let scope = match (self.count, self.for_ms) {
            (Some(n), _) => format!(" for the next {n}"),
            (None, Some(ms)) => format!(" for {ms} ms"),
            (None, None) => String::new(),
        };
        format!("{} requests: {action}{scope}", self.operation.as_str())
    }
}

/// What a callback fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookAction {
    /// Lose it.
    Drop,
    /// Deliver it twice.
    Duplicate,
    /// Deliver it late.
    Delay(u64),
}

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Scripts a callee.
    Callee {
        /// Its number.
        number: String,
        /// What it does.
        behaviour: Behaviour,
    },
    /// `POST /calls`, waiting for the answer.
    Place {
        /// The scenario's name for the call.
        tag: String,
        /// Callee.
        to: String,
        /// Notify mode (with a message) rather than conversation.
        notify: bool,
        /// The scenario stops if it is not accepted (capacity is free and no
        /// fault is active, so anything else is the subject's failure).
        expect_accepted: bool,
    },
    /// `POST /calls` on a thread of its own; [`Step::Collect`] reads the answer.
    PlaceInFlight {
        /// The scenario's name for the call.
        tag: String,
        /// Callee.
        to: String,
    },
    /// Waits for the answer of an in-flight place.
    Collect {
        /// Its tag.
        tag: String,
    },
    /// Waits until the provider shows the tagged call in a phase.
    Await {
        /// The call.
        tag: String,
        /// Which phase.
        phase: Phase,
        /// At most this long.
        timeout_ms: u64,
        /// The scenario stops if it never gets there.
        must: bool,
    },
    /// Waits until the tagged call ended at least `ms` ago.
    QuietSince {
        /// The call.
        tag: String,
        /// How long ago.
        ms: u64,
    },
    /// Waits until the provider's attempts to deliver the tagged call's
    /// callbacks have stopped for `quiet_ms` (at least the provider's retry
    /// spacing), after an `ended` callback was tried (the subject is down:
    /// every attempt failed and the provider gave up) or, with `late`, after
    /// a redelivered one was.
    CallbacksSettle {
        /// The call.
        tag: String,
        /// Wait for a late (redelivered) attempt rather than an `ended` one.
        late: bool,
        /// Quiet time.
        quiet_ms: u64,
    },
    /// Waits until the subject took (2xx) the tagged call's callback of
    /// `kind`, so a crash after it is a crash after the subject knew.
    Delivered {
        /// The call.
        tag: String,
        /// `answered`, `ended`, ….
        kind: String,
        /// At most this long.
        timeout_ms: u64,
    },
    /// The operator ends the call through the subject.
    End {
        /// The call.
        tag: String,
    },
    /// The far end (callee or caller) hangs up.
    FarEnd {
        /// The call.
        tag: String,
    },
    /// SIGKILL.
    Kill,
    /// Start again on the same store and wait for readiness.
    Restart,
    /// Adds a REST fault rule.
    Fault(Fault),
    /// Removes every REST fault rule.
    ClearFaults,
    /// Adds a callback fault rule for the next `count` callbacks.
    WebhookFault {
        /// What it does.
        action: WebhookAction,
        /// How many callbacks.
        count: u32,
    },
    /// Removes every callback fault rule.
    ClearWebhookFaults,
    /// A caller rings the subject.
    Inbound {
        /// The scenario's name for it.
        tag: String,
        /// The caller's number (`anonymous` or empty for a hidden one).
        from: String,
    },
    /// Every callback of the last `window_ms` is delivered again.
    Redeliver {
        /// How far back.
        window_ms: u64,
    },
    /// Lets time pass (part of the script, never a judgement).
    Pause {
        /// How long.
        ms: u64,
    },
    /// Reads the subject's `GET /calls`.
    Snapshot,
    /// The tagged call must be off the line this long after the subject's
    /// last readiness (a notify call's hang-up after a restart).
    DeadlineAfterReady {
        /// The call.
        tag: String,
        /// How long after readiness.
        ms: u64,
        /// Why, in words.
        why: String,
    },
}

/// A phase of a call at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The provider created it.
    Created,
    /// It was answered.
    Answered,
    /// It ended.
    Ended,
}

/// A named script with its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Its name on the command line.
    pub name: String,
    /// What it shows, and the bug class of `bug-history.md` it stands for.
    pub about: String,
    /// The subject's settings.
    pub settings: Settings,
    /// The checkers' tolerances.
    pub tolerances: Tolerances,
    /// The script.
    pub steps: Vec<Step>,
    /// The seed of a random schedule.
    pub seed: Option<u64>,
}

impl Scenario {
    /// Whether a caller from `from` is allowed by the settings' policy:
    /// exact E.164 match, never an empty or anonymous caller.
    pub fn allows(&self, from: &str) -> bool {
        let from = from.trim();
        if from.is_empty() || from.eq_ignore_ascii_case("anonymous") {
            return false;
        }
        match self.settings.inbound_policy.as_str() {
            "open" => true,
            "allowlist" => self.settings.allow_from.iter().any(|a| a == from),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_render_as_the_contract_writes_them() {
        let rule = Fault {
            operation: Operation::Status,
            action: FaultAction::Status(503),
            count: None,
            for_ms: Some(4_000),
        };
        assert_eq!(
            rule.to_json("twilio"),
            json!({"provider":"twilio","operation":"status","action":{"kind":"status","code":503},
                   "probability":1.0,"count":null,"for_ms":4000})
        );
        assert_eq!(rule.describe(), "status requests: answer 503 for 4000 ms");
        assert_eq!(
            Behaviour::Answer {
                after_ms: 300,
                hangup_after_ms: None
            }
            .to_json(),
            json!({"kind":"answer","after_ms":300,"hangup_after_ms":null})
        );
    }

    #[test]
    fn the_policy_is_an_exact_match_and_never_lets_a_hidden_caller_in() {
        let s = Scenario {
            name: "x".into(),
            about: String::new(),
            settings: Settings {
                inbound_policy: "allowlist".into(),
                allow_from: vec!["+15550100001".into()],
                ..Settings::default()
            },
            tolerances: Tolerances::default(),
            steps: vec![],
            seed: None,
        };
        assert!(s.allows("+15550100001"));
        assert!(
            !s.allows("+4415550100001"),
            "a shared suffix is not a match"
        );
        assert!(!s.allows("+10100001"));
        assert!(!s.allows("anonymous") && !s.allows(""));
    }
}
