//! Callbacks: `dialect.callback` → `adapter.verify_webhook` (same clock) →
//! `adapter.parse_webhook`, for every kind, outbound and inbound.

use super::{adapter, dialect, TruthCallBuilder, ANSWERED_AT, CREATED_AT, ENDED_AT, WEBHOOK_URL};
use crate::emulator::dialect::{CallbackKind, Dialect};
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::provider::{EventKind, ProviderEvent};
use callproof_core::record::Direction;
use callproof_core::state::{CallState, EndReason};
use callproof_core::webhook::{RawWebhook, WebhookError};
use serde_json::Value;

/// The delivery happens a little after the last event it can describe.
const NOW: u64 = ENDED_AT + 1_250;

fn terminal_reasons() -> impl Iterator<Item = EndReason> {
    CallState::ALL.into_iter().filter(|s| s.is_terminal())
}

/// What the adapter reads when Telnyx reports `reason` in a `call.hangup`.
fn read_back(reason: EndReason) -> EndReason {
    match reason {
        CallState::Busy
        | CallState::NoAnswer
        | CallState::Timeout
        | CallState::Failed
        | CallState::HangupUser
        | CallState::Completed => reason,
        // No cause for "we hung up", an answering machine or an error.
        _ => EndReason::Completed,
    }
}

fn every_kind() -> Vec<(CallbackKind, EventKind)> {
    let mut kinds = vec![
        (CallbackKind::Initiated, EventKind::Initiated),
        (CallbackKind::Ringing, EventKind::Initiated),
        (CallbackKind::Answered, EventKind::Answered),
    ];
    for reason in terminal_reasons() {
        kinds.push((
            CallbackKind::Ended(reason),
            EventKind::Ended {
                reason: read_back(reason),
            },
        ));
    }
    kinds
}

/// The truth a callback of `kind` is sent from.
fn truth(direction: Direction, kind: CallbackKind) -> TruthCall {
    let builder = TruthCallBuilder::direction(direction);
    match kind {
        CallbackKind::Initiated | CallbackKind::Ringing => builder.phase(Phase::Ringing),
        CallbackKind::Answered | CallbackKind::Unrecognised | CallbackKind::Speech { .. } => {
            builder.phase(Phase::Answered)
        }
        CallbackKind::Ended(reason) => builder.phase(Phase::Ended(reason)),
    }
    .build()
}

/// Verifies `request` at `now_ms` and parses it.
fn receive(
    request: &http::Request<Vec<u8>>,
    now_ms: u64,
) -> Result<Vec<ProviderEvent>, WebhookError> {
    let url = request.uri().to_string();
    let raw = RawWebhook {
        method: request.method(),
        url: &url,
        headers: request.headers(),
        body: request.body(),
    };
    let adapter = adapter();
    let verified = adapter.verify_webhook(&raw, (now_ms / 1000) as i64)?;
    adapter.parse_webhook(&verified)
}

fn event(call: &TruthCall, kind: CallbackKind, sequence: u32, now: u64) -> ProviderEvent {
    let request = dialect().callback(call, kind, sequence, now);
    match receive(&request, now) {
        Ok(events) if events.len() == 1 => events.into_iter().next().unwrap(),
        other => panic!("{kind:?}: expected one event, got {other:?}"),
    }
}

fn body(request: &http::Request<Vec<u8>>) -> Value {
    serde_json::from_slice(request.body()).expect("JSON body")
}

#[test]
fn every_outbound_callback_reads_back_as_its_event_for_the_managers_call() {
    for (kind, expected) in every_kind() {
        let call = truth(Direction::Outbound, kind);
        let event = event(&call, kind, 3, NOW);
        assert_eq!(event.kind, expected, "{kind:?}");
        assert_eq!(event.call_id.as_deref(), Some("call-1"), "{kind:?}");
        assert_eq!(event.provider_call_id, Some(call.provider_call_id.clone()));
        assert_eq!(event.direction, Some(Direction::Outbound), "{kind:?}");
        assert_eq!(event.to.as_deref(), Some("+15550100002"));
    }
}

#[test]
fn every_inbound_callback_reads_back_as_inbound_from_the_caller_without_a_call_id() {
    for (kind, expected) in every_kind() {
        let call = truth(Direction::Inbound, kind);
        let event = event(&call, kind, 3, NOW);
        assert_eq!(event.kind, expected, "{kind:?}");
        assert_eq!(event.call_id, None, "{kind:?}");
        assert_eq!(event.provider_call_id, Some(call.provider_call_id.clone()));
        assert_eq!(event.direction, Some(Direction::Inbound), "{kind:?}");
        assert_eq!(event.from.as_deref(), Some("+15550199999"), "{kind:?}");
    }
}

#[test]
fn the_end_reason_survives_wherever_the_hangup_cause_can_say_it() {
    let survivors: Vec<EndReason> = terminal_reasons().filter(|r| read_back(*r) == *r).collect();
    assert_eq!(
        survivors,
        [
            CallState::Completed,
            CallState::HangupUser,
            CallState::Timeout,
            CallState::Failed,
            CallState::NoAnswer,
            CallState::Busy,
        ]
    );
    for direction in [Direction::Outbound, Direction::Inbound] {
        for reason in terminal_reasons() {
            let kind = CallbackKind::Ended(reason);
            let call = TruthCallBuilder::direction(direction)
                .ended_unanswered(Phase::Ended(reason))
                .build();
            // Before an answer the far end's hangup is a decline
            // (`call_rejected`) or the caller giving up (`originator_cancel`),
            // and our own hangup cancels the call we originated.
            let expected = match (reason, direction) {
                (CallState::HangupUser, Direction::Outbound) => CallState::Busy,
                (CallState::HangupUser, Direction::Inbound) => CallState::NoAnswer,
                (CallState::HangupBot, Direction::Outbound) => CallState::NoAnswer,
                _ => read_back(reason),
            };
            assert_eq!(
                event(&call, kind, 5, NOW).kind,
                EventKind::Ended { reason: expected },
                "{direction:?} {reason:?}, unanswered"
            );
        }
    }
}

#[test]
fn occurred_at_is_the_moment_of_the_event_to_the_millisecond() {
    for (kind, at) in [
        (CallbackKind::Initiated, CREATED_AT),
        (CallbackKind::Ringing, CREATED_AT),
        (CallbackKind::Answered, ANSWERED_AT),
        (CallbackKind::Ended(EndReason::HangupUser), ENDED_AT),
    ] {
        let call = truth(Direction::Outbound, kind);
        assert_eq!(event(&call, kind, 1, NOW).occurred_at, Some(at), "{kind:?}");
    }
}

#[test]
fn a_redelivered_callback_keeps_its_dedupe_key_and_other_callbacks_do_not_share_it() {
    let answered = truth(Direction::Outbound, CallbackKind::Answered);
    let ended = truth(
        Direction::Outbound,
        CallbackKind::Ended(EndReason::HangupUser),
    );
    let key = |call: &TruthCall, kind, sequence, now| event(call, kind, sequence, now).dedupe_key;

    let first = key(&answered, CallbackKind::Answered, 2, NOW);
    assert!(first.starts_with("telnyx:"), "{first}");
    assert_eq!(
        first,
        key(&answered, CallbackKind::Answered, 2, NOW + 30_000),
        "a retry later is the same callback"
    );
    assert_ne!(first, key(&answered, CallbackKind::Answered, 4, NOW));
    let hangup = CallbackKind::Ended(EndReason::HangupUser);
    assert_ne!(first, key(&ended, hangup, 3, NOW));
    assert_ne!(key(&ended, hangup, 3, NOW), key(&ended, hangup, 4, NOW));

    let other_call = TruthCallBuilder::inbound().phase(Phase::Answered).build();
    assert_ne!(first, key(&other_call, CallbackKind::Answered, 2, NOW));
}

#[test]
fn a_ringing_callback_is_a_second_delivery_of_call_initiated() {
    for direction in [Direction::Outbound, Direction::Inbound] {
        let call = truth(direction, CallbackKind::Ringing);
        let initiated = dialect().callback(&call, CallbackKind::Initiated, 0, NOW);
        let ringing = dialect().callback(&call, CallbackKind::Ringing, 1, NOW + 2_000);
        assert_eq!(body(&initiated), body(&ringing), "{direction:?}");
        assert_eq!(
            event(&call, CallbackKind::Initiated, 0, NOW).dedupe_key,
            event(&call, CallbackKind::Ringing, 1, NOW).dedupe_key
        );
    }
}

#[test]
fn a_callback_is_a_signed_json_post_to_the_calls_webhook_url_in_the_v2_envelope() {
    let call = truth(Direction::Outbound, CallbackKind::Answered);
    let request = dialect().callback(&call, CallbackKind::Answered, 2, NOW);
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri().to_string(), WEBHOOK_URL);
    let headers = request.headers();
    assert_eq!(headers[http::header::CONTENT_TYPE], "application/json");
    assert_eq!(headers["telnyx-timestamp"], (NOW / 1000).to_string());
    assert!(headers.contains_key("telnyx-signature-ed25519"));

    let body = body(&request);
    let data = &body["data"];
    assert_eq!(data["record_type"], "event");
    assert_eq!(data["event_type"], "call.answered");
    assert_eq!(data["occurred_at"], "2023-11-14T22:13:24.373000Z");
    assert_eq!(data["payload"]["client_state"], "Y2FsbC0x");
    assert_eq!(data["payload"]["state"], "answered");
    assert_eq!(data["payload"]["direction"], "outgoing");
    assert_eq!(body["meta"]["delivered_to"], WEBHOOK_URL);
}

#[test]
fn a_hangup_carries_the_cause_and_source_telnyx_would_report() {
    let call = truth(
        Direction::Inbound,
        CallbackKind::Ended(EndReason::HangupUser),
    );
    let request = dialect().callback(&call, CallbackKind::Ended(EndReason::HangupUser), 4, NOW);
    let payload = body(&request)["data"]["payload"].clone();
    assert_eq!(payload["state"], "hangup");
    assert_eq!(payload["hangup_cause"], "normal_clearing");
    assert_eq!(
        payload["hangup_source"], "caller",
        "the remote party of an incoming call"
    );
    assert_eq!(payload["direction"], "incoming");
}

#[test]
fn a_callback_verified_outside_the_tolerance_or_altered_is_refused() {
    let call = truth(Direction::Outbound, CallbackKind::Answered);
    let request = dialect().callback(&call, CallbackKind::Answered, 2, NOW);
    assert!(matches!(
        receive(&request, NOW + 301_000),
        Err(WebhookError::StaleTimestamp { .. })
    ));
    assert!(receive(&request, NOW + 299_000).is_ok());

    let mut altered = request.clone();
    let text = String::from_utf8(altered.body().clone()).unwrap();
    *altered.body_mut() = text.replace("call.answered", "call.hangup").into_bytes();
    assert_eq!(receive(&altered, NOW), Err(WebhookError::BadSignature));
}

#[test]
fn an_event_type_telnyx_adds_later_is_refused_as_unknown_and_never_ends_the_call() {
    let call = truth(Direction::Outbound, CallbackKind::Unrecognised);
    let request = dialect().callback(&call, CallbackKind::Unrecognised, 3, NOW);
    assert_eq!(body(&request)["data"]["event_type"], "call.screening");
    assert!(
        matches!(
            receive(&request, NOW),
            Err(WebhookError::UnknownStatus { .. })
        ),
        "{:?}",
        receive(&request, NOW)
    );
}
