//! Telnyx Call Control (Voice API v2) facts, for the adapter in
//! `callproof_core::adapters::telnyx`.
//!
//! Sources: Telnyx's published OpenAPI document (team-telnyx/openapi
//! `openapi/spec3.json` at 354b744, the excerpt in
//! `fixtures/openapi/telnyx_call_control_calls.json`) for paths, bodies and
//! error examples; Telnyx's API error code reference for the 401, 403 and 429
//! bodies; the SDKs' webhook-verification code and tests (telnyx-python
//! `lib/webhook_verification.py`, telnyx-node `lib/webhooks.ts`, telnyx-java
//! `WebhookVerificationTest.kt` at c91fcd96, telnyx-php
//! `tests/Services/WebhooksTest.php` at 7a7cd942) for the signature scheme and
//! its keys.
//!
//! - `rest`: the request each operation becomes and Telnyx's answers to it;
//! - `webhooks`: the event table, probe webhooks and the recordings' signer;
//! - `vectors`: the signature vectors;
//! - `schemas`: the published request schemas the built bodies must satisfy.

mod rest;
mod schemas;
mod vectors;
mod webhooks;

#[cfg(test)]
mod tests;

use crate::recording::OwnedWebhook;
use crate::subject::*;
use callproof_core::adapters::telnyx::{TelnyxAdapter, TelnyxConfig};
use callproof_core::provider::{OpOutcome, ProviderName};

/// The Telnyx adapter's subject.
pub struct TelnyxSubject;

/// The API key the request expectations assume (any non-empty key will do:
/// Telnyx takes it as `Authorization: Bearer <key>`).
const API_KEY: &str = "KEY0123456789ABCDEFconformance";
/// The Call Control App the recordings' calls were placed through.
const CONNECTION_ID: &str = "2210987654321098765";
/// Where the recordings in `fixtures/webhooks/telnyx/` were delivered.
const WEBHOOK_URL: &str = "https://gateway.example.com/voice/telnyx/events";
/// The sample call's `call_control_id`, in Telnyx's `v3:…` shape (the first
/// recorded call's id).
const PROVIDER_CALL_ID: &str = "v3:Zm9yLWZpeHR1cmVzLW9ubHktY2FsbC0wMD1_Qm9vdHN0cmFw";

/// telnyx-java `WebhookVerificationTest.kt` (c91fcd96): the Ed25519 seed the
/// recordings are signed with (public test material) ...
const JAVA_SEED: &str = "i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04=";
/// ... and the public key that test pairs with it.
const JAVA_PUBLIC: &str = "jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=";
/// telnyx-php `tests/Services/WebhooksTest.php` (7a7cd942): the other
/// published public key, with a vector of its own.
const PHP_PUBLIC: &str = "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik=";

/// The clock at which every recording is fresh: their `telnyx-timestamp`s run
/// from 1700000000 to 1700000192, all within the 300 s tolerance of this.
const RECORDED_NOW: i64 = 1_700_000_100;

/// An adapter for `api_base` that verifies with `public_key_base64`.
///
/// `TelnyxAdapter::new` checks its configuration and the trait gives no way
/// to return its error. The configuration is constant, so a refusal is a
/// defect of this subject or of the adapter's key check, never of the
/// provider; the panic names it, and the check that hit it reports it as a
/// failure (`checks::run_family` catches panics).
fn build(api_base: &str, public_key_base64: &str) -> TelnyxAdapter {
    let config = TelnyxConfig {
        api_base: api_base.to_owned(),
        api_key: API_KEY.to_owned(),
        connection_id: CONNECTION_ID.to_owned(),
        webhook_url: WEBHOOK_URL.to_owned(),
        public_key_base64: public_key_base64.to_owned(),
        tolerance_secs: TelnyxConfig::DEFAULT_TOLERANCE_SECS,
    };
    match TelnyxAdapter::new(config) {
        Ok(adapter) => adapter,
        Err(e) => panic!("telnyx subject: the adapter refuses the subject's configuration: {e}"),
    }
}

/// Where an adapter that sends nothing points (parsing and verifying only).
const NOWHERE: &str = "http://127.0.0.1:9";

impl Subject for TelnyxSubject {
    type Adapter = TelnyxAdapter;

    fn provider() -> ProviderName {
        ProviderName::Telnyx
    }

    fn fixtures_dir() -> &'static str {
        "telnyx"
    }

    fn adapter(api_base: &str) -> TelnyxAdapter {
        build(api_base, JAVA_PUBLIC)
    }

    fn sample_ids() -> SampleIds {
        SampleIds {
            provider_call_id: PROVIDER_CALL_ID.to_owned(),
            request_id: "telnyx-has-no-request-id".to_owned(),
        }
    }

    fn expected_request(case: OpCase) -> Expected {
        rest::expected_request(case)
    }

    fn canned_response(case: OpCase, class: ResponseClass) -> Canned {
        rest::canned_response(case, class)
    }

    fn success_outcome(case: OpCase) -> OpOutcome {
        rest::success_outcome(case)
    }

    fn status_table() -> Vec<StatusRow> {
        rest::status_table()
    }

    fn status_response(raw: &str) -> Option<CannedResponse> {
        Some(rest::status_response_with_word(raw))
    }

    fn webhook_status_table() -> Vec<WebhookStatusRow> {
        webhooks::status_table()
    }

    fn webhook_with_status(raw: &str) -> OwnedWebhook {
        webhooks::with_status(raw)
    }

    fn signature_vectors() -> Vec<SignatureVector<TelnyxAdapter>> {
        vectors::all()
    }

    fn signature_scheme() -> SignatureScheme {
        SignatureScheme {
            signature_headers: vec![webhooks::SIGNATURE_HEADER],
            timestamp: Some(TimestampRule {
                header: webhooks::TIMESTAMP_HEADER,
                tolerance_secs: TelnyxConfig::DEFAULT_TOLERANCE_SECS,
            }),
            // Telnyx signs `"{timestamp}|{body}"`: the URL is not covered.
            covers_url: false,
        }
    }

    fn recorded_adapter() -> TelnyxAdapter {
        build(NOWHERE, JAVA_PUBLIC)
    }

    fn recorded_now_unix_secs() -> i64 {
        RECORDED_NOW
    }

    fn other_secret_adapter() -> TelnyxAdapter {
        build(NOWHERE, &webhooks::other_public_key())
    }

    fn sign(webhook: &mut OwnedWebhook, now_unix_secs: i64) -> Result<(), String> {
        webhooks::sign(webhook, now_unix_secs)
    }

    fn schema_checks() -> Vec<SchemaCheck> {
        schemas::all()
    }
}
