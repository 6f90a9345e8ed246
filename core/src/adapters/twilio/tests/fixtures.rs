//! The recorded callbacks in `fixtures/webhooks/twilio/`: each verifies with
//! the token that signed it and parses to the event written beside it.

use super::{adapter, adapter_with_token, Request, TOKEN};
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
                env!("CARGO_MANIFEST_DIR"),
                "/../fixtures/webhooks/twilio/",
                $name
            ))
            .as_slice(),
        )
    };
}

const FIXTURES: [(&str, &[u8]); 11] = [
    fixture!("initiated.http"),
    fixture!("ringing.http"),
    fixture!("answered.http"),
    fixture!("completed.http"),
    fixture!("completed-duplicate.http"),
    fixture!("busy.http"),
    fixture!("no-answer.http"),
    fixture!("failed.http"),
    fixture!("canceled.http"),
    fixture!("inbound-allowed.http"),
    fixture!("inbound-anonymous.http"),
];

/// Reads a recording (see `crate::recording` for the format).
fn load(bytes: &[u8]) -> Request {
    let w = crate::recording::parse(std::path::Path::new("twilio fixture"), bytes)
        .expect("a well-formed recording");
    Request {
        method: w.method,
        url: w.url,
        headers: w.headers,
        body: w.body,
    }
}

fn event(name: &str) -> ProviderEvent {
    let (_, bytes) = FIXTURES.iter().find(|(n, _)| *n == name).unwrap();
    let verified = load(bytes).verify().unwrap();
    let mut events = adapter().parse_webhook(&verified).unwrap();
    assert_eq!(events.len(), 1, "{name}");
    events.remove(0)
}

const OUTBOUND_CALL: &str = "CAa1b2c3d4e5f60718293a4b5c6d7e8f90";
const OUTBOUND_CALL_ID: &str = "0b6f3c1e-8d2a-4c5b-9e7f-1a2b3c4d5e6f";
/// 2025-10-14T09:30:00Z.
const T0: u64 = 1_760_434_200_000;

#[test]
fn every_fixture_is_well_formed_and_verifies_with_the_token_that_signed_it() {
    for (name, bytes) in FIXTURES {
        let request = load(bytes);
        let length: usize = request.headers["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, request.body.len(), "{name}: Content-Length");
        assert!(request.verify().is_ok(), "{name} must verify with {TOKEN}");
        assert_eq!(
            request
                .verify_with(&adapter_with_token("54321"))
                .unwrap_err(),
            WebhookError::BadSignature,
            "{name} must not verify with another token"
        );
    }
}

#[test]
fn an_outbound_calls_progress_parses_in_order_with_our_call_id() {
    let expected = [
        ("initiated.http", EventKind::Initiated, "0", 0),
        ("ringing.http", EventKind::Ringing, "1", 2_000),
        ("answered.http", EventKind::Answered, "2", 9_000),
        (
            "completed.http",
            EventKind::Ended {
                reason: EndReason::Completed,
            },
            "3",
            51_000,
        ),
    ];
    for (name, kind, seq, offset_ms) in expected {
        let got = event(name);
        assert_eq!(
            got,
            ProviderEvent {
                dedupe_key: format!("twilio:{OUTBOUND_CALL}:{seq}"),
                call_id: Some(OUTBOUND_CALL_ID.to_owned()),
                provider_call_id: Some(OUTBOUND_CALL.to_owned()),
                request_id: None,
                direction: Some(Direction::Outbound),
                from: Some("+15557654321".to_owned()),
                to: Some("+15550100001".to_owned()),
                occurred_at: Some(T0 + offset_ms),
                kind,
            },
            "{name}"
        );
    }
}

#[test]
fn each_unsuccessful_outcome_parses_to_its_end_reason() {
    let expected = [
        (
            "busy.http",
            EndReason::Busy,
            "5d1c9a7e-2b4f-4e8a-b3c6-7f0e1d2a3b4c",
            "2",
        ),
        (
            "no-answer.http",
            EndReason::NoAnswer,
            "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
            "2",
        ),
        (
            "failed.http",
            EndReason::Failed,
            "3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9",
            "1",
        ),
        (
            "canceled.http",
            EndReason::HangupBot,
            "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
            "2",
        ),
    ];
    for (name, reason, call_id, seq) in expected {
        let got = event(name);
        assert_eq!(got.kind, EventKind::Ended { reason }, "{name}");
        assert_eq!(got.call_id.as_deref(), Some(call_id), "{name}");
        assert!(
            got.dedupe_key.ends_with(&format!(":{seq}")),
            "{name}: {}",
            got.dedupe_key
        );
        assert_eq!(got.direction, Some(Direction::Outbound), "{name}");
    }
}

#[test]
fn an_inbound_call_rings_without_a_call_id_of_ours() {
    let got = event("inbound-allowed.http");
    assert_eq!(
        got,
        ProviderEvent {
            dedupe_key: "twilio:CAf60718293a4b5c6d7e8f90a1b2c3d4e5:ringing".to_owned(),
            call_id: None,
            provider_call_id: Some("CAf60718293a4b5c6d7e8f90a1b2c3d4e5".to_owned()),
            request_id: None,
            direction: Some(Direction::Inbound),
            from: Some("+15550199999".to_owned()),
            to: Some("+15557654321".to_owned()),
            occurred_at: None,
            kind: EventKind::Ringing,
        }
    );
}

#[test]
fn an_anonymous_caller_is_reported_as_the_provider_wrote_it() {
    let got = event("inbound-anonymous.http");
    assert_eq!(got.from.as_deref(), Some("anonymous"));
    assert_eq!(got.direction, Some(Direction::Inbound));
    assert_eq!(got.kind, EventKind::Ringing);
}

#[test]
fn a_duplicate_delivery_has_the_same_dedupe_key_and_every_other_callback_a_new_one() {
    assert_eq!(event("completed-duplicate.http"), event("completed.http"));
    let mut keys: Vec<String> = FIXTURES
        .iter()
        .filter(|(name, _)| *name != "completed-duplicate.http")
        .map(|(name, _)| event(name).dedupe_key)
        .collect();
    let count = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), count, "{keys:?}");
}

#[test]
fn the_shared_key_recording_verifies_with_its_secret_and_reads_like_its_auth_token_twin() {
    let bytes = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/webhooks/twilio/shared-key/canceled-sha256.http"
    ));
    let request = load(bytes);
    let mut with_key = super::config("an-unrelated-auth-token");
    with_key.shared_key = Some("shared-key-secret-0f-the-fixture".to_owned());
    let with_key = super::TwilioAdapter::new(with_key);
    let verified = request
        .verify_with(&with_key)
        .expect("signed with the SharedKey");
    assert_eq!(
        with_key.parse_webhook(&verified).unwrap(),
        vec![event("canceled.http")],
        "only the signature differs from canceled.http"
    );
    assert!(matches!(
        request.verify().unwrap_err(),
        WebhookError::Config { .. }
    ));
    let mut wrong = super::config(TOKEN);
    wrong.shared_key = Some("another-secret".to_owned());
    assert_eq!(
        request
            .verify_with(&super::TwilioAdapter::new(wrong))
            .unwrap_err(),
        WebhookError::BadSignature
    );
}
