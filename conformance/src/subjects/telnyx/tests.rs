//! The subject's own facts, checked where the gate cannot check them: the
//! keys it signs with, and that its schemas can fail.

use super::vectors::PHP_SECRET;
use super::webhooks::{recording_key, sign, signing_key, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::*;
use crate::recording::load_provider;
use base64::Engine;
use callproof_core::adapters::telnyx::{TelnyxAdapter, TelnyxConfig};
use callproof_core::webhook::WebhookError;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[test]
fn the_java_seed_derives_the_published_java_public_key() {
    let key = recording_key().unwrap();
    assert_eq!(B64.encode(key.verifying_key().to_bytes()), JAVA_PUBLIC);
}

#[test]
fn the_php_secret_is_its_seed_followed_by_the_published_php_public_key() {
    let secret = B64.decode(PHP_SECRET).unwrap();
    let key = signing_key(PHP_SECRET).unwrap();
    assert_eq!(B64.encode(key.verifying_key().to_bytes()), PHP_PUBLIC);
    assert_eq!(B64.encode(&secret[32..]), PHP_PUBLIC);
}

#[test]
fn the_signer_reproduces_every_recorded_signature() {
    let recordings = load_provider(TelnyxSubject::fixtures_dir()).unwrap();
    assert!(!recordings.is_empty());
    for recording in recordings {
        let stamp = recording.webhook.headers[TIMESTAMP_HEADER]
            .to_str()
            .unwrap()
            .parse::<i64>()
            .unwrap();
        let mut resigned = recording.webhook.clone();
        resigned.headers.remove(SIGNATURE_HEADER);
        sign(&mut resigned, stamp).unwrap();
        assert_eq!(
            resigned.headers[SIGNATURE_HEADER], recording.webhook.headers[SIGNATURE_HEADER],
            "{}",
            recording.name
        );
    }
}

/// The SDKs' negative case for keys (`dGVzdA==`, four bytes) has no vector
/// form: the adapter refuses such a key when it is built.
#[test]
fn a_public_key_that_is_not_32_bytes_is_refused_when_the_adapter_is_built() {
    let config = TelnyxConfig {
        api_base: NOWHERE.to_owned(),
        api_key: API_KEY.to_owned(),
        connection_id: CONNECTION_ID.to_owned(),
        webhook_url: WEBHOOK_URL.to_owned(),
        public_key_base64: "dGVzdA==".to_owned(),
        tolerance_secs: TelnyxConfig::DEFAULT_TOLERANCE_SECS,
    };
    assert!(matches!(
        TelnyxAdapter::new(config),
        Err(WebhookError::Config { .. })
    ));
}

#[test]
fn the_closed_dial_schema_refuses_a_misspelt_field_the_published_one_allows() {
    let check = schemas::all()
        .into_iter()
        .find(|c| c.case == OpCase::Create)
        .unwrap();
    let validator = jsonschema::validator_for(&check.schema).unwrap();
    let good = serde_json::json!({
        "connection_id": CONNECTION_ID, "to": "+15550100002", "from": "+15550100001",
        "time_limit_secs": 600,
    });
    assert!(validator.is_valid(&good));
    let mut misspelt = good.clone();
    misspelt["time_limit_sec"] = serde_json::json!(600);
    assert!(!validator.is_valid(&misspelt));
    let missing_to = serde_json::json!({ "connection_id": CONNECTION_ID, "from": "+15550100001" });
    assert!(!validator.is_valid(&missing_to));
}
