//! Inbound calls: the policy (bug classes B9 and B10) and rejection.

use super::{Ack, EventToken, InboundPolicy, Manager, Millis, Output, Purpose, TimerKind};
use crate::provider::{CallRef, EventKind, ProviderEvent, ProviderOp};
use crate::record::{CallRecord, Direction, Extension};
use crate::state::CallState;
use std::collections::BTreeMap;

/// Whether `number` is E.164: `+`, a non-zero digit, then 7 to 14 more digits.
pub fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Whether a caller id is withheld: empty, or one of the words providers use
/// for a hidden number. Such callers are never allowed, whatever the policy.
pub fn is_withheld(from: &str) -> bool {
    let f = from.trim().to_ascii_lowercase();
    f.is_empty()
        || [
            "anonymous",
            "restricted",
            "private",
            "unknown",
            "unavailable",
            "withheld",
            "blocked",
        ]
        .iter()
        .any(|w| f == *w)
        || f.trim_start_matches('+').bytes().all(|b| b == b'0')
}

/// Decides whether an inbound caller is answered under a policy. The shipped
/// rule is [`ExactE164`]; see [`Manager`]'s type parameter.
pub trait InboundRule: std::fmt::Debug {
    /// Whether `from` may call in under `policy`.
    fn allows(&self, policy: &InboundPolicy, from: &str) -> bool;
}

/// The rule: [`InboundPolicy::allows`], exact E.164, never withheld callers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactE164;

impl InboundRule for ExactE164 {
    fn allows(&self, policy: &InboundPolicy, from: &str) -> bool {
        policy.allows(from)
    }
}

impl InboundPolicy {
    /// Exact E.164 comparison: no digit stripping, no suffix matching (B10).
    pub fn allows(&self, from: &str) -> bool {
        if is_withheld(from) || !is_e164(from) {
            return false;
        }
        match self {
            InboundPolicy::Disabled => false,
            InboundPolicy::Open => true,
            InboundPolicy::Allowlist(numbers) => numbers.iter().any(|n| n == from),
        }
    }
}

impl<R: super::InboundRule> Manager<R> {
    /// An event for a call we do not know. Only the start of an inbound call
    /// creates anything; everything else is acknowledged and ignored.
    pub(super) fn on_unknown_call(&mut self, token: EventToken, event: ProviderEvent, now: Millis) {
        let starts_inbound = event.direction == Some(Direction::Inbound)
            && matches!(
                event.kind,
                EventKind::Initiated | EventKind::Ringing | EventKind::Answered
            );
        let Some(provider_call_id) = event.provider_call_id.clone().filter(|_| starts_inbound)
        else {
            self.outputs.push_back(Output::Ack(token, Ack::Ignored));
            return;
        };
        let from = event.from.clone().unwrap_or_default();
        let allowed = self.rule.allows(&self.config.inbound, &from);
        let room = self.calls.len() < self.config.max_concurrent_calls;
        let call_id = format!("{}-{}", self.config.id_prefix, self.next_seq);
        let mut record = CallRecord {
            call_id: call_id.clone(),
            provider_call_id: Some(provider_call_id),
            provider: self.config.provider.as_str().to_owned(),
            direction: Direction::Inbound,
            state: CallState::Ringing,
            from,
            to: event.to.clone().unwrap_or_default(),
            session_key: None,
            started_at: now,
            answered_at: None,
            ended_at: None,
            end_reason: None,
            transcript: Vec::new(),
            processed_event_ids: vec![event.dedupe_key.clone()],
            metadata: None,
            seq: None,
            callproof: Extension::default(),
            unknown: BTreeMap::new(),
        };
        if allowed && room {
            if event.kind == EventKind::Answered {
                record.state = CallState::Answered;
                record.answered_at = Some(event.occurred_at.unwrap_or(now));
            }
            self.admit(record, None);
            self.persist(&call_id);
            self.outputs.push_back(Output::Ack(token, Ack::Accepted));
            self.arm_call_timers(&call_id, now);
            return;
        }
        // Rejected (policy or capacity): journal the rejection first, so a
        // retried callback after a restart is recognised and the hangup is
        // owed durably; then answer and hang up exactly once.
        record.state = CallState::HangupBot;
        record.end_reason = Some(CallState::HangupBot);
        record.ended_at = Some(now);
        record.callproof.rejected = true;
        record.callproof.hangup_pending = true;
        self.remember(record);
        self.persist(&call_id);
        self.evict_history();
        self.outputs.push_back(Output::Ack(token, Ack::Rejected));
        self.send_rejection_hangup(&call_id);
    }

    pub(super) fn send_rejection_hangup(&mut self, call_id: &str) {
        let Some(record) = self.history.get(call_id) else {
            return;
        };
        let call = CallRef {
            call_id: call_id.to_owned(),
            provider_call_id: record.provider_call_id.clone(),
            request_id: record.callproof.request_id.clone(),
        };
        self.request(
            call_id,
            Purpose::Hangup,
            ProviderOp::Hangup {
                call,
                answered: false,
            },
        );
    }

    pub(super) fn retry_rejection_hangup(&mut self, call_id: &str) {
        if self
            .history
            .get(call_id)
            .is_some_and(|r| r.callproof.hangup_pending)
        {
            self.send_rejection_hangup(call_id);
        }
    }

    /// The reply to a rejected call's hangup: confirmed (or already gone)
    /// clears the debt durably; anything else retries with backoff.
    pub(super) fn on_rejection_hangup_reply(&mut self, call_id: &str, settled: bool, now: Millis) {
        if !self
            .history
            .get(call_id)
            .is_some_and(|r| r.callproof.hangup_pending)
        {
            return;
        }
        if settled {
            self.owed_attempts.remove(call_id);
            if let Some(record) = self.history.get_mut(call_id) {
                if record.callproof.hangup_pending {
                    record.callproof.hangup_pending = false;
                    self.persist(call_id);
                }
            }
            return;
        }
        let attempt = self.owed_attempts.entry(call_id.to_owned()).or_insert(0);
        let delay = self.config.backoff.delay(*attempt);
        *attempt = attempt.saturating_add(1);
        self.set_timer(call_id, TimerKind::Recheck, now.saturating_add(delay));
    }
}
