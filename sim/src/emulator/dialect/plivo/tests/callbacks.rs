//! `dialect.callback` → `adapter.verify_webhook` → `adapter.parse_webhook`.

use super::{adapter, dialect, TruthCallBuilder, API_BASE, CALL_ID, T0, WEBHOOK_URL};
use crate::emulator::dialect::plivo::AUTH_ID;
use crate::emulator::dialect::{CallbackKind, Dialect};
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::adapters::plivo::{PlivoAdapter, PlivoConfig};
use callproof_core::adapters::Adapter;
use callproof_core::provider::{EventKind, ProviderEvent};
use callproof_core::record::Direction;
use callproof_core::state::CallState;
use callproof_core::webhook::{RawWebhook, WebhookError};

const ANSWERED_AT: u64 = T0 + 8_250;
const ENDED_AT: u64 = T0 + 69_900;
/// When the callbacks are sent: later than the events they report.
const NOW: u64 = T0 + 70_000;

/// The one event the adapter reads from a callback request.
fn read(request: &http::Request<Vec<u8>>, now: u64) -> Result<ProviderEvent, WebhookError> {
    let adapter = adapter();
    let url = request.uri().to_string();
    let raw = RawWebhook {
        method: request.method(),
        url: &url,
        headers: request.headers(),
        body: request.body(),
    };
    let verified = adapter.verify_webhook(&raw, i64::try_from(now / 1000).unwrap())?;
    let mut events = adapter.parse_webhook(&verified)?;
    assert_eq!(events.len(), 1, "{events:?}");
    Ok(events.remove(0))
}

fn event(call: &TruthCall, kind: CallbackKind, sequence: u32) -> ProviderEvent {
    read(&dialect().callback(call, kind, sequence, NOW), NOW).unwrap()
}

fn terminal() -> impl Iterator<Item = CallState> {
    CallState::ALL.into_iter().filter(|s| s.is_terminal())
}

/// What the adapter makes of an outbound call's end: the reason survives
/// for a call that never connected where Plivo has a word for it; an
/// answered call can only be `completed`.
fn outbound_end(reason: CallState, answered: bool) -> CallState {
    if answered {
        return CallState::Completed;
    }
    match reason {
        CallState::Busy | CallState::HangupUser => CallState::Busy,
        CallState::NoAnswer | CallState::Timeout => CallState::NoAnswer,
        CallState::Failed | CallState::Error => CallState::Failed,
        CallState::HangupBot => CallState::HangupBot,
        _ => CallState::Completed,
    }
}

#[test]
fn every_callback_of_an_outbound_call_verifies_and_reads_as_the_emulator_meant() {
    let queued = TruthCallBuilder::outbound().build();
    let answered = TruthCallBuilder::outbound()
        .phase(Phase::Answered)
        .answered_at(ANSWERED_AT)
        .build();
    let mut cases = vec![
        (
            queued.clone(),
            CallbackKind::Initiated,
            EventKind::Initiated,
        ),
        (queued.clone(), CallbackKind::Ringing, EventKind::Ringing),
        (
            answered.clone(),
            CallbackKind::Answered,
            EventKind::Answered,
        ),
    ];
    for reason in terminal() {
        for base in [&queued, &answered] {
            let mut ended = base.clone();
            ended.phase = Phase::Ended(reason);
            ended.ended_at = Some(ENDED_AT);
            let expected = EventKind::Ended {
                reason: outbound_end(reason, base.answered_at.is_some()),
            };
            cases.push((ended, CallbackKind::Ended(reason), expected));
        }
    }
    for (sequence, (call, kind, expected)) in (0..).zip(cases) {
        let event = event(&call, kind, sequence);
        assert_eq!(
            event.kind, expected,
            "{kind:?} answered {:?}",
            call.answered_at
        );
        assert_eq!(event.call_id.as_deref(), Some(CALL_ID));
        assert_eq!(event.provider_call_id, Some(call.provider_call_id.clone()));
        assert_eq!(event.request_id, call.request_id);
        assert_eq!(event.direction, Some(Direction::Outbound));
        assert_eq!(event.from.as_deref(), Some("+14155550100"));
        assert_eq!(event.to.as_deref(), Some("+14155550123"));
        assert!(
            event.dedupe_key.starts_with("plivo:"),
            "{}",
            event.dedupe_key
        );
    }
}

#[test]
fn every_callback_of_an_inbound_call_reads_as_a_call_from_the_caller() {
    let ringing = TruthCallBuilder::inbound().build();
    let answered = TruthCallBuilder::inbound()
        .phase(Phase::Answered)
        .answered_at(ANSWERED_AT)
        .build();
    // A new inbound call is Plivo fetching the answer URL while it rings;
    // an inbound call can only end `completed`.
    let mut cases = vec![
        (ringing.clone(), CallbackKind::Initiated, EventKind::Ringing),
        (ringing.clone(), CallbackKind::Ringing, EventKind::Ringing),
        (
            answered.clone(),
            CallbackKind::Answered,
            EventKind::Answered,
        ),
    ];
    for reason in terminal() {
        let ended = TruthCallBuilder::inbound()
            .phase(Phase::Ended(reason))
            .ended_at(ENDED_AT)
            .build();
        let completed = EventKind::Ended {
            reason: CallState::Completed,
        };
        cases.push((ended, CallbackKind::Ended(reason), completed));
    }
    for (sequence, (call, kind, expected)) in (0..).zip(cases) {
        let event = event(&call, kind, sequence);
        assert_eq!(event.kind, expected, "{kind:?}");
        assert_eq!(event.call_id, None);
        assert_eq!(event.provider_call_id, Some(call.provider_call_id.clone()));
        assert_eq!(event.direction, Some(Direction::Inbound));
        assert_eq!(event.from.as_deref(), Some("+14155550199"));
        assert_eq!(event.to.as_deref(), Some("+14155550100"));
    }
}

#[test]
fn callbacks_write_numbers_without_the_plus_as_plivo_does() {
    let call = TruthCallBuilder::inbound().build();
    let body = String::from_utf8(
        dialect()
            .callback(&call, CallbackKind::Initiated, 0, NOW)
            .into_body(),
    )
    .unwrap();
    assert!(body.contains("From=14155550199&"), "{body}");
    assert!(body.contains("To=14155550100&"), "{body}");
    assert!(!body.contains("From=%2B"), "{body}");
}

/// A call's callbacks in the order it lives them.
const LIFE: [CallbackKind; 4] = [
    CallbackKind::Initiated,
    CallbackKind::Ringing,
    CallbackKind::Answered,
    CallbackKind::Ended(CallState::HangupUser),
];

#[test]
fn a_redelivered_callback_is_the_same_request_with_the_same_dedupe_key() {
    for call in [
        TruthCallBuilder::outbound()
            .answered_at(ANSWERED_AT)
            .ended_at(ENDED_AT)
            .build(),
        TruthCallBuilder::inbound()
            .answered_at(ANSWERED_AT)
            .ended_at(ENDED_AT)
            .build(),
    ] {
        for (sequence, kind) in (0..).zip(LIFE) {
            let first = dialect().callback(&call, kind, sequence, NOW);
            let again = dialect().callback(&call, kind, sequence, NOW + 5_000);
            assert_eq!(first.uri(), again.uri());
            assert_eq!(first.headers(), again.headers());
            assert_eq!(first.body(), again.body());
            assert_eq!(
                read(&first, NOW).unwrap().dedupe_key,
                read(&again, NOW + 5_000).unwrap().dedupe_key
            );
        }
    }
}

#[test]
fn the_callbacks_of_one_call_have_different_dedupe_keys_and_nonces() {
    for call in [
        TruthCallBuilder::outbound()
            .answered_at(ANSWERED_AT)
            .ended_at(ENDED_AT)
            .build(),
        TruthCallBuilder::inbound()
            .answered_at(ANSWERED_AT)
            .ended_at(ENDED_AT)
            .build(),
    ] {
        let requests: Vec<_> = (0..)
            .zip(LIFE)
            .map(|(sequence, kind)| dialect().callback(&call, kind, sequence, NOW))
            .collect();
        let keys: Vec<String> = requests
            .iter()
            .map(|r| read(r, NOW).unwrap().dedupe_key)
            .collect();
        let nonces: Vec<_> = requests
            .iter()
            .map(|r| r.headers()["x-plivo-signature-v3-nonce"].clone())
            .collect();
        for i in 0..keys.len() {
            for j in i + 1..keys.len() {
                assert_ne!(keys[i], keys[j], "{:?}", call.direction);
                assert_ne!(nonces[i], nonces[j]);
            }
        }
    }
}

#[test]
fn the_same_kind_of_callback_of_another_call_has_another_key() {
    let one = TruthCallBuilder::outbound().build();
    let mut other = one.clone();
    other.provider_call_id = dialect().new_ids(9).0;
    assert_ne!(
        event(&one, CallbackKind::Ringing, 1).dedupe_key,
        event(&other, CallbackKind::Ringing, 1).dedupe_key
    );
}

#[test]
fn a_tampered_callback_or_another_token_is_refused() {
    let call = TruthCallBuilder::outbound().build();
    let mut request = dialect().callback(&call, CallbackKind::Ringing, 1, NOW);
    assert!(read(&request, NOW).is_ok());
    let forged = String::from_utf8(request.body().clone())
        .unwrap()
        .replace("CallStatus=ringing", "CallStatus=completed");
    *request.body_mut() = forged.into_bytes();
    assert_eq!(read(&request, NOW), Err(WebhookError::BadSignature));

    let other = PlivoAdapter::new(PlivoConfig {
        api_base: API_BASE.to_owned(),
        auth_id: AUTH_ID.to_owned(),
        auth_token: "another-token".to_owned(),
        webhook_url: WEBHOOK_URL.to_owned(),
    });
    let genuine = dialect().callback(&call, CallbackKind::Ringing, 1, NOW);
    let url = genuine.uri().to_string();
    let raw = RawWebhook {
        method: genuine.method(),
        url: &url,
        headers: genuine.headers(),
        body: genuine.body(),
    };
    assert_eq!(
        other.verify_webhook(&raw, 0).err(),
        Some(WebhookError::BadSignature)
    );
}

#[test]
fn answer_and_end_times_are_reported_to_the_second() {
    let call = TruthCallBuilder::outbound()
        .phase(Phase::Ended(CallState::Completed))
        .answered_at(ANSWERED_AT)
        .ended_at(ENDED_AT)
        .build();
    let answered = event(&call, CallbackKind::Answered, 2);
    let ended = event(&call, CallbackKind::Ended(CallState::Completed), 3);
    assert_eq!(answered.occurred_at, Some(ANSWERED_AT / 1000 * 1000));
    assert_eq!(ended.occurred_at, Some(ENDED_AT / 1000 * 1000));
    let body = String::from_utf8(
        dialect()
            .callback(&call, CallbackKind::Ended(CallState::Completed), 3, NOW)
            .into_body(),
    )
    .unwrap();
    // Answered 8.25 s in, ended 69.9 s in: 61 s connected.
    assert!(body.contains("&Duration=61&"), "{body}");
    assert!(body.contains("EndTime=2026-03-02+14%3A06%3A11"), "{body}");
}

#[test]
fn a_retry_fragment_on_the_callback_url_is_neither_sent_nor_a_break_in_the_signature() {
    let call = TruthCallBuilder::outbound()
        .webhook_url("https://gw.example.com:8443/voice/webhook?tenant=a&callId=call-1#rc=3&rp=all")
        .build();
    let request = dialect().callback(&call, CallbackKind::Ringing, 1, NOW);
    assert_eq!(
        request.uri().to_string(),
        "https://gw.example.com:8443/voice/webhook?tenant=a&callId=call-1"
    );
    assert_eq!(
        read(&request, NOW).unwrap().call_id.as_deref(),
        Some(CALL_ID)
    );
}

#[test]
fn a_status_plivo_adds_later_is_refused_as_unknown_and_never_ends_the_call() {
    let call = TruthCallBuilder::outbound()
        .phase(Phase::Answered)
        .answered_at(ANSWERED_AT)
        .build();
    let request = dialect().callback(&call, CallbackKind::Unrecognised, 3, NOW);
    assert_eq!(
        read(&request, NOW),
        Err(WebhookError::UnknownStatus {
            raw: "screening".to_owned()
        })
    );
}
