//! `dialect.callback` → `adapter.verify_webhook` → `adapter.parse_webhook`:
//! every callback Twilio would send is accepted and means what was meant.

use super::*;
use crate::emulator::dialect::CallbackKind;
use callproof_core::provider::{EventKind, ProviderEvent};
use callproof_core::state::CallState;
use callproof_core::webhook::{RawWebhook, WebhookError};

/// 00:01:00 after `T0`, plus a part of a second Twilio does not write.
const NOW: u64 = T0 + 60_250;

/// Delivers `request` to the adapter at `url`, as the gateway would.
fn deliver_to(url: &str, request: &http::Request<Vec<u8>>) -> Result<ProviderEvent, WebhookError> {
    let adapter = adapter();
    let raw = RawWebhook {
        method: request.method(),
        url,
        headers: request.headers(),
        body: request.body(),
    };
    let verified = adapter.verify_webhook(&raw, (NOW / 1000) as i64)?;
    let mut events = adapter.parse_webhook(&verified)?;
    assert_eq!(events.len(), 1, "{events:?}");
    Ok(events.remove(0))
}

fn deliver(call: &TruthCall, kind: CallbackKind, sequence: u32) -> ProviderEvent {
    let request = TwilioDialect::default().callback(call, kind, sequence, NOW);
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri().to_string(), call.webhook_url);
    deliver_to(&call.webhook_url, &request).expect("the adapter accepts the callback")
}

/// Every kind, with the call in a matching state and the event it must read as.
fn every_kind(inbound: bool) -> Vec<(TruthCall, CallbackKind, EventKind)> {
    let base = || {
        if inbound {
            Call::inbound()
        } else {
            Call::outbound()
        }
    };
    let mut cases = vec![
        (
            base().build(),
            CallbackKind::Initiated,
            // An inbound call is announced ringing (at us), an outbound one initiated.
            if inbound {
                EventKind::Ringing
            } else {
                EventKind::Initiated
            },
        ),
        (
            base().phase(Phase::Ringing).build(),
            CallbackKind::Ringing,
            EventKind::Ringing,
        ),
        (
            base().phase(Phase::Answered).answered(4_000).build(),
            CallbackKind::Answered,
            EventKind::Answered,
        ),
    ];
    for reason in ends() {
        for answered in [true, false] {
            let mut call = base().phase(Phase::Ended(reason)).ended(50_000);
            if answered {
                call = call.answered(4_000);
            }
            let survives = match reason {
                CallState::HangupBot if !answered => CallState::HangupBot,
                // An outbound call declined while ringing reads busy.
                CallState::HangupUser if !answered && !inbound => CallState::Busy,
                CallState::Busy | CallState::NoAnswer | CallState::Failed => reason,
                CallState::Error => CallState::Failed,
                _ => CallState::Completed,
            };
            cases.push((
                call.build(),
                CallbackKind::Ended(reason),
                EventKind::Ended { reason: survives },
            ));
        }
    }
    cases
}

#[test]
fn every_outbound_callback_verifies_and_names_our_call_its_sid_and_what_happened() {
    for (sequence, (call, kind, want)) in (0..).zip(every_kind(false)) {
        let event = deliver(&call, kind, sequence);
        assert_eq!(event.kind, want, "{kind:?}");
        assert_eq!(event.call_id.as_deref(), Some(CALL_ID), "{kind:?}");
        assert_eq!(event.provider_call_id.as_deref(), Some(SID), "{kind:?}");
        assert_eq!(event.direction, Some(Direction::Outbound), "{kind:?}");
        assert_eq!(event.from.as_deref(), Some(CALLER), "{kind:?}");
        assert_eq!(event.to.as_deref(), Some(CALLEE), "{kind:?}");
        assert_eq!(event.occurred_at, Some(NOW / 1000 * 1000), "{kind:?}");
    }
}

#[test]
fn every_inbound_callback_verifies_and_names_the_caller_but_no_call_of_ours() {
    for (sequence, (call, kind, want)) in (0..).zip(every_kind(true)) {
        let event = deliver(&call, kind, sequence);
        assert_eq!(event.kind, want, "{kind:?}");
        assert_eq!(event.call_id, None, "{kind:?}");
        assert_eq!(event.provider_call_id.as_deref(), Some(SID), "{kind:?}");
        assert_eq!(event.direction, Some(Direction::Inbound), "{kind:?}");
        assert_eq!(event.from.as_deref(), Some(CALLEE), "{kind:?}");
        assert_eq!(event.to.as_deref(), Some(CALLER), "{kind:?}");
    }
}

#[test]
fn a_redelivered_callback_has_the_same_dedupe_key_and_the_next_one_does_not() {
    let ringing = Call::outbound().phase(Phase::Ringing).build();
    let first = deliver(&ringing, CallbackKind::Ringing, 1);
    let again = deliver(&ringing, CallbackKind::Ringing, 1);
    let next = deliver(&ringing, CallbackKind::Ringing, 2);
    assert!(
        first.dedupe_key.starts_with("twilio:"),
        "{}",
        first.dedupe_key
    );
    assert_eq!(first.dedupe_key, again.dedupe_key);
    assert_ne!(first.dedupe_key, next.dedupe_key);

    // The same sequence number on another call is another callback.
    let other = Call::outbound()
        .sid("CAffffffffffffffffffffffffffffffff")
        .phase(Phase::Ringing);
    let elsewhere = deliver(&other.build(), CallbackKind::Ringing, 1);
    assert_ne!(first.dedupe_key, elsewhere.dedupe_key);
}

#[test]
fn a_callback_for_an_ended_call_reports_the_seconds_it_was_connected() {
    let call = Call::outbound()
        .phase(Phase::Ended(CallState::Completed))
        .answered(4_000)
        .ended(50_000)
        .build();
    let request =
        TwilioDialect::default().callback(&call, CallbackKind::Ended(CallState::Completed), 3, NOW);
    let body = String::from_utf8(request.body().clone()).unwrap();
    assert!(body.contains("CallDuration=46"), "{body}");
    assert!(body.contains("SequenceNumber=3"), "{body}");
    assert!(
        body.contains("CallbackSource=call-progress-events"),
        "{body}"
    );
}

#[test]
fn the_signature_covers_the_body_and_the_exact_url() {
    let call = Call::outbound()
        .phase(Phase::Answered)
        .answered(4_000)
        .build();
    let request = TwilioDialect::default().callback(&call, CallbackKind::Answered, 2, NOW);

    let mut altered = request.clone();
    *altered.body_mut() = String::from_utf8(request.body().clone())
        .unwrap()
        .replace("in-progress", "completed")
        .into_bytes();
    assert_eq!(
        deliver_to(&call.webhook_url, &altered).unwrap_err(),
        WebhookError::BadSignature
    );

    let elsewhere = format!("{WEBHOOK}?callId=call-8");
    assert_eq!(
        deliver_to(&elsewhere, &request).unwrap_err(),
        WebhookError::BadSignature
    );
}

#[test]
fn a_status_twilio_adds_later_is_refused_as_unknown_and_never_ends_the_call() {
    let call = Call::outbound()
        .phase(Phase::Answered)
        .answered(5_000)
        .build();
    let request = TwilioDialect::default().callback(&call, CallbackKind::Unrecognised, 3, NOW);
    let body = String::from_utf8(request.body().clone()).unwrap();
    assert!(body.contains("CallStatus=screening"), "{body}");
    assert_eq!(
        deliver_to(&call.webhook_url, &request),
        Err(WebhookError::UnknownStatus {
            raw: "screening".to_owned()
        })
    );
}
