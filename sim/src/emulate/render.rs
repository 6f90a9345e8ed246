//! The control API's JSON: calls with their timelines, journal entries and
//! rules, in the shapes `sim/CONTRACTS.md` fixes.

use super::journal::{DeliveryEntry, RequestEntry};
use crate::emulator::log::CallLog;
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::provider::ProviderName;
use callproof_core::record::Direction;
use callproof_core::state::CallState;
use serde_json::{json, Value};

/// One call of the ground truth.
pub(super) fn call(provider: ProviderName, call: &TruthCall, log: Option<&CallLog>) -> Value {
    let (state, end_reason) = match call.phase {
        Phase::Queued => ("queued", None),
        Phase::Ringing => ("ringing", None),
        Phase::Answered => ("answered", None),
        Phase::Ended(reason) => ("ended", Some(reason)),
    };
    let ended_by = end_reason.map(|reason| {
        if log.is_some_and(|l| l.ended_by_control) {
            "control"
        } else {
            ended_by(reason, call.direction)
        }
    });
    let timeline: Vec<Value> = log
        .map(|l| {
            l.timeline
                .iter()
                .map(|e| json!({"at_ms": e.at_ms, "event": e.event, "detail": e.detail}))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "provider": provider.as_str(),
        "provider_call_id": call.provider_call_id,
        "request_id": call.request_id,
        "call_id": call.call_id,
        "direction": match call.direction {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        },
        "from": call.from,
        "to": call.to,
        "state": state,
        "end_reason": end_reason.map(CallState::as_str),
        "ended_by": ended_by,
        "owned": call.owned,
        "rejected": call.rejected,
        "created_at_ms": call.created_at,
        "answered_at_ms": call.answered_at,
        "ended_at_ms": call.ended_at,
        "timeline": timeline,
    })
}

/// Who ended a call that ended this way.
fn ended_by(reason: CallState, direction: Direction) -> &'static str {
    let far_end = match direction {
        Direction::Outbound => "callee",
        Direction::Inbound => "caller",
    };
    match reason {
        CallState::HangupBot => "gateway",
        CallState::HangupUser | CallState::Busy | CallState::Voicemail => far_end,
        CallState::NoAnswer if direction == Direction::Inbound => "caller",
        _ => "provider",
    }
}

/// One REST journal entry.
pub(super) fn request(seq: u64, e: &RequestEntry) -> Value {
    json!({
        "seq": seq,
        "at_ms": e.at_ms,
        "provider": e.provider,
        "method": e.method,
        "path": e.path,
        "operation": e.operation,
        "provider_call_id": e.provider_call_id,
        "status": e.status,
        "fault": e.fault,
        "applied": e.applied,
        "request_body": e.request_body,
        "response_body": e.response_body,
    })
}

/// One delivery attempt.
pub(super) fn delivery(seq: u64, e: &DeliveryEntry) -> Value {
    json!({
        "seq": seq,
        "at_ms": e.at_ms,
        "provider": e.provider,
        "provider_call_id": e.provider_call_id,
        "kind": e.kind,
        "url": e.url,
        "sent_to": e.sent_to,
        "attempt": e.attempt,
        "duplicate": e.duplicate,
        "late": e.late,
        "outcome": e.outcome,
        "status": e.status,
        "answer": e.answer,
        "response_body": e.response_body,
    })
}
