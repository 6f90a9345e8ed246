//! The shape of every request: method, path, auth, encoding, parameters.

use super::super::{form, TwilioAdapter};
use super::{adapter, config, TOKEN};
use crate::adapters::{Adapter, BuildError};
use crate::provider::{CallRef, CreateCall, ProviderOp};
use crate::record::CallMode;
use base64::Engine as _;

const SID: &str = "CAa1b2c3d4e5f60718293a4b5c6d7e8f90";
const CALLS: &str =
    "http://127.0.0.1:18080/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls";
const CALLBACK: &str = "https://gw.example.com/voice/webhook?callId=call-1";

fn create(mode: CallMode, message: Option<&str>) -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: "call-1".to_owned(),
        from: "+15557654321".to_owned(),
        to: "+15550100001".to_owned(),
        mode,
        message: message.map(str::to_owned),
        time_limit_secs: 300,
        ring_timeout_secs: 30,
    })
}

fn call(provider_call_id: Option<&str>) -> CallRef {
    CallRef {
        call_id: "call-1".to_owned(),
        provider_call_id: provider_call_id.map(str::to_owned),
        request_id: None,
    }
}

fn build(op: &ProviderOp) -> http::Request<Vec<u8>> {
    adapter().build_request(op, "cmd-1").unwrap()
}

fn fields(request: &http::Request<Vec<u8>>) -> Vec<(String, String)> {
    form::decode(request.body()).unwrap()
}

fn field(request: &http::Request<Vec<u8>>, name: &str) -> Option<String> {
    form::first(&fields(request), name).map(str::to_owned)
}

fn assert_form_post(request: &http::Request<Vec<u8>>, uri: &str) {
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri(), uri);
    assert_eq!(
        request.headers()[http::header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    assert_basic_auth(request);
}

fn assert_basic_auth(request: &http::Request<Vec<u8>>) {
    let expected = base64::engine::general_purpose::STANDARD
        .encode(format!("AC0123456789abcdef0123456789abcdef:{TOKEN}"));
    assert_eq!(
        request.headers()[http::header::AUTHORIZATION],
        format!("Basic {expected}").as_str()
    );
}

#[test]
fn a_conversation_call_is_created_with_a_callback_url_naming_our_call() {
    let request = build(&create(CallMode::Conversation, Some("hello")));
    assert_form_post(&request, &format!("{CALLS}.json"));
    let names: Vec<(String, String)> = fields(&request);
    let expect = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    assert_eq!(
        names,
        vec![
            expect("To", "+15550100001"),
            expect("From", "+15557654321"),
            expect("Url", CALLBACK),
            expect("Method", "POST"),
            expect("StatusCallback", CALLBACK),
            expect("StatusCallbackMethod", "POST"),
            expect("StatusCallbackEvent", "initiated"),
            expect("StatusCallbackEvent", "ringing"),
            expect("StatusCallbackEvent", "answered"),
            expect("StatusCallbackEvent", "completed"),
            expect("Timeout", "30"),
            expect("TimeLimit", "300"),
        ]
    );
}

#[test]
fn a_notify_call_with_a_message_carries_escaped_twiml_instead_of_a_url() {
    let request = build(&create(CallMode::Notify, Some("Code 1 < 2 & \"3\"")));
    assert_eq!(
        field(&request, "Twiml").as_deref(),
        Some("<Response><Say>Code 1 &lt; 2 &amp; &quot;3&quot;</Say></Response>")
    );
    assert_eq!(field(&request, "Url"), None);
    assert_eq!(field(&request, "StatusCallback").as_deref(), Some(CALLBACK));
    assert_eq!(field(&request, "TimeLimit").as_deref(), Some("300"));
}

#[test]
fn a_notify_call_without_a_message_fetches_its_twiml_from_the_callback_url() {
    let request = build(&create(CallMode::Notify, None));
    assert_eq!(field(&request, "Url").as_deref(), Some(CALLBACK));
    assert_eq!(field(&request, "Twiml"), None);
}

#[test]
fn a_call_id_with_reserved_characters_survives_the_callback_url() {
    let ProviderOp::Create(mut c) = create(CallMode::Conversation, None) else {
        unreachable!()
    };
    c.call_id = "a&b=c d".to_owned();
    let request = build(&ProviderOp::Create(c));
    let callback = field(&request, "StatusCallback").unwrap();
    assert_eq!(
        callback,
        "https://gw.example.com/voice/webhook?callId=a%26b%3Dc+d"
    );
    let query = form::decode(super::super::address::query(&callback).as_bytes()).unwrap();
    assert_eq!(form::first(&query, "callId"), Some("a&b=c d"));
}

#[test]
fn create_refuses_limits_twilio_cannot_honour() {
    for (time_limit, ring_timeout) in [(0, 30), (300, 601)] {
        let ProviderOp::Create(mut c) = create(CallMode::Conversation, None) else {
            unreachable!()
        };
        c.time_limit_secs = time_limit;
        c.ring_timeout_secs = ring_timeout;
        let err = adapter().build_request(&ProviderOp::Create(c), "cmd-1");
        assert!(err.is_err(), "{time_limit}/{ring_timeout}");
    }
    let ProviderOp::Create(mut c) = create(CallMode::Conversation, None) else {
        unreachable!()
    };
    c.ring_timeout_secs = 600;
    assert!(adapter()
        .build_request(&ProviderOp::Create(c), "cmd-1")
        .is_ok());
}

#[test]
fn create_refuses_an_empty_call_id_that_could_not_correlate_callbacks() {
    let ProviderOp::Create(mut c) = create(CallMode::Conversation, None) else {
        unreachable!()
    };
    c.call_id.clear();
    assert!(adapter()
        .build_request(&ProviderOp::Create(c), "cmd-1")
        .is_err());
}

#[test]
fn twiml_over_twilios_4000_character_limit_is_refused_before_sending() {
    let long = "a".repeat(4000);
    let err = adapter().build_request(&create(CallMode::Notify, Some(&long)), "cmd-1");
    assert!(err.unwrap_err().detail.contains("4000"));
    let speak = ProviderOp::Speak {
        call: call(Some(SID)),
        text: "<".repeat(1000),
    };
    assert!(adapter().build_request(&speak, "cmd-1").is_err());
}

#[test]
fn hanging_up_an_answered_call_completes_it() {
    let request = build(&ProviderOp::Hangup {
        call: call(Some(SID)),
        answered: true,
    });
    assert_form_post(&request, &format!("{CALLS}/{SID}.json"));
    assert_eq!(request.body(), b"Status=completed");
}

#[test]
fn hanging_up_an_unanswered_call_cancels_it() {
    let request = build(&ProviderOp::Hangup {
        call: call(Some(SID)),
        answered: false,
    });
    assert_form_post(&request, &format!("{CALLS}/{SID}.json"));
    assert_eq!(request.body(), b"Status=canceled");
}

#[test]
fn status_is_a_bodiless_get_of_the_call_resource() {
    let request = build(&ProviderOp::Status {
        call: call(Some(SID)),
    });
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(request.uri(), format!("{CALLS}/{SID}.json").as_str());
    assert!(request.body().is_empty());
    assert!(request.headers().get(http::header::CONTENT_TYPE).is_none());
    assert_eq!(request.headers()[http::header::ACCEPT], "application/json");
    assert_basic_auth(&request);
}

#[test]
fn speaking_replaces_the_twiml_with_the_words_and_then_the_hold() {
    let request = build(&ProviderOp::Speak {
        call: call(Some(SID)),
        text: "Tom & Jerry".to_owned(),
    });
    assert_form_post(&request, &format!("{CALLS}/{SID}.json"));
    assert_eq!(
        field(&request, "Twiml").as_deref(),
        Some(
            "<Response><Say>Tom &amp; Jerry</Say><Pause length=\"60\"/>\
             <Redirect method=\"POST\">https://gw.example.com/voice/webhook?callId=call-1</Redirect></Response>"
        )
    );
    assert_eq!(fields(&request).len(), 1);
}

#[test]
fn listening_gathers_speech_into_a_callback_named_by_the_command_id() {
    let request = build(&ProviderOp::StartListening {
        call: call(Some(SID)),
    });
    assert_form_post(&request, &format!("{CALLS}/{SID}.json"));
    assert_eq!(
        field(&request, "Twiml").as_deref(),
        Some(
            "<Response><Gather input=\"dtmf speech\" \
             action=\"https://gw.example.com/voice/webhook?callId=call-1&amp;gather=cmd-1\" \
             method=\"POST\" timeout=\"10\" speechTimeout=\"2\"></Gather>\
             <Pause length=\"60\"/><Redirect method=\"POST\">https://gw.example.com/voice/webhook?callId=call-1</Redirect></Response>"
        )
    );
    let empty_command = adapter().build_request(
        &ProviderOp::StartListening {
            call: call(Some(SID)),
        },
        "",
    );
    assert!(empty_command.is_err());
}

#[test]
fn stopping_listening_replaces_the_gather_with_the_bare_hold() {
    let request = build(&ProviderOp::StopListening {
        call: call(Some(SID)),
    });
    assert_form_post(&request, &format!("{CALLS}/{SID}.json"));
    let twiml = field(&request, "Twiml").unwrap();
    assert_eq!(twiml, adapter().hold_twiml(Some("call-1")));
    assert!(!twiml.contains("Gather"));
}

fn every_op_on(call: CallRef) -> Vec<ProviderOp> {
    vec![
        ProviderOp::Hangup {
            call: call.clone(),
            answered: true,
        },
        ProviderOp::Status { call: call.clone() },
        ProviderOp::Speak {
            call: call.clone(),
            text: "hi".to_owned(),
        },
        ProviderOp::StartListening { call: call.clone() },
        ProviderOp::StopListening { call },
    ]
}

#[test]
fn every_operation_on_a_call_without_a_call_sid_is_a_build_error() {
    for op in every_op_on(call(None)) {
        let err: BuildError = adapter().build_request(&op, "cmd-1").unwrap_err();
        assert!(
            err.detail.contains("no Twilio CallSid"),
            "{}: {err}",
            op.kind()
        );
    }
}

#[test]
fn a_call_sid_that_could_change_the_path_is_never_put_into_one() {
    for op in every_op_on(call(Some("CA1/../../Accounts/ACother/Calls/CA2"))) {
        assert!(
            adapter().build_request(&op, "cmd-1").is_err(),
            "{}",
            op.kind()
        );
    }
}

#[test]
fn an_account_sid_that_could_change_the_path_is_refused() {
    let mut cfg = config(TOKEN);
    cfg.account_sid = "AC1/x".to_owned();
    let op = create(CallMode::Conversation, None);
    assert!(TwilioAdapter::new(cfg).build_request(&op, "cmd-1").is_err());
}

#[test]
fn a_trailing_slash_on_the_api_base_does_not_double_the_path_separator() {
    let mut cfg = config(TOKEN);
    cfg.api_base = "https://api.twilio.com/".to_owned();
    let request = TwilioAdapter::new(cfg)
        .build_request(&create(CallMode::Conversation, None), "cmd-1")
        .unwrap();
    assert_eq!(
        request.uri(),
        "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json"
    );
}

#[test]
fn an_api_base_that_is_not_a_uri_is_a_build_error_not_a_panic() {
    let mut cfg = config(TOKEN);
    cfg.api_base = "not a uri".to_owned();
    let op = create(CallMode::Conversation, None);
    assert!(TwilioAdapter::new(cfg).build_request(&op, "cmd-1").is_err());
}

#[test]
fn the_auth_token_never_shows_in_debug_output() {
    let shown = format!("{:?}", TwilioAdapter::new(config("tok-SECRET-xyz")));
    assert!(!shown.contains("tok-SECRET-xyz"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}
