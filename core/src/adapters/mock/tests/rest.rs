use super::*;

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
