//! REST and callback fault rules over real TCP: what the client sees and
//! what the ground truth says.

use super::harness::{ok_empty, Emulate, Hooks};
use serde_json::json;
use std::time::Instant;

fn manual() -> Emulate {
    Emulate::start(&["--clock", "manual"])
}

#[test]
fn reply_lost_leaves_the_call_live_at_the_provider_while_the_client_saw_a_failure() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let (status, rule) = emulate.post(
        "/_callproof/faults",
        json!({"provider": "twilio", "operation": "create", "action": {"kind": "reply_lost"}, "count": 1}),
    );
    assert_eq!(status, 200);
    assert!(rule["id"].is_u64());
    let client = emulate.twilio_create("+15551230001", &format!("{}/s", hooks.base));
    assert!(client.is_err(), "the client must see no answer: {client:?}");
    let calls = emulate.calls();
    assert_eq!(calls.len(), 1, "the create was applied");
    assert_eq!(calls[0]["state"], "queued");
    let journal = emulate.requests();
    assert_eq!(journal[0]["fault"], "reply_lost");
    assert_eq!(journal[0]["applied"], true);
    assert_eq!(journal[0]["status"], 0);
    let next = emulate.twilio_create("+15551230001", &format!("{}/s", hooks.base));
    assert_eq!(next.expect("the rule was for one request").status, 201);
}

#[test]
fn a_lost_hangup_reply_still_ends_the_call() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let sid = emulate
        .twilio_create("+15551230001", &format!("{}/s", hooks.base))
        .expect("created")
        .json()["sid"]
        .as_str()
        .expect("sid")
        .to_owned();
    emulate.post(
        "/_callproof/faults",
        json!({"operation": "hangup", "action": {"kind": "reply_lost"}}),
    );
    assert!(emulate.twilio_hangup(&sid).is_err());
    assert_eq!(emulate.call(&sid)["state"], "ended");
    assert_eq!(emulate.call(&sid)["ended_by"], "gateway");
}

#[test]
fn drop_resets_before_the_request_is_applied() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    emulate.post("/_callproof/faults", json!({"action": {"kind": "drop"}}));
    assert!(emulate
        .twilio_create("+15551230001", &format!("{}/s", hooks.base))
        .is_err());
    assert!(
        emulate.calls().is_empty(),
        "a dropped create places no call"
    );
    assert_eq!(emulate.requests()[0]["fault"], "drop");
    assert_eq!(emulate.requests()[0]["applied"], false);
}

#[test]
fn a_status_rule_answers_the_providers_error_for_the_next_n_requests() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    emulate.post(
        "/_callproof/faults",
        json!({"action": {"kind": "status", "code": 503}, "count": 2}),
    );
    let url = format!("{}/s", hooks.base);
    for _ in 0..2 {
        let answer = emulate
            .twilio_create("+15551230001", &url)
            .expect("an answer");
        assert_eq!(answer.status, 503);
        assert!(answer.json()["code"].is_u64(), "Twilio's error body");
    }
    assert_eq!(
        emulate
            .twilio_create("+15551230001", &url)
            .expect("answer")
            .status,
        201
    );
    let (refused, _) = emulate.post(
        "/_callproof/faults",
        json!({"action": {"kind": "status", "code": 404}}),
    );
    assert_eq!(refused, 400, "only 429 and 5xx are faults");
}

#[test]
fn latency_delays_the_answer_and_rules_are_listed_and_removed() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let (_, rule) = emulate.post(
        "/_callproof/faults",
        json!({"action": {"kind": "latency", "ms": 300}}),
    );
    let (_, listed) = emulate.get("/_callproof/faults");
    assert_eq!(listed["faults"][0]["id"], rule["id"]);
    let start = Instant::now();
    let answer = emulate.twilio_create("+15551230001", &format!("{}/s", hooks.base));
    assert_eq!(answer.expect("an answer").status, 201);
    assert!(start.elapsed().as_millis() >= 300);
    let (status, _) = emulate.delete(&format!("/_callproof/faults/{}", rule["id"]));
    assert_eq!(status, 200);
    let (_, listed) = emulate.get("/_callproof/faults");
    assert_eq!(listed["faults"], json!([]));
    let (missing, _) = emulate.delete("/_callproof/faults/99");
    assert_eq!(missing, 404);
    assert_eq!(emulate.delete("/_callproof/faults").0, 200);
}

#[test]
fn an_outage_refuses_every_request_until_it_ends() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let url = format!("{}/s", hooks.base);
    let (status, _) = emulate.post("/_callproof/outage", json!({"ms": 10_000}));
    assert_eq!(status, 200);
    let refused = emulate
        .twilio_create("+15551230001", &url)
        .expect("an answer");
    assert_eq!(refused.status, 500);
    assert_eq!(emulate.requests()[0]["fault"], "outage");
    emulate.advance(10_000);
    assert_eq!(
        emulate
            .twilio_create("+15551230001", &url)
            .expect("answer")
            .status,
        201
    );
}

#[test]
fn webhook_rules_drop_duplicate_and_delay_callbacks() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let url = format!("{}/s", hooks.base);
    let rings = json!({"number": null, "behaviour": {"kind": "answer", "after_ms": 50_000}});
    emulate.post("/_callproof/callees", rings);
    let (_, drop) = emulate.post(
        "/_callproof/webhook-faults",
        json!({"action": "drop", "count": 1}),
    );
    emulate
        .twilio_create("+15551230001", &url)
        .expect("created");
    emulate.advance(0);
    assert_eq!(emulate.webhooks()[0]["outcome"], "dropped");
    assert!(hooks.received().is_empty());
    let (_, listed) = emulate.get("/_callproof/webhook-faults");
    assert_eq!(
        listed["webhook_faults"],
        json!([]),
        "a rule for one callback is used up: {drop}"
    );

    emulate.post(
        "/_callproof/webhook-faults",
        json!({"action": "duplicate", "count": 1}),
    );
    emulate.advance(200);
    let ringing: Vec<_> = hooks
        .received()
        .into_iter()
        .filter(|r| r.field("CallStatus").as_deref() == Some("ringing"))
        .collect();
    assert_eq!(ringing.len(), 2, "the ringing callback arrives twice");

    let (_, delay) = emulate.post(
        "/_callproof/webhook-faults",
        json!({"action": "delay", "delay_ms": 5_000}),
    );
    let pid = emulate.calls()[0]["provider_call_id"].clone();
    let (ended, _) = emulate.post(
        &format!("/_callproof/calls/{}/end", pid.as_str().unwrap_or("")),
        json!({}),
    );
    assert_eq!(ended, 200);
    emulate.advance(4_000);
    let before = hooks.received().len();
    emulate.advance(1_000);
    assert_eq!(
        hooks.received().len(),
        before + 1,
        "the end callback came 5 s late"
    );
    assert_eq!(
        emulate
            .delete(&format!("/_callproof/webhook-faults/{}", delay["id"]))
            .0,
        200
    );
    assert_eq!(emulate.delete("/_callproof/webhook-faults").0, 200);
}

#[test]
fn redeliver_sends_the_recent_callbacks_again() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    emulate.post(
        "/_callproof/callees",
        json!({"behaviour": {"kind": "no_answer"}}),
    );
    emulate
        .twilio_create("+15551230001", &format!("{}/s", hooks.base))
        .expect("created");
    emulate.advance(300);
    let before = hooks.received().len();
    let (status, _) = emulate.post(
        "/_callproof/redeliver",
        json!({"provider": "twilio", "window_ms": 60_000}),
    );
    assert_eq!(status, 200);
    emulate.advance(5_000);
    let after = hooks.received();
    assert_eq!(after.len(), before * 2, "every callback came again");
    assert!(emulate.webhooks().iter().any(|w| w["duplicate"] == true));
    let (unknown, _) = emulate.post(
        "/_callproof/redeliver",
        json!({"provider": "nope", "window_ms": 1}),
    );
    assert_eq!(unknown, 400);
}

#[test]
fn reply_cut_applies_the_create_then_stays_silent_before_resetting() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    let (status, _) = emulate.post(
        "/_callproof/faults",
        json!({"operation": "create", "action": {"kind": "reply_cut", "ms": 600}, "count": 1}),
    );
    assert_eq!(status, 200);
    let start = Instant::now();
    let client = emulate.twilio_create("+15551230001", &format!("{}/s", hooks.base));
    assert!(client.is_err(), "the client must see no answer: {client:?}");
    assert!(
        start.elapsed().as_millis() >= 600,
        "the reset comes only after the silence"
    );
    let calls = emulate.calls();
    assert_eq!(calls.len(), 1, "the create was applied");
    let journal = emulate.requests();
    assert_eq!(journal[0]["fault"], "reply_cut:600");
    assert_eq!(journal[0]["applied"], true);
    assert_eq!(journal[0]["status"], 0);
    let (refused, _) = emulate.post(
        "/_callproof/faults",
        json!({"action": {"kind": "reply_cut", "ms": 400_000_000_000u64}}),
    );
    assert_eq!(refused, 400, "a silence past a year is refused");
}

#[test]
fn a_late_reply_comes_after_the_provider_has_already_placed_the_call() {
    let emulate = manual();
    let hooks = Hooks::start(ok_empty);
    emulate.post(
        "/_callproof/faults",
        json!({"operation": "create", "action": {"kind": "latency", "ms": 1_500}, "count": 1}),
    );
    let url = format!("{}/s", hooks.base);
    std::thread::scope(|scope| {
        let waiting = scope.spawn(|| emulate.twilio_create("+15551230001", &url));
        let start = Instant::now();
        while emulate.calls().is_empty() && start.elapsed().as_millis() < 1_200 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(
            emulate.calls().len(),
            1,
            "the call exists while its reply is still on its way"
        );
        assert!(!waiting.is_finished(), "the reply is not out yet");
        let answer = waiting.join().expect("the client thread");
        assert_eq!(answer.expect("a late answer").status, 201);
    });
    assert_eq!(emulate.requests()[0]["fault"], "latency:1500");
}
