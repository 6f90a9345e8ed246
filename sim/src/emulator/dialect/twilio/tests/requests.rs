//! `adapter.build_request` → `dialect.parse`: every request the adapter
//! builds is understood, and nothing else gets past auth and routing.

use super::super::ACCOUNT_SID;
use super::*;
use crate::emulator::dialect::{ApiCall, CreateParams, IdRef};
use base64::Engine as _;
use callproof_core::provider::{CreateCall, ProviderError, ProviderOp};
use callproof_core::record::CallMode;

fn create(mode: CallMode, message: Option<&str>) -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: CALL_ID.to_owned(),
        from: CALLER.to_owned(),
        to: CALLEE.to_owned(),
        mode,
        message: message.map(str::to_owned),
        time_limit_secs: 300,
        ring_timeout_secs: 25,
    })
}

fn parse(op: &ProviderOp) -> Result<ApiCall, Box<http::Response<Vec<u8>>>> {
    let request = adapter()
        .build_request(op, "cmd-1")
        .expect("the adapter builds it");
    TwilioDialect::default().parse(&request).map_err(Box::new)
}

fn expected_create(call_id: &str, callback: &str) -> ApiCall {
    ApiCall::Create(CreateParams {
        call_id: Some(call_id.to_owned()),
        from: CALLER.to_owned(),
        to: CALLEE.to_owned(),
        webhook_url: callback.to_owned(),
        time_limit_secs: Some(300),
        ring_timeout_secs: Some(25),
    })
}

fn refusal_code(response: &http::Response<Vec<u8>>) -> i64 {
    let body: serde_json::Value = serde_json::from_slice(response.body()).expect("JSON error");
    body["code"].as_i64().expect("a Twilio error code")
}

fn form_request(method: http::Method, uri: &str, body: &str) -> http::Request<Vec<u8>> {
    let template = adapter()
        .build_request(
            &ProviderOp::Status {
                call: call_ref(SID),
            },
            "",
        )
        .expect("status request");
    let mut request = http::Request::new(body.as_bytes().to_vec());
    *request.method_mut() = method;
    *request.uri_mut() = uri.parse().expect("test URI");
    *request.headers_mut() = template.headers().clone();
    request.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    request
}

const CALLS: &str =
    "https://api.twilio.test/2010-04-01/Accounts/AC5ea872f6da5a21de157d80997a64bd33/Calls";

#[test]
fn a_notify_call_with_inline_twiml_carries_its_call_id_parties_and_limits() {
    let got = parse(&create(CallMode::Notify, Some("Your table is ready"))).unwrap();
    assert_eq!(
        got,
        expected_create(CALL_ID, &format!("{WEBHOOK}?callId={CALL_ID}"))
    );
}

#[test]
fn a_conversation_call_with_a_url_carries_its_call_id_parties_and_limits() {
    let got = parse(&create(CallMode::Conversation, None)).unwrap();
    assert_eq!(
        got,
        expected_create(CALL_ID, &format!("{WEBHOOK}?callId={CALL_ID}"))
    );
}

#[test]
fn a_notify_call_without_a_message_fetches_its_twiml_and_still_round_trips() {
    let got = parse(&create(CallMode::Notify, None)).unwrap();
    assert_eq!(
        got,
        expected_create(CALL_ID, &format!("{WEBHOOK}?callId={CALL_ID}"))
    );
}

#[test]
fn a_call_id_with_url_syntax_in_it_comes_back_unchanged() {
    let mut op = create(CallMode::Conversation, None);
    if let ProviderOp::Create(c) = &mut op {
        c.call_id = "a b&callId=x/ü".to_owned();
    }
    let Ok(ApiCall::Create(params)) = parse(&op) else {
        panic!("create not understood");
    };
    assert_eq!(params.call_id.as_deref(), Some("a b&callId=x/ü"));
    assert!(
        params.webhook_url.starts_with(WEBHOOK),
        "{}",
        params.webhook_url
    );
}

#[test]
fn hanging_up_is_understood_whether_or_not_the_call_was_answered() {
    for answered in [true, false] {
        let op = ProviderOp::Hangup {
            call: call_ref(SID),
            answered,
        };
        assert_eq!(
            parse(&op).unwrap(),
            ApiCall::Hangup(IdRef::Call(SID.to_owned()))
        );
    }
}

#[test]
fn status_speak_and_listening_name_the_call_by_its_sid() {
    let id = || IdRef::Call(SID.to_owned());
    let cases = [
        (
            ProviderOp::Status {
                call: call_ref(SID),
            },
            ApiCall::Status(id()),
        ),
        (
            ProviderOp::Speak {
                call: call_ref(SID),
                text: "Hello <there> & welcome".to_owned(),
            },
            ApiCall::Speak(id()),
        ),
        (
            ProviderOp::StartListening {
                call: call_ref(SID),
            },
            ApiCall::StartListening(id()),
        ),
        (
            ProviderOp::StopListening {
                call: call_ref(SID),
            },
            ApiCall::StopListening(id()),
        ),
    ];
    for (op, want) in cases {
        assert_eq!(parse(&op).unwrap(), want, "{}", op.kind());
    }
}

#[test]
fn the_wrong_auth_token_gets_twilios_401_which_the_adapter_reads_as_unauthorized() {
    let op = ProviderOp::Status {
        call: call_ref(SID),
    };
    let mut request = adapter().build_request(&op, "").unwrap();
    let wrong = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:wrong"));
    request.headers_mut().insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_str(&format!("Basic {wrong}")).unwrap(),
    );
    let refusal = TwilioDialect::default().parse(&request).unwrap_err();
    assert_eq!(refusal.status(), 401);
    assert_eq!(refusal_code(&refusal), 20003);
    assert!(matches!(
        adapter().parse_response(&op, &refusal),
        Err(ProviderError::Unauthorized { .. })
    ));
    request.headers_mut().remove(http::header::AUTHORIZATION);
    assert_eq!(
        TwilioDialect::default()
            .parse(&request)
            .unwrap_err()
            .status(),
        401
    );
}

#[test]
fn our_credentials_do_not_open_another_account() {
    let request = form_request(
        http::Method::GET,
        "https://api.twilio.test/2010-04-01/Accounts/AC00000000000000000000000000000000/Calls/CA1.json",
        "",
    );
    assert_eq!(
        TwilioDialect::default()
            .parse(&request)
            .unwrap_err()
            .status(),
        401
    );
}

#[test]
fn a_route_twilio_does_not_serve_is_a_404_naming_the_path() {
    for (method, uri) in [
        (http::Method::GET, "https://api.twilio.test/2010-04-01/Accounts/AC5ea872f6da5a21de157d80997a64bd33/Queues.json"),
        (http::Method::DELETE, &format!("{CALLS}/{SID}.json")),
        (http::Method::POST, "https://api.twilio.test/2008-08-01/Calls.json"),
        (http::Method::GET, &format!("{CALLS}/{SID}")),
    ] {
        let refusal = TwilioDialect::default().parse(&form_request(method, uri, "")).unwrap_err();
        assert_eq!(refusal.status(), 404, "{uri}");
        assert_eq!(refusal_code(&refusal), 20404, "{uri}");
    }
}

#[test]
fn a_create_missing_a_party_or_call_logic_is_a_400() {
    let callback = "StatusCallback=https%3A%2F%2Fgw.example.com%2Fcb%3FcallId%3Dc";
    for (body, code) in [
        (
            format!("From=%2B15005550006&Url=https%3A%2F%2Fh%2F&{callback}"),
            21201,
        ),
        (
            format!("To=%2B14155550123&Url=https%3A%2F%2Fh%2F&{callback}"),
            21213,
        ),
        (
            format!("To=%2B14155550123&From=%2B15005550006&{callback}"),
            21205,
        ),
    ] {
        let request = form_request(http::Method::POST, &format!("{CALLS}.json"), &body);
        let refusal = TwilioDialect::default().parse(&request).unwrap_err();
        assert_eq!(
            (refusal.status().as_u16(), refusal_code(&refusal)),
            (400, code),
            "{body}"
        );
    }
}

#[test]
fn an_unreadable_form_or_a_non_numeric_limit_is_a_400() {
    for body in [
        "To=%FF&From=%2B15005550006&Url=https%3A%2F%2Fh%2F",
        "To=%2B1&From=%2B15005550006&Url=https%3A%2F%2Fh%2F&TimeLimit=ten",
        "To=%2B1&From=%2B15005550006&Url=https%3A%2F%2Fh%2F&Timeout=-1",
    ] {
        let request = form_request(http::Method::POST, &format!("{CALLS}.json"), body);
        assert_eq!(
            TwilioDialect::default()
                .parse(&request)
                .unwrap_err()
                .status(),
            400,
            "{body}"
        );
    }
    for body in [
        "Status=ringing",
        "",
        "Twiml=%3CResponse%2F%3E&Url=https%3A%2F%2Fh%2F",
    ] {
        let request = form_request(http::Method::POST, &format!("{CALLS}/{SID}.json"), body);
        assert_eq!(
            TwilioDialect::default()
                .parse(&request)
                .unwrap_err()
                .status(),
            400,
            "{body}"
        );
    }
}

#[test]
fn a_create_without_limits_gets_twilios_default_ring_timeout_and_no_time_limit() {
    let body =
        "To=%2B14155550123&From=%2B15005550006&Url=https%3A%2F%2Fgw.example.com%2Fcb%3FcallId%3Dc9";
    let request = form_request(http::Method::POST, &format!("{CALLS}.json"), body);
    let Ok(ApiCall::Create(params)) = TwilioDialect::default().parse(&request) else {
        panic!("create not understood");
    };
    assert_eq!(params.ring_timeout_secs, Some(60));
    assert_eq!(params.time_limit_secs, None);
    // Without a StatusCallback, the call id and callbacks follow the Url.
    assert_eq!(params.call_id.as_deref(), Some("c9"));
    assert_eq!(params.webhook_url, "https://gw.example.com/cb?callId=c9");
}

#[test]
fn a_ring_timeout_above_twilios_maximum_is_held_to_it() {
    let body = "To=%2B1&From=%2B2&Url=https%3A%2F%2Fh%2F&Timeout=900";
    let request = form_request(http::Method::POST, &format!("{CALLS}.json"), body);
    let Ok(ApiCall::Create(params)) = TwilioDialect::default().parse(&request) else {
        panic!("create not understood");
    };
    assert_eq!(params.ring_timeout_secs, Some(600));
}
