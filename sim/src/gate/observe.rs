//! What the gate did to a subject and what the subject answered: the
//! operator's side of a scenario, recorded as it happened. Together with the
//! emulator's [`Truth`] it is all the checkers read.

use super::truth::Truth;
use serde::{Deserialize, Serialize};

/// A subject's limits and policy for one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// `maxConcurrentCalls`.
    pub max_concurrent_calls: usize,
    /// `maxDurationSeconds`.
    pub max_duration_secs: u64,
    /// `disabled`, `allowlist` or `open`.
    pub inbound_policy: String,
    /// E.164 numbers allowed to call in.
    pub allow_from: Vec<String>,
    /// Notify mode's hang-up delay.
    pub notify_hangup_delay_secs: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_concurrent_calls: 1,
            max_duration_secs: 4,
            inbound_policy: "disabled".into(),
            allow_from: Vec::new(),
            notify_hangup_delay_secs: 1,
        }
    }
}

/// How long the checkers give the subject before an observation counts
/// against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tolerances {
    /// A capacity refusal is a phantom only if the provider had held fewer
    /// than `maxConcurrentCalls` of the subject's calls for this long.
    pub phantom_grace_ms: u64,
    /// A call may outlive max duration by this much before it is an orphan.
    pub orphan_slack_ms: u64,
    /// A refused caller must be off the line within this.
    pub reject_grace_ms: u64,
    /// After a fault ends, the subject has this long to catch up.
    pub converge_ms: u64,
}

impl Default for Tolerances {
    fn default() -> Tolerances {
        Tolerances {
            phantom_grace_ms: 2_000,
            orphan_slack_ms: 5_000,
            reject_grace_ms: 5_000,
            converge_ms: 5_000,
        }
    }
}

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ask {
    /// `POST /calls`.
    Place {
        /// The scenario's name for the call.
        tag: String,
        /// Callee.
        to: String,
        /// `conversation` or `notify`.
        mode: String,
    },
    /// `POST /calls/{id}/end`.
    End {
        /// The scenario's name for the call.
        tag: String,
        /// The subject's id.
        call_id: String,
    },
}

/// What the subject answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// 2xx; for a place, with the subject's call id.
    Accepted {
        /// The call id the subject gave.
        call_id: Option<String>,
    },
    /// A refusal for capacity (409, `kind: capacity`, or the text says so).
    Capacity {
        /// Status.
        status: u16,
        /// Its error text.
        text: String,
    },
    /// Any other error answer.
    Error {
        /// Status.
        status: u16,
        /// Its error text.
        text: String,
    },
    /// No answer at all (connection refused, reset, timeout).
    NoAnswer {
        /// Why.
        error: String,
    },
}

/// One operator command and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// When it was sent.
    pub sent_ms: u64,
    /// When the answer came.
    pub answered_ms: u64,
    /// What was asked.
    pub ask: Ask,
    /// What came back.
    pub answer: Answer,
    /// The scenario expects it to be accepted (capacity free, no fault).
    pub expect_accepted: bool,
}

/// Something that happened to the subject's process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Life {
    /// Started (boot number counts from 0).
    Started {
        /// When.
        at_ms: u64,
        /// Which boot.
        boot: u32,
    },
    /// `GET /health` answered ready.
    Ready {
        /// When.
        at_ms: u64,
        /// Which boot.
        boot: u32,
    },
    /// Never became ready within the timeout.
    NeverReady {
        /// When the gate gave up.
        at_ms: u64,
        /// Which boot.
        boot: u32,
    },
    /// SIGKILLed.
    Killed {
        /// When.
        at_ms: u64,
    },
    /// SIGTERMed (and exited or was killed after the drain timeout).
    Terminated {
        /// When.
        at_ms: u64,
    },
    /// Exited by itself.
    Exited {
        /// When it was noticed.
        at_ms: u64,
        /// Exit status text.
        status: String,
    },
}

/// A time during which the provider misbehaved on purpose; refusals and
/// stale state inside it (plus the time to converge) are not held against
/// the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultWindow {
    /// What the fault was, in words.
    pub what: String,
    /// From.
    pub from_ms: u64,
    /// Until (the scenario's end if never lifted).
    pub until_ms: u64,
    /// Observations before this are excused.
    pub excuse_until_ms: u64,
}

/// A caller the scenario rang the subject with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The scenario's name for it.
    pub tag: String,
    /// The provider's id of the inbound call.
    pub provider_call_id: String,
    /// Who called (`anonymous` or empty for a hidden number).
    pub from: String,
    /// Whether the subject's policy allows it (exact E.164 match).
    pub allowed: bool,
    /// When it rang.
    pub at_ms: u64,
}

/// The subject's `GET /calls` at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When it answered.
    pub at_ms: u64,
    /// The ids it listed as live: (its call id, the provider's id if given).
    pub calls: Vec<(String, Option<String>)>,
}

/// A call whose deadline the scenario states more tightly than max
/// duration (a notify call must be hung up soon after its message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The provider's id.
    pub provider_call_id: String,
    /// Hung up by then, or it is an orphan.
    pub by_ms: u64,
    /// Why this deadline.
    pub why: String,
}

/// Everything a scenario run recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The settings the subject ran with.
    pub settings: Settings,
    /// The tolerances it is judged with.
    pub tolerances: Tolerances,
    /// When the scenario started.
    pub started_ms: u64,
    /// When the gate stopped observing (the truth was read after this).
    pub finished_ms: u64,
    /// Operator commands in order.
    pub commands: Vec<Command>,
    /// The subject's process life.
    pub life: Vec<Life>,
    /// Deliberate provider faults.
    pub faults: Vec<FaultWindow>,
    /// Inbound callers.
    pub callers: Vec<Caller>,
    /// The subject's own view at checkpoints.
    pub snapshots: Vec<Snapshot>,
    /// Tighter deadlines for some calls.
    pub deadlines: Vec<Deadline>,
    /// The scenario's tag → the provider's id, once known.
    pub tags: Vec<(String, String)>,
    /// A step that could not complete, and why: the facts after it were
    /// never established.
    pub aborted: Option<String>,
    /// The emulator's truth at the end.
    pub truth: Truth,
}

impl Observation {
    /// Whether `at` (or any time in `[from, to]`) falls in an excused fault window.
    pub fn excused(&self, from: u64, to: u64) -> Option<&FaultWindow> {
        self.faults
            .iter()
            .find(|f| f.from_ms <= to && from <= f.excuse_until_ms)
    }

    /// The provider's id for a scenario tag.
    pub fn provider_id(&self, tag: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, id)| id.as_str())
    }

    /// The scenario tag of a provider id.
    pub fn tag_of(&self, provider_call_id: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(_, id)| id == provider_call_id)
            .map(|(t, _)| t.as_str())
            .or_else(|| {
                self.callers
                    .iter()
                    .find(|c| c.provider_call_id == provider_call_id)
                    .map(|c| c.tag.as_str())
            })
    }

    /// Times the subject was SIGKILLed.
    pub fn kills(&self) -> Vec<u64> {
        self.life
            .iter()
            .filter_map(|l| match l {
                Life::Killed { at_ms } => Some(*at_ms),
                _ => None,
            })
            .collect()
    }

    /// Restarts: (boot, started, ready) for every boot after the first.
    pub fn restarts(&self) -> Vec<(u32, u64, Option<u64>)> {
        let mut out = Vec::new();
        for l in &self.life {
            if let Life::Started { at_ms, boot } = l {
                if *boot > 0 {
                    let ready = self.life.iter().find_map(|r| match r {
                        Life::Ready { at_ms, boot: b } if b == boot => Some(*at_ms),
                        _ => None,
                    });
                    out.push((*boot, *at_ms, ready));
                }
            }
        }
        out
    }
}
