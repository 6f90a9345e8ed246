//! The control API's read side and knobs, one route at a time.

use super::harness::{ok_empty, Emulate, Hooks};
use serde_json::json;

fn manual() -> Emulate {
    Emulate::start(&["--clock", "manual"])
}

fn created_sid(emulate: &Emulate, to: &str, hooks: &Hooks) -> String {
    let answer = emulate
        .twilio_create(to, &format!("{}/status?callId=c-1", hooks.base))
        .expect("an answer");
    assert_eq!(
        answer.status,
        201,
        "{:?}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()["sid"].as_str().expect("a sid").to_owned()
}

#[test]
fn the_first_line_names_the_bound_port_and_the_banner_gives_every_credential() {
    let emulate = Emulate::start(&[]);
    assert!(emulate.addr.starts_with("127.0.0.1:") && !emulate.addr.ends_with(":0"));
    let banner = emulate.banner.join("\n");
    for needle in [
        "TWILIO_ACCOUNT_SID=AC",
        "TWILIO_AUTH_TOKEN=",
        "PLIVO_AUTH_ID=MA",
        "PLIVO_AUTH_TOKEN=",
        "TELNYX_API_KEY=KEY",
        "TELNYX_PUBLIC_KEY=",
        "TELNYX_CONNECTION_ID=",
    ] {
        assert!(banner.contains(needle), "banner lacks {needle}: {banner}");
    }
}

#[test]
fn health_names_the_providers_served_and_the_clock() {
    let emulate = Emulate::start(&["--provider", "plivo", "--clock", "manual"]);
    let (status, body) = emulate.get("/_callproof/health");
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true);
    assert_eq!(body["providers"], json!(["plivo"]));
    assert_eq!(body["clock"], "manual");
    assert_eq!(body["now_ms"], 1_700_000_000_000u64);
}

#[test]
fn a_created_call_shows_in_calls_with_its_timeline_and_the_provider_filter_applies() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let sid = created_sid(&emulate, "+15551230001", &hooks);
    let call = emulate.call(&sid);
    assert_eq!(call["provider"], "twilio");
    assert_eq!(call["call_id"], "c-1");
    assert_eq!(call["direction"], "outbound");
    assert_eq!(call["state"], "queued");
    assert_eq!(call["timeline"][0]["event"], "created");
    let (_, plivo_only) = emulate.get("/_callproof/calls?provider=plivo");
    assert_eq!(plivo_only["calls"], json!([]));
    let (_, twilio_only) = emulate.get("/_callproof/calls?provider=twilio");
    assert_eq!(twilio_only["calls"].as_array().map(Vec::len), Some(1));
}

#[test]
fn the_request_journal_records_each_request_and_its_answer_after_since() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let sid = created_sid(&emulate, "+15551230001", &hooks);
    let unknown = emulate
        .twilio_hangup("CA00000000000000000000000000000000")
        .expect("answer");
    assert_eq!(unknown.status, 404);
    let requests = emulate.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["operation"], "create");
    assert_eq!(requests[0]["status"], 201);
    assert_eq!(requests[0]["applied"], true);
    assert_eq!(requests[0]["provider_call_id"], sid.as_str());
    assert!(requests[0]["request_body"]
        .as_str()
        .is_some_and(|b| b.contains("To=")));
    assert_eq!(requests[1]["operation"], "hangup");
    assert_eq!(requests[1]["applied"], false);
    let (_, later) = emulate.get(&format!(
        "/_callproof/requests?since={}",
        requests[0]["seq"]
    ));
    assert_eq!(later["requests"].as_array().map(Vec::len), Some(1));
    let (status, _) = emulate.get("/_callproof/requests?since=soon");
    assert_eq!(status, 400);
}

#[test]
fn the_webhook_journal_records_every_attempt_with_where_it_went() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let sid = created_sid(&emulate, "+15551230001", &hooks);
    emulate.advance(0);
    let webhooks = emulate.webhooks();
    assert_eq!(webhooks.len(), 1);
    assert_eq!(webhooks[0]["provider_call_id"], sid.as_str());
    assert_eq!(webhooks[0]["kind"], "initiated");
    assert_eq!(webhooks[0]["outcome"], "delivered");
    assert_eq!(webhooks[0]["status"], 200);
    assert_eq!(webhooks[0]["attempt"], 1);
    assert_eq!(hooks.received().len(), 1);
    let (_, none_after) = emulate.get(&format!(
        "/_callproof/webhooks?since={}",
        webhooks[0]["seq"]
    ));
    assert_eq!(none_after["webhooks"], json!([]));
}

#[test]
fn reset_forgets_calls_journals_and_rules_and_a_new_seed_changes_ids() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let first = created_sid(&emulate, "+15551230001", &hooks);
    emulate.post(
        "/_callproof/faults",
        json!({"action": {"kind": "drop"}, "operation": "status"}),
    );
    let (status, _) = emulate.post("/_callproof/reset", json!({}));
    assert_eq!(status, 200);
    assert_eq!(emulate.calls(), Vec::<serde_json::Value>::new());
    assert!(emulate.requests().is_empty());
    let (_, faults) = emulate.get("/_callproof/faults");
    assert_eq!(faults["faults"], json!([]));
    let again = created_sid(&emulate, "+15551230001", &hooks);
    assert_eq!(
        again, first,
        "the same seed gives the same ids after a reset"
    );
    emulate.post("/_callproof/reset", json!({"seed": 7}));
    let other = created_sid(&emulate, "+15551230001", &hooks);
    assert_ne!(other, first, "another seed gives other ids");
}

#[test]
fn a_scripted_busy_number_ends_busy_and_the_default_script_covers_the_rest() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let (status, _) = emulate.post(
        "/_callproof/callees",
        json!({"number": "+15550000002", "behaviour": {"kind": "busy"}}),
    );
    assert_eq!(status, 200);
    emulate.post(
        "/_callproof/callees",
        json!({"number": null, "behaviour": {"kind": "answer", "after_ms": 3000, "hangup_after_ms": 5000}}),
    );
    let busy = created_sid(&emulate, "+15550000002", &hooks);
    let answers = created_sid(&emulate, "+15550000003", &hooks);
    emulate.advance(4_000);
    assert_eq!(emulate.call(&busy)["end_reason"], "busy");
    assert_eq!(emulate.call(&answers)["state"], "answered");
    emulate.advance(5_000);
    let ended = emulate.call(&answers);
    assert_eq!(ended["end_reason"], "hangup-user");
    assert_eq!(ended["ended_by"], "callee");
    let (status, _) = emulate.post(
        "/_callproof/callees",
        json!({"number": "+1", "behaviour": {"kind": "sings"}}),
    );
    assert_eq!(status, 400);
}

#[test]
fn no_answer_carrier_failure_and_voicemail_end_as_they_say() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    for (number, kind) in [
        ("+15550000004", "no_answer"),
        ("+15550000005", "carrier_failure"),
        ("+15550000006", "voicemail"),
    ] {
        emulate.post(
            "/_callproof/callees",
            json!({"number": number, "behaviour": {"kind": kind}}),
        );
    }
    let silent = created_sid(&emulate, "+15550000004", &hooks);
    let failing = created_sid(&emulate, "+15550000005", &hooks);
    let machine = created_sid(&emulate, "+15550000006", &hooks);
    emulate.advance(120_000);
    assert_eq!(emulate.call(&silent)["end_reason"], "no-answer");
    assert_eq!(emulate.call(&failing)["end_reason"], "failed");
    let voicemail = emulate.call(&machine);
    assert_eq!(voicemail["end_reason"], "voicemail");
    assert!(
        voicemail["answered_at_ms"].is_u64(),
        "a machine answers: {voicemail}"
    );
    let timeline = voicemail["timeline"].to_string();
    assert!(timeline.contains("answered by a machine"), "{timeline}");
}

#[test]
fn ending_a_call_through_control_hangs_up_the_far_end_once() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let sid = created_sid(&emulate, "+15551230001", &hooks);
    let (status, _) = emulate.post(&format!("/_callproof/calls/{sid}/end"), json!({}));
    assert_eq!(status, 200);
    let call = emulate.call(&sid);
    assert_eq!(call["state"], "ended");
    assert_eq!(call["ended_by"], "control");
    let (again, _) = emulate.post(&format!("/_callproof/calls/{sid}/end"), json!({}));
    assert_eq!(again, 409);
    let (unknown, _) = emulate.post("/_callproof/calls/CAnope/end", json!({}));
    assert_eq!(unknown, 404);
    emulate.advance(0);
    let kinds: Vec<_> = emulate
        .webhooks()
        .iter()
        .map(|w| w["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("initiated"), json!("ended")]);
}

#[test]
fn the_clock_advances_only_when_manual() {
    let manual = manual();
    assert_eq!(manual.advance(1_500), 1_700_000_001_500);
    let real = Emulate::start(&[]);
    let (status, _) = real.post("/_callproof/clock/advance", json!({"ms": 10}));
    assert_eq!(status, 409);
    let (bad, _) = manual.post("/_callproof/clock/advance", json!({"ms": -1}));
    assert_eq!(bad, 400);
}

#[test]
fn unknown_control_routes_and_methods_are_refused_in_json() {
    let emulate = manual();
    let (status, body) = emulate.get("/_callproof/nothing");
    assert_eq!(status, 404);
    assert!(body["error"].is_string());
    let (status, _) = emulate.delete("/_callproof/calls");
    assert_eq!(status, 405);
    let (status, _) = emulate.get("/somewhere/else");
    assert_eq!(status, 404);
}
