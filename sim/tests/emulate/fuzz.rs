//! Arbitrary bytes and arbitrary requests at every route, REST and control,
//! over real TCP: the server never panics (the process stays up) and keeps
//! answering.

use super::harness::{
    basic, raw_request, Emulate, PLIVO_ID, PLIVO_TOKEN, TELNYX_KEY, TWILIO_SID, TWILIO_TOKEN,
};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

const ROUTES: &[&str] = &[
    "/2010-04-01/Accounts/{sid}/Calls.json",
    "/2010-04-01/Accounts/{sid}/Calls/{id}.json",
    "/2010-04-01/Accounts/{id}/Calls/{id}",
    "/v1/Account/{plivo}/Call/",
    "/v1/Account/{plivo}/Call/{id}/",
    "/v1/Account/{plivo}/Call/{id}/?status=live",
    "/v1/Account/{plivo}/Call/{id}/?status=queued",
    "/v1/Account/{plivo}/Call/{id}/Speak/",
    "/v1/Account/{plivo}/Request/{id}/",
    "/v2/calls",
    "/v2/calls/{id}",
    "/v2/calls/{id}/actions/{id}",
    "/v2/calls/{id}/actions/answer",
    "/v2/calls/{id}/actions/hangup",
    "/_callproof/health",
    "/_callproof/calls?provider={id}",
    "/_callproof/requests?since={id}",
    "/_callproof/webhooks?since={id}",
    "/_callproof/callees",
    "/_callproof/calls/{id}/end",
    "/_callproof/inbound",
    "/_callproof/faults/{id}",
    "/_callproof/webhook-faults",
    "/_callproof/redeliver",
    "/_callproof/outage",
    "/_callproof/clock/advance",
    "/_callproof/{id}",
];

const METHODS: &[&str] = &["GET", "POST", "DELETE", "PUT", "PATCH"];

fn auths() -> Vec<String> {
    vec![
        basic(TWILIO_SID, TWILIO_TOKEN),
        basic(PLIVO_ID, PLIVO_TOKEN),
        format!("Bearer {TELNYX_KEY}"),
        "Basic !!!".to_owned(),
        String::new(),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        "[ -~]{0,200}".prop_map(String::into_bytes),
        Just(br#"{"ms":18446744073709551615}"#.to_vec()),
        Just(br#"{"provider":"twilio","from":"","to":"+1"}"#.to_vec()),
        Just(br#"{"action":{"kind":"latency","ms":0},"probability":0.5}"#.to_vec()),
        Just(
            br#"{"number":null,"behaviour":{"kind":"answer","after_ms":0,"hangup_after_ms":0}}"#
                .to_vec()
        ),
        Just(b"To=%ZZ&From=%2B1&Url=http%3A%2F%2F127.0.0.1%3A9".to_vec()),
        Just(
            br#"{"connection_id":"2398173125630617426","to":"+1","from":"+1","timeout_secs":-1}"#
                .to_vec()
        ),
    ]
}

fn path(template: &str, id: &str) -> String {
    let id: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '?' && c != '#' {
                c
            } else {
                '_'
            }
        })
        .collect();
    template
        .replace("{sid}", TWILIO_SID)
        .replace("{plivo}", PLIVO_ID)
        .replace("{id}", &id)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn request() -> impl Strategy<Value = (usize, usize, usize, String, &'static str, Vec<u8>)> {
    (
        0..ROUTES.len(),
        0..METHODS.len(),
        0..5usize,
        "\\PC{0,24}",
        prop_oneof![
            Just("application/json"),
            Just("application/x-www-form-urlencoded"),
            Just("text/plain")
        ],
        body(),
    )
}

fn healthy(emulate: &Emulate) -> bool {
    raw_request(&emulate.addr, "GET", "/_callproof/health", &[], b"").is_ok_and(|a| a.status == 200)
}

#[test]
fn arbitrary_requests_at_every_route_get_an_answer_and_never_stop_the_server() {
    let mut emulate = Emulate::start(&["--clock", "manual"]);
    let mut runner = TestRunner::new(config());
    let result = runner.run(
        &request(),
        |(route, method, auth, id, content_type, body)| {
            let auth = auths()[auth].clone();
            let mut headers = vec![("content-type", content_type)];
            if !auth.is_empty() {
                headers.push(("authorization", auth.as_str()));
            }
            let path = path(ROUTES[route], &id);
            let answer = raw_request(&emulate.addr, METHODS[method], &path, &headers, &body)
                .map_err(|e| TestCaseError::fail(format!("no answer to {path}: {e}")))?;
            prop_assert!((200..600).contains(&answer.status));
            prop_assert!(healthy(&emulate));
            Ok(())
        },
    );
    assert!(result.is_ok(), "{result:?}");
    assert!(emulate.alive());
}

#[test]
fn arbitrary_bytes_on_the_socket_never_stop_the_server() {
    let mut emulate = Emulate::start(&["--clock", "manual"]);
    let mut runner = TestRunner::new(config());
    let bytes = proptest::collection::vec(any::<u8>(), 0..2048);
    let result = runner.run(&bytes, |bytes| {
        if let Ok(mut stream) = TcpStream::connect(&emulate.addr) {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = stream.write_all(&bytes);
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let mut sink = Vec::new();
            let _ = stream.read_to_end(&mut sink);
        }
        prop_assert!(healthy(&emulate));
        Ok(())
    });
    assert!(result.is_ok(), "{result:?}");
    assert!(emulate.alive());
}
