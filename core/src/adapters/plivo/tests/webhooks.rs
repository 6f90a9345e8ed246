//! Parsing the recorded callbacks in `fixtures/webhooks/plivo/` and made-up
//! edge cases.

use super::{adapter, fixture, Recorded, CALL_UUID, REQUEST_UUID, TOKEN, WEBHOOK_URL};
use crate::adapters::plivo::{v3_signature, SignedMethod};
use crate::adapters::Adapter;
use crate::provider::{EventKind, ProviderEvent, ProviderName};
use crate::record::Direction;
use crate::state::CallState;
use crate::webhook::{VerifiedWebhook, WebhookError};

const CALL_ID: &str = "7f9c2a1e-3b4d-4e5f-8a6b-0c1d2e3f4a5b";

fn events(recorded: &Recorded) -> Result<Vec<ProviderEvent>, WebhookError> {
    let adapter = adapter();
    let verified = adapter.verify_webhook(&recorded.raw(), 0)?;
    adapter.parse_webhook(&verified)
}

fn one_event(recorded: &Recorded) -> ProviderEvent {
    let mut events = events(recorded).unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    events.remove(0)
}

fn outbound(
    uuid: &str,
    request: &str,
    key: &str,
    kind: EventKind,
    at: Option<u64>,
) -> ProviderEvent {
    ProviderEvent {
        dedupe_key: format!("plivo:{uuid}:{key}"),
        call_id: Some(CALL_ID.to_owned()),
        provider_call_id: Some(uuid.to_owned()),
        request_id: Some(request.to_owned()),
        direction: Some(Direction::Outbound),
        from: Some("+14155550100".to_owned()),
        to: Some("+14155550123".to_owned()),
        occurred_at: at,
        kind,
    }
}

#[test]
fn every_fixture_verifies_with_the_documented_token() {
    let all = [
        fixture!("ring"),
        fixture!("answer"),
        fixture!("hangup-completed"),
        fixture!("hangup-completed-duplicate"),
        fixture!("hangup-busy"),
        fixture!("hangup-no-answer"),
        fixture!("hangup-timeout"),
        fixture!("hangup-cancel"),
        fixture!("hangup-failed"),
        fixture!("inbound-allowed"),
        fixture!("inbound-anonymous"),
        fixture!("speech"),
    ];
    for recorded in &all {
        assert_eq!(
            recorded.headers["content-length"].to_str().unwrap(),
            recorded.body.len().to_string(),
            "{}",
            recorded.url
        );
        assert!(events(recorded).is_ok(), "{}", recorded.url);
    }
}

#[test]
fn a_ring_callback_is_ringing_matched_by_our_call_id() {
    assert_eq!(
        one_event(&fixture!("ring")),
        outbound(CALL_UUID, REQUEST_UUID, "Ring", EventKind::Ringing, None)
    );
}

#[test]
fn the_answer_callback_is_answered() {
    assert_eq!(
        one_event(&fixture!("answer")),
        outbound(
            CALL_UUID,
            REQUEST_UUID,
            "StartApp",
            EventKind::Answered,
            None
        )
    );
}

#[test]
fn a_completed_hangup_ends_the_call_at_its_end_time() {
    assert_eq!(
        one_event(&fixture!("hangup-completed")),
        outbound(
            CALL_UUID,
            REQUEST_UUID,
            "Hangup",
            EventKind::Ended {
                reason: CallState::Completed
            },
            Some(1_772_460_370_000)
        )
    );
}

#[test]
fn a_duplicate_delivery_is_the_same_event_with_the_same_key() {
    let first = one_event(&fixture!("hangup-completed"));
    let retry = one_event(&fixture!("hangup-completed-duplicate"));
    assert_ne!(
        fixture!("hangup-completed").headers["x-plivo-signature-v3-nonce"],
        fixture!("hangup-completed-duplicate").headers["x-plivo-signature-v3-nonce"]
    );
    assert_eq!(first, retry);
}

#[test]
fn ring_answer_and_hangup_of_one_call_have_different_keys() {
    let keys = [
        one_event(&fixture!("ring")).dedupe_key,
        one_event(&fixture!("answer")).dedupe_key,
        one_event(&fixture!("hangup-completed")).dedupe_key,
        one_event(&fixture!("speech")).dedupe_key,
    ];
    for (i, a) in keys.iter().enumerate() {
        for b in keys.iter().skip(i + 1) {
            assert_ne!(a, b);
        }
    }
}

fn ended_with(recorded: &Recorded) -> (CallState, Option<u64>, String) {
    let event = one_event(recorded);
    let EventKind::Ended { reason } = event.kind else {
        panic!("not an end: {event:?}");
    };
    assert_eq!(event.call_id.as_deref(), Some(CALL_ID));
    (reason, event.occurred_at, event.dedupe_key)
}

#[test]
fn calls_that_never_connected_end_with_their_reason() {
    let busy = ended_with(&fixture!("hangup-busy"));
    assert_eq!(
        busy,
        (
            CallState::Busy,
            Some(1_772_460_304_000),
            "plivo:a1b2c3d4-0002-4000-8000-000000000002:Hangup".to_owned()
        )
    );
    assert_eq!(
        ended_with(&fixture!("hangup-no-answer")).0,
        CallState::NoAnswer
    );
    assert_eq!(ended_with(&fixture!("hangup-failed")).0, CallState::Failed);
}

#[test]
fn a_ring_timeout_callback_ends_as_no_answer() {
    assert_eq!(
        ended_with(&fixture!("hangup-timeout")).0,
        CallState::NoAnswer
    );
}

#[test]
fn a_cancel_callback_ends_as_hung_up_by_us() {
    assert_eq!(
        ended_with(&fixture!("hangup-cancel")).0,
        CallState::HangupBot
    );
}

#[test]
fn an_inbound_call_has_no_call_id_of_ours_and_shows_the_caller() {
    let event = one_event(&fixture!("inbound-allowed"));
    assert_eq!(event.call_id, None);
    assert_eq!(event.direction, Some(Direction::Inbound));
    // Plivo writes `14155550199`: read back as E.164 for the inbound policy.
    assert_eq!(event.from.as_deref(), Some("+14155550199"));
    assert_eq!(event.to.as_deref(), Some("+14155550100"));
    assert_eq!(event.kind, EventKind::Ringing);
    assert_eq!(
        event.dedupe_key,
        "plivo:b7c8d9e0-0007-4000-8000-000000000007:StartApp"
    );
}

#[test]
fn an_anonymous_caller_is_reported_as_plivo_writes_it() {
    let event = one_event(&fixture!("inbound-anonymous"));
    assert_eq!(event.direction, Some(Direction::Inbound));
    assert_eq!(event.from.as_deref(), Some("anonymous"));
}

#[test]
fn a_transcript_is_speech_keyed_by_its_listening_turn() {
    let event = one_event(&fixture!("speech"));
    assert_eq!(
        event.kind,
        EventKind::Speech {
            transcript: "yes, tomorrow at 10 works".to_owned(),
            is_final: true
        }
    );
    assert_eq!(
        event.dedupe_key,
        format!("plivo:{CALL_UUID}:speech:listen-1")
    );
    assert_eq!(event.call_id.as_deref(), Some(CALL_ID));
}

fn inbound_from(from: &str) -> Option<String> {
    let recorded = signed(
        WEBHOOK_URL,
        &[
            ("CallUUID", "u1"),
            ("CallStatus", "ringing"),
            ("Direction", "inbound"),
            ("From", from),
            ("To", "14155550100"),
            ("Event", "StartApp"),
        ],
    );
    one_event(&recorded).from
}

#[test]
fn a_plivo_number_without_its_plus_is_read_back_as_e164() {
    assert_eq!(inbound_from("14155550199").as_deref(), Some("+14155550199"));
    assert_eq!(
        inbound_from("447700900123").as_deref(),
        Some("+447700900123")
    );
    // Already E.164: kept.
    assert_eq!(
        inbound_from("+14155550199").as_deref(),
        Some("+14155550199")
    );
}

#[test]
fn a_caller_that_is_not_a_number_is_kept_as_plivo_wrote_it() {
    for raw in [
        "",
        "anonymous",
        "Anonymous",
        "restricted",
        "withheld",
        "0014155550199",
        "0",
        "000000",
        "1234567",
        "1234567890123456",
        "sip:alice@example.com",
        "1415 555 0199",
        "+1415555O199",
        "14155550199x",
    ] {
        assert_eq!(inbound_from(raw).as_deref(), Some(raw), "{raw:?}");
    }
}

#[test]
fn an_allowed_caller_written_without_its_plus_is_allowed_and_withheld_ones_are_not() {
    use crate::manager::InboundPolicy;
    let policy = InboundPolicy::Allowlist(vec!["+14155550199".to_owned()]);
    let allowed = |raw: &str| policy.allows(&inbound_from(raw).unwrap_or_default());
    assert!(allowed("14155550199"));
    assert!(allowed("+14155550199"));
    for refused in [
        "14155550198",
        "",
        "anonymous",
        "Anonymous",
        "0014155550199",
        "4155550199",
    ] {
        assert!(!allowed(refused), "{refused:?}");
    }
    assert!(!InboundPolicy::Open.allows(&inbound_from("anonymous").unwrap_or_default()));
    assert!(!InboundPolicy::Open.allows(&inbound_from("0000000000").unwrap_or_default()));
}

fn signed(url: &str, params: &[(&str, &str)]) -> Recorded {
    Recorded::signed_post(TOKEN, url, params, "42")
}

#[test]
fn a_status_we_do_not_know_is_refused_not_treated_as_an_end() {
    let recorded = signed(
        &format!("{WEBHOOK_URL}?callId=c1"),
        &[
            ("CallUUID", "u1"),
            ("CallStatus", "early-media"),
            ("Event", "Ring"),
        ],
    );
    assert_eq!(
        events(&recorded),
        Err(WebhookError::UnknownStatus {
            raw: "early-media".to_owned()
        })
    );
}

#[test]
fn a_callback_without_call_uuid_or_status_is_malformed() {
    for params in [
        &[("CallStatus", "ringing")][..],
        &[("CallUUID", ""), ("CallStatus", "ringing")][..],
        &[("CallUUID", "u1")][..],
    ] {
        let recorded = signed(WEBHOOK_URL, params);
        assert!(
            matches!(events(&recorded), Err(WebhookError::Malformed { .. })),
            "{params:?}"
        );
    }
}

#[test]
fn without_an_event_field_the_status_names_the_callback() {
    let recorded = signed(
        &format!("{WEBHOOK_URL}?callId=c1"),
        &[
            ("CallUUID", "u1"),
            ("CallStatus", "busy"),
            ("Direction", "sideways"),
        ],
    );
    let event = one_event(&recorded);
    assert_eq!(event.dedupe_key, "plivo:u1:busy");
    assert_eq!(event.direction, None);
    assert_eq!(event.request_id, None);
    assert_eq!(event.from, None);
}

#[test]
fn the_a_leg_request_uuid_stands_in_for_a_missing_request_uuid() {
    let recorded = signed(
        WEBHOOK_URL,
        &[
            ("CallUUID", "u1"),
            ("CallStatus", "ringing"),
            ("ALegRequestUUID", "r9"),
        ],
    );
    assert_eq!(one_event(&recorded).request_id.as_deref(), Some("r9"));
}

#[test]
fn a_get_callback_is_read_from_its_query() {
    let url = format!(
        "{WEBHOOK_URL}?callId=c7&CallUUID=u1&CallStatus=completed&Event=Hangup&EndTime=2020-04-08+11%3A34%3A33"
    );
    let mut recorded = signed(&url, &[]);
    recorded.method = http::Method::GET;
    let signature = v3_signature(TOKEN, SignedMethod::Get, &url, &[], "42").unwrap();
    recorded.set_header("x-plivo-signature-v3", &signature);
    let event = one_event(&recorded);
    assert_eq!(event.call_id.as_deref(), Some("c7"));
    assert_eq!(
        event.kind,
        EventKind::Ended {
            reason: CallState::Completed
        }
    );
    assert_eq!(event.occurred_at, Some(1_586_345_673_000));
}

#[test]
fn fetching_the_xml_of_a_transfer_reports_nothing() {
    for step in ["listen", "hold"] {
        let recorded = signed(
            &format!("{WEBHOOK_URL}?callId=c1&plivoStep={step}&turn=t1"),
            &[("CallUUID", "u1"), ("CallStatus", "in-progress")],
        );
        assert_eq!(events(&recorded), Ok(Vec::new()), "{step}");
    }
}

#[test]
fn a_listening_turn_without_words_reports_nothing() {
    let recorded = signed(
        &format!("{WEBHOOK_URL}?callId=c1&plivoStep=speech&turn=t1"),
        &[
            ("CallUUID", "u1"),
            ("CallStatus", "in-progress"),
            ("Speech", ""),
        ],
    );
    assert_eq!(events(&recorded), Ok(Vec::new()));
}

#[test]
fn keys_pressed_in_a_listening_turn_are_the_callers_answer_keyed_by_the_turn() {
    // GetInput's action as Plivo posts it after inputType="dtmf speech"
    // heard keys: InputType=dtmf and Digits, no Speech.
    let recorded = signed(
        &format!("{WEBHOOK_URL}?callId=c1&plivoStep=speech&turn=t2"),
        &[
            ("CallUUID", "u1"),
            ("CallStatus", "in-progress"),
            ("InputType", "dtmf"),
            ("Digits", "2#"),
        ],
    );
    let got = events(&recorded).unwrap();
    assert_eq!(
        got[0].kind,
        EventKind::Speech {
            transcript: "2#".to_owned(),
            is_final: true
        }
    );
    assert_eq!(got[0].dedupe_key, "plivo:u1:speech:t2");
}

#[test]
fn digits_outside_a_listening_turn_are_no_answer() {
    let recorded = signed(
        WEBHOOK_URL,
        &[
            ("CallUUID", "u1"),
            ("CallStatus", "in-progress"),
            ("Event", "StartApp"),
            ("Digits", "5"),
        ],
    );
    let got = events(&recorded).unwrap();
    assert_eq!(got[0].kind, EventKind::Answered);
}

#[test]
fn a_webhook_verified_for_another_provider_is_refused() {
    let recorded = fixture!("answer");
    let foreign = VerifiedWebhook::new(ProviderName::Twilio, &recorded.raw());
    assert!(matches!(
        adapter().parse_webhook(&foreign),
        Err(WebhookError::Malformed { .. })
    ));
}

#[test]
fn a_bad_end_time_costs_only_the_timestamp() {
    let recorded = signed(
        WEBHOOK_URL,
        &[
            ("CallUUID", "u1"),
            ("CallStatus", "completed"),
            ("EndTime", "soon"),
        ],
    );
    let event = one_event(&recorded);
    assert_eq!(event.occurred_at, None);
    assert_eq!(
        event.kind,
        EventKind::Ended {
            reason: CallState::Completed
        }
    );
}
