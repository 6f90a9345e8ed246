//! Turning verified webhook bodies into provider events.

use super::{adapter, verified};
use crate::adapters::Adapter;
use crate::provider::{EventKind, ProviderEvent, ProviderName};
use crate::record::Direction;
use crate::state::EndReason;
use crate::webhook::{VerifiedWebhook, WebhookError};
use serde_json::{json, Value};

/// `client_state` of call id `call-1`.
const CALL_1_STATE: &str = "Y2FsbC0x";

fn body(event_type: &str, payload: Value) -> String {
    json!({"data": {
        "record_type": "event",
        "event_type": event_type,
        "id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
        "occurred_at": "2018-02-02T22:25:27.521992Z",
        "payload": payload,
    }})
    .to_string()
}

fn parse(body: &str) -> Result<Vec<ProviderEvent>, WebhookError> {
    adapter().parse_webhook(&verified(body))
}

fn one(body: &str) -> ProviderEvent {
    match parse(body) {
        Ok(events) if events.len() == 1 => events.into_iter().next().unwrap(),
        other => panic!("expected one event, got {other:?}"),
    }
}

fn kind(event_type: &str, payload: Value) -> EventKind {
    one(&body(event_type, payload)).kind
}

fn hangup(payload: Value) -> EndReason {
    match kind("call.hangup", payload) {
        EventKind::Ended { reason } => reason,
        other => panic!("{other:?}"),
    }
}

fn malformed(body: &str) -> String {
    match parse(body) {
        Err(WebhookError::Malformed { detail }) => detail,
        other => panic!("expected malformed, got {other:?}"),
    }
}

#[test]
fn the_spec_example_of_call_initiated_becomes_an_initiated_event() {
    let event = one(&body(
        "call.initiated",
        json!({
            "call_control_id": "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
            "connection_id": "7267xxxxxxxxxxxxxx",
            "call_leg_id": "428c31b6-7af4-4bcb-b7f5-5013ef9657c1",
            "call_session_id": "428c31b6-7af4-4bcb-b7f5-5013ef9657c1",
            "client_state": "aGF2ZSBhIG5pY2UgZGF5ID1d",
            "from": "+35319605860",
            "to": "+35319605860",
            "direction": "incoming",
            "state": "parked",
        }),
    ));
    assert_eq!(
        event,
        ProviderEvent {
            dedupe_key: "telnyx:0ccc7b54-4df3-4bca-a65a-3da1ecc777f0".to_owned(),
            call_id: Some("have a nice day =]".to_owned()),
            provider_call_id: Some(
                "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg".to_owned()
            ),
            request_id: None,
            direction: Some(Direction::Inbound),
            from: Some("+35319605860".to_owned()),
            to: Some("+35319605860".to_owned()),
            occurred_at: Some(1_517_610_327_521),
            kind: EventKind::Initiated,
        }
    );
}

#[test]
fn outgoing_calls_are_outbound() {
    let event = one(&body(
        "call.initiated",
        json!({"direction": "outgoing", "state": "bridging"}),
    ));
    assert_eq!(event.direction, Some(Direction::Outbound));
}

#[test]
fn an_unknown_direction_is_malformed() {
    malformed(&body("call.initiated", json!({"direction": "sideways"})));
}

#[test]
fn answered_and_speak_started_map_to_their_events() {
    assert_eq!(
        kind("call.answered", json!({"state": "answered"})),
        EventKind::Answered
    );
    assert_eq!(kind("call.speak.started", json!({})), EventKind::Speaking);
}

#[test]
fn a_transcription_becomes_speech_with_its_finality() {
    let speech = |data: Value| kind("call.transcription", json!({"transcription_data": data}));
    assert_eq!(
        speech(
            json!({"confidence": 0.97, "is_final": true, "transcript": "hello this is a test speech"})
        ),
        EventKind::Speech {
            transcript: "hello this is a test speech".to_owned(),
            is_final: true
        }
    );
    assert_eq!(
        speech(json!({"is_final": false, "transcript": "hello th"})),
        EventKind::Speech {
            transcript: "hello th".to_owned(),
            is_final: false
        }
    );
    assert_eq!(
        speech(json!({"transcript": "no interim results"})),
        EventKind::Speech {
            transcript: "no interim results".to_owned(),
            is_final: true
        }
    );
}

#[test]
fn a_transcription_without_its_words_is_malformed() {
    malformed(&body("call.transcription", json!({})));
    malformed(&body(
        "call.transcription",
        json!({"transcription_data": {"is_final": true}}),
    ));
    malformed(&body(
        "call.transcription",
        json!({"transcription_data": {"transcript": "x", "is_final": "yes"}}),
    ));
}

#[test]
fn every_hangup_cause_maps_to_a_terminal_reason() {
    let cases = [
        ("call_rejected", EndReason::Busy),
        ("normal_clearing", EndReason::Completed),
        ("originator_cancel", EndReason::NoAnswer),
        ("timeout", EndReason::NoAnswer),
        ("time_limit", EndReason::Timeout),
        ("user_busy", EndReason::Busy),
        ("not_found", EndReason::Failed),
        ("no_answer", EndReason::NoAnswer),
        ("unspecified", EndReason::Completed),
    ];
    for (cause, reason) in cases {
        let got =
            hangup(json!({"state": "hangup", "hangup_cause": cause, "hangup_source": "unknown"}));
        assert_eq!(got, reason, "{cause}");
        assert!(got.is_terminal());
    }
}

#[test]
fn normal_clearing_by_the_remote_party_is_a_user_hangup_when_the_direction_is_known() {
    let case = |direction: &str, source: &str| {
        hangup(
            json!({"hangup_cause": "normal_clearing", "hangup_source": source, "direction": direction}),
        )
    };
    assert_eq!(case("outgoing", "callee"), EndReason::HangupUser);
    assert_eq!(case("incoming", "caller"), EndReason::HangupUser);
    assert_eq!(case("outgoing", "caller"), EndReason::Completed);
    assert_eq!(case("incoming", "callee"), EndReason::Completed);
    assert_eq!(case("outgoing", "unknown"), EndReason::Completed);
}

#[test]
fn normal_clearing_without_a_direction_is_completed_whoever_hung_up() {
    for source in ["caller", "callee", "unknown"] {
        let got = hangup(json!({"hangup_cause": "normal_clearing", "hangup_source": source}));
        assert_eq!(got, EndReason::Completed, "{source}");
    }
}

#[test]
fn a_hangup_with_no_or_a_new_cause_still_ends_the_call() {
    assert_eq!(hangup(json!({"state": "hangup"})), EndReason::Completed);
    assert_eq!(
        hangup(json!({"hangup_cause": "gremlins"})),
        EndReason::Completed
    );
}

#[test]
fn events_the_call_model_does_not_track_produce_no_events() {
    for event_type in [
        "call.bridged",
        "call.speak.ended",
        "call.dtmf.received",
        "call.playback.started",
        "call.playback.ended",
        "call.machine.detection.ended",
        "call.machine.premium.detection.ended",
        "call.machine.greeting.ended",
        "call.recording.saved",
        "call.gather.ended",
        "call.streaming.started",
        "call.fork.stopped",
        "call.refer.completed",
        "call.enqueued",
        "call.left_queue",
        "call.cost",
    ] {
        assert_eq!(
            parse(&body(event_type, json!({}))),
            Ok(vec![]),
            "{event_type}"
        );
    }
}

#[test]
fn an_unknown_event_type_is_refused_and_never_an_end() {
    for event_type in ["call.teleported", "call.hangup.v2", "call_hangup", ""] {
        assert_eq!(
            parse(&body(event_type, json!({}))),
            Err(WebhookError::UnknownStatus {
                raw: event_type.to_owned()
            })
        );
    }
}

#[test]
fn the_call_id_comes_from_base64_client_state() {
    let event = one(&body(
        "call.answered",
        json!({"client_state": CALL_1_STATE}),
    ));
    assert_eq!(event.call_id.as_deref(), Some("call-1"));
}

#[test]
fn absent_null_or_empty_client_state_means_no_call_id() {
    for payload in [
        json!({}),
        json!({"client_state": null}),
        json!({"client_state": ""}),
    ] {
        assert_eq!(
            one(&body("call.answered", payload.clone())).call_id,
            None,
            "{payload}"
        );
    }
}

#[test]
fn client_state_that_is_not_base64_of_text_is_malformed() {
    malformed(&body(
        "call.answered",
        json!({"client_state": "not base64!"}),
    ));
    malformed(&body("call.answered", json!({"client_state": "//79"})));
    malformed(&body("call.answered", json!({"client_state": 42})));
}

#[test]
fn the_dedupe_key_is_the_event_id_and_differs_between_events() {
    let mut second: Value = serde_json::from_str(&body("call.answered", json!({}))).unwrap();
    second["data"]["id"] = json!("1ccc7b54-4df3-4bca-a65a-3da1ecc777f0");
    let first = one(&body("call.answered", json!({})));
    let second = one(&second.to_string());
    assert_eq!(
        first.dedupe_key,
        "telnyx:0ccc7b54-4df3-4bca-a65a-3da1ecc777f0"
    );
    assert_ne!(first.dedupe_key, second.dedupe_key);
}

#[test]
fn an_event_without_an_id_cannot_be_deduplicated_and_is_malformed() {
    for id in [Value::Null, json!(""), json!(7)] {
        let mut envelope: Value = serde_json::from_str(&body("call.answered", json!({}))).unwrap();
        envelope["data"]["id"] = id;
        malformed(&envelope.to_string());
    }
}

#[test]
fn occurred_at_is_optional_but_must_be_a_time_when_present() {
    let mut envelope: Value = serde_json::from_str(&body("call.answered", json!({}))).unwrap();
    envelope["data"]
        .as_object_mut()
        .unwrap()
        .remove("occurred_at");
    assert_eq!(one(&envelope.to_string()).occurred_at, None);
    envelope["data"]["occurred_at"] = json!("yesterday");
    malformed(&envelope.to_string());
}

#[test]
fn the_legacy_v1_envelope_is_refused_with_a_hint() {
    let v1 = r#"{"record_type":"event","id":"x","event_type":"call_initiated","created_at":"2018-02-02T22:25:27.521992Z","payload":{}}"#;
    assert!(malformed(v1).contains("webhook_api_version"));
}

#[test]
fn bodies_that_are_not_an_event_envelope_are_malformed() {
    for body in [
        "",
        "null",
        "[]",
        "{}",
        r#"{"data":"x"}"#,
        r#"{"data":{"id":"x"}}"#,
        r#"{"data":{"id":"x","event_type":"call.answered","payload":[]}}"#,
    ] {
        malformed(body);
    }
}

#[test]
fn a_webhook_verified_by_another_adapter_is_refused() {
    let delivery = super::Delivery::new(None, None, body("call.answered", json!({})).as_bytes());
    let foreign = VerifiedWebhook::new(ProviderName::Twilio, &delivery.raw());
    assert!(matches!(
        adapter().parse_webhook(&foreign),
        Err(WebhookError::Malformed { .. })
    ));
}
