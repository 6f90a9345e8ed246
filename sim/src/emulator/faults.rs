//! Fault rules, decided by the behaviour and carried out by its host: a REST
//! request is answered with an error status, dropped before it is applied,
//! applied with its reply lost (reset at once, or after a silence), or
//! applied and answered late; a callback is dropped,
//! duplicated, delayed or held back behind later ones. Rules are values
//! (the control API's JSON), matched in the order they were added, drawn
//! from their own seeded generator so one seed gives one run.

use super::dialect::ApiCall;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The REST operation a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Every operation.
    #[default]
    Any,
    /// Place a call.
    Create,
    /// Ask about a call.
    Status,
    /// End a call.
    Hangup,
    /// Speak into a call.
    Speak,
    /// Start or stop transcribing.
    Listen,
    /// Answer or refuse an inbound call (Telnyx actions).
    Answer,
}

impl Operation {
    /// The operation `call` is.
    pub fn of(call: &ApiCall) -> Operation {
        match call {
            ApiCall::Create(_) => Operation::Create,
            ApiCall::Status(_) => Operation::Status,
            ApiCall::Hangup(_) => Operation::Hangup,
            ApiCall::Speak(_) => Operation::Speak,
            ApiCall::StartListening(_) | ApiCall::StopListening(_) => Operation::Listen,
            ApiCall::Answer(_) | ApiCall::Reject(_) => Operation::Answer,
        }
    }

    /// The name the request journal gives `call`.
    pub fn journal_name(call: &ApiCall) -> &'static str {
        match call {
            ApiCall::Create(_) => "create",
            ApiCall::Status(_) => "status",
            ApiCall::Hangup(_) => "hangup",
            ApiCall::Speak(_) => "speak",
            ApiCall::StartListening(_) => "start_listening",
            ApiCall::StopListening(_) => "stop_listening",
            ApiCall::Answer(_) => "answer",
            ApiCall::Reject(_) => "reject",
        }
    }

    fn covers(self, other: Operation) -> bool {
        self == Operation::Any || self == other
    }
}

/// What a REST fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer with this status and the provider's error body; not applied.
    Status {
        /// 429, or a 5xx.
        code: u16,
    },
    /// Reset the connection before the request is applied.
    Drop,
    /// Apply the request, then reset the connection without a reply.
    ReplyLost,
    /// Apply the request and answer it this much later: beyond the
    /// client's timeout, a late reply to a request the provider carried out.
    Latency {
        /// The delay.
        ms: u64,
    },
    /// Apply the request, send nothing back for `ms`, then reset the
    /// connection: only the reply direction is cut, so a client whose
    /// timeout is shorter sees a timeout rather than a reset.
    ReplyCut {
        /// How long the connection stays silent before it is reset.
        ms: u64,
    },
}

impl FaultAction {
    /// The name the request journal gives the fault.
    pub fn journal_name(self) -> String {
        match self {
            FaultAction::Status { code } => format!("status:{code}"),
            FaultAction::Drop => "drop".to_owned(),
            FaultAction::ReplyLost => "reply_lost".to_owned(),
            FaultAction::Latency { ms } => format!("latency:{ms}"),
            FaultAction::ReplyCut { ms } => format!("reply_cut:{ms}"),
        }
    }
}

fn certain() -> f64 {
    1.0
}

/// A REST fault rule, as the control API takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Only this provider's requests (`twilio`, `plivo`, `telnyx`); all if absent.
    #[serde(default)]
    pub provider: Option<String>,
    /// Only this operation.
    #[serde(default)]
    pub operation: Operation,
    /// What happens.
    pub action: FaultAction,
    /// Chance each matching request is hit.
    #[serde(default = "certain")]
    pub probability: f64,
    /// Hits at most this many requests, then is gone.
    #[serde(default)]
    pub count: Option<u64>,
    /// Lasts this long after it is added, then is gone.
    #[serde(default)]
    pub for_ms: Option<u64>,
}

/// What a callback fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookAction {
    /// The provider gives up on it: never sent.
    Drop,
    /// Sent twice.
    Duplicate,
    /// Sent `delay_ms` late.
    Delay,
    /// Held back `delay_ms` so the call's later callbacks overtake it.
    Reorder,
}

/// A callback fault rule, as the control API takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookRule {
    /// Only this provider's callbacks; all if absent.
    #[serde(default)]
    pub provider: Option<String>,
    /// What happens.
    pub action: WebhookAction,
    /// The delay of `delay` and `reorder`.
    #[serde(default)]
    pub delay_ms: u64,
    /// Chance each callback is hit.
    #[serde(default = "certain")]
    pub probability: f64,
    /// Hits at most this many callbacks, then is gone.
    #[serde(default)]
    pub count: Option<u64>,
}

/// Why a rule was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// The probability is not within 0..=1.
    Probability,
    /// The status is not 429 or 5xx.
    Status(u16),
    /// The provider is not one this server emulates.
    Provider(String),
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleError::Probability => write!(f, "probability must be between 0 and 1"),
            RuleError::Status(code) => write!(f, "status {code} is not 429 or a 5xx"),
            RuleError::Provider(p) => write!(f, "unknown provider {p:?}"),
        }
    }
}

/// A rule in force and what it has used up.
#[derive(Debug, Clone, PartialEq)]
struct Active<R> {
    rule: R,
    added_at: u64,
    hits: u64,
}

/// The rules in force, with their own random draws.
#[derive(Debug, Clone)]
pub struct FaultRules {
    rest: BTreeMap<u64, Active<Rule>>,
    webhooks: BTreeMap<u64, Active<WebhookRule>>,
    next_id: u64,
    rng: SmallRng,
}

impl FaultRules {
    /// No rules; draws from `seed`.
    pub fn new(seed: u64) -> FaultRules {
        FaultRules {
            rest: BTreeMap::new(),
            webhooks: BTreeMap::new(),
            next_id: 0,
            rng: SmallRng::seed_from_u64(seed ^ 0x0fa1_7e5e_ed00_u64),
        }
    }

    /// Adds a REST rule at `now`; its id.
    pub fn add(&mut self, rule: Rule, now: u64) -> Result<u64, RuleError> {
        check_probability(rule.probability)?;
        if let FaultAction::Status { code } = rule.action {
            if !(code == 429 || (500..=599).contains(&code)) {
                return Err(RuleError::Status(code));
            }
        }
        self.next_id += 1;
        let active = Active {
            rule,
            added_at: now,
            hits: 0,
        };
        self.rest.insert(self.next_id, active);
        Ok(self.next_id)
    }

    /// Adds a callback rule; its id.
    pub fn add_webhook(&mut self, rule: WebhookRule, now: u64) -> Result<u64, RuleError> {
        check_probability(rule.probability)?;
        self.next_id += 1;
        let active = Active {
            rule,
            added_at: now,
            hits: 0,
        };
        self.webhooks.insert(self.next_id, active);
        Ok(self.next_id)
    }

    /// The REST rules in force, by id.
    pub fn rules(&self) -> impl Iterator<Item = (u64, &Rule)> {
        self.rest.iter().map(|(id, a)| (*id, &a.rule))
    }

    /// The callback rules in force, by id.
    pub fn webhook_rules(&self) -> impl Iterator<Item = (u64, &WebhookRule)> {
        self.webhooks.iter().map(|(id, a)| (*id, &a.rule))
    }

    /// Removes one rule (REST or callback); whether it existed.
    pub fn remove(&mut self, id: u64) -> bool {
        self.rest.remove(&id).is_some() | self.webhooks.remove(&id).is_some()
    }

    /// Removes every REST rule.
    pub fn clear_rest(&mut self) {
        self.rest.clear();
    }

    /// Removes every callback rule.
    pub fn clear_webhooks(&mut self) {
        self.webhooks.clear();
    }

    /// The fault, if any, for a `provider` request of `operation` at `now`:
    /// the first rule in force that matches and whose draw hits.
    pub fn decide(
        &mut self,
        provider: &str,
        operation: Operation,
        now: u64,
    ) -> Option<FaultAction> {
        self.rest.retain(|_, a| {
            a.rule.count.is_none_or(|c| a.hits < c)
                && a.rule
                    .for_ms
                    .is_none_or(|ms| now < a.added_at.saturating_add(ms))
        });
        let rng = &mut self.rng;
        let (&id, hit) = self.rest.iter_mut().find(|(_, a)| {
            a.rule.provider.as_deref().is_none_or(|p| p == provider)
                && a.rule.operation.covers(operation)
                && draw(rng, a.rule.probability)
        })?;
        hit.hits += 1;
        let action = hit.rule.action;
        if hit.rule.count.is_some_and(|c| hit.hits >= c) {
            self.rest.remove(&id);
        }
        Some(action)
    }

    /// The fault, if any, for a `provider` callback about to be sent.
    pub fn decide_webhook(&mut self, provider: &str) -> Option<(WebhookAction, u64)> {
        self.webhooks
            .retain(|_, a| a.rule.count.is_none_or(|c| a.hits < c));
        let rng = &mut self.rng;
        let (&id, hit) = self.webhooks.iter_mut().find(|(_, a)| {
            a.rule.provider.as_deref().is_none_or(|p| p == provider)
                && draw(rng, a.rule.probability)
        })?;
        hit.hits += 1;
        let decision = (hit.rule.action, hit.rule.delay_ms);
        if hit.rule.count.is_some_and(|c| hit.hits >= c) {
            self.webhooks.remove(&id);
        }
        Some(decision)
    }
}

/// A certain rule never draws, so adding one does not shift later draws.
fn draw(rng: &mut SmallRng, probability: f64) -> bool {
    if probability >= 1.0 {
        true
    } else if probability <= 0.0 {
        false
    } else {
        rng.random_bool(probability)
    }
}

fn check_probability(p: f64) -> Result<(), RuleError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(RuleError::Probability)
    }
}

#[cfg(test)]
#[path = "faults_tests.rs"]
mod tests;
