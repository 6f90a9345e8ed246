//! Telnyx signature vectors.
//!
//! Telnyx publishes no fixed-timestamp vectors: every SDK test signs at
//! `now()`. The SDK tests do publish fixed Ed25519 key pairs, and Ed25519 is
//! deterministic, so signing a fixed body at a fixed timestamp with them gives
//! vectors anyone can recompute: the three below were computed with Python's
//! `cryptography` package, independently of this code and of the adapter.
//! The invalid ones are the negative cases the SDKs' own tests exercise,
//! applied to those vectors.

use super::webhooks::{signing_key, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::{build, JAVA_PUBLIC, JAVA_SEED, NOWHERE, PHP_PUBLIC, WEBHOOK_URL};
use crate::recording::OwnedWebhook;
use crate::subject::SignatureVector;
use base64::Engine;
use callproof_core::adapters::telnyx::TelnyxAdapter;

/// telnyx-php `tests/Services/WebhooksTest.php` (7a7cd942): the 64-byte
/// secret (seed followed by public key) that pairs with [`PHP_PUBLIC`].
pub(super) const PHP_SECRET: &str =
    "p68GNpDl9oAQohBiK0MEOFIjxnoFnz0uGGeJqxQ5PSb7sT30NeKJBe9x41ficebctubmao9Zp3lGEOva5+4KKQ==";

/// The timestamp all three derived vectors are signed at.
const AT: i64 = 1_700_000_000;
const TEST_EVENT: &str = r#"{"event_type":"test","id":"abc123"}"#;
const JAVA_TEST_EVENT: &str =
    "7o3u2izfEtn5PFPE0nDvo9y8RErRmfHM5wIO04wRV6VTNaq6RiLj1ehc7uMJuIMihJobi2u3HYyB1Ie61c2XCQ==";
const JAVA_EMPTY: &str =
    "Bn5GJZeS8yZECzbm9yBWyC6JqWrZVT5KtPnsvVvgYGcWek9k4e/31BjHHAvILL1z1XFWHeI41lyrnKg94wbaCQ==";
const PHP_EMPTY: &str =
    "ZLKH5qYxpLOXm/QKfopYD71RJjYHYaZ6SyqwZ/z3/JsU/ETt1dpgiqzmMmSKkDw8OpzdRqm4l/4X4M24GoeCBw==";

const DERIVED: &str = "derived: Ed25519 over \"1700000000|{body}\" with the key pair of telnyx-java WebhookVerificationTest.kt (c91fcd96), recomputed with Python cryptography";
const DERIVED_PHP: &str = "derived: Ed25519 over \"1700000000|{}\" with the key pair of telnyx-php tests/Services/WebhooksTest.php (7a7cd942), recomputed with Python cryptography";
const SDK_NEGATIVE: &str = "negative case of the Telnyx SDKs' webhook verification tests (telnyx-python, telnyx-node, telnyx-java), applied to the java-key vector";
const TOLERANCE: &str = "tolerance of the current Telnyx SDKs (|now - timestamp| <= 300 s), applied to the java-key vector";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A delivery with exactly these Telnyx headers (`None` leaves one out).
fn delivery(signature: Option<&str>, timestamp: Option<&str>, body: &str) -> OwnedWebhook {
    let mut webhook = OwnedWebhook {
        method: http::Method::POST,
        url: WEBHOOK_URL.to_owned(),
        headers: http::HeaderMap::new(),
        body: body.as_bytes().to_vec(),
    };
    webhook.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    for (name, value) in [(SIGNATURE_HEADER, signature), (TIMESTAMP_HEADER, timestamp)] {
        if let Some(Ok(value)) = value.map(http::HeaderValue::from_str) {
            webhook.headers.insert(name, value);
        }
    }
    webhook
}

/// The public key `secret_base64`'s seed derives, as base64. A seed that
/// cannot be read yields the other published key, so the vector built on it
/// is refused and reported instead of silently dropped.
fn derived_public(secret_base64: &str, fallback: &str) -> String {
    match signing_key(secret_base64) {
        Ok(key) => B64.encode(key.verifying_key().to_bytes()),
        Err(_) => fallback.to_owned(),
    }
}

/// `signature` with one bit of its middle byte flipped.
fn bit_flipped(signature: &str) -> String {
    let mut bytes = B64.decode(signature).unwrap_or_default();
    let middle = bytes.len() / 2;
    if let Some(b) = bytes.get_mut(middle) {
        *b ^= 0x01;
    }
    B64.encode(bytes)
}

pub(super) fn all() -> Vec<SignatureVector<TelnyxAdapter>> {
    let at = AT.to_string();
    let java = || build(NOWHERE, JAVA_PUBLIC);
    let vector = |name, source, adapter, webhook, now, valid| SignatureVector {
        name,
        source,
        adapter,
        webhook,
        now_unix_secs: now,
        valid,
    };
    let test_event = || delivery(Some(JAVA_TEST_EVENT), Some(&at), TEST_EVENT);
    vec![
        vector("java key, test event", DERIVED, java(), test_event(), AT, true),
        vector(
            "java key, empty object",
            DERIVED,
            java(),
            delivery(Some(JAVA_EMPTY), Some(&at), "{}"),
            AT,
            true,
        ),
        vector(
            "php key, empty object",
            DERIVED_PHP,
            build(NOWHERE, PHP_PUBLIC),
            delivery(Some(PHP_EMPTY), Some(&at), "{}"),
            AT,
            true,
        ),
        // The seed, not only the published public key, is the pair the
        // recordings rely on: the key it derives must accept the vector.
        vector(
            "the java seed derives the key that verifies the test event",
            "telnyx-java WebhookVerificationTest.kt (c91fcd96): the test's seed and public key are one pair",
            build(NOWHERE, &derived_public(JAVA_SEED, PHP_PUBLIC)),
            test_event(),
            AT,
            true,
        ),
        vector(
            "the php secret derives the key that verifies the empty object",
            "telnyx-php tests/Services/WebhooksTest.php (7a7cd942): the secret is the seed followed by the public key",
            build(NOWHERE, &derived_public(PHP_SECRET, JAVA_PUBLIC)),
            delivery(Some(PHP_EMPTY), Some(&at), "{}"),
            AT,
            true,
        ),
        // The past edge only: a valid vector is also a base the suite forges
        // from, and its "timestamp moved by one second" forgery expects a bad
        // signature, which at the future edge would be a stale timestamp.
        vector("java key, 300 s after signing", TOLERANCE, java(), test_event(), AT + 300, true),
        vector("java key, 301 s after signing", TOLERANCE, java(), test_event(), AT + 301, false),
        vector("java key, 301 s before signing", TOLERANCE, java(), test_event(), AT - 301, false),
        vector("timestamp 400 s in the past", SDK_NEGATIVE, java(), test_event(), AT + 400, false),
        vector("timestamp 400 s in the future", SDK_NEGATIVE, java(), test_event(), AT - 400, false),
        vector("timestamp 600 s in the past", SDK_NEGATIVE, java(), test_event(), AT + 600, false),
        vector("timestamp 600 s in the future", SDK_NEGATIVE, java(), test_event(), AT - 600, false),
        vector(
            "one bit of the signature flipped",
            SDK_NEGATIVE,
            java(),
            delivery(Some(&bit_flipped(JAVA_TEST_EVENT)), Some(&at), TEST_EVENT),
            AT,
            false,
        ),
        vector(
            "64 zero bytes as the signature",
            SDK_NEGATIVE,
            java(),
            delivery(Some(&B64.encode([0u8; 64])), Some(&at), TEST_EVENT),
            AT,
            false,
        ),
        vector(
            "a signature that is not 64 bytes",
            SDK_NEGATIVE,
            java(),
            delivery(Some("dGVzdA=="), Some(&at), TEST_EVENT),
            AT,
            false,
        ),
        vector(
            "body altered after signing",
            SDK_NEGATIVE,
            java(),
            delivery(
                Some(JAVA_TEST_EVENT),
                Some(&at),
                r#"{"event_type":"test","id":"abc124"}"#,
            ),
            AT,
            false,
        ),
        vector(
            "a non-numeric timestamp",
            SDK_NEGATIVE,
            java(),
            delivery(Some(JAVA_TEST_EVENT), Some("not-a-timestamp"), TEST_EVENT),
            AT,
            false,
        ),
        vector(
            "missing the signature header",
            SDK_NEGATIVE,
            java(),
            delivery(None, Some(&at), TEST_EVENT),
            AT,
            false,
        ),
        vector(
            "missing the timestamp header",
            SDK_NEGATIVE,
            java(),
            delivery(Some(JAVA_TEST_EVENT), None, TEST_EVENT),
            AT,
            false,
        ),
        vector(
            "the signature moved to another timestamp",
            SDK_NEGATIVE,
            java(),
            delivery(Some(JAVA_TEST_EVENT), Some("1700000001"), TEST_EVENT),
            AT,
            false,
        ),
        vector(
            "the java-key vector checked with the php key",
            SDK_NEGATIVE,
            build(NOWHERE, PHP_PUBLIC),
            test_event(),
            AT,
            false,
        ),
    ]
}
