//! The mock provider's facts, from its specification in
//! `callproof_core::adapters::mock`. The signature vectors were computed
//! independently of the adapter, with Python's `hmac` and `hashlib` modules.

use crate::recording::OwnedWebhook;
use crate::subject::*;
use callproof_core::adapters::mock::{
    webhook_signature, MockAdapter, MockConfig, SIGNATURE_HEADER,
};
use callproof_core::provider::{EventKind, OpOutcome, ProviderCallStatus, ProviderName};
use callproof_core::state::CallState;
use serde_json::json;

/// The mock adapter's subject.
pub struct MockSubject;

const API_TOKEN: &str = "conformance-token";
/// The token the recordings in `fixtures/webhooks/mock/` are signed with.
const RECORDING_TOKEN: &str = "mock-recording-token";
/// Where the recordings were delivered.
const RECORDING_URL: &str = "https://gateway.example.com/webhooks/mock";
const PROVIDER_CALL_ID: &str = "mc-0001";

fn config(api_base: &str, token: &str) -> MockConfig {
    MockConfig {
        api_base: api_base.to_owned(),
        token: token.to_owned(),
        webhook_url: RECORDING_URL.to_owned(),
    }
}

fn request(method: http::Method, path: &str, body: Body) -> Expected {
    let mut headers = vec![("authorization", format!("Bearer {API_TOKEN}"))];
    if method == http::Method::POST {
        headers.push(("idempotency-key", COMMAND_ID.to_owned()));
    }
    if matches!(body, Body::Json(_)) {
        headers.push(("content-type", "application/json".to_owned()));
    }
    Expected::Request(ExpectedRequest {
        method,
        path: path.to_owned(),
        query: Vec::new(),
        headers,
        body,
    })
}

fn create_fields(mode: &str) -> Vec<Field> {
    vec![
        Field::eq("/call_id", CALL_ID),
        Field::eq("/from", FROM),
        Field::eq("/to", TO),
        Field::eq("/mode", mode),
        Field::eq("/time_limit_secs", TIME_LIMIT_SECS),
        Field::eq("/ring_timeout_secs", RING_TIMEOUT_SECS),
        Field::eq("/webhook_url", RECORDING_URL),
    ]
}

fn error(status: u16, code: &str) -> Canned {
    Canned::Respond(CannedResponse::json(status, json!({ "error": code })))
}

const STATUSES: [(&str, ProviderCallStatus, EventKind); 8] = [
    (
        "queued",
        ProviderCallStatus::Live { answered: false },
        EventKind::Initiated,
    ),
    (
        "ringing",
        ProviderCallStatus::Live { answered: false },
        EventKind::Ringing,
    ),
    (
        "in-progress",
        ProviderCallStatus::Live { answered: true },
        EventKind::Answered,
    ),
    (
        "completed",
        ProviderCallStatus::Ended {
            reason: CallState::Completed,
        },
        EventKind::Ended {
            reason: CallState::Completed,
        },
    ),
    (
        "busy",
        ProviderCallStatus::Ended {
            reason: CallState::Busy,
        },
        EventKind::Ended {
            reason: CallState::Busy,
        },
    ),
    (
        "failed",
        ProviderCallStatus::Ended {
            reason: CallState::Failed,
        },
        EventKind::Ended {
            reason: CallState::Failed,
        },
    ),
    (
        "no-answer",
        ProviderCallStatus::Ended {
            reason: CallState::NoAnswer,
        },
        EventKind::Ended {
            reason: CallState::NoAnswer,
        },
    ),
    (
        "canceled",
        ProviderCallStatus::Ended {
            reason: CallState::HangupBot,
        },
        EventKind::Ended {
            reason: CallState::HangupBot,
        },
    ),
];

fn signed(token: &str, url: &str, body: &str, signature: Option<&str>) -> OwnedWebhook {
    let mut webhook = OwnedWebhook {
        method: http::Method::POST,
        url: url.to_owned(),
        headers: http::HeaderMap::new(),
        body: body.as_bytes().to_vec(),
    };
    webhook.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    let signature = match signature {
        Some(s) => s.to_owned(),
        None => webhook_signature(token, url, body.as_bytes()).unwrap_or_default(),
    };
    if let Ok(value) = http::HeaderValue::from_str(&signature) {
        webhook.headers.insert(SIGNATURE_HEADER, value);
    }
    webhook
}

const VECTOR_BODY: &str = r#"{"id":"evt-7","call_id":"cp-call-0001","provider_call_id":"mc-0001","status":"ringing","direction":"outbound","from":"+15005550006","to":"+15550100002","occurred_at_ms":1767225600000}"#;

impl Subject for MockSubject {
    type Adapter = MockAdapter;

    fn provider() -> ProviderName {
        ProviderName::Mock
    }

    fn fixtures_dir() -> &'static str {
        "mock"
    }

    fn adapter(api_base: &str) -> MockAdapter {
        MockAdapter::new(config(api_base, API_TOKEN))
    }

    fn sample_ids() -> SampleIds {
        SampleIds {
            provider_call_id: PROVIDER_CALL_ID.to_owned(),
            request_id: "mock-has-no-request-id".to_owned(),
        }
    }

    fn expected_request(case: OpCase) -> Expected {
        use http::Method;
        let call = format!("/mock/calls/{PROVIDER_CALL_ID}");
        match case {
            OpCase::Create => {
                let mut fields = create_fields("notify");
                fields.push(Field::eq("/message", MESSAGE));
                request(Method::POST, "/mock/calls", Body::Json(fields))
            }
            OpCase::CreateConversation => {
                let mut fields = create_fields("conversation");
                fields.push(Field::null("/message"));
                request(Method::POST, "/mock/calls", Body::Json(fields))
            }
            OpCase::HangupAnswered | OpCase::HangupUnanswered => {
                request(Method::POST, &format!("{call}/hangup"), Body::Empty)
            }
            OpCase::HangupBeforeProviderId
            | OpCase::HangupWithoutIds
            | OpCase::StatusBeforeProviderId => Expected::CannotBuild {
                why: "the mock knows calls only by its own id, which its create answers at once",
            },
            OpCase::Status => request(Method::GET, &call, Body::Empty),
            OpCase::Speak => request(
                Method::POST,
                &format!("{call}/speak"),
                Body::Json(vec![Field::eq("/text", SPEAK_TEXT)]),
            ),
            OpCase::StartListening => {
                request(Method::POST, &format!("{call}/listen/start"), Body::Empty)
            }
            OpCase::StopListening => {
                request(Method::POST, &format!("{call}/listen/stop"), Body::Empty)
            }
        }
    }

    fn canned_response(case: OpCase, class: ResponseClass) -> Canned {
        let creates = matches!(case, OpCase::Create | OpCase::CreateConversation);
        match class {
            ResponseClass::Success if creates => {
                Canned::Respond(CannedResponse::json(201, json!({ "id": PROVIDER_CALL_ID })))
            }
            ResponseClass::Success if case == OpCase::Status => Canned::Respond(
                CannedResponse::json(200, json!({ "status": "in-progress" })),
            ),
            ResponseClass::Success => Canned::Respond(CannedResponse::json(200, json!({}))),
            ResponseClass::NotFound if creates => {
                Canned::NotApplicable("a create addresses no existing call")
            }
            ResponseClass::NotFound => error(404, "not_found"),
            ResponseClass::RateLimited => error(429, "rate_limited"),
            ResponseClass::ServerError => error(500, "internal"),
            ResponseClass::Unavailable => error(503, "unavailable"),
            ResponseClass::Validation if creates => error(400, "invalid_number"),
            ResponseClass::Validation => error(400, "invalid_request"),
            ResponseClass::Unauthorized => error(401, "unauthorized"),
            ResponseClass::Forbidden => error(403, "forbidden"),
            ResponseClass::UnreadableSuccess if creates => {
                Canned::Respond(CannedResponse::json(201, json!({ "id": 1 })))
            }
            ResponseClass::UnreadableSuccess if case == OpCase::Status => {
                Canned::Respond(CannedResponse::json(200, json!({ "status": 5 })))
            }
            ResponseClass::UnreadableSuccess => {
                Canned::NotApplicable("the mock's answer to this carries nothing the manager reads")
            }
        }
    }

    fn success_outcome(case: OpCase) -> OpOutcome {
        match case {
            OpCase::Create | OpCase::CreateConversation => OpOutcome::Created {
                provider_call_id: Some(PROVIDER_CALL_ID.to_owned()),
                request_id: None,
            },
            OpCase::Status | OpCase::StatusBeforeProviderId => {
                OpOutcome::Status(ProviderCallStatus::Live { answered: true })
            }
            _ => OpOutcome::Done,
        }
    }

    fn status_table() -> Vec<StatusRow> {
        STATUSES
            .into_iter()
            .map(|(raw, expected, _)| StatusRow {
                raw,
                response: CannedResponse::json(200, json!({ "status": raw })),
                expected,
            })
            .collect()
    }

    fn status_response(raw: &str) -> Option<CannedResponse> {
        Some(CannedResponse::json(200, json!({ "status": raw })))
    }

    fn webhook_status_table() -> Vec<WebhookStatusRow> {
        STATUSES
            .into_iter()
            .map(|(raw, _, expected)| WebhookStatusRow { raw, expected })
            .collect()
    }

    fn webhook_with_status(raw: &str) -> OwnedWebhook {
        let body = json!({
            "id": "evt-probe", "call_id": CALL_ID, "provider_call_id": PROVIDER_CALL_ID,
            "status": raw, "direction": "outbound", "from": FROM, "to": TO,
            "occurred_at_ms": 1_767_225_600_000u64,
        });
        signed(RECORDING_TOKEN, RECORDING_URL, &body.to_string(), None)
    }

    fn signature_vectors() -> Vec<SignatureVector<MockAdapter>> {
        let vector = |name, url: &str, token: &str, body: &str, signature, valid| {
            SignatureVector {
            name,
            source: "computed independently: hmac.new(token, url + \"\\n\" + body, hashlib.sha256).hexdigest()",
            adapter: MockAdapter::new(config("http://127.0.0.1:9", token)),
            webhook: signed(token, url, body, Some(signature)),
            now_unix_secs: 1_767_225_600,
            valid,
        }
        };
        let with_query = "https://gateway.example.com/webhooks/mock?tenant=a%20b";
        vec![
            vector(
                "minimal body",
                "https://gw.example/hooks/mock",
                "mock-token",
                r#"{"id":"evt-1"}"#,
                "2419090738d1896adb815de7b5ebf286d5006a0a4af6d3536d24d451690aa52f",
                true,
            ),
            vector(
                "event with a query in the URL",
                with_query,
                "vector-secret",
                VECTOR_BODY,
                "d2307a581be28b314641a9b0145f7165de0d8d306c425dc5fd31f7c92015053d",
                true,
            ),
            vector(
                "signature for the URL without its query",
                with_query,
                "vector-secret",
                VECTOR_BODY,
                "b10f612ef782899a960609a220380e4d5756f244f701290871254bbdfbc01a76",
                false,
            ),
            vector(
                "signature under another token",
                "https://gw.example/hooks/mock",
                "vector-secret",
                r#"{"id":"evt-1"}"#,
                "2419090738d1896adb815de7b5ebf286d5006a0a4af6d3536d24d451690aa52f",
                false,
            ),
        ]
    }

    fn signature_scheme() -> SignatureScheme {
        SignatureScheme {
            signature_headers: vec![SIGNATURE_HEADER],
            timestamp: None,
            covers_url: true,
        }
    }

    fn recorded_adapter() -> MockAdapter {
        MockAdapter::new(config("http://127.0.0.1:9", RECORDING_TOKEN))
    }

    fn recorded_now_unix_secs() -> i64 {
        1_767_225_600
    }

    fn other_secret_adapter() -> MockAdapter {
        MockAdapter::new(config("http://127.0.0.1:9", "not-the-recording-token"))
    }

    fn sign(webhook: &mut OwnedWebhook, _now_unix_secs: i64) -> Result<(), String> {
        let signature = webhook_signature(RECORDING_TOKEN, &webhook.url, &webhook.body)
            .map_err(|e| e.to_string())?;
        let value = http::HeaderValue::from_str(&signature).map_err(|e| e.to_string())?;
        webhook.headers.insert(SIGNATURE_HEADER, value);
        Ok(())
    }

    fn no_schema_reason() -> &'static str {
        "the mock is our own provider and publishes no OpenAPI document"
    }
}
