//! The shape of every request the adapter builds.

use super::{
    adapter, by_request, by_uuid, call, config, create_op, AUTH_ID, CALL_UUID, REQUEST_UUID, TOKEN,
};
use crate::adapters::plivo::PlivoAdapter;
use crate::adapters::{Adapter, BuildError};
use crate::provider::ProviderOp;
use base64::Engine as _;
use serde_json::{json, Value};

const ACCOUNT: &str = "http://127.0.0.1:4010/v1/Account/MAXXXXXXXXXXXXXXXXXX";

fn build(op: &ProviderOp) -> http::Request<Vec<u8>> {
    adapter().build_request(op, "cmd-1").unwrap()
}

fn json_body(request: &http::Request<Vec<u8>>) -> Value {
    serde_json::from_slice(request.body()).unwrap()
}

fn assert_authenticated(request: &http::Request<Vec<u8>>) {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{AUTH_ID}:{TOKEN}"));
    assert_eq!(
        request.headers()["authorization"],
        format!("Basic {expected}").as_str()
    );
}

#[test]
fn create_posts_json_to_call_with_our_call_id_on_every_callback_url() {
    let request = build(&create_op());
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri(), format!("{ACCOUNT}/Call/").as_str());
    assert_authenticated(&request);
    assert_eq!(request.headers()["content-type"], "application/json");
    let callback = "https://gw.example.com/voice/webhook?callId=call-1";
    assert_eq!(
        json_body(&request),
        json!({
            "from": "+14155550100",
            "to": "+14155550123",
            "answer_url": callback,
            "answer_method": "POST",
            "ring_url": callback,
            "ring_method": "POST",
            "hangup_url": callback,
            "hangup_method": "POST",
            "time_limit": 600,
            "ring_timeout": 30,
        })
    );
}

#[test]
fn create_escapes_the_call_id_and_keeps_plivos_retry_fragment_last() {
    let mut config = config();
    config.webhook_url =
        "https://gw.example.com:8443/voice/webhook?tenant=a#rc=3&rp=all".to_owned();
    let mut op = create_op();
    if let ProviderOp::Create(c) = &mut op {
        c.call_id = "a b&c".to_owned();
    }
    let request = PlivoAdapter::new(config)
        .build_request(&op, "cmd-1")
        .unwrap();
    assert_eq!(
        json_body(&request)["answer_url"],
        "https://gw.example.com:8443/voice/webhook?tenant=a&callId=a+b%26c#rc=3&rp=all"
    );
}

#[test]
fn create_without_a_provider_time_limit_is_refused() {
    let mut op = create_op();
    if let ProviderOp::Create(c) = &mut op {
        c.time_limit_secs = 0;
    }
    assert!(adapter().build_request(&op, "cmd-1").is_err());
}

#[test]
fn a_webhook_url_that_is_not_http_is_a_build_error() {
    for bad in ["not a url", "ftp://gw.example.com/voice", ""] {
        let mut config = config();
        config.webhook_url = bad.to_owned();
        let result = PlivoAdapter::new(config).build_request(&create_op(), "cmd-1");
        assert!(result.is_err(), "{bad:?}");
    }
}

#[test]
fn hanging_up_a_known_call_deletes_it_whether_answered_or_not() {
    for answered in [true, false] {
        let request = build(&ProviderOp::Hangup {
            call: by_uuid(),
            answered,
        });
        assert_eq!(request.method(), http::Method::DELETE);
        assert_eq!(
            request.uri(),
            format!("{ACCOUNT}/Call/{CALL_UUID}/").as_str()
        );
        assert_authenticated(&request);
        assert!(request.body().is_empty());
    }
}

#[test]
fn hanging_up_a_call_known_only_by_request_cancels_the_request() {
    let request = build(&ProviderOp::Hangup {
        call: by_request(),
        answered: false,
    });
    assert_eq!(request.method(), http::Method::DELETE);
    assert_eq!(
        request.uri(),
        format!("{ACCOUNT}/Request/{REQUEST_UUID}/").as_str()
    );
}

#[test]
fn a_call_with_no_provider_id_at_all_cannot_be_hung_up_or_queried() {
    let unknown = call(None, None);
    let hangup = ProviderOp::Hangup {
        call: unknown.clone(),
        answered: false,
    };
    assert!(adapter().build_request(&hangup, "c").is_err());
    assert!(adapter()
        .build_request(&ProviderOp::Status { call: unknown }, "c")
        .is_err());
}

#[test]
fn status_of_a_known_call_asks_the_live_view() {
    let request = build(&ProviderOp::Status { call: by_uuid() });
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(
        request.uri(),
        format!("{ACCOUNT}/Call/{CALL_UUID}/?status=live").as_str()
    );
    assert_authenticated(&request);
    assert!(request.body().is_empty());
}

#[test]
fn status_of_a_call_known_only_by_request_asks_the_queued_view() {
    let request = build(&ProviderOp::Status { call: by_request() });
    assert_eq!(
        request.uri(),
        format!("{ACCOUNT}/Call/{REQUEST_UUID}/?status=queued").as_str()
    );
}

#[test]
fn speak_posts_the_text_to_the_calls_speak_resource() {
    let request = build(&ProviderOp::Speak {
        call: by_uuid(),
        text: "Your table is booked.".to_owned(),
    });
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri(),
        format!("{ACCOUNT}/Call/{CALL_UUID}/Speak/").as_str()
    );
    assert_authenticated(&request);
    assert_eq!(
        json_body(&request),
        json!({ "text": "Your table is booked." })
    );
}

#[test]
fn start_listening_transfers_the_a_leg_to_our_listen_step() {
    let request = build(&ProviderOp::StartListening { call: by_uuid() });
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri(),
        format!("{ACCOUNT}/Call/{CALL_UUID}/").as_str()
    );
    assert_eq!(
        json_body(&request),
        json!({
            "legs": "aleg",
            "aleg_url": "https://gw.example.com/voice/webhook?callId=call-1&plivoStep=listen&turn=cmd-1",
            "aleg_method": "POST",
        })
    );
}

#[test]
fn stop_listening_transfers_the_a_leg_to_our_hold_step() {
    let request = build(&ProviderOp::StopListening { call: by_uuid() });
    assert_eq!(
        json_body(&request)["aleg_url"],
        "https://gw.example.com/voice/webhook?callId=call-1&plivoStep=hold&turn=cmd-1"
    );
}

#[test]
fn speaking_or_listening_needs_the_call_uuid() {
    for op in [
        ProviderOp::Speak {
            call: by_request(),
            text: "hi".to_owned(),
        },
        ProviderOp::StartListening { call: by_request() },
        ProviderOp::StopListening { call: by_request() },
    ] {
        let error: BuildError = adapter().build_request(&op, "c").unwrap_err();
        assert!(error.detail.contains("CallUUID"), "{}", error.detail);
    }
}

#[test]
fn an_id_that_would_change_the_path_is_refused() {
    for id in ["../Account", "a/b", "a?b", "", "a b"] {
        let op = ProviderOp::Hangup {
            call: call(Some(id), None),
            answered: true,
        };
        assert!(adapter().build_request(&op, "c").is_err(), "{id:?}");
    }
    let mut config = config();
    config.auth_id = "MA/../SA".to_owned();
    assert!(PlivoAdapter::new(config)
        .build_request(&create_op(), "c")
        .is_err());
}

#[test]
fn every_path_ends_with_a_slash_even_with_a_slash_on_api_base() {
    let mut config = config();
    config.api_base = "http://127.0.0.1:4010/".to_owned();
    let adapter = PlivoAdapter::new(config);
    let ops = [
        create_op(),
        ProviderOp::Hangup {
            call: by_uuid(),
            answered: true,
        },
        ProviderOp::Hangup {
            call: by_request(),
            answered: false,
        },
        ProviderOp::Status { call: by_uuid() },
        ProviderOp::Status { call: by_request() },
        ProviderOp::Speak {
            call: by_uuid(),
            text: "x".to_owned(),
        },
        ProviderOp::StartListening { call: by_uuid() },
        ProviderOp::StopListening { call: by_uuid() },
    ];
    for op in ops {
        let request = adapter.build_request(&op, "c").unwrap();
        let path = request.uri().path();
        assert!(
            path.starts_with("/v1/Account/MAXXXXXXXXXXXXXXXXXX/"),
            "{path}"
        );
        assert!(path.ends_with('/'), "{} has no trailing slash", op.kind());
        assert!(!path.contains("//"), "{path}");
    }
}

#[test]
fn the_config_debug_output_hides_the_token() {
    let shown = format!("{:?} {:?}", config(), adapter());
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains(AUTH_ID));
}
