//! The recorded deliveries under `fixtures/webhooks/telnyx/`: each verifies
//! with the telnyx-java test key at its own timestamp and parses to the event
//! it records.

use super::{adapter, Delivery};
use crate::adapters::Adapter;
use crate::provider::{EventKind, ProviderEvent};
use crate::record::Direction;
use crate::state::EndReason;
use crate::webhook::WebhookError;

macro_rules! fixture {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(
                "../../../../../fixtures/webhooks/telnyx/",
                $name,
                ".http"
            ))
            .as_slice(),
        )
    };
}

const FIXTURES: &[(&str, &[u8])] = &[
    fixture!("outbound_initiated"),
    fixture!("outbound_answered"),
    fixture!("outbound_answered_duplicate"),
    fixture!("outbound_speak_started"),
    fixture!("outbound_transcription"),
    fixture!("outbound_hangup_normal_clearing"),
    fixture!("outbound_hangup_user_busy"),
    fixture!("outbound_hangup_timeout"),
    fixture!("outbound_hangup_time_limit"),
    fixture!("outbound_hangup_call_rejected"),
    fixture!("outbound_hangup_originator_cancel"),
    fixture!("outbound_hangup_no_answer"),
    fixture!("outbound_hangup_not_found"),
    fixture!("outbound_hangup_unspecified"),
    fixture!("inbound_initiated_allowed"),
    fixture!("inbound_initiated_anonymous"),
];

/// Verifies a fixture a few seconds after it was signed, then parses it.
fn receive(name: &str) -> ProviderEvent {
    let (_, bytes) = FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .expect("fixture exists");
    let delivery = Delivery::recorded(bytes);
    let proof = adapter()
        .verify_webhook(&delivery.raw(), delivery.timestamp() + 3)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut events = adapter()
        .parse_webhook(&proof)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(events.len(), 1, "{name}");
    events.remove(0)
}

#[test]
fn every_fixture_is_a_post_that_verifies_and_parses_to_one_event() {
    for (name, bytes) in FIXTURES {
        let delivery = Delivery::recorded(bytes);
        assert_eq!(delivery.method, http::Method::POST, "{name}");
        assert_eq!(
            delivery.url,
            "https://gateway.example.com/voice/telnyx/events"
        );
        receive(name);
    }
}

#[test]
fn every_fixture_is_refused_a_day_after_it_was_signed() {
    for (name, bytes) in FIXTURES {
        let delivery = Delivery::recorded(bytes);
        let result = adapter().verify_webhook(&delivery.raw(), delivery.timestamp() + 86_400);
        assert!(
            matches!(result, Err(WebhookError::StaleTimestamp { .. })),
            "{name}"
        );
    }
}

#[test]
fn every_fixture_is_refused_once_its_body_is_touched() {
    for (name, bytes) in FIXTURES {
        let mut delivery = Delivery::recorded(bytes);
        delivery.body.push(b' ');
        let result = adapter().verify_webhook(&delivery.raw(), delivery.timestamp());
        assert_eq!(
            result.map(|_| ()),
            Err(WebhookError::BadSignature),
            "{name}"
        );
    }
}

#[test]
fn an_outbound_call_is_correlated_by_its_client_state_from_the_first_event() {
    let event = receive("outbound_initiated");
    assert_eq!(event.kind, EventKind::Initiated);
    assert_eq!(
        event.call_id.as_deref(),
        Some("7d3c2a10-5f6e-4b8a-9c1d-000000000001")
    );
    assert_eq!(event.direction, Some(Direction::Outbound));
    assert_eq!(event.from.as_deref(), Some("+15550100001"));
    assert_eq!(event.to.as_deref(), Some("+15550100002"));
    assert_eq!(event.occurred_at, Some(1_699_999_999_482));
    assert!(event.provider_call_id.unwrap().starts_with("v3:"));
}

#[test]
fn a_duplicate_delivery_carries_the_same_dedupe_key_under_a_new_signature() {
    let first = receive("outbound_answered");
    let again = receive("outbound_answered_duplicate");
    assert_eq!(first, again);
    assert_eq!(first.kind, EventKind::Answered);
    let headers = |name: &str| {
        let (_, bytes) = FIXTURES.iter().find(|(n, _)| *n == name).unwrap();
        Delivery::recorded(bytes).headers
    };
    assert_ne!(
        headers("outbound_answered")["telnyx-signature-ed25519"],
        headers("outbound_answered_duplicate")["telnyx-signature-ed25519"]
    );
}

#[test]
fn each_event_of_one_call_has_its_own_dedupe_key() {
    let keys: std::collections::BTreeSet<String> = [
        "outbound_initiated",
        "outbound_answered",
        "outbound_speak_started",
        "outbound_transcription",
        "outbound_hangup_normal_clearing",
    ]
    .into_iter()
    .map(|name| receive(name).dedupe_key)
    .collect();
    assert_eq!(keys.len(), 5);
    assert!(keys.iter().all(|k| k.starts_with("telnyx:")));
}

#[test]
fn the_recorded_call_speaks_hears_and_ends() {
    assert_eq!(receive("outbound_speak_started").kind, EventKind::Speaking);
    assert_eq!(
        receive("outbound_transcription").kind,
        EventKind::Speech {
            transcript: "yes that works for me".to_owned(),
            is_final: true
        }
    );
    // The hangup payload has no direction, so the callee's hangup stays Completed.
    assert_eq!(
        receive("outbound_hangup_normal_clearing").kind,
        EventKind::Ended {
            reason: EndReason::Completed
        }
    );
}

#[test]
fn recorded_hangup_causes_map_to_their_reasons() {
    for (name, reason) in [
        ("outbound_hangup_user_busy", EndReason::Busy),
        ("outbound_hangup_timeout", EndReason::NoAnswer),
        ("outbound_hangup_time_limit", EndReason::Timeout),
        ("outbound_hangup_call_rejected", EndReason::Busy),
        ("outbound_hangup_originator_cancel", EndReason::NoAnswer),
        ("outbound_hangup_no_answer", EndReason::NoAnswer),
        ("outbound_hangup_not_found", EndReason::Failed),
        // Telnyx's generic cause still proves the end.
        ("outbound_hangup_unspecified", EndReason::Completed),
    ] {
        let event = receive(name);
        assert_eq!(event.kind, EventKind::Ended { reason }, "{name}");
        assert!(event.call_id.is_some(), "{name}");
    }
}

#[test]
fn inbound_calls_carry_their_caller_and_no_call_id_yet() {
    let allowed = receive("inbound_initiated_allowed");
    assert_eq!(allowed.kind, EventKind::Initiated);
    assert_eq!(allowed.direction, Some(Direction::Inbound));
    assert_eq!(allowed.from.as_deref(), Some("+15550100077"));
    assert_eq!(allowed.to.as_deref(), Some("+15550100001"));
    assert_eq!(allowed.call_id, None);

    let anonymous = receive("inbound_initiated_anonymous");
    assert_eq!(anonymous.direction, Some(Direction::Inbound));
    assert_eq!(anonymous.from.as_deref(), Some("anonymous"));
    assert_eq!(anonymous.call_id, None);
}

#[test]
fn the_parsed_fixtures_match_their_snapshot() {
    let all: Vec<(&str, ProviderEvent)> = FIXTURES
        .iter()
        .map(|(name, _)| (*name, receive(name)))
        .collect();
    insta::assert_debug_snapshot!(all);
}
