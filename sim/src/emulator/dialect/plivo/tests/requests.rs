//! `adapter.build_request` → `dialect.parse`, and the requests Plivo refuses.

use super::{adapter, call_ref, create_op, dialect, ids, understood, API_BASE, CALL_ID};
use crate::emulator::dialect::plivo::{AUTH_ID, AUTH_TOKEN};
use crate::emulator::dialect::{ApiCall, CreateParams, Dialect, IdRef};
use base64::Engine as _;
use callproof_core::provider::{ProviderError, ProviderOp};
use callproof_core::record::CallMode;
use serde_json::{json, Value};

#[test]
fn a_create_is_understood_with_our_call_id_numbers_and_limits_in_either_mode() {
    for mode in [CallMode::Notify, CallMode::Conversation] {
        assert_eq!(
            understood(&create_op(mode)),
            ApiCall::Create(CreateParams {
                call_id: Some(CALL_ID.to_owned()),
                from: "+14155550100".to_owned(),
                to: "+14155550123".to_owned(),
                webhook_url: "https://gw.example.com/voice/webhook?callId=call-1".to_owned(),
                time_limit_secs: Some(600),
                ring_timeout_secs: Some(30),
            }),
            "{mode:?}"
        );
    }
}

#[test]
fn the_call_id_is_recovered_from_behind_an_existing_query_and_before_the_retry_fragment() {
    let adapter = dialect().adapter(
        API_BASE,
        "https://gw.example.com:8443/voice/webhook?tenant=a#rc=3&rp=all",
    );
    let mut op = create_op(CallMode::Conversation);
    if let ProviderOp::Create(create) = &mut op {
        create.call_id = "a b&c".to_owned();
    }
    let request = adapter.build_request(&op, "cmd-1").unwrap();
    let ApiCall::Create(params) = dialect().parse(&request).unwrap() else {
        panic!("not a create");
    };
    assert_eq!(params.call_id.as_deref(), Some("a b&c"));
    assert_eq!(
        params.webhook_url,
        "https://gw.example.com:8443/voice/webhook?tenant=a&callId=a+b%26c#rc=3&rp=all"
    );
}

#[test]
fn a_hangup_names_the_call_uuid_answered_or_not_and_the_request_uuid_before_the_uuid_is_known() {
    let (uuid, request) = ids();
    for answered in [true, false] {
        let op = ProviderOp::Hangup {
            call: call_ref(true),
            answered,
        };
        assert_eq!(understood(&op), ApiCall::Hangup(IdRef::Call(uuid.clone())));
    }
    let op = ProviderOp::Hangup {
        call: call_ref(false),
        answered: false,
    };
    assert_eq!(understood(&op), ApiCall::Hangup(IdRef::Request(request)));
}

#[test]
fn status_asks_the_live_view_by_call_uuid_and_the_queued_view_by_request_uuid() {
    let (uuid, request) = ids();
    let by_uuid = ProviderOp::Status {
        call: call_ref(true),
    };
    let by_request = ProviderOp::Status {
        call: call_ref(false),
    };
    assert_eq!(understood(&by_uuid), ApiCall::Status(IdRef::Call(uuid)));
    assert_eq!(
        understood(&by_request),
        ApiCall::Status(IdRef::Request(request))
    );
}

#[test]
fn speaking_and_listening_name_the_call_uuid() {
    let (uuid, _) = ids();
    let call = call_ref(true);
    let speak = ProviderOp::Speak {
        call: call.clone(),
        text: "Hello".to_owned(),
    };
    let start = ProviderOp::StartListening { call: call.clone() };
    let stop = ProviderOp::StopListening { call };
    assert_eq!(
        understood(&speak),
        ApiCall::Speak(IdRef::Call(uuid.clone()))
    );
    assert_eq!(
        understood(&start),
        ApiCall::StartListening(IdRef::Call(uuid.clone()))
    );
    assert_eq!(understood(&stop), ApiCall::StopListening(IdRef::Call(uuid)));
}

/// A request as the adapter would send it, with `credentials` as Basic auth.
fn request(
    method: http::Method,
    path: &str,
    credentials: Option<String>,
    body: &[u8],
) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("{API_BASE}{path}"))
        .header(http::header::CONTENT_TYPE, "application/json");
    if let Some(credentials) = credentials {
        let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
        builder = builder.header(http::header::AUTHORIZATION, format!("Basic {encoded}"));
    }
    builder.body(body.to_vec()).unwrap()
}

/// The simulated account's own credentials.
fn good() -> Option<String> {
    Some(format!("{AUTH_ID}:{AUTH_TOKEN}"))
}

/// The refusal, checked to be Plivo's error body, and how the adapter reads it.
fn refused(request: &http::Request<Vec<u8>>) -> (u16, ProviderError) {
    let response = dialect().parse(request).unwrap_err();
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert!(body["api_id"].is_string(), "{body}");
    assert!(body["error"].is_string(), "{body}");
    let op = ProviderOp::Status {
        call: call_ref(true),
    };
    let error = adapter().parse_response(&op, &response).unwrap_err();
    (response.status().as_u16(), error)
}

#[test]
fn wrong_or_missing_credentials_or_another_account_get_a_401_the_adapter_calls_unauthorized() {
    let own = format!("/v1/Account/{AUTH_ID}/Call/");
    let cases = [
        request(http::Method::POST, &own, None, b"{}"),
        request(
            http::Method::POST,
            &own,
            Some(format!("{AUTH_ID}:wrong")),
            b"{}",
        ),
        request(
            http::Method::POST,
            "/v1/Account/MAOTHERACCOUNT000000/Call/",
            good(),
            b"{}",
        ),
    ];
    for case in &cases {
        let (status, error) = refused(case);
        assert_eq!(status, 401, "{case:?}");
        assert!(
            matches!(error, ProviderError::Unauthorized { .. }),
            "{error:?}"
        );
    }
}

#[test]
fn an_unknown_route_or_a_path_without_its_trailing_slash_is_a_404() {
    let (uuid, _) = ids();
    for path in [
        format!("/v1/Account/{AUTH_ID}/Call"),
        format!("/v1/Account/{AUTH_ID}/Call/{uuid}"),
        format!("/v1/Account/{AUTH_ID}/Conference/"),
        format!("/v1/Account/{AUTH_ID}/Call//"),
        "/v2/calls/".to_owned(),
    ] {
        let (status, _) = refused(&request(http::Method::DELETE, &path, good(), b""));
        assert_eq!(status, 404, "{path}");
    }
}

#[test]
fn a_known_route_with_the_wrong_method_is_a_405_the_adapter_calls_rejected() {
    let (uuid, _) = ids();
    for (method, path) in [
        (http::Method::GET, "Call/".to_owned()),
        (http::Method::PUT, format!("Call/{uuid}/")),
        (http::Method::GET, format!("Request/{uuid}/")),
    ] {
        let path = format!("/v1/Account/{AUTH_ID}/{path}");
        let (status, error) = refused(&request(method, &path, good(), b""));
        assert_eq!(status, 405, "{path}");
        assert!(
            matches!(error, ProviderError::Rejected { status: 405, .. }),
            "{error:?}"
        );
    }
}

#[test]
fn a_malformed_body_or_parameter_is_a_400_the_adapter_calls_rejected() {
    let (uuid, _) = ids();
    let create = format!("/v1/Account/{AUTH_ID}/Call/");
    let good_create = json!({
        "from": "+14155550100", "to": "+14155550123",
        "answer_url": "https://gw.example.com/voice/webhook?callId=c"
    });
    let with = |key: &str, value: Value| {
        let mut body = good_create.clone();
        body[key] = value;
        serde_json::to_vec(&body).unwrap()
    };
    let without_to = {
        let mut body = good_create.clone();
        body.as_object_mut().unwrap().remove("to");
        serde_json::to_vec(&body).unwrap()
    };
    let transfer = format!("/v1/Account/{AUTH_ID}/Call/{uuid}/");
    let speak = format!("/v1/Account/{AUTH_ID}/Call/{uuid}/Speak/");
    let cases: Vec<(http::Method, String, Vec<u8>)> = vec![
        (http::Method::POST, create.clone(), b"{not json".to_vec()),
        (http::Method::POST, create.clone(), b"[]".to_vec()),
        (http::Method::POST, create.clone(), without_to),
        (
            http::Method::POST,
            create.clone(),
            with("answer_url", json!("ftp://x/")),
        ),
        (
            http::Method::POST,
            create.clone(),
            with("time_limit", json!("ten")),
        ),
        (
            http::Method::POST,
            create.clone(),
            with("time_limit", json!(0)),
        ),
        (
            http::Method::POST,
            create.clone(),
            with("ring_timeout", json!(-1)),
        ),
        (
            http::Method::POST,
            create,
            with("ring_url", json!("https://elsewhere/")),
        ),
        (http::Method::POST, speak, b"{}".to_vec()),
        (
            http::Method::POST,
            transfer.clone(),
            br#"{"legs":"aleg"}"#.to_vec(),
        ),
        (
            http::Method::POST,
            transfer,
            br#"{"legs":"aleg","aleg_url":"https://gw/x?plivoStep=dance"}"#.to_vec(),
        ),
        (
            http::Method::GET,
            format!("/v1/Account/{AUTH_ID}/Call/{uuid}/"),
            Vec::new(),
        ),
    ];
    for (method, path, body) in &cases {
        let (status, error) = refused(&request(method.clone(), path, good(), body));
        assert_eq!(
            status,
            400,
            "{method} {path} {}",
            String::from_utf8_lossy(body)
        );
        assert!(
            matches!(error, ProviderError::Rejected { status: 400, .. }),
            "{error:?}"
        );
    }
}

#[test]
fn a_string_of_digits_is_taken_as_seconds_as_plivo_takes_it() {
    let body = json!({
        "from": "+14155550100", "to": "+14155550123",
        "answer_url": "https://gw.example.com/voice/webhook",
        "time_limit": "90", "ring_timeout": 0
    });
    let path = format!("/v1/Account/{AUTH_ID}/Call/");
    let parsed = dialect().parse(&request(
        http::Method::POST,
        &path,
        good(),
        &serde_json::to_vec(&body).unwrap(),
    ));
    let Ok(ApiCall::Create(params)) = parsed else {
        panic!("{parsed:?}");
    };
    assert_eq!(
        (
            params.call_id,
            params.time_limit_secs,
            params.ring_timeout_secs
        ),
        (None, Some(90), Some(0))
    );
}
