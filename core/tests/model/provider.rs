//! The fake provider: the ground truth the model trusts. It executes the
//! manager's requests, enforces its own ring timeout and time limit, and
//! produces callbacks from what really happened.

use callproof_core::provider::{
    CallRef, EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderEvent, ProviderOp,
};
use callproof_core::record::Direction;
use callproof_core::state::CallState;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Ringing,
    Answered,
    Ended(CallState),
}

#[derive(Debug, Clone)]
pub struct ProviderCall {
    /// The manager's call id (outbound calls carry it in every callback).
    pub call_id: Option<String>,
    pub inbound: bool,
    /// Placed by the gateway, or an inbound call it accepted.
    pub owned: bool,
    pub from: String,
    pub phase: Phase,
    pub created_at: u64,
    pub answered_at: Option<u64>,
    pub ring_timeout_ms: u64,
    pub time_limit_ms: Option<u64>,
}

#[derive(Debug, Default)]
pub struct FakeProvider {
    pub calls: BTreeMap<String, ProviderCall>,
    next_pid: u64,
    next_event: u64,
    /// Callbacks not yet delivered (delivery order is chosen by the test).
    pub queue: Vec<ProviderEvent>,
}

impl FakeProvider {
    pub fn is_live(&self, pid: &str) -> bool {
        self.calls
            .get(pid)
            .is_some_and(|c| !matches!(c.phase, Phase::Ended(_)))
    }

    fn find(&self, call: &CallRef) -> Option<String> {
        if let Some(pid) = &call.provider_call_id {
            return self.calls.contains_key(pid).then(|| pid.clone());
        }
        self.calls
            .iter()
            .find(|(_, c)| c.call_id.as_deref() == Some(&call.call_id))
            .map(|(pid, _)| pid.clone())
    }

    fn callback(&mut self, pid: &str, kind: EventKind, now: u64) {
        let Some(call) = self.calls.get(pid) else {
            return;
        };
        self.next_event += 1;
        self.queue.push(ProviderEvent {
            dedupe_key: format!("cb-{}", self.next_event),
            call_id: call.call_id.clone(),
            provider_call_id: Some(pid.to_owned()),
            request_id: None,
            direction: Some(if call.inbound {
                Direction::Inbound
            } else {
                Direction::Outbound
            }),
            from: Some(call.from.clone()),
            to: Some("+15550000000".into()),
            occurred_at: Some(now),
            kind,
        });
    }

    pub fn end(&mut self, pid: &str, reason: CallState, now: u64) {
        let Some(call) = self.calls.get_mut(pid) else {
            return;
        };
        if matches!(call.phase, Phase::Ended(_)) {
            return;
        }
        call.phase = Phase::Ended(reason);
        self.callback(pid, EventKind::Ended { reason }, now);
    }

    pub fn answer(&mut self, pid: &str, now: u64) {
        let Some(call) = self.calls.get_mut(pid) else {
            return;
        };
        if call.phase != Phase::Ringing {
            return;
        }
        call.phase = Phase::Answered;
        call.answered_at = Some(now);
        self.callback(pid, EventKind::Answered, now);
    }

    pub fn inbound(&mut self, from: &str, now: u64) {
        self.next_pid += 1;
        let pid = format!("IN{}", self.next_pid);
        let call = ProviderCall {
            call_id: None,
            inbound: true,
            owned: false,
            from: from.to_owned(),
            phase: Phase::Ringing,
            created_at: now,
            answered_at: None,
            ring_timeout_ms: 60_000,
            time_limit_ms: None,
        };
        self.calls.insert(pid.clone(), call);
        self.callback(&pid, EventKind::Ringing, now);
    }

    /// Executes one request; returns what the provider answered.
    pub fn execute(&mut self, op: &ProviderOp, now: u64) -> Result<OpOutcome, ProviderError> {
        let not_found = || {
            Err(ProviderError::NotFound {
                detail: "no such live call".into(),
            })
        };
        match op {
            ProviderOp::Create(create) => {
                self.next_pid += 1;
                let pid = format!("P{}", self.next_pid);
                let call = ProviderCall {
                    call_id: Some(create.call_id.clone()),
                    inbound: false,
                    owned: true,
                    from: create.from.clone(),
                    phase: Phase::Ringing,
                    created_at: now,
                    answered_at: None,
                    ring_timeout_ms: u64::from(create.ring_timeout_secs) * 1000,
                    time_limit_ms: Some(u64::from(create.time_limit_secs) * 1000),
                };
                self.calls.insert(pid.clone(), call);
                self.callback(&pid, EventKind::Ringing, now);
                Ok(OpOutcome::Created {
                    provider_call_id: Some(pid),
                    request_id: None,
                })
            }
            ProviderOp::Hangup { call, .. } => match self.find(call) {
                Some(pid) if self.is_live(&pid) => {
                    self.end(&pid, CallState::HangupBot, now);
                    Ok(OpOutcome::Done)
                }
                _ => not_found(),
            },
            ProviderOp::Status { call } => {
                match self.find(call).and_then(|pid| self.calls.get(&pid)) {
                    Some(c) => Ok(OpOutcome::Status(match c.phase {
                        Phase::Ringing => ProviderCallStatus::Live { answered: false },
                        Phase::Answered => ProviderCallStatus::Live { answered: true },
                        Phase::Ended(reason) => ProviderCallStatus::Ended { reason },
                    })),
                    None => not_found(),
                }
            }
            ProviderOp::Speak { call, .. }
            | ProviderOp::StartListening { call }
            | ProviderOp::StopListening { call } => match self.find(call) {
                Some(pid) if self.is_live(&pid) => Ok(OpOutcome::Done),
                _ => not_found(),
            },
        }
    }

    /// The provider's own limits: unanswered calls stop ringing, answered
    /// calls end at their time limit. Returns the earliest future deadline.
    pub fn enforce_limits(&mut self, now: u64) -> Option<u64> {
        let mut due = Vec::new();
        let mut next: Option<u64> = None;
        for (pid, c) in &self.calls {
            let deadline = match c.phase {
                Phase::Ringing => Some((c.created_at + c.ring_timeout_ms, CallState::NoAnswer)),
                Phase::Answered => c.time_limit_ms.map(|l| {
                    (
                        c.answered_at.unwrap_or(c.created_at) + l,
                        CallState::Completed,
                    )
                }),
                Phase::Ended(_) => None,
            };
            if let Some((at, reason)) = deadline {
                if at <= now {
                    due.push((pid.clone(), reason));
                } else {
                    next = Some(next.map_or(at, |n: u64| n.min(at)));
                }
            }
        }
        for (pid, reason) in due {
            self.end(&pid, reason, now);
        }
        next
    }
}
