//! Requests: `adapter.build_request` → `dialect.parse`, and the refusals
//! Telnyx answers to requests it cannot take.

use super::{adapter, call_ref, dialect, API_BASE, WEBHOOK_URL};
use crate::emulator::dialect::telnyx::{API_KEY, CONNECTION_ID};
use crate::emulator::dialect::{ApiCall, CreateParams, Dialect, IdRef};
use callproof_core::provider::{CreateCall, ProviderError, ProviderOp};
use callproof_core::record::CallMode;
use serde_json::{json, Value};

fn create(mode: CallMode, time_limit_secs: u32, ring_timeout_secs: u32) -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: "call-1".to_owned(),
        from: "+15550100001".to_owned(),
        to: "+15550100002".to_owned(),
        mode,
        message: Some("Your table is ready.".to_owned()),
        time_limit_secs,
        ring_timeout_secs,
    })
}

fn built(op: &ProviderOp) -> http::Request<Vec<u8>> {
    adapter()
        .build_request(op, "cmd-1")
        .expect("the adapter builds every op for a call with an id")
}

fn parsed(op: &ProviderOp) -> ApiCall {
    let request = built(op);
    match dialect().parse(&request) {
        Ok(call) => call,
        Err(refusal) => panic!(
            "refused with {}: {}",
            refusal.status(),
            String::from_utf8_lossy(refusal.body())
        ),
    }
}

/// A request with valid credentials, built by hand.
fn raw(method: &str, path: &str, content_type: Option<&str>, body: &str) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("{API_BASE}{path}"))
        .header(http::header::AUTHORIZATION, format!("Bearer {API_KEY}"));
    if let Some(content_type) = content_type {
        builder = builder.header(http::header::CONTENT_TYPE, content_type);
    }
    builder.body(body.as_bytes().to_vec()).unwrap()
}

/// The dialect's verdict, its refusal boxed as the dialect boxes it inside.
type Verdict = Result<ApiCall, Box<http::Response<Vec<u8>>>>;

fn parse(request: &http::Request<Vec<u8>>) -> Verdict {
    dialect().parse(request).map_err(Box::new)
}

fn dial(body: Value) -> Verdict {
    parse(&raw(
        "POST",
        "/v2/calls",
        Some("application/json"),
        &body.to_string(),
    ))
}

/// `(status, errors[0].code, errors[0].source.pointer)` of a refusal.
fn refusal(result: Verdict) -> (u16, String, Option<String>) {
    let response = match result {
        Err(response) => response,
        Ok(call) => panic!("expected a refusal, got {call:?}"),
    };
    let body: Value = serde_json::from_slice(response.body()).expect("error bodies are JSON");
    let error = &body["errors"][0];
    (
        response.status().as_u16(),
        error["code"].as_str().unwrap_or_default().to_owned(),
        error["source"]["pointer"].as_str().map(str::to_owned),
    )
}

fn valid_dial() -> Value {
    json!({"connection_id": CONNECTION_ID, "to": "+15550100002", "from": "+15550100001"})
}

#[test]
fn a_create_in_either_mode_round_trips_its_call_id_numbers_limits_and_webhook_url() {
    for mode in [CallMode::Notify, CallMode::Conversation] {
        assert_eq!(
            parsed(&create(mode, 600, 45)),
            ApiCall::Create(CreateParams {
                call_id: Some("call-1".to_owned()),
                from: "+15550100001".to_owned(),
                to: "+15550100002".to_owned(),
                webhook_url: WEBHOOK_URL.to_owned(),
                time_limit_secs: Some(600),
                ring_timeout_secs: Some(45),
            }),
            "{mode:?}"
        );
    }
}

#[test]
fn limits_outside_telnyx_ranges_arrive_clamped_and_are_accepted() {
    let ApiCall::Create(params) = parsed(&create(CallMode::Notify, 10, 1_000)) else {
        panic!("not a create");
    };
    assert_eq!(params.time_limit_secs, Some(30));
    assert_eq!(params.ring_timeout_secs, Some(600));
}

#[test]
fn a_dial_without_limits_gets_the_limits_telnyx_applies_by_default() {
    let Ok(ApiCall::Create(params)) = dial(valid_dial()) else {
        panic!("a minimal dial is valid");
    };
    assert_eq!(params.time_limit_secs, Some(14_400));
    assert_eq!(params.ring_timeout_secs, Some(30));
    assert_eq!(params.call_id, None, "no client_state, no call id");
    assert_eq!(params.webhook_url, "", "the app's own URL applies");
}

#[test]
fn hanging_up_an_answered_or_unanswered_call_is_the_same_hangup_command() {
    for answered in [true, false] {
        let op = ProviderOp::Hangup {
            call: call_ref(),
            answered,
        };
        assert_eq!(
            parsed(&op),
            ApiCall::Hangup(IdRef::Call(dialect().new_ids(1).0))
        );
    }
}

#[test]
fn status_speak_and_listening_name_the_call_control_id() {
    let id = IdRef::Call(dialect().new_ids(1).0);
    let cases = [
        (
            ProviderOp::Status { call: call_ref() },
            ApiCall::Status(id.clone()),
        ),
        (
            ProviderOp::Speak {
                call: call_ref(),
                text: "Hello there.".to_owned(),
            },
            ApiCall::Speak(id.clone()),
        ),
        (
            ProviderOp::StartListening { call: call_ref() },
            ApiCall::StartListening(id.clone()),
        ),
        (
            ProviderOp::StopListening { call: call_ref() },
            ApiCall::StopListening(id),
        ),
    ];
    for (op, expected) in cases {
        assert_eq!(parsed(&op), expected, "{}", op.kind());
    }
}

#[test]
fn a_wrong_or_missing_api_key_gets_telnyx_401_which_the_adapter_reads_as_unauthorized() {
    let op = ProviderOp::Status { call: call_ref() };
    let mut wrong = built(&op);
    wrong.headers_mut().insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_static("Bearer KEY-not-ours"),
    );
    let mut missing = built(&op);
    missing.headers_mut().remove(http::header::AUTHORIZATION);
    for request in [wrong, missing] {
        let response = dialect().parse(&request).expect_err("refused");
        assert_eq!(response.status(), 401);
        assert!(matches!(
            adapter().parse_response(&op, &response),
            Err(ProviderError::Unauthorized { .. })
        ));
        assert_eq!(
            refusal(Err(Box::new(response))),
            (401, "10009".to_owned(), None),
            "Authentication failed"
        );
    }
}

#[test]
fn an_unknown_route_or_method_is_404_resource_not_found() {
    let id = dialect().new_ids(1).0;
    for (method, path) in [
        ("POST", format!("/v2/calls/{id}/actions/dance")),
        ("DELETE", format!("/v2/calls/{id}")),
        ("GET", "/v2/calls".to_owned()),
        ("POST", "/v1/calls".to_owned()),
        ("GET", "/v2/calls/%zz".to_owned()),
    ] {
        let result = parse(&raw(method, &path, Some("application/json"), "{}"));
        assert_eq!(
            refusal(result),
            (404, "10005".to_owned(), None),
            "{method} {path}"
        );
    }
}

#[test]
fn an_unreadable_body_is_400_and_a_form_encoded_one_is_415() {
    let broken = raw("POST", "/v2/calls", Some("application/json"), "{\"to\": ");
    assert_eq!(refusal(parse(&broken)), (400, "10015".to_owned(), None));
    let array = raw("POST", "/v2/calls", Some("application/json"), "[1, 2]");
    assert_eq!(refusal(parse(&array)), (400, "10015".to_owned(), None));
    let form = raw(
        "POST",
        "/v2/calls",
        Some("application/x-www-form-urlencoded"),
        "to=%2B15550100002",
    );
    assert_eq!(refusal(parse(&form)), (415, "10014".to_owned(), None));
}

#[test]
fn a_dial_missing_a_required_field_is_422_pointing_at_that_field() {
    for field in ["connection_id", "to", "from"] {
        let mut body = valid_dial();
        body.as_object_mut().unwrap().remove(field);
        assert_eq!(
            refusal(dial(body)),
            (422, "10004".to_owned(), Some(format!("/{field}")))
        );
    }
}

#[test]
fn a_dial_with_an_invalid_value_is_422_naming_it() {
    let cases = [
        ("connection_id", json!("1111111111111111111"), "10015"),
        ("client_state", json!("not base64!"), "10015"),
        ("timeout_secs", json!(4), "10033"),
        ("time_limit_secs", json!(14_401), "10033"),
        ("webhook_url", json!("ftp://gateway.sim/x"), "10003"),
        ("to", json!(15550100002u64), "10015"),
    ];
    for (field, value, code) in cases {
        let mut body = valid_dial();
        body[field] = value;
        assert_eq!(
            refusal(dial(body)),
            (422, code.to_owned(), Some(format!("/{field}"))),
            "{field}"
        );
    }
}

#[test]
fn client_state_that_is_base64_but_not_text_places_a_call_without_a_call_id() {
    let mut body = valid_dial();
    body["client_state"] = json!("//79");
    let Ok(ApiCall::Create(params)) = dial(body) else {
        panic!("binary client state is still valid base64");
    };
    assert_eq!(params.call_id, None);
}

#[test]
fn speak_without_a_payload_or_voice_is_422_and_an_overlong_payload_is_out_of_range() {
    let path = format!("/v2/calls/{}/actions/speak", dialect().new_ids(1).0);
    let speak = |body: Value| {
        parse(&raw(
            "POST",
            &path,
            Some("application/json"),
            &body.to_string(),
        ))
    };
    assert_eq!(
        refusal(speak(json!({"voice": "female"}))),
        (422, "10004".to_owned(), Some("/payload".to_owned()))
    );
    assert_eq!(
        refusal(speak(json!({"payload": "Hi"}))),
        (422, "10004".to_owned(), Some("/voice".to_owned()))
    );
    assert_eq!(
        refusal(speak(
            json!({"payload": "a".repeat(3_001), "voice": "female"})
        )),
        (422, "10033".to_owned(), Some("/payload".to_owned()))
    );
}

#[test]
fn a_percent_encoded_call_control_id_is_decoded_before_it_is_looked_up() {
    let request = raw("GET", "/v2/calls/v3%3AabcDEF_-12", None, "");
    assert_eq!(
        dialect().parse(&request).ok(),
        Some(ApiCall::Status(IdRef::Call("v3:abcDEF_-12".to_owned())))
    );
}

#[test]
fn a_command_with_an_empty_body_is_accepted_as_telnyx_takes_an_empty_object() {
    let path = format!("/v2/calls/{}/actions/hangup", dialect().new_ids(1).0);
    assert_eq!(
        dialect().parse(&raw("POST", &path, None, "")).ok(),
        Some(ApiCall::Hangup(IdRef::Call(dialect().new_ids(1).0)))
    );
}
