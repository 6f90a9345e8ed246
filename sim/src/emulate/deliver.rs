//! Callbacks to the gateway over real HTTP: each provider's timeouts and
//! retry policy, the public→local URL map, the callback fault rules, the
//! gateway's answer read and acted on, every attempt journaled. With a real
//! clock a tick loop sends what falls due; with a manual clock
//! [`advance`] steps from one due event to the next.

use super::http::{send, SendError};
use super::journal::{body_text, DeliveryEntry};
use super::state::State;
use crate::emulator::answer::{self, GatewayAnswer};
use crate::emulator::dialect::CallbackKind;
use crate::emulator::faults::WebhookAction;
use crate::emulator::Delivery;
use callproof_core::provider::ProviderName;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// How a provider delivers a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Connect timeout.
    pub connect_ms: u64,
    /// Total time for an answer.
    pub total_ms: u64,
    /// Retries after a failed attempt.
    pub retries: u32,
    /// Wait before the first retry (doubling after).
    pub retry_delay_ms: u64,
    /// Whether a non-2xx answer is retried (else only connect failures and
    /// timeouts are).
    pub retry_http_errors: bool,
}

impl Policy {
    /// The documented policy of `provider`:
    /// - Twilio: connect within 10 s, answer within 15 s; one retry, only
    ///   when the connection failed (connection-override defaults `rc=1`,
    ///   `rp=ct`).
    /// - Plivo: connect within 2 s, read within 40 s, total 55 s; one retry
    ///   on connect or read failure (`rc=1`, `rp=ct,rt`).
    /// - Telnyx: retries until the app answers 2xx; here 4 retries from 2 s
    ///   doubling (under its 60 s budget), 10 s per attempt.
    pub fn of(provider: ProviderName) -> Policy {
        match provider {
            ProviderName::Twilio => Policy {
                connect_ms: 10_000,
                total_ms: 15_000,
                retries: 1,
                retry_delay_ms: 1_000,
                retry_http_errors: false,
            },
            ProviderName::Plivo => Policy {
                connect_ms: 2_000,
                total_ms: 40_000,
                retries: 1,
                retry_delay_ms: 1_000,
                retry_http_errors: false,
            },
            ProviderName::Telnyx | ProviderName::Mock => Policy {
                connect_ms: 5_000,
                total_ms: 10_000,
                retries: 4,
                retry_delay_ms: 2_000,
                retry_http_errors: true,
            },
        }
    }
}

/// How often a real clock lets time pass.
const TICK: Duration = Duration::from_millis(20);
/// A manual advance stops after this many steps (a bound on the loop).
const MAX_STEPS: usize = 1_000_000;
/// How far a `reorder` fault holds a callback back when it names no delay.
const REORDER_DEFAULT_MS: u64 = 3_000;

/// With a real clock, forever: lets time pass and sends what falls due,
/// each delivery concurrently. With a manual clock it returns at once.
pub(super) async fn tick_loop(state: Rc<RefCell<State>>) {
    if state.borrow().config.clock == super::ClockMode::Manual {
        return;
    }
    loop {
        tokio::time::sleep(TICK).await;
        for (provider, delivery) in step(&state, None) {
            tokio::task::spawn_local(deliver(state.clone(), provider, delivery));
        }
    }
}

/// Lets every emulator reach `now` (the state's clock if `None`); what fell due.
fn step(state: &Rc<RefCell<State>>, now: Option<u64>) -> Vec<(ProviderName, Delivery)> {
    let mut s = state.borrow_mut();
    let now = now.unwrap_or_else(|| s.now());
    let mut due = Vec::new();
    for (provider, emulator) in &mut s.emulators {
        emulator.advance(now);
        due.extend(emulator.take_due(now).into_iter().map(|d| (*provider, d)));
    }
    due
}

/// Moves a manual clock `ms` on: every ring, answer, hang-up, limit and
/// callback due by then happens at its own time, in time order, each
/// callback delivered (and its answer acted on) before the next step.
/// `None` with a real clock.
pub(super) async fn advance(state: &Rc<RefCell<State>>, ms: u64) -> Option<u64> {
    let target = {
        let s = state.borrow();
        if s.config.clock != super::ClockMode::Manual {
            return None;
        }
        s.now().saturating_add(ms)
    };
    for _ in 0..MAX_STEPS {
        let next = {
            let s = state.borrow();
            s.emulators.iter().filter_map(|(_, e)| e.next_due()).min()
        };
        let Some(at) = next.filter(|at| *at <= target) else {
            break;
        };
        let now = {
            let mut s = state.borrow_mut();
            s.set_manual_now(at);
            s.now()
        };
        for (provider, delivery) in step(state, Some(now)) {
            deliver(state.clone(), provider, delivery).await;
        }
    }
    let mut s = state.borrow_mut();
    s.set_manual_now(target);
    let now = s.now();
    for (_, emulator) in &mut s.emulators {
        emulator.advance(now);
    }
    Some(now)
}

/// Puts a first attempt through the callback fault rules: the delivery to
/// send now, or `None` when a rule dropped or postponed it.
fn apply_rules(
    state: &Rc<RefCell<State>>,
    provider: ProviderName,
    delivery: Delivery,
) -> Option<Delivery> {
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    let key = (provider, delivery.id);
    if delivery.attempts > 0 || !s.faulted.insert(key) {
        return Some(delivery);
    }
    let Some((action, delay_ms)) = s.rules.decide_webhook(provider.as_str()) else {
        return Some(delivery);
    };
    let now = s.now();
    let url = delivery.request.uri().to_string();
    let sent_to = s.config.local_url(&url);
    let emulator = s.emulator(provider)?;
    match action {
        WebhookAction::Drop => {
            let entry = entry(now, provider, &delivery, url, sent_to, "dropped");
            emulator.delivery_given_up(delivery);
            s.webhooks.push(entry);
            None
        }
        WebhookAction::Duplicate => {
            let mut copy = delivery.clone();
            copy.duplicate = true;
            emulator.requeue(copy, now);
            Some(delivery)
        }
        WebhookAction::Delay => {
            emulator.requeue(delivery, now.saturating_add(delay_ms));
            None
        }
        WebhookAction::Reorder => {
            let hold = if delay_ms == 0 {
                REORDER_DEFAULT_MS
            } else {
                delay_ms
            };
            emulator.requeue(delivery, now.saturating_add(hold));
            None
        }
    }
}

/// Sends one callback, journals the attempt and acts on the outcome.
pub(super) async fn deliver(state: Rc<RefCell<State>>, provider: ProviderName, delivery: Delivery) {
    let Some(delivery) = apply_rules(&state, provider, delivery) else {
        return;
    };
    let policy = Policy::of(provider);
    let url = delivery.request.uri().to_string();
    let sent_to = state.borrow().config.local_url(&url);
    let mut request = delivery.request.clone();
    *request.uri_mut() = sent_to.parse().unwrap_or_default();
    let result = send(
        request,
        Duration::from_millis(policy.connect_ms),
        Duration::from_millis(policy.total_ms),
    )
    .await;
    let mut guard = state.borrow_mut();
    let s = &mut *guard;
    let now = s.now();
    let (outcome, retry) = match &result {
        Ok(r) if r.status().is_success() => ("delivered", false),
        Ok(_) => ("http_error", policy.retry_http_errors),
        Err(SendError::Timeout) => ("timeout", true),
        Err(SendError::Connect) => ("connect_error", true),
        Err(SendError::Broken) => ("connect_error", true),
    };
    let mut record = entry(now, provider, &delivery, url, sent_to, outcome);
    let answer: Option<GatewayAnswer> = match &result {
        Ok(r) => {
            record.status = Some(r.status().as_u16());
            record.response_body = body_text(r.body());
            r.status()
                .is_success()
                .then(|| answer::read(provider, r))
                .flatten()
        }
        Err(_) => None,
    };
    record.answer = answer.map(GatewayAnswer::as_str);
    s.webhooks.push(record);
    let Some(emulator) = s.emulator(provider) else {
        return;
    };
    if outcome == "delivered" {
        emulator.callback_answered(&delivery.provider_call_id, delivery.kind, answer, now);
    } else if retry {
        emulator.delivery_failed(delivery, now);
    } else {
        emulator.delivery_given_up(delivery);
    }
}

fn entry(
    now: u64,
    provider: ProviderName,
    delivery: &Delivery,
    url: String,
    sent_to: String,
    outcome: &'static str,
) -> DeliveryEntry {
    DeliveryEntry {
        at_ms: now,
        provider: provider.as_str(),
        provider_call_id: delivery.provider_call_id.clone(),
        kind: kind_word(delivery.kind),
        url,
        sent_to,
        attempt: delivery.attempts + 1,
        duplicate: delivery.duplicate,
        late: delivery.late,
        outcome,
        status: None,
        answer: None,
        response_body: String::new(),
    }
}

fn kind_word(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::Initiated => "initiated",
        CallbackKind::Ringing => "ringing",
        CallbackKind::Answered => "answered",
        CallbackKind::Ended(_) => "ended",
        CallbackKind::Unrecognised => "unrecognised",
        CallbackKind::Speech { .. } => "speech",
    }
}
