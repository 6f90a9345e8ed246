//! Parsing verified callbacks beyond the recorded fixtures: every status, the
//! edge of every field, speech results, GET callbacks.

use super::{adapter, Request, TOKEN, WEBHOOK_URL};
use crate::adapters::Adapter;
use crate::provider::{EventKind, ProviderEvent, ProviderName};
use crate::record::Direction;
use crate::state::EndReason;
use crate::webhook::{VerifiedWebhook, WebhookError};

const SID: &str = "CA0123456789abcdef0123456789abcdef";

fn parse_at(url: &str, pairs: &[(&str, &str)]) -> Result<Vec<ProviderEvent>, WebhookError> {
    let request = Request::form(url, pairs, None).signed_with(TOKEN);
    adapter().parse_webhook(&request.verify().unwrap())
}

fn parse(pairs: &[(&str, &str)]) -> Result<Vec<ProviderEvent>, WebhookError> {
    parse_at(&format!("{WEBHOOK_URL}?callId=c-1"), pairs)
}

fn one(pairs: &[(&str, &str)]) -> ProviderEvent {
    let mut events = parse(pairs).unwrap();
    assert_eq!(events.len(), 1);
    events.remove(0)
}

#[test]
fn every_call_status_maps_to_its_event() {
    let table = [
        ("initiated", EventKind::Initiated),
        ("queued", EventKind::Initiated),
        ("ringing", EventKind::Ringing),
        ("in-progress", EventKind::Answered),
        (
            "completed",
            EventKind::Ended {
                reason: EndReason::Completed,
            },
        ),
        (
            "busy",
            EventKind::Ended {
                reason: EndReason::Busy,
            },
        ),
        (
            "failed",
            EventKind::Ended {
                reason: EndReason::Failed,
            },
        ),
        (
            "no-answer",
            EventKind::Ended {
                reason: EndReason::NoAnswer,
            },
        ),
        (
            "canceled",
            EventKind::Ended {
                reason: EndReason::HangupBot,
            },
        ),
    ];
    for (status, kind) in table {
        let got = one(&[
            ("CallSid", SID),
            ("CallStatus", status),
            ("SequenceNumber", "4"),
        ]);
        assert_eq!(got.kind, kind, "{status}");
        assert_eq!(got.dedupe_key, format!("twilio:{SID}:4"));
        assert_eq!(got.call_id.as_deref(), Some("c-1"));
    }
}

#[test]
fn an_unknown_call_status_is_refused_and_never_read_as_an_end() {
    for status in ["answered", "Completed", "cancelled", ""] {
        assert_eq!(
            parse(&[("CallSid", SID), ("CallStatus", status)]).unwrap_err(),
            WebhookError::UnknownStatus {
                raw: status.to_owned()
            },
            "{status:?}"
        );
    }
}

#[test]
fn without_a_sequence_number_the_status_names_the_callback() {
    let ringing = one(&[("CallSid", SID), ("CallStatus", "ringing")]);
    let answered = one(&[("CallSid", SID), ("CallStatus", "in-progress")]);
    assert_eq!(ringing.dedupe_key, format!("twilio:{SID}:ringing"));
    assert_eq!(answered.dedupe_key, format!("twilio:{SID}:in-progress"));
}

#[test]
fn a_sequence_number_that_is_not_a_number_is_malformed() {
    for seq in ["", "-1", "1a", "3:x"] {
        let got = parse(&[
            ("CallSid", SID),
            ("CallStatus", "ringing"),
            ("SequenceNumber", seq),
        ]);
        assert!(
            matches!(got, Err(WebhookError::Malformed { .. })),
            "{seq:?}: {got:?}"
        );
    }
}

#[test]
fn a_callback_without_a_call_sid_or_status_is_malformed() {
    for pairs in [
        vec![("CallStatus", "ringing")],
        vec![("CallSid", ""), ("CallStatus", "ringing")],
        vec![("CallSid", SID)],
        vec![],
    ] {
        let got = parse(&pairs);
        assert!(
            matches!(got, Err(WebhookError::Malformed { .. })),
            "{pairs:?}: {got:?}"
        );
    }
}

#[test]
fn directions_map_to_who_started_the_call_and_strange_ones_are_left_unsaid() {
    for (raw, want) in [
        ("inbound", Some(Direction::Inbound)),
        ("outbound-api", Some(Direction::Outbound)),
        ("outbound-dial", Some(Direction::Outbound)),
        ("sideways", None),
    ] {
        let got = one(&[
            ("CallSid", SID),
            ("CallStatus", "ringing"),
            ("Direction", raw),
        ]);
        assert_eq!(got.direction, want, "{raw}");
    }
    let none = one(&[("CallSid", SID), ("CallStatus", "ringing")]);
    assert_eq!(none.direction, None);
}

#[test]
fn an_empty_caller_is_reported_empty_not_dropped() {
    let got = one(&[
        ("CallSid", SID),
        ("CallStatus", "ringing"),
        ("From", ""),
        ("To", "+15557654321"),
    ]);
    assert_eq!(got.from.as_deref(), Some(""));
    assert_eq!(got.to.as_deref(), Some("+15557654321"));
}

#[test]
fn the_timestamp_becomes_epoch_milliseconds_and_a_garbled_one_only_costs_itself() {
    let got = one(&[
        ("CallSid", SID),
        ("CallStatus", "ringing"),
        ("Timestamp", "Tue, 31 Aug 2010 20:36:28 +0000"),
    ]);
    assert_eq!(got.occurred_at, Some(1_283_286_988_000));
    let got = one(&[
        ("CallSid", SID),
        ("CallStatus", "ringing"),
        ("Timestamp", "yesterday"),
    ]);
    assert_eq!(got.occurred_at, None);
    assert_eq!(got.kind, EventKind::Ringing);
}

#[test]
fn a_callback_without_our_call_id_still_parses_without_one() {
    let got = parse_at(WEBHOOK_URL, &[("CallSid", SID), ("CallStatus", "ringing")]).unwrap();
    assert_eq!(got[0].call_id, None);
    let got = parse_at(
        &format!("{WEBHOOK_URL}?callId="),
        &[("CallSid", SID), ("CallStatus", "ringing")],
    )
    .unwrap();
    assert_eq!(got[0].call_id, None);
}

#[test]
fn a_get_callback_is_read_from_its_query() {
    let url = format!(
        "{WEBHOOK_URL}?callId=c-9&CallSid={SID}&CallStatus=busy&SequenceNumber=2&From=%2B15557654321"
    );
    let mut request = Request::raw(&url, "application/x-www-form-urlencoded", Vec::new(), None)
        .signed_with(TOKEN);
    request.method = http::Method::GET;
    let events = adapter().parse_webhook(&request.verify().unwrap()).unwrap();
    assert_eq!(
        events[0].kind,
        EventKind::Ended {
            reason: EndReason::Busy
        }
    );
    assert_eq!(events[0].call_id.as_deref(), Some("c-9"));
    assert_eq!(events[0].from.as_deref(), Some("+15557654321"));
    assert_eq!(events[0].dedupe_key, format!("twilio:{SID}:2"));
}

#[test]
fn a_speech_result_is_a_final_utterance_named_by_its_gather() {
    let url = format!("{WEBHOOK_URL}?callId=c-1&gather=cmd-7");
    let pairs = [
        ("CallSid", SID),
        ("CallStatus", "in-progress"),
        ("SpeechResult", "I'd like to book a table."),
        ("Confidence", "0.92"),
    ];
    let got = parse_at(&url, &pairs).unwrap();
    assert_eq!(
        got[0].kind,
        EventKind::Speech {
            transcript: "I'd like to book a table.".to_owned(),
            is_final: true
        }
    );
    assert_eq!(got[0].dedupe_key, format!("twilio:{SID}:speech:cmd-7"));
    assert_eq!(got[0].call_id.as_deref(), Some("c-1"));
}

#[test]
fn keys_pressed_into_a_gather_are_the_callers_answer_named_by_its_gather() {
    // <Gather input="dtmf speech"> posts Digits, not SpeechResult, when the
    // caller keys an answer.
    let url = format!("{WEBHOOK_URL}?callId=c-1&gather=cmd-8");
    let pairs = [
        ("CallSid", SID),
        ("CallStatus", "in-progress"),
        ("Digits", "3#"),
    ];
    let got = parse_at(&url, &pairs).unwrap();
    assert_eq!(
        got[0].kind,
        EventKind::Speech {
            transcript: "3#".to_owned(),
            is_final: true
        }
    );
    assert_eq!(got[0].dedupe_key, format!("twilio:{SID}:speech:cmd-8"));
}

#[test]
fn digits_on_a_status_callback_are_not_an_answer() {
    let got = parse(&[
        ("CallSid", SID),
        ("CallStatus", "in-progress"),
        ("Digits", "1234"),
    ])
    .unwrap();
    assert_eq!(got[0].kind, EventKind::Answered);
}

#[test]
fn a_speech_result_without_our_gather_id_is_malformed() {
    let got = parse(&[
        ("CallSid", SID),
        ("CallStatus", "in-progress"),
        ("SpeechResult", "hi"),
    ]);
    assert!(
        matches!(got, Err(WebhookError::Malformed { .. })),
        "{got:?}"
    );
}

#[test]
fn a_webhook_another_adapter_verified_is_not_parsed_as_twilios() {
    let request = Request::form(
        WEBHOOK_URL,
        &[("CallSid", SID), ("CallStatus", "completed")],
        None,
    );
    let foreign = VerifiedWebhook::new(ProviderName::Plivo, &request.raw_webhook());
    assert!(matches!(
        adapter().parse_webhook(&foreign),
        Err(WebhookError::Malformed { .. })
    ));
}

#[test]
fn the_hold_twiml_asks_again_at_the_callback_url_of_the_call() {
    let held = adapter().hold_twiml(Some("c 1"));
    assert!(
        held.contains(">https://gw.example.com/voice/webhook?callId=c+1</Redirect>"),
        "{held}"
    );
    let inbound = adapter().hold_twiml(None);
    assert!(
        inbound.contains(">https://gw.example.com/voice/webhook</Redirect>"),
        "{inbound}"
    );
}
