//! `callproof gateway` as a real process against `callproof emulate` over
//! loopback TCP: a call placed through the control API, the gateway
//! SIGKILLed, the call ended at the provider while it was down, a restart
//! on the same store. OpenClaw #6721 is the gateway that then refuses every
//! call ("maximum concurrent calls reached") for a call that ended long ago.

mod process_support;

use process_support::{wait_for, Emulator, GatewaySetup};
use serde_json::{json, Value};

/// The callee answers after 200 ms and stays on the line.
fn callees_answer_and_stay(emulator: &Emulator) {
    let behaviour = json!({"number": null, "behaviour": {"kind": "answer", "after_ms": 200, "hangup_after_ms": null}});
    let (status, body) = emulator.call("POST", "/callees", Some(&behaviour));
    assert_eq!(status, 200, "{body}");
}

/// The emulator's record of the call the gateway knows as `call_id`.
fn provider_call(emulator: &Emulator, call_id: &str) -> Option<Value> {
    let (_, body) = emulator.call("GET", "/calls", None);
    body["calls"]
        .as_array()?
        .iter()
        .find(|c| c["call_id"] == call_id)
        .cloned()
}

fn place(gw: &GatewaySetup, to: &str) -> (u16, Value) {
    gw.call(
        "POST",
        "/calls",
        Some(&json!({"to": to, "message": "Hello"})),
    )
}

#[test]
fn a_call_that_ended_while_the_gateway_was_down_frees_its_slot_on_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let emulator = Emulator::start();
    callees_answer_and_stay(&emulator);
    let gw = GatewaySetup::new(dir.path());
    let first = gw.start(&emulator, 1);
    gw.wait_ready();

    let (status, body) = place(&gw, "+15552000001");
    assert_eq!(status, 200, "{body}");
    let call_id = body["callId"].as_str().expect("a call id").to_owned();
    wait_for("the provider to answer the call", || {
        provider_call(&emulator, &call_id).is_some_and(|c| c["state"] == "answered")
    });
    let (status, body) = place(&gw, "+15552000002");
    assert_eq!(status, 409, "one slot, taken: {body}");
    assert_eq!(body["kind"], "capacity");
    assert!(body["error"]
        .as_str()
        .is_some_and(|e| e.contains("capacity reached")));

    drop(first); // SIGKILL
    let pid = provider_call(&emulator, &call_id).expect("the provider has the call")
        ["provider_call_id"]
        .as_str()
        .expect("a provider id")
        .to_owned();
    let (_, before) = emulator.call("GET", "/requests", None);
    let seen = before["requests"].as_array().map_or(0, Vec::len);
    let (status, body) = emulator.call("POST", &format!("/calls/{pid}/end"), None);
    assert_eq!(status, 200, "{body}");

    let _second = gw.start(&emulator, 1);
    gw.wait_ready();
    let (_, after) = emulator.call("GET", "/requests", None);
    let asked = after["requests"].as_array().is_some_and(|requests| {
        requests[seen..]
            .iter()
            .any(|r| r["operation"] == "status" && r["provider_call_id"] == pid.as_str())
    });
    assert!(
        asked,
        "the restart never asked the provider about {pid}: {after}"
    );

    let (status, body) = gw.call("GET", "/calls", None);
    assert_eq!(status, 200);
    assert_eq!(body["calls"], json!([]), "the ended call is not live");
    let (status, body) = place(&gw, "+15552000003");
    assert_eq!(status, 200, "the next call gets through: {body}");
}

#[test]
fn the_log_never_shows_a_full_phone_number() {
    let dir = tempfile::tempdir().expect("temp dir");
    let emulator = Emulator::start();
    callees_answer_and_stay(&emulator);
    let gw = GatewaySetup::new(dir.path());
    let _gateway = gw.start(&emulator, 2);
    gw.wait_ready();
    let (status, body) = place(&gw, "+15557654321");
    assert_eq!(status, 200, "{body}");
    let call_id = body["callId"].as_str().expect("a call id").to_owned();
    wait_for("the call to be answered", || {
        provider_call(&emulator, &call_id).is_some_and(|c| c["state"] == "answered")
    });
    let (status, _) = gw.call("POST", &format!("/calls/{call_id}/end"), None);
    assert_eq!(status, 200);
    let (status, _) = place(&gw, "12345");
    assert_eq!(status, 400, "a malformed number is refused");
    let log = gw.log_text();
    assert!(log.contains("call event"), "the log has call events: {log}");
    for number in ["5557654321", "5550001111", "12345"] {
        assert!(!log.contains(number), "{number} appears in the log:\n{log}");
    }
}

#[test]
fn sigterm_drains_and_exits_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let emulator = Emulator::start();
    let gw = GatewaySetup::new(dir.path());
    let mut gateway = gw.start(&emulator, 1);
    gw.wait_ready();
    let pid = gateway.0.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = gateway.0.wait().expect("the gateway exits");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn bad_control_requests_get_typed_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let emulator = Emulator::start();
    let gw = GatewaySetup::new(dir.path());
    let _gateway = gw.start(&emulator, 1);
    gw.wait_ready();
    let cases: [(&str, &str, Option<Value>, u16, &str); 5] = [
        ("POST", "/calls", Some(json!({"too": 1})), 400, "invalid"),
        (
            "POST",
            "/calls",
            Some(json!({"to": "+15552000001", "mode": "shout"})),
            400,
            "invalid",
        ),
        ("POST", "/calls/nope/end", None, 404, "not_found"),
        ("DELETE", "/calls", None, 405, "invalid"),
        ("GET", "/nowhere", None, 404, "not_found"),
    ];
    for (method, path, body, code, kind) in cases {
        let (status, answer) = gw.call(method, path, body.as_ref());
        assert_eq!(
            (status, answer["kind"].as_str()),
            (code, Some(kind)),
            "{method} {path}: {answer}"
        );
    }
    let huge = json!({"to": "+15552000001", "message": "x".repeat(300 * 1024)});
    let (status, _) = gw.call("POST", "/calls", Some(&huge));
    assert_eq!(status, 413, "an oversized body is refused");
    let (status, body) = gw.call("GET", "/health", None);
    assert_eq!(
        (status, body["ready"].as_bool()),
        (200, Some(true)),
        "still serving"
    );
}
