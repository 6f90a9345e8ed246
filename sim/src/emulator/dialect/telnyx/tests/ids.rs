//! Identifiers, timestamps, keys and configuration of the simulated account.

use super::{dialect, CREATED_AT, WEBHOOK_URL};
use crate::emulator::dialect::telnyx::{callback, ids, PUBLIC_KEY_BASE64, SIGNING_SEED_BASE64};
use crate::emulator::dialect::Dialect;
use base64::Engine;
use callproof_core::provider::{CallRef, ProviderOp};
use callproof_core::webhook::{RawWebhook, WebhookError};
use ed25519_dalek::SigningKey;
use std::collections::BTreeSet;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

#[test]
fn call_control_ids_have_telnyx_v3_shape_and_are_a_pure_function_of_n() {
    let (id, request_id) = dialect().new_ids(7);
    assert_eq!(request_id, None, "Telnyx answers a dial with the call id");
    assert!(dialect().create_returns_call_id());
    assert_eq!(id, dialect().new_ids(7).0);
    let rest = id.strip_prefix("v3:").expect("v3: prefix");
    assert_eq!(rest.len(), 52, "as long as the spec's example");
    assert!(rest
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
}

#[test]
fn different_calls_get_different_call_control_ids() {
    let ids: BTreeSet<String> = (0..5_000).map(|n| dialect().new_ids(n).0).collect();
    assert_eq!(ids.len(), 5_000);
}

#[test]
fn leg_session_and_event_ids_are_distinct_uuids() {
    let id = dialect().new_ids(1).0;
    let leg = ids::call_leg_id(&id);
    let session = ids::call_session_id(&id);
    let event = ids::event_id(&id, "3");
    for uuid in [&leg, &session, &event] {
        assert!(is_uuid(uuid), "{uuid}");
    }
    assert_ne!(leg, session);
    assert_ne!(event, ids::event_id(&id, "4"));
    assert_ne!(event, ids::event_id(&dialect().new_ids(2).0, "3"));
}

#[test]
fn timestamps_are_rfc3339_utc_with_six_fractional_digits() {
    assert_eq!(ids::rfc3339(0), "1970-01-01T00:00:00.000000Z");
    assert_eq!(ids::rfc3339(951_782_400_000), "2000-02-29T00:00:00.000000Z");
    assert_eq!(ids::rfc3339(CREATED_AT), "2023-11-14T22:13:20.123000Z");
    assert_eq!(
        ids::rfc3339(4_102_444_799_999),
        "2099-12-31T23:59:59.999000Z"
    );
}

#[test]
fn the_signing_seed_is_the_telnyx_java_test_key_and_derives_to_the_adapters_public_key() {
    let seed: [u8; 32] = B64.decode(SIGNING_SEED_BASE64).unwrap().try_into().unwrap();
    let public = SigningKey::from_bytes(&seed).verifying_key();
    assert_eq!(B64.encode(public.to_bytes()), PUBLIC_KEY_BASE64);
    // The derived vector of the provider fact sheet: java seed, 1700000000, `{}`.
    assert_eq!(
        callback::sign("1700000000", b"{}").as_deref(),
        Some("Bn5GJZeS8yZECzbm9yBWyC6JqWrZVT5KtPnsvVvgYGcWek9k4e/31BjHHAvILL1z1XFWHeI41lyrnKg94wbaCQ==")
    );
}

#[test]
fn an_api_base_the_adapter_refuses_gives_an_adapter_that_fails_every_step_saying_why() {
    let adapter = dialect().adapter("not a url", WEBHOOK_URL);
    let call = CallRef {
        call_id: "call-1".to_owned(),
        provider_call_id: Some(dialect().new_ids(1).0),
        request_id: None,
    };
    let error = adapter
        .build_request(&ProviderOp::Status { call }, "cmd-1")
        .expect_err("misconfigured");
    assert!(error.detail.contains("api_base"), "{}", error.detail);

    let headers = http::HeaderMap::new();
    let raw = RawWebhook {
        method: &http::Method::POST,
        url: WEBHOOK_URL,
        headers: &headers,
        body: b"{}",
    };
    assert!(matches!(
        adapter.verify_webhook(&raw, 1_700_000_000),
        Err(WebhookError::Config { .. })
    ));
}
