//! Twilio Programmable Voice (API 2010-04-01): its facts, from Twilio's
//! published OpenAPI document (`twilio/twilio-oai`), its SDKs' request
//! validators and tests, and its error catalogue, as collected in the
//! project's provider fact sheet.
//!
//! Webhooks are re-signed by this subject's own HMAC-SHA1 (`signing`), never
//! by the adapter, so the adapter's signer is checked rather than trusted.

mod rest;
mod schema;
mod signing;
mod vectors;

use crate::recording::OwnedWebhook;
use crate::subject::*;
use callproof_core::adapters::twilio::{TwilioAdapter, TwilioConfig};
use callproof_core::provider::{EventKind, OpOutcome, ProviderName};
use serde_json::json;

/// The Twilio adapter's subject.
pub struct TwilioSubject;

const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "conformance-auth-token";
/// The auth token the recordings in `fixtures/webhooks/twilio/` are signed
/// with (the token of Twilio's own validator tests).
const RECORDING_TOKEN: &str = "12345";
/// The public callback URL the recordings were delivered to.
const WEBHOOK_URL: &str = "https://gw.example.com/voice/webhook";
/// `CA` + 32 hex, as the OAS `sid` pattern requires.
const CALL_SID: &str = "CAf0e1d2c3b4a5968778695a4b3c2d1e0f";
/// The last recording's `Timestamp` (Tue, 14 Oct 2025 09:31:05 +0000).
/// Twilio signs no timestamp, so nothing is stale; this only dates the suite.
const RECORDED_NOW: i64 = 1_760_434_265;
/// The webhook table's key for a `<Gather>` speech result, which carries no
/// `CallStatus` of its own.
const SPEECH_KEY: &str = "speech-result";
const SPEECH_TEXT: &str = "I would like to speak to someone.";

fn adapter_with(api_base: &str, token: &str) -> TwilioAdapter {
    TwilioAdapter::new(TwilioConfig {
        api_base: api_base.to_owned(),
        account_sid: ACCOUNT_SID.to_owned(),
        auth_token: token.to_owned(),
        webhook_url: WEBHOOK_URL.to_owned(),
        shared_key: None,
    })
}

fn adapter_with_token(token: &str) -> TwilioAdapter {
    adapter_with("http://127.0.0.1:9", token)
}

/// A status callback (or, for [`SPEECH_KEY`], a `<Gather>` result) for the
/// sample call, signed with the recordings' token.
fn callback(raw: &str) -> OwnedWebhook {
    let mut url = format!("{WEBHOOK_URL}?callId={CALL_ID}");
    let mut fields = vec![
        ("AccountSid", ACCOUNT_SID),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", CALL_SID),
        ("Called", TO),
        ("Caller", FROM),
        ("Direction", "outbound-api"),
        ("From", FROM),
        ("To", TO),
    ];
    if raw == SPEECH_KEY {
        url.push_str(&format!("&gather={COMMAND_ID}"));
        fields.extend([
            ("CallStatus", "in-progress"),
            ("Confidence", "0.9"),
            ("SpeechResult", SPEECH_TEXT),
        ]);
    } else {
        fields.extend([
            ("CallStatus", raw),
            ("CallbackSource", "call-progress-events"),
            ("SequenceNumber", "1"),
            ("Timestamp", "Tue, 14 Oct 2025 09:30:02 +0000"),
        ]);
    }
    let mut webhook = OwnedWebhook {
        method: http::Method::POST,
        url,
        headers: http::HeaderMap::new(),
        body: signing::form_body(&fields),
    };
    webhook.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    // Signing a form the subject built itself cannot fail; if it ever did,
    // the unsigned webhook is refused and the check names it.
    let _ = signing::sign_form(RECORDING_TOKEN, &mut webhook);
    webhook
}

impl Subject for TwilioSubject {
    type Adapter = TwilioAdapter;

    fn provider() -> ProviderName {
        ProviderName::Twilio
    }

    fn fixtures_dir() -> &'static str {
        "twilio"
    }

    fn adapter(api_base: &str) -> TwilioAdapter {
        adapter_with(api_base, AUTH_TOKEN)
    }

    fn sample_ids() -> SampleIds {
        SampleIds {
            provider_call_id: CALL_SID.to_owned(),
            request_id: "twilio-has-no-request-id".to_owned(),
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
        rest::statuses()
            .into_iter()
            .map(|(raw, expected, _)| StatusRow {
                raw,
                response: CannedResponse::json(200, rest::call_resource(json!(raw))),
                expected,
            })
            .collect()
    }

    fn status_response(raw: &str) -> Option<CannedResponse> {
        Some(CannedResponse::json(200, rest::call_resource(json!(raw))))
    }

    /// The call resource's statuses, plus `initiated` (a `CallStatus` of
    /// status callbacks only) and a speech result.
    fn webhook_status_table() -> Vec<WebhookStatusRow> {
        let mut rows: Vec<WebhookStatusRow> = rest::statuses()
            .into_iter()
            .map(|(raw, _, expected)| WebhookStatusRow { raw, expected })
            .collect();
        rows.push(WebhookStatusRow {
            raw: "initiated",
            expected: EventKind::Initiated,
        });
        rows.push(WebhookStatusRow {
            raw: SPEECH_KEY,
            expected: EventKind::Speech {
                transcript: SPEECH_TEXT.to_owned(),
                is_final: true,
            },
        });
        rows
    }

    fn webhook_with_status(raw: &str) -> OwnedWebhook {
        callback(raw)
    }

    fn signature_vectors() -> Vec<SignatureVector<TwilioAdapter>> {
        vectors::all()
    }

    fn signature_scheme() -> SignatureScheme {
        SignatureScheme {
            signature_headers: vec![signing::HEADER],
            timestamp: None,
            covers_url: true,
        }
    }

    fn recorded_adapter() -> TwilioAdapter {
        adapter_with_token(RECORDING_TOKEN)
    }

    fn recorded_now_unix_secs() -> i64 {
        RECORDED_NOW
    }

    fn other_secret_adapter() -> TwilioAdapter {
        adapter_with_token("54321")
    }

    fn sign(webhook: &mut OwnedWebhook, _now_unix_secs: i64) -> Result<(), String> {
        signing::sign_form(RECORDING_TOKEN, webhook)
    }

    fn schema_checks() -> Vec<SchemaCheck> {
        schema::checks()
    }
}
