//! With a manual clock one script gives the same ids, states and callbacks
//! every time: across a reset and across two processes.

use super::harness::{ok_empty, Emulate, Hooks};
use serde_json::{json, Value};

/// What one run left: the ground truth's calls, the webhook journal, and
/// each callback's signature and body as the receiver got them.
type Run = (Vec<Value>, Vec<Value>, Vec<(String, Vec<u8>)>);

/// Create, advance past ringing and answer, the callee hangs up; returns
/// what the ground truth and the receiver saw.
fn script(emulate: &Emulate, hooks: &Hooks) -> Run {
    emulate.post(
        "/_callproof/callees",
        json!({"number": null, "behaviour": {"kind": "answer", "after_ms": 4_000, "hangup_after_ms": 30_000}}),
    );
    let start = hooks.received().len();
    for n in 0..3 {
        let to = format!("+1555000010{n}");
        let url = format!("{}/status?callId=replay-{n}", hooks.base);
        assert_eq!(
            emulate.twilio_create(&to, &url).expect("created").status,
            201
        );
    }
    emulate.advance(5_000);
    let states: Vec<Value> = emulate.calls().iter().map(|c| c["state"].clone()).collect();
    assert_eq!(
        states,
        vec![json!("answered"); 3],
        "past ringing and answer"
    );
    emulate.advance(60_000);
    let calls = emulate.calls();
    let webhooks: Vec<Value> = emulate
        .webhooks()
        .into_iter()
        .map(|mut w| {
            // Where it was sent changes with the receiver's port, nothing else.
            w["url"] = Value::Null;
            w["sent_to"] = Value::Null;
            w
        })
        .collect();
    let bodies = hooks.received()[start..]
        .iter()
        .map(|r| {
            let signature = r
                .headers
                .iter()
                .find(|(k, _)| k == "x-twilio-signature")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let body = String::from_utf8_lossy(&r.body).replace(&hooks.base, "");
            (signature, body.into_bytes())
        })
        .collect();
    (calls, webhooks, bodies)
}

#[test]
fn one_script_gives_the_same_ids_states_and_callbacks_after_a_reset() {
    let emulate = Emulate::start(&["--clock", "manual", "--seed", "42"]);
    let hooks = Hooks::start(ok_empty);
    let (calls, webhooks, bodies) = script(&emulate, &hooks);
    assert_eq!(calls.len(), 3);
    assert!(
        calls.iter().all(|c| c["end_reason"] == "hangup-user"),
        "{calls:?}"
    );
    // One answered call in eight also gets a status word Twilio might add
    // later ("unrecognised"): the seed decides which, the same way twice.
    let lifecycle = webhooks
        .iter()
        .filter(|w| w["kind"] != "unrecognised")
        .count();
    assert_eq!(
        lifecycle, 12,
        "initiated, ringing, answered, ended for each call"
    );
    emulate.post("/_callproof/reset", json!({}));
    let again = script(&emulate, &hooks);
    assert_eq!(again.0, calls);
    assert_eq!(again.1, webhooks);
    assert_eq!(
        again.2.iter().map(|b| &b.1).collect::<Vec<_>>(),
        bodies.iter().map(|b| &b.1).collect::<Vec<_>>()
    );
}

#[test]
fn two_processes_with_one_seed_give_the_same_run() {
    let hooks = Hooks::start(ok_empty);
    let first = Emulate::start(&["--clock", "manual", "--seed", "9"]);
    let a = script(&first, &hooks);
    drop(first);
    let second = Emulate::start(&["--clock", "manual", "--seed", "9"]);
    let b = script(&second, &hooks);
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2, "the same callbacks, signed alike");
}
