//! Bad input gets the provider's own error: credentials, unknown and ended
//! calls, missing parameters, oversized bodies.

use super::harness::{
    basic, Emulate, PLIVO_ID, PLIVO_TOKEN, TELNYX_CONNECTION, TELNYX_KEY, TWILIO_SID, TWILIO_TOKEN,
};

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");
const JSON: (&str, &str) = ("content-type", "application/json");

#[test]
fn wrong_credentials_get_each_providers_401_body() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let twilio = emulate
        .send(
            "GET",
            &format!("/2010-04-01/Accounts/{TWILIO_SID}/Calls/CA1.json"),
            &[("authorization", &basic(TWILIO_SID, "wrong"))],
            b"",
        )
        .expect("an answer");
    assert_eq!(twilio.status, 401);
    assert_eq!(twilio.json()["code"], 20003);
    let plivo = emulate
        .send(
            "POST",
            &format!("/v1/Account/{PLIVO_ID}/Call/"),
            &[("authorization", &basic(PLIVO_ID, "wrong")), JSON],
            b"{}",
        )
        .expect("an answer");
    assert_eq!(plivo.status, 401);
    assert!(plivo.json()["error"].is_string());
    let telnyx = emulate
        .send(
            "POST",
            "/v2/calls",
            &[("authorization", "Bearer nope"), JSON],
            b"{}",
        )
        .expect("an answer");
    assert_eq!(telnyx.status, 401);
    assert_eq!(telnyx.json()["errors"][0]["code"], "10009");
}

#[test]
fn twilio_names_the_missing_parameter_and_the_unknown_call() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let auth = basic(TWILIO_SID, TWILIO_TOKEN);
    let create = |body: &str| {
        emulate
            .send(
                "POST",
                &format!("/2010-04-01/Accounts/{TWILIO_SID}/Calls.json"),
                &[("authorization", &auth), FORM],
                body.as_bytes(),
            )
            .expect("an answer")
    };
    let no_to = create("From=%2B15550001111&Url=http%3A%2F%2Fx");
    assert_eq!(
        (no_to.status, no_to.json()["code"].clone()),
        (400, 21201.into())
    );
    let no_logic = create("To=%2B15550001112&From=%2B15550001111");
    assert_eq!(no_logic.json()["code"], 21205);
    let unknown = emulate
        .twilio_hangup("CA0123456789abcdef0123456789abcdef")
        .expect("answer");
    assert_eq!(
        (unknown.status, unknown.json()["code"].clone()),
        (404, 20404.into())
    );
}

#[test]
fn plivo_refuses_a_create_without_its_urls_with_a_400() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let answer = emulate
        .send(
            "POST",
            &format!("/v1/Account/{PLIVO_ID}/Call/"),
            &[("authorization", &basic(PLIVO_ID, PLIVO_TOKEN)), JSON],
            br#"{"from":"+15550001111","to":"+15550001112"}"#,
        )
        .expect("an answer");
    assert_eq!(answer.status, 400);
    assert!(answer.json()["error"]
        .as_str()
        .is_some_and(|e| e.contains("answer_url")));
    let malformed = emulate
        .send(
            "POST",
            &format!("/v1/Account/{PLIVO_ID}/Call/"),
            &[("authorization", &basic(PLIVO_ID, PLIVO_TOKEN)), JSON],
            b"{not json",
        )
        .expect("an answer");
    assert_eq!(malformed.status, 400);
}

#[test]
fn telnyx_answers_404_for_no_route_and_422_90018_for_an_ended_call() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let auth = format!("Bearer {TELNYX_KEY}");
    let headers = [("authorization", auth.as_str()), JSON];
    let route = emulate
        .send("GET", "/v2/calls/x/nothing", &headers, b"")
        .expect("answer");
    assert_eq!(route.status, 404);
    let dial = format!(
        r#"{{"connection_id":"{TELNYX_CONNECTION}","to":"+15550001112","from":"+15550001111","webhook_url":"http://127.0.0.1:9/hook"}}"#
    );
    let created = emulate
        .send("POST", "/v2/calls", &headers, dial.as_bytes())
        .expect("answer");
    assert_eq!(created.status, 200);
    let id = created.json()["data"]["call_control_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let hangup = format!("/v2/calls/{id}/actions/hangup");
    assert_eq!(
        emulate
            .send("POST", &hangup, &headers, b"{}")
            .expect("answer")
            .status,
        200
    );
    let again = emulate
        .send("POST", &hangup, &headers, b"{}")
        .expect("answer");
    assert_eq!(again.status, 422);
    assert_eq!(again.json()["errors"][0]["code"], "90018");
    let missing = emulate
        .send("POST", "/v2/calls", &headers, b"{}")
        .expect("answer");
    assert_eq!(missing.status, 422);
}

#[test]
fn an_oversized_body_is_answered_413_and_the_server_keeps_serving() {
    let emulate = Emulate::start(&["--clock", "manual"]);
    let big = vec![b'a'; 300 * 1024];
    let answer = emulate
        .send("POST", "/v2/calls", &[JSON], &big)
        .expect("an answer");
    assert_eq!(answer.status, 413);
    assert_eq!(emulate.get("/_callproof/health").0, 200);
}
