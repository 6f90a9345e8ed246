//! Plivo's facts (Voice API v1), from its public SDKs (plivo-python,
//! plivo-go, plivo-ruby, plivo-java, plivo-node: calls, client and signature
//! code, their tests and JSON fixtures) and plivo.com/docs, as the adapter's
//! module docs cite them.
//!
//! - Requests: `{api_base}/v1/Account/{auth_id}/…`, every path ending in a
//!   slash, HTTP Basic `auth_id:auth_token`, JSON bodies, GET parameters in
//!   the query.
//! - Create `POST /Call/` → 201 `{"message":"call fired","request_uuid",
//!   "api_id"}` (SDK fixture `callCreateResponse.json`); hang up
//!   `DELETE /Call/{uuid}/` → 204, cancel a queued call
//!   `DELETE /Request/{request_uuid}/`; live status
//!   `GET /Call/{uuid}/?status=live` (fixture `liveCallGetResponse.json`);
//!   speak `POST /Call/{uuid}/Speak/` → 202; transfer `POST /Call/{uuid}/`
//!   → 202 `{"message":"call transfered"}` (fixture `callUpdateResponse.json`).
//! - Errors: `{"api_id": …, "error": "<text>"}`; 400 invalid parameter, 401
//!   authentication, 403 permission (the SDKs' GeoPermissionError on
//!   `POST /Call/`), 404 not found (an ended call), 429 rate limited, 5xx.
//!
//! Where the suite's fixed expectations meet a documented adapter choice
//! they cannot both hold, the subject says so in a `NotApplicable` reason or
//! keeps the vector out of the gated list (see `vectors`), never by bending
//! the expected class.

mod responses;
mod vectors;

use crate::recording::OwnedWebhook;
use crate::subject::*;
use callproof_core::adapters::plivo::{v3_signature, PlivoAdapter, PlivoConfig, SignedMethod};
use callproof_core::provider::{OpOutcome, ProviderName};

/// The Plivo adapter's subject.
pub struct PlivoSubject;

/// The account id of Plivo's SDK tests (`MA` + 18 characters).
const AUTH_ID: &str = "MAXXXXXXXXXXXXXXXXXX";
/// The token the REST expectations are built with.
const API_TOKEN: &str = "conformance-auth-token";
/// The token the recordings in `fixtures/webhooks/plivo/` are signed with:
/// the auth token of Plivo's published V3 vectors (plivo-go `utils_test.go`).
const RECORDING_TOKEN: &str = "Y2Q2ZDgxZmY5YWRiOTI5YmQ1Njg0MTAxZWIyOTc4";
/// The public callback URL the recordings were delivered to.
const RECORDING_URL: &str = "https://gw.example.com/voice/webhook";
/// 2026-03-02 14:10:00 UTC, just after the recorded calls. Plivo signs no
/// timestamp, so any clock verifies them; this one is merely truthful.
const RECORDED_NOW: i64 = 1_772_460_600;
/// The call uuid of the SDK fixture `liveCallGetResponse.json`.
const CALL_UUID: &str = "d0a87a1a-b0e9-4ab2-ac07-c22ee87cd04a";
/// The request uuid of the SDK fixture `callCreateResponse.json`.
const REQUEST_UUID: &str = "9834029e-58b6-11e1-b8b7-a5bd0e4e126f";

/// Header names as Plivo sends them (matched case-insensitively).
const V3_HEADER: &str = "x-plivo-signature-v3";
const V3_MA_HEADER: &str = "x-plivo-signature-ma-v3";
const V3_NONCE_HEADER: &str = "x-plivo-signature-v3-nonce";
const V2_HEADER: &str = "x-plivo-signature-v2";
const V2_NONCE_HEADER: &str = "x-plivo-signature-v2-nonce";
/// The nonce `sign` uses when a webhook has none yet.
const SIGNING_NONCE: &str = "20000000000000000000";

fn config(api_base: &str, token: &str) -> PlivoConfig {
    PlivoConfig {
        api_base: api_base.to_owned(),
        auth_id: AUTH_ID.to_owned(),
        auth_token: token.to_owned(),
        webhook_url: RECORDING_URL.to_owned(),
    }
}

fn adapter_with(token: &str) -> PlivoAdapter {
    PlivoAdapter::new(config("http://127.0.0.1:9", token))
}

/// `https://gw.example.com/voice/webhook?callId=cp-call-0001` and friends:
/// the callback URLs carry the manager's call id (and, for a transfer, the
/// XML step and listening turn) so callbacks match before any Plivo id is
/// known.
fn callback_url(extra: &str) -> String {
    format!("{RECORDING_URL}?callId={CALL_ID}{extra}")
}

fn request(method: http::Method, path: &str, query: &[(&str, &str)], body: Body) -> Expected {
    use base64::Engine as _;
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{AUTH_ID}:{API_TOKEN}"));
    let mut headers = vec![("authorization", format!("Basic {credentials}"))];
    if matches!(body, Body::Json(_)) {
        headers.push(("content-type", "application/json".to_owned()));
    }
    Expected::Request(ExpectedRequest {
        method,
        path: format!("/v1/Account/{AUTH_ID}/{path}"),
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        headers,
        body,
    })
}

/// `POST /Call/` fields. Plivo has no message or mode parameter: the adapter
/// speaks a notify message after answer with a `Speak` op, so both creates
/// send the same fields. One callback URL serves ring, answer and hangup.
fn create_fields() -> Vec<Field> {
    let callback = callback_url("");
    vec![
        Field::eq("/from", FROM),
        Field::eq("/to", TO),
        Field::eq("/answer_url", &callback),
        Field::eq("/answer_method", "POST"),
        Field::eq("/ring_url", &callback),
        Field::eq("/ring_method", "POST"),
        Field::eq("/hangup_url", &callback),
        Field::eq("/hangup_method", "POST"),
        Field::eq("/time_limit", TIME_LIMIT_SECS),
        Field::eq("/ring_timeout", RING_TIMEOUT_SECS),
        Field::absent("/message"),
    ]
}

/// A transfer of the A leg to our webhook for the next XML step: Plivo's only
/// way to start or stop speech input on a live call.
fn transfer(step: &str) -> Expected {
    let aleg_url = callback_url(&format!("&plivoStep={step}&turn={COMMAND_ID}"));
    request(
        http::Method::POST,
        &format!("Call/{CALL_UUID}/"),
        &[],
        Body::Json(vec![
            Field::eq("/legs", "aleg"),
            Field::eq("/aleg_url", aleg_url),
            Field::eq("/aleg_method", "POST"),
        ]),
    )
}

/// A form-encoded callback: a POST with `params` as its body, or a GET with
/// them appended to the URL's query.
fn form_webhook(method: http::Method, url: &str, params: &[(&str, &str)]) -> OwnedWebhook {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let mut webhook = OwnedWebhook {
        method: method.clone(),
        url: url.to_owned(),
        headers: http::HeaderMap::new(),
        body: Vec::new(),
    };
    if method == http::Method::GET {
        if !encoded.is_empty() {
            let sep = if url.contains('?') { '&' } else { '?' };
            webhook.url = format!("{url}{sep}{encoded}");
        }
    } else {
        webhook.body = encoded.into_bytes();
        webhook.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
    }
    webhook
}

fn set_header(webhook: &mut OwnedWebhook, name: &'static str, value: &str) {
    if let Ok(value) = http::HeaderValue::from_str(value) {
        webhook.headers.insert(name, value);
    }
}

/// The V3 signature of `webhook` as it stands, with `token` and `nonce`.
fn v3_of(webhook: &OwnedWebhook, token: &str, nonce: &str) -> Result<String, String> {
    let (method, params) = if webhook.method == http::Method::GET {
        // A GET carries its parameters in the query, already in the URL.
        (SignedMethod::Get, Vec::new())
    } else {
        let params = form_urlencoded::parse(&webhook.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        (SignedMethod::Post, params)
    };
    v3_signature(token, method, &webhook.url, &params, nonce).map_err(|e| e.to_string())
}

impl Subject for PlivoSubject {
    type Adapter = PlivoAdapter;

    fn provider() -> ProviderName {
        ProviderName::Plivo
    }

    fn fixtures_dir() -> &'static str {
        "plivo"
    }

    fn adapter(api_base: &str) -> PlivoAdapter {
        PlivoAdapter::new(config(api_base, API_TOKEN))
    }

    fn sample_ids() -> SampleIds {
        SampleIds {
            provider_call_id: CALL_UUID.to_owned(),
            request_id: REQUEST_UUID.to_owned(),
        }
    }

    fn expected_request(case: OpCase) -> Expected {
        use http::Method;
        let call = format!("Call/{CALL_UUID}/");
        match case {
            OpCase::Create | OpCase::CreateConversation => {
                request(Method::POST, "Call/", &[], Body::Json(create_fields()))
            }
            // DELETE ends a call in any state, answered or not.
            OpCase::HangupAnswered | OpCase::HangupUnanswered => {
                request(Method::DELETE, &call, &[], Body::Empty)
            }
            OpCase::HangupBeforeProviderId => request(
                Method::DELETE,
                &format!("Request/{REQUEST_UUID}/"),
                &[],
                Body::Empty,
            ),
            OpCase::HangupWithoutIds => Expected::CannotBuild {
                why: "Plivo addresses a call by its CallUUID or its create's request_uuid; with neither there is nothing to hang up",
            },
            OpCase::Status => request(Method::GET, &call, &[("status", "live")], Body::Empty),
            // The queued view, keyed by the request uuid: the adapter's
            // inference from the SDKs' QueuedCall type (it carries
            // `request_uuid`), not a documented path.
            OpCase::StatusBeforeProviderId => request(
                Method::GET,
                &format!("Call/{REQUEST_UUID}/"),
                &[("status", "queued")],
                Body::Empty,
            ),
            OpCase::Speak => request(
                Method::POST,
                &format!("{call}Speak/"),
                &[],
                Body::Json(vec![Field::eq("/text", SPEAK_TEXT)]),
            ),
            OpCase::StartListening => transfer("listen"),
            OpCase::StopListening => transfer("hold"),
        }
    }

    fn canned_response(case: OpCase, class: ResponseClass) -> Canned {
        responses::canned(case, class)
    }

    fn success_outcome(case: OpCase) -> OpOutcome {
        responses::success_outcome(case)
    }

    fn status_table() -> Vec<StatusRow> {
        responses::status_table()
    }

    fn status_response(raw: &str) -> Option<CannedResponse> {
        Some(responses::live_call(raw))
    }

    fn webhook_status_table() -> Vec<WebhookStatusRow> {
        responses::webhook_status_table()
    }

    fn webhook_with_status(raw: &str) -> OwnedWebhook {
        let event = match raw {
            "ringing" => "Ring",
            "in-progress" => "StartApp",
            // A hangup reporting a word we do not know is the worst case:
            // it must still not end the call.
            _ => "Hangup",
        };
        let mut webhook = form_webhook(
            http::Method::POST,
            &callback_url(""),
            &[
                ("Direction", "outbound"),
                ("From", FROM),
                ("To", TO),
                ("CallUUID", CALL_UUID),
                ("ALegUUID", CALL_UUID),
                ("RequestUUID", REQUEST_UUID),
                ("ALegRequestUUID", REQUEST_UUID),
                ("CallStatus", raw),
                ("Event", event),
            ],
        );
        // Cannot fail: the URL's query is ASCII. An unsigned probe would be
        // reported by the check as not verifying.
        if let Ok(signature) = v3_of(&webhook, RECORDING_TOKEN, SIGNING_NONCE) {
            set_header(&mut webhook, V3_HEADER, &signature);
            set_header(&mut webhook, V3_NONCE_HEADER, SIGNING_NONCE);
        }
        webhook
    }

    fn signature_vectors() -> Vec<SignatureVector<PlivoAdapter>> {
        vectors::gated()
    }

    fn signature_scheme() -> SignatureScheme {
        SignatureScheme {
            // `X-Plivo-Signature-Ma-V3` is not listed: the adapter checks the
            // configured token's signature only, so its absence is no fault.
            signature_headers: vec![V3_HEADER, V3_NONCE_HEADER],
            timestamp: None,
            covers_url: true,
        }
    }

    fn recorded_adapter() -> PlivoAdapter {
        adapter_with(RECORDING_TOKEN)
    }

    fn recorded_now_unix_secs() -> i64 {
        RECORDED_NOW
    }

    fn other_secret_adapter() -> PlivoAdapter {
        adapter_with("not-the-recording-token")
    }

    fn sign(webhook: &mut OwnedWebhook, _now_unix_secs: i64) -> Result<(), String> {
        let nonce = webhook
            .headers
            .get(V3_NONCE_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .unwrap_or(SIGNING_NONCE)
            .to_owned();
        let signature = v3_of(webhook, RECORDING_TOKEN, &nonce)?;
        let value = http::HeaderValue::from_str(&signature).map_err(|e| e.to_string())?;
        if webhook.headers.contains_key(V3_MA_HEADER) {
            // A main account's callbacks carry the same value in both.
            webhook.headers.insert(V3_MA_HEADER, value.clone());
        }
        webhook.headers.insert(V3_HEADER, value);
        set_header(webhook, V3_NONCE_HEADER, &nonce);
        Ok(())
    }

    fn no_schema_reason() -> &'static str {
        "Plivo publishes no OpenAPI document (none in the plivo/* repositories); its request shapes come from the SDKs and docs and are checked by request_shapes"
    }
}
