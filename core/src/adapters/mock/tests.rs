use super::*;
use crate::provider::{CallRef, CreateCall, EventKind, ProviderCallStatus};
use crate::record::{CallMode, Direction};
use crate::state::CallState;

const TOKEN: &str = "mock-token";
const HOOK_URL: &str = "https://gw.example/hooks/mock";

fn adapter() -> MockAdapter {
    MockAdapter::new(MockConfig {
        api_base: "http://127.0.0.1:4010".to_owned(),
        token: TOKEN.to_owned(),
        webhook_url: HOOK_URL.to_owned(),
    })
}

fn call(provider_call_id: Option<&str>) -> CallRef {
    CallRef {
        call_id: "call-1".to_owned(),
        provider_call_id: provider_call_id.map(str::to_owned),
        request_id: None,
    }
}

fn create() -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: "call-1".to_owned(),
        from: "+15550001111".to_owned(),
        to: "+15550002222".to_owned(),
        mode: CallMode::Notify,
        message: Some("hello".to_owned()),
        time_limit_secs: 300,
        ring_timeout_secs: 30,
    })
}

fn status_op() -> ProviderOp {
    ProviderOp::Status {
        call: call(Some("mc-1")),
    }
}

fn respond(status: u16, body: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body.as_bytes().to_vec());
    *response.status_mut() = http::StatusCode::from_u16(status).expect("test status code");
    response
}

fn json_body(request: &http::Request<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(request.body()).expect("request body is JSON")
}

#[test]
fn creating_a_call_posts_json_with_the_time_limits_and_bearer_auth() {
    let request = adapter().build_request(&create(), "cmd-7").expect("builds");
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri(), "http://127.0.0.1:4010/mock/calls");
    assert_eq!(request.headers()["authorization"], "Bearer mock-token");
    assert_eq!(request.headers()["content-type"], "application/json");
    assert_eq!(request.headers()["idempotency-key"], "cmd-7");
    assert_eq!(
        json_body(&request),
        serde_json::json!({
            "call_id": "call-1", "from": "+15550001111", "to": "+15550002222",
            "mode": "notify", "message": "hello", "time_limit_secs": 300,
            "ring_timeout_secs": 30, "webhook_url": HOOK_URL,
        })
    );
}

#[test]
fn per_call_requests_address_the_call_by_its_provider_id() {
    let a = adapter();
    let cases = [
        (status_op(), "GET", "/mock/calls/mc-1"),
        (
            ProviderOp::Hangup {
                call: call(Some("mc-1")),
                answered: true,
            },
            "POST",
            "/mock/calls/mc-1/hangup",
        ),
        (
            ProviderOp::Speak {
                call: call(Some("mc-1")),
                text: "hi".to_owned(),
            },
            "POST",
            "/mock/calls/mc-1/speak",
        ),
        (
            ProviderOp::StartListening {
                call: call(Some("mc-1")),
            },
            "POST",
            "/mock/calls/mc-1/listen/start",
        ),
        (
            ProviderOp::StopListening {
                call: call(Some("mc-1")),
            },
            "POST",
            "/mock/calls/mc-1/listen/stop",
        ),
    ];
    for (op, method, path) in cases {
        let request = a.build_request(&op, "cmd").expect("builds");
        assert_eq!(request.method().as_str(), method, "{}", op.kind());
        assert_eq!(request.uri().path(), path, "{}", op.kind());
    }
}

#[test]
fn a_trailing_slash_on_the_api_base_does_not_double_the_slash() {
    let mut config = adapter().config().clone();
    config.api_base = "http://127.0.0.1:4010/prefix/".to_owned();
    let request = MockAdapter::new(config)
        .build_request(&status_op(), "cmd")
        .expect("builds");
    assert_eq!(request.uri().path(), "/prefix/mock/calls/mc-1");
}

#[test]
fn a_provider_id_cannot_add_path_segments() {
    let op = ProviderOp::Hangup {
        call: call(Some("../x/y")),
        answered: false,
    };
    let request = adapter().build_request(&op, "cmd").expect("builds");
    assert_eq!(request.uri().path(), "/mock/calls/..%2Fx%2Fy/hangup");
}

#[test]
fn a_per_call_request_without_the_provider_id_cannot_be_built() {
    let err = adapter()
        .build_request(&ProviderOp::Status { call: call(None) }, "cmd")
        .expect_err("no provider id");
    assert!(err.detail.contains("provider call id"), "{}", err.detail);
}

#[test]
fn a_created_call_answers_with_its_provider_id() {
    let outcome = adapter().parse_response(&create(), &respond(201, r#"{"id":"mc-9"}"#));
    assert_eq!(
        outcome,
        Ok(OpOutcome::Created {
            provider_call_id: Some("mc-9".to_owned()),
            request_id: None,
        })
    );
}

#[test]
fn every_status_word_maps_to_live_or_to_its_end() {
    let table = [
        ("queued", ProviderCallStatus::Live { answered: false }),
        ("ringing", ProviderCallStatus::Live { answered: false }),
        ("in-progress", ProviderCallStatus::Live { answered: true }),
        ("completed", ended(CallState::Completed)),
        ("busy", ended(CallState::Busy)),
        ("failed", ended(CallState::Failed)),
        ("no-answer", ended(CallState::NoAnswer)),
        ("canceled", ended(CallState::HangupBot)),
    ];
    for (word, expected) in table {
        let body = format!(r#"{{"status":"{word}"}}"#);
        let got = adapter().parse_response(&status_op(), &respond(200, &body));
        assert_eq!(got, Ok(OpOutcome::Status(expected)), "{word}");
    }
}

fn ended(reason: CallState) -> ProviderCallStatus {
    ProviderCallStatus::Ended { reason }
}

#[test]
fn an_unknown_status_word_is_unknown_never_an_end() {
    for word in ["Completed", "ended", "", "in_progress"] {
        let body = format!(r#"{{"status":"{word}"}}"#);
        let got = adapter().parse_response(&status_op(), &respond(200, &body));
        let raw = word.to_owned();
        assert_eq!(
            got,
            Ok(OpOutcome::Status(ProviderCallStatus::Unknown { raw }))
        );
    }
}

#[test]
fn hanging_up_an_ended_call_is_proof_it_ended() {
    let op = ProviderOp::Hangup {
        call: call(Some("mc-1")),
        answered: true,
    };
    let got = adapter().parse_response(&op, &respond(404, r#"{"error":"not_found"}"#));
    assert_eq!(
        got,
        Err(ProviderError::NotFound {
            detail: "HTTP 404: not_found".to_owned()
        })
    );
}

#[test]
fn refused_credentials_are_unauthorized() {
    for status in [401, 403] {
        let got = adapter().parse_response(&create(), &respond(status, r#"{"error":"auth"}"#));
        assert!(
            matches!(got, Err(ProviderError::Unauthorized { .. })),
            "{status}: {got:?}"
        );
    }
}

#[test]
fn overload_timeouts_and_server_errors_leave_the_outcome_unknown() {
    for (status, body) in [
        (429, ""),
        (408, ""),
        (500, "{}"),
        (503, "x"),
        (502, "<html>"),
    ] {
        let got = adapter().parse_response(&create(), &respond(status, body));
        assert!(
            matches!(&got, Err(e @ ProviderError::Transient { .. }) if e.outcome_unknown()),
            "{status}: {got:?}"
        );
    }
}

#[test]
fn validation_errors_are_rejected_for_good() {
    for status in [400, 409, 422] {
        let got = adapter().parse_response(&create(), &respond(status, r#"{"error":"bad_to"}"#));
        assert_eq!(
            got,
            Err(ProviderError::Rejected {
                status,
                detail: format!("HTTP {status}: bad_to")
            })
        );
    }
}

#[test]
fn a_success_we_cannot_read_is_malformed() {
    let cases = [
        (create(), "<html>ok</html>"),
        (create(), r#"{"id":""}"#),
        (create(), r#"{"id":7}"#),
        (status_op(), ""),
        (status_op(), r#"{"state":"queued"}"#),
    ];
    for (op, body) in cases {
        let got = adapter().parse_response(&op, &respond(200, body));
        assert!(
            matches!(got, Err(ProviderError::Malformed { .. })),
            "{body}: {got:?}"
        );
    }
}

#[test]
fn a_redirect_is_never_taken_for_success() {
    let got = adapter().parse_response(&create(), &respond(302, ""));
    assert!(
        matches!(got, Err(ProviderError::Malformed { .. })),
        "{got:?}"
    );
}

#[test]
fn an_accepted_hangup_ignores_the_body() {
    let op = ProviderOp::Hangup {
        call: call(Some("mc-1")),
        answered: false,
    };
    assert_eq!(
        adapter().parse_response(&op, &respond(200, "not json")),
        Ok(OpOutcome::Done)
    );
}

// ---- webhooks ----

const EVENT: &str = r#"{"id":"evt-1","call_id":"call-1","provider_call_id":"mc-1","status":"completed","direction":"outbound","from":"+15550001111","to":"+15550002222","occurred_at_ms":1700000000123}"#;

fn signed(url: &str, body: &str, token: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    let sig = webhook_signature(token, url, body.as_bytes()).expect("signs");
    headers.insert(
        SIGNATURE_HEADER,
        sig.parse().expect("hex is a header value"),
    );
    headers
}

fn verify(
    url: &str,
    headers: &http::HeaderMap,
    body: &str,
) -> Result<Vec<ProviderEvent>, WebhookError> {
    let a = adapter();
    let raw = RawWebhook {
        method: &http::Method::POST,
        url,
        headers,
        body: body.as_bytes(),
    };
    let verified = a.verify_webhook(&raw, 0)?;
    a.parse_webhook(&verified)
}

#[test]
fn the_signature_is_hex_hmac_sha256_of_url_newline_body() {
    // Computed independently: hmac.new(b"mock-token", b"<url>\n<body>", sha256).hexdigest()
    assert_eq!(
        webhook_signature(TOKEN, HOOK_URL, br#"{"id":"evt-1"}"#),
        Ok("2419090738d1896adb815de7b5ebf286d5006a0a4af6d3536d24d451690aa52f".to_owned())
    );
}

#[test]
fn a_signed_webhook_verifies_and_becomes_one_event() {
    let events = verify(HOOK_URL, &signed(HOOK_URL, EVENT, TOKEN), EVENT).expect("valid");
    assert_eq!(
        events,
        vec![ProviderEvent {
            dedupe_key: "mock:evt-1".to_owned(),
            call_id: Some("call-1".to_owned()),
            provider_call_id: Some("mc-1".to_owned()),
            request_id: None,
            direction: Some(Direction::Outbound),
            from: Some("+15550001111".to_owned()),
            to: Some("+15550002222".to_owned()),
            occurred_at: Some(1_700_000_000_123),
            kind: EventKind::Ended {
                reason: CallState::Completed
            },
        }]
    );
}

#[test]
fn an_uppercase_hex_signature_is_the_same_signature() {
    let sig = webhook_signature(TOKEN, HOOK_URL, EVENT.as_bytes()).expect("signs");
    let mut headers = http::HeaderMap::new();
    headers.insert(
        SIGNATURE_HEADER,
        sig.to_uppercase().parse().expect("header"),
    );
    assert!(verify(HOOK_URL, &headers, EVENT).is_ok());
}

#[test]
fn a_webhook_signed_with_another_token_is_refused() {
    let headers = signed(HOOK_URL, EVENT, "other-token");
    assert_eq!(
        verify(HOOK_URL, &headers, EVENT),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn an_altered_body_or_url_is_refused() {
    let headers = signed(HOOK_URL, EVENT, TOKEN);
    let altered = EVENT.replace("completed", "busy");
    assert_eq!(
        verify(HOOK_URL, &headers, &altered),
        Err(WebhookError::BadSignature)
    );
    let elsewhere = "https://gw.example/hooks/mock?x=1";
    assert_eq!(
        verify(elsewhere, &headers, EVENT),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_missing_signature_names_the_header() {
    assert_eq!(
        verify(HOOK_URL, &http::HeaderMap::new(), EVENT),
        Err(WebhookError::MissingHeader {
            name: SIGNATURE_HEADER
        })
    );
}

#[test]
fn a_truncated_or_non_hex_signature_is_refused() {
    let sig = webhook_signature(TOKEN, HOOK_URL, EVENT.as_bytes()).expect("signs");
    for bad in [&sig[..63], &sig[..62], "zz", ""] {
        let mut headers = http::HeaderMap::new();
        headers.insert(SIGNATURE_HEADER, bad.parse().expect("header"));
        assert_eq!(
            verify(HOOK_URL, &headers, EVENT),
            Err(WebhookError::BadSignature),
            "{bad}"
        );
    }
}

#[test]
fn an_oversized_body_is_refused_before_anything_else() {
    let body = "x".repeat(crate::webhook::MAX_WEBHOOK_BODY + 1);
    let got = verify(HOOK_URL, &http::HeaderMap::new(), &body);
    assert!(
        matches!(got, Err(WebhookError::BodyTooLarge { .. })),
        "{got:?}"
    );
}

#[test]
fn an_empty_token_verifies_nothing() {
    let a = MockAdapter::new(MockConfig {
        token: String::new(),
        ..adapter().config().clone()
    });
    let headers = signed(HOOK_URL, EVENT, "");
    let raw = RawWebhook {
        method: &http::Method::POST,
        url: HOOK_URL,
        headers: &headers,
        body: EVENT.as_bytes(),
    };
    assert!(matches!(
        a.verify_webhook(&raw, 0),
        Err(WebhookError::Config { .. })
    ));
}

#[test]
fn an_unknown_webhook_status_is_refused_not_ended() {
    let body = EVENT.replace("completed", "vanished");
    let got = verify(HOOK_URL, &signed(HOOK_URL, &body, TOKEN), &body);
    assert_eq!(
        got,
        Err(WebhookError::UnknownStatus {
            raw: "vanished".to_owned()
        })
    );
}

#[test]
fn live_webhook_statuses_become_progress_events() {
    for (word, kind) in [
        ("queued", EventKind::Initiated),
        ("ringing", EventKind::Ringing),
        ("in-progress", EventKind::Answered),
    ] {
        let body = EVENT.replace("completed", word);
        let events = verify(HOOK_URL, &signed(HOOK_URL, &body, TOKEN), &body).expect(word);
        assert_eq!(events.first().map(|e| &e.kind), Some(&kind), "{word}");
    }
}

#[test]
fn a_retried_delivery_keeps_its_dedupe_key_and_another_callback_gets_its_own() {
    let key = |body: &str| {
        verify(HOOK_URL, &signed(HOOK_URL, body, TOKEN), body).expect("valid")[0]
            .dedupe_key
            .clone()
    };
    assert_eq!(key(EVENT), key(EVENT));
    assert_ne!(key(EVENT), key(&EVENT.replace("evt-1", "evt-2")));
}

#[test]
fn an_inbound_callback_without_our_call_id_is_uncorrelated() {
    let body = EVENT
        .replace(r#""call_id":"call-1""#, r#""call_id":null"#)
        .replace("outbound", "inbound");
    let events = verify(HOOK_URL, &signed(HOOK_URL, &body, TOKEN), &body).expect("valid");
    assert_eq!(events[0].call_id, None);
    assert_eq!(events[0].direction, Some(Direction::Inbound));
}

#[test]
fn a_signed_but_unreadable_body_is_malformed() {
    for body in [
        "not json",
        r#"{"id":"e","provider_call_id":"m"}"#,
        r#"{"id":"","provider_call_id":"m","status":"queued"}"#,
        &EVENT.replace("outbound", "sideways"),
        &EVENT.replace("1700000000123", "-5"),
    ] {
        let got = verify(HOOK_URL, &signed(HOOK_URL, body, TOKEN), body);
        assert!(
            matches!(got, Err(WebhookError::Malformed { .. })),
            "{body}: {got:?}"
        );
    }
}
