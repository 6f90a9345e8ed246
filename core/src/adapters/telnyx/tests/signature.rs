//! Webhook signature verification: the derived vectors and every negative
//! case the Telnyx SDK tests exercise.

use super::{
    adapter, adapter_with_key, sign, signing_key, Delivery, B64, JAVA_PUBLIC, JAVA_SEED,
    PHP_PUBLIC, PHP_SECRET,
};
use crate::adapters::telnyx::{TelnyxAdapter, TelnyxConfig};
use crate::adapters::Adapter;
use crate::provider::ProviderName;
use crate::webhook::{WebhookError, MAX_WEBHOOK_BODY};
use base64::Engine;

const NOW: i64 = 1_700_000_000;
const VECTOR_BODY: &[u8] = br#"{"event_type":"test","id":"abc123"}"#;
const VECTOR_SIGNATURE: &str =
    "7o3u2izfEtn5PFPE0nDvo9y8RErRmfHM5wIO04wRV6VTNaq6RiLj1ehc7uMJuIMihJobi2u3HYyB1Ie61c2XCQ==";
const EMPTY_OBJECT_SIGNATURE: &str =
    "Bn5GJZeS8yZECzbm9yBWyC6JqWrZVT5KtPnsvVvgYGcWek9k4e/31BjHHAvILL1z1XFWHeI41lyrnKg94wbaCQ==";
const PHP_EMPTY_OBJECT_SIGNATURE: &str =
    "ZLKH5qYxpLOXm/QKfopYD71RJjYHYaZ6SyqwZ/z3/JsU/ETt1dpgiqzmMmSKkDw8OpzdRqm4l/4X4M24GoeCBw==";

fn verify(adapter: &TelnyxAdapter, delivery: &Delivery, now: i64) -> Result<(), WebhookError> {
    adapter.verify_webhook(&delivery.raw(), now).map(|proof| {
        assert_eq!(proof.provider(), ProviderName::Telnyx);
        assert_eq!(proof.body(), delivery.body.as_slice());
    })
}

#[test]
fn the_java_seed_derives_to_the_java_public_key() {
    let public = signing_key(JAVA_SEED).verifying_key();
    assert_eq!(B64.encode(public.to_bytes()), JAVA_PUBLIC);
}

#[test]
fn the_php_secret_is_its_seed_followed_by_the_php_public_key() {
    let public = signing_key(PHP_SECRET).verifying_key();
    assert_eq!(B64.encode(public.to_bytes()), PHP_PUBLIC);
    assert_eq!(B64.decode(PHP_SECRET).unwrap()[32..], public.to_bytes());
}

#[test]
fn the_java_vector_over_an_event_body_verifies_at_its_timestamp() {
    let delivery = Delivery::new(Some(VECTOR_SIGNATURE), Some("1700000000"), VECTOR_BODY);
    assert_eq!(verify(&adapter(), &delivery, NOW), Ok(()));
}

#[test]
fn the_java_vector_over_an_empty_object_verifies_at_its_timestamp() {
    let delivery = Delivery::new(Some(EMPTY_OBJECT_SIGNATURE), Some("1700000000"), b"{}");
    assert_eq!(verify(&adapter(), &delivery, NOW), Ok(()));
}

#[test]
fn the_php_vector_verifies_with_the_php_key_only() {
    let delivery = Delivery::new(Some(PHP_EMPTY_OBJECT_SIGNATURE), Some("1700000000"), b"{}");
    assert_eq!(
        verify(&adapter_with_key(PHP_PUBLIC), &delivery, NOW),
        Ok(())
    );
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn our_own_signing_reproduces_the_published_vectors() {
    assert_eq!(sign("1700000000", VECTOR_BODY), VECTOR_SIGNATURE);
    assert_eq!(sign("1700000000", b"{}"), EMPTY_OBJECT_SIGNATURE);
}

#[test]
fn a_missing_signature_header_is_named() {
    let delivery = Delivery::new(None, Some("1700000000"), VECTOR_BODY);
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::MissingHeader {
            name: "telnyx-signature-ed25519"
        })
    );
}

#[test]
fn a_missing_timestamp_header_is_named() {
    let delivery = Delivery::new(Some(VECTOR_SIGNATURE), None, VECTOR_BODY);
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::MissingHeader {
            name: "telnyx-timestamp"
        })
    );
}

#[test]
fn a_non_numeric_timestamp_is_malformed() {
    for ts in [
        "not-a-number",
        "",
        "1700000000.5",
        "+1700000000",
        " 1700000000",
        "-",
        "99999999999999999999",
    ] {
        let delivery = Delivery::new(Some(&sign(ts, VECTOR_BODY)), Some(ts), VECTOR_BODY);
        assert!(
            matches!(
                verify(&adapter(), &delivery, NOW),
                Err(WebhookError::Malformed { .. })
            ),
            "{ts:?}"
        );
    }
}

#[test]
fn timestamps_400_and_600_seconds_away_either_way_are_stale() {
    for offset in [-600, -400, 400, 600] {
        let delivery = Delivery::signed(NOW + offset, VECTOR_BODY);
        assert_eq!(
            verify(&adapter(), &delivery, NOW),
            Err(WebhookError::StaleTimestamp {
                timestamp: NOW + offset,
                now: NOW,
                tolerance_secs: 300
            }),
            "{offset}"
        );
    }
}

#[test]
fn the_tolerance_window_includes_its_edges_and_nothing_beyond() {
    for offset in [-300, 0, 300] {
        let delivery = Delivery::signed(NOW + offset, VECTOR_BODY);
        assert_eq!(verify(&adapter(), &delivery, NOW), Ok(()), "{offset}");
    }
    for offset in [-301, 301] {
        let delivery = Delivery::signed(NOW + offset, VECTOR_BODY);
        assert!(matches!(
            verify(&adapter(), &delivery, NOW),
            Err(WebhookError::StaleTimestamp { .. })
        ));
    }
}

#[test]
fn a_wider_configured_tolerance_accepts_what_the_default_refuses() {
    let wide = TelnyxAdapter::new(TelnyxConfig {
        tolerance_secs: 900,
        ..super::config()
    })
    .unwrap();
    let delivery = Delivery::signed(NOW - 600, VECTOR_BODY);
    assert_eq!(verify(&wide, &delivery, NOW), Ok(()));
}

#[test]
fn extreme_timestamps_are_stale_without_overflowing() {
    let delivery = Delivery::signed(i64::MIN, VECTOR_BODY);
    assert!(matches!(
        verify(&adapter(), &delivery, i64::MAX),
        Err(WebhookError::StaleTimestamp { .. })
    ));
}

#[test]
fn a_signature_that_is_not_64_bytes_is_malformed() {
    for signature in ["dGVzdA==", "", &B64.encode([7u8; 65])] {
        let delivery = Delivery::new(Some(signature), Some("1700000000"), VECTOR_BODY);
        match verify(&adapter(), &delivery, NOW) {
            Err(WebhookError::Malformed { detail }) => assert!(detail.contains("64"), "{detail}"),
            other => panic!("{signature:?}: {other:?}"),
        }
    }
}

#[test]
fn a_signature_that_is_not_base64_is_malformed() {
    let delivery = Delivery::new(Some("***"), Some("1700000000"), VECTOR_BODY);
    assert!(matches!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::Malformed { .. })
    ));
}

#[test]
fn sixty_four_zero_bytes_are_not_a_signature() {
    let zeros = B64.encode([0u8; 64]);
    let delivery = Delivery::new(Some(&zeros), Some("1700000000"), VECTOR_BODY);
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn flipping_any_one_bit_of_the_signature_breaks_it() {
    let good = B64.decode(VECTOR_SIGNATURE).unwrap();
    for bit in 0..good.len() * 8 {
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let delivery = Delivery::new(Some(&B64.encode(&bad)), Some("1700000000"), VECTOR_BODY);
        assert_eq!(
            verify(&adapter(), &delivery, NOW),
            Err(WebhookError::BadSignature),
            "bit {bit}"
        );
    }
}

#[test]
fn a_body_altered_after_signing_is_refused() {
    let altered = br#"{"event_type":"test","id":"abc124"}"#;
    let delivery = Delivery::new(Some(VECTOR_SIGNATURE), Some("1700000000"), altered);
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::BadSignature)
    );
    let reserialised = br#"{"event_type": "test", "id": "abc123"}"#;
    let delivery = Delivery::new(Some(VECTOR_SIGNATURE), Some("1700000000"), reserialised);
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_timestamp_altered_after_signing_is_refused() {
    let delivery = Delivery::new(Some(VECTOR_SIGNATURE), Some("1700000001"), VECTOR_BODY);
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::BadSignature)
    );
    // Same number, different text: the signed string is the header as sent.
    let delivery = Delivery::new(Some(VECTOR_SIGNATURE), Some("01700000000"), VECTOR_BODY);
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_body_over_the_limit_is_refused_before_anything_else() {
    let body = vec![b' '; MAX_WEBHOOK_BODY + 1];
    let delivery = Delivery::new(None, None, &body);
    assert_eq!(
        verify(&adapter(), &delivery, NOW),
        Err(WebhookError::BodyTooLarge {
            len: MAX_WEBHOOK_BODY + 1,
            limit: MAX_WEBHOOK_BODY
        })
    );
    let at_limit = vec![b' '; MAX_WEBHOOK_BODY];
    assert_eq!(
        verify(&adapter(), &Delivery::signed(NOW, &at_limit), NOW),
        Ok(())
    );
}
