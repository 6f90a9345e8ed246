//! The XML the webhook endpoint answers Plivo with.

use super::{adapter, fixture, Recorded, TOKEN, WEBHOOK_URL};
use crate::adapters::plivo::{reject_xml, PlivoStep};
use crate::adapters::Adapter;
use crate::webhook::VerifiedWebhook;

fn verified(recorded: &Recorded) -> VerifiedWebhook {
    adapter().verify_webhook(&recorded.raw(), 0).unwrap()
}

fn step_request(step: &str) -> VerifiedWebhook {
    verified(&Recorded::signed_post(
        TOKEN,
        &format!("{WEBHOOK_URL}?callId=call%261&plivoStep={step}&turn=cmd-9"),
        &[("CallUUID", "u1"), ("CallStatus", "in-progress")],
        "3",
    ))
}

#[test]
fn the_step_of_a_request_comes_from_the_url_we_gave_plivo() {
    assert_eq!(PlivoStep::of(&step_request("listen")), PlivoStep::Listen);
    assert_eq!(PlivoStep::of(&step_request("hold")), PlivoStep::Hold);
    assert_eq!(PlivoStep::of(&step_request("speech")), PlivoStep::Speech);
    assert_eq!(PlivoStep::of(&step_request("dance")), PlivoStep::Callback);
    assert_eq!(
        PlivoStep::of(&verified(&fixture!("answer"))),
        PlivoStep::Callback
    );
}

#[test]
fn a_listen_step_is_answered_with_speech_input_reporting_back_to_the_same_turn() {
    let xml = adapter().answer_xml(&step_request("listen"), 120);
    assert_eq!(
        xml,
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Response>"#,
            r#"<GetInput action="https://gw.example.com/voice/webhook?callId=call%261&amp;plivoStep=speech&amp;turn=cmd-9" "#,
            r#"method="POST" inputType="dtmf speech" executionTimeout="30" redirect="false"></GetInput>"#,
            r#"<Wait length="120"/></Response>"#
        )
    );
}

#[test]
fn every_other_request_is_answered_by_holding_the_call() {
    let expected =
        r#"<?xml version="1.0" encoding="UTF-8"?><Response><Wait length="300"/></Response>"#;
    assert_eq!(
        adapter().answer_xml(&verified(&fixture!("answer")), 300),
        expected
    );
    assert_eq!(adapter().answer_xml(&step_request("hold"), 300), expected);
    assert_eq!(adapter().answer_xml(&step_request("speech"), 300), expected);
}

#[test]
fn a_hold_is_never_zero_seconds() {
    assert!(adapter()
        .answer_xml(&verified(&fixture!("answer")), 0)
        .contains(r#"<Wait length="1"/>"#));
}

#[test]
fn a_rejected_caller_is_hung_up_without_answer() {
    assert!(reject_xml().contains(r#"<Hangup reason="rejected"/>"#));
}
