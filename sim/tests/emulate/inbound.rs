//! Inbound callers ring the gateway; its answer is read in the provider's
//! own form (TwiML, Plivo XML, Telnyx REST actions) and acted on.

use super::harness::{Emulate, Hooks, Received, TELNYX_KEY};
use serde_json::json;

fn twiml_reject(_: &Received) -> (u16, &'static str, String) {
    (
        200,
        "text/xml",
        "<?xml version=\"1.0\"?><Response><Reject/></Response>".to_owned(),
    )
}

fn twiml_say(_: &Received) -> (u16, &'static str, String) {
    (
        200,
        "text/xml",
        "<Response><Say>Hello</Say></Response>".to_owned(),
    )
}

fn plivo_hangup(_: &Received) -> (u16, &'static str, String) {
    (
        200,
        "application/xml",
        "<Response><Hangup/></Response>".to_owned(),
    )
}

fn empty(_: &Received) -> (u16, &'static str, String) {
    (200, "text/plain", String::new())
}

fn ring(emulate: &Emulate, provider: &str, hooks: &Hooks, from: &str) -> String {
    let (status, body) = emulate.post(
        "/_callproof/inbound",
        json!({"provider": provider, "from": from, "to": "+15550001111", "webhook_url": format!("{}/in", hooks.base)}),
    );
    assert_eq!(status, 200, "{body}");
    let pid = body["provider_call_id"].as_str().expect("an id").to_owned();
    emulate.advance(0);
    pid
}

#[test]
fn twiml_reject_refuses_an_inbound_call_and_the_journal_records_it() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let hooks = Hooks::start(twiml_reject);
    let pid = ring(&emulate, "twilio", &hooks, "anonymous");
    let call = emulate.call(&pid);
    assert_eq!(call["direction"], "inbound");
    assert_eq!(call["rejected"], true);
    assert_eq!(call["owned"], false);
    assert_eq!(emulate.webhooks()[0]["answer"], "reject");
    assert_eq!(
        hooks.received()[0].field("From").as_deref(),
        Some("anonymous")
    );
}

#[test]
fn twiml_that_says_something_answers_an_inbound_call() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let hooks = Hooks::start(twiml_say);
    let pid = ring(&emulate, "twilio", &hooks, "+15557654321");
    let call = emulate.call(&pid);
    assert_eq!(call["state"], "answered");
    assert_eq!(call["owned"], true);
    let timeline = call["timeline"].to_string();
    assert!(timeline.contains("inbound_accepted"), "{timeline}");
}

#[test]
fn plivo_xml_hangup_refuses_an_inbound_call() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let hooks = Hooks::start(plivo_hangup);
    let pid = ring(&emulate, "plivo", &hooks, "+15557654321");
    assert_eq!(emulate.call(&pid)["rejected"], true);
    assert_eq!(emulate.webhooks()[0]["answer"], "hangup");
}

#[test]
fn telnyx_inbound_calls_are_answered_and_rejected_by_rest_actions() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let hooks = Hooks::start(empty);
    let auth = format!("Bearer {TELNYX_KEY}");
    let action = |pid: &str, what: &str| {
        emulate
            .send(
                "POST",
                &format!("/v2/calls/{pid}/actions/{what}"),
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                b"{}",
            )
            .expect("an answer")
    };
    let answered = ring(&emulate, "telnyx", &hooks, "+15557654321");
    assert_eq!(
        emulate.call(&answered)["state"],
        "ringing",
        "an empty reply decides nothing"
    );
    assert_eq!(action(&answered, "answer").status, 200);
    assert_eq!(emulate.call(&answered)["owned"], true);
    let twice = action(&answered, "answer");
    assert_eq!(twice.status, 422);
    let rejected = ring(&emulate, "telnyx", &hooks, "+15557654322");
    assert_eq!(action(&rejected, "reject").status, 200);
    let call = emulate.call(&rejected);
    assert_eq!(call["rejected"], true);
    assert_eq!(call["state"], "ended");
    assert_eq!(action(&answered, "hangup").status, 200);
    assert_eq!(emulate.call(&answered)["ended_by"], "gateway");
}

#[test]
fn inbound_without_a_webhook_or_for_an_unserved_provider_is_refused() {
    let emulate = Emulate::start(&["--clock", "manual", "--provider", "twilio"]);
    let (status, _) = emulate.post(
        "/_callproof/inbound",
        json!({"provider": "twilio", "to": "+1555"}),
    );
    assert_eq!(status, 409);
    let (status, _) = emulate.post(
        "/_callproof/inbound",
        json!({"provider": "plivo", "to": "+1555"}),
    );
    assert_eq!(status, 400);
}

#[test]
fn the_webhook_flag_and_the_url_map_send_inbound_callbacks_to_the_local_receiver() {
    let hooks = Hooks::start(twiml_say);
    let map = format!("https://gateway.example.com={}", hooks.base);
    let emulate = Emulate::start(&[
        "--clock",
        "manual",
        "--webhook",
        "twilio=https://gateway.example.com/voice",
        "--map-url",
        &map,
    ]);
    let (status, body) = emulate.post(
        "/_callproof/inbound",
        json!({"provider": "twilio", "from": "+15557654321", "to": "+15550001111"}),
    );
    assert_eq!(status, 200);
    emulate.advance(0);
    let delivery = &emulate.webhooks()[0];
    assert_eq!(delivery["url"], "https://gateway.example.com/voice");
    assert_eq!(delivery["sent_to"], format!("{}/voice", hooks.base));
    assert_eq!(hooks.received()[0].path, "/voice");
    assert_eq!(
        emulate.call(body["provider_call_id"].as_str().unwrap_or(""))["owned"],
        true
    );
}
