//! The HTTP requests built for each operation.

use super::{adapter, call_ref, create_call, B64};
use crate::adapters::telnyx::{TelnyxAdapter, TelnyxConfig};
use crate::adapters::Adapter;
use crate::provider::ProviderOp;
use base64::Engine;
use serde_json::{json, Value};

fn build(adapter: &TelnyxAdapter, op: &ProviderOp) -> http::Request<Vec<u8>> {
    adapter
        .build_request(op, "cmd-0001")
        .expect("the request builds")
}

fn body(request: &http::Request<Vec<u8>>) -> Value {
    serde_json::from_slice(request.body()).expect("the body is JSON")
}

fn header<'a>(request: &'a http::Request<Vec<u8>>, name: &str) -> Option<&'a str> {
    request.headers().get(name).map(|v| v.to_str().unwrap())
}

#[test]
fn a_create_is_a_dial_carrying_every_field_the_manager_relies_on() {
    let request = build(&adapter(), &ProviderOp::Create(create_call()));
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri(), "http://127.0.0.1:4010/v2/calls");
    assert_eq!(
        header(&request, "authorization"),
        Some("Bearer KEY0123456789ABCDEF")
    );
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(
        body(&request),
        json!({
            "connection_id": "2210987654321098765",
            "to": "+15550100002",
            "from": "+15550100001",
            "client_state": "N2QzYzJhMTAtNWY2ZS00YjhhLTljMWQtMDAwMDAwMDAwMDAx",
            "command_id": "cmd-0001",
            "webhook_url": "https://gateway.example.com/voice/telnyx/events",
            "timeout_secs": 45,
            "time_limit_secs": 300,
        })
    );
}

#[test]
fn the_client_state_of_a_dial_decodes_back_to_the_managers_call_id() {
    let request = build(&adapter(), &ProviderOp::Create(create_call()));
    let state = body(&request)["client_state"].as_str().unwrap().to_owned();
    assert_eq!(B64.decode(state).unwrap(), create_call().call_id.as_bytes());
}

#[test]
fn ring_timeouts_are_clamped_into_telnyxs_5_to_600_seconds() {
    for (asked, sent) in [
        (0, 5),
        (4, 5),
        (5, 5),
        (600, 600),
        (601, 600),
        (u32::MAX, 600),
    ] {
        let op = ProviderOp::Create(crate::provider::CreateCall {
            ring_timeout_secs: asked,
            ..create_call()
        });
        assert_eq!(
            body(&build(&adapter(), &op))["timeout_secs"],
            json!(sent),
            "{asked}"
        );
    }
}

#[test]
fn time_limits_are_clamped_into_telnyxs_30_to_14400_seconds() {
    for (asked, sent) in [
        (0, 30),
        (29, 30),
        (30, 30),
        (14_400, 14_400),
        (14_401, 14_400),
    ] {
        let op = ProviderOp::Create(crate::provider::CreateCall {
            time_limit_secs: asked,
            ..create_call()
        });
        assert_eq!(
            body(&build(&adapter(), &op))["time_limit_secs"],
            json!(sent),
            "{asked}"
        );
    }
}

#[test]
fn an_empty_webhook_url_leaves_the_call_control_apps_own_url_in_charge() {
    let adapter = TelnyxAdapter::new(TelnyxConfig {
        webhook_url: String::new(),
        ..super::config()
    })
    .unwrap();
    let request = build(&adapter, &ProviderOp::Create(create_call()));
    assert!(body(&request).get("webhook_url").is_none());
}

#[test]
fn a_hangup_posts_the_hangup_action_with_command_id_and_client_state() {
    let op = ProviderOp::Hangup {
        call: call_ref(Some(
            "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
        )),
        answered: true,
    };
    let request = build(&adapter(), &op);
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:4010/v2/calls/v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg/actions/hangup"
    );
    assert_eq!(
        header(&request, "authorization"),
        Some("Bearer KEY0123456789ABCDEF")
    );
    assert_eq!(
        body(&request),
        json!({
            "client_state": "N2QzYzJhMTAtNWY2ZS00YjhhLTljMWQtMDAwMDAwMDAwMDAx",
            "command_id": "cmd-0001",
        })
    );
}

#[test]
fn a_status_is_a_bodiless_get_of_the_call() {
    let op = ProviderOp::Status {
        call: call_ref(Some("v3:abc")),
    };
    let request = build(&adapter(), &op);
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(request.uri(), "http://127.0.0.1:4010/v2/calls/v3:abc");
    assert_eq!(
        header(&request, "authorization"),
        Some("Bearer KEY0123456789ABCDEF")
    );
    assert!(request.body().is_empty());
    assert_eq!(header(&request, "content-type"), None);
}

#[test]
fn a_speak_posts_the_text_with_the_configured_voice() {
    let op = ProviderOp::Speak {
        call: call_ref(Some("v3:abc")),
        text: "Your table is ready.".to_owned(),
    };
    let request = build(&adapter(), &op);
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:4010/v2/calls/v3:abc/actions/speak"
    );
    assert_eq!(
        body(&request),
        json!({
            "client_state": "N2QzYzJhMTAtNWY2ZS00YjhhLTljMWQtMDAwMDAwMDAwMDAx",
            "command_id": "cmd-0001",
            "payload": "Your table is ready.",
            "payload_type": "text",
            "voice": "AWS.Polly.Joanna",
        })
    );
    let neural = adapter().with_voice("AWS.Polly.Joanna-Neural");
    assert_eq!(
        body(&build(&neural, &op))["voice"],
        json!("AWS.Polly.Joanna-Neural")
    );
}

#[test]
fn speech_beyond_telnyxs_3000_character_limit_is_not_sent() {
    let speak = |text: String| ProviderOp::Speak {
        call: call_ref(Some("v3:abc")),
        text,
    };
    assert!(adapter()
        .build_request(&speak("é".repeat(3_000)), "c")
        .is_ok());
    let err = adapter()
        .build_request(&speak("a".repeat(3_001)), "c")
        .unwrap_err();
    assert!(err.detail.contains("3001"), "{}", err.detail);
    assert!(adapter().build_request(&speak(String::new()), "c").is_err());
}

#[test]
fn listening_starts_and_stops_transcription() {
    for (op, action) in [
        (
            ProviderOp::StartListening {
                call: call_ref(Some("v3:abc")),
            },
            "transcription_start",
        ),
        (
            ProviderOp::StopListening {
                call: call_ref(Some("v3:abc")),
            },
            "transcription_stop",
        ),
    ] {
        let request = build(&adapter(), &op);
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(
            request.uri().to_string(),
            format!("http://127.0.0.1:4010/v2/calls/v3:abc/actions/{action}")
        );
        assert_eq!(
            body(&request),
            json!({
                "client_state": "N2QzYzJhMTAtNWY2ZS00YjhhLTljMWQtMDAwMDAwMDAwMDAx",
                "command_id": "cmd-0001",
            })
        );
    }
}

#[test]
fn commands_on_a_call_without_a_call_control_id_cannot_be_built() {
    for id in [None, Some("")] {
        let op = ProviderOp::Hangup {
            call: call_ref(id),
            answered: false,
        };
        let err = adapter().build_request(&op, "c").unwrap_err();
        assert!(err.detail.contains("call_control_id"), "{}", err.detail);
    }
}

#[test]
fn an_empty_command_id_is_refused_because_retries_would_not_be_recognised() {
    let err = adapter()
        .build_request(&ProviderOp::Create(create_call()), "")
        .unwrap_err();
    assert!(err.detail.contains("command_id"), "{}", err.detail);
}

#[test]
fn a_call_control_id_cannot_escape_its_path_segment() {
    let op = ProviderOp::Status {
        call: call_ref(Some("v3:a/../b?x=1#f %")),
    };
    let request = build(&adapter(), &op);
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:4010/v2/calls/v3:a%2F..%2Fb%3Fx=1%23f%20%25"
    );
}

#[test]
fn a_trailing_slash_on_the_api_base_does_not_double_up() {
    let adapter = TelnyxAdapter::new(TelnyxConfig {
        api_base: "https://api.telnyx.com/".to_owned(),
        ..super::config()
    })
    .unwrap();
    let request = build(&adapter, &ProviderOp::Create(create_call()));
    assert_eq!(request.uri(), "https://api.telnyx.com/v2/calls");
}

#[test]
fn a_retried_command_is_byte_for_byte_the_same_request() {
    let op = ProviderOp::Create(create_call());
    let first = build(&adapter(), &op);
    let second = build(&adapter(), &op);
    assert_eq!(first.uri(), second.uri());
    assert_eq!(first.headers(), second.headers());
    assert_eq!(first.body(), second.body());
}
