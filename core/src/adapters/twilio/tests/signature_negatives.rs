//! What a forger, a proxy or a broken sender might try, each checked against a
//! request that does verify, so no refusal here can pass by accident.

use super::super::signature;
use super::{adapter_with_token, Request, TOKEN, WEBHOOK_URL};
use crate::webhook::{WebhookError, MAX_WEBHOOK_BODY};
use sha2::{Digest, Sha256};

fn url() -> String {
    format!("{WEBHOOK_URL}?callId=c-1")
}

const FIELDS: [(&str, &str); 3] = [
    ("CallSid", "CA0123456789abcdef0123456789abcdef"),
    ("CallStatus", "completed"),
    ("SequenceNumber", "3"),
];

fn genuine() -> Request {
    let request = Request::form(&url(), &FIELDS, None).signed_with(TOKEN);
    assert!(request.verify().is_ok(), "the baseline must verify");
    request
}

fn signature_of(request: &Request) -> String {
    request.headers[signature::HEADER]
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_request_signed_with_another_token_is_refused() {
    let forged = Request::form(&url(), &FIELDS, None).signed_with("54321");
    let _ = genuine();
    assert_eq!(forged.verify().unwrap_err(), WebhookError::BadSignature);
    assert!(forged.verify_with(&adapter_with_token("54321")).is_ok());
}

#[test]
fn an_altered_body_is_refused() {
    let mut request = genuine();
    request.body = replaced(&request.body, "CallStatus=completed", "CallStatus=busy");
    assert_eq!(request.verify().unwrap_err(), WebhookError::BadSignature);
}

#[test]
fn an_added_parameter_is_refused() {
    let mut request = genuine();
    request.body.extend_from_slice(b"&CallDuration=1");
    assert_eq!(request.verify().unwrap_err(), WebhookError::BadSignature);
}

#[test]
fn an_altered_url_is_refused() {
    let mut request = genuine();
    request.url = format!("{WEBHOOK_URL}?callId=c-2");
    assert_eq!(request.verify().unwrap_err(), WebhookError::BadSignature);
    request.url = "https://gw.example.com/voice/other?callId=c-1".to_owned();
    assert_eq!(request.verify().unwrap_err(), WebhookError::BadSignature);
}

#[test]
fn a_missing_signature_header_is_named_in_the_error() {
    let mut request = genuine();
    request.headers.remove(signature::HEADER);
    assert_eq!(
        request.verify().unwrap_err(),
        WebhookError::MissingHeader {
            name: "X-Twilio-Signature"
        }
    );
}

#[test]
fn a_truncated_or_empty_signature_is_refused() {
    let request = genuine();
    let full = signature_of(&request);
    for bad in [&full[..full.len() - 1], &full[..10], "", "="] {
        let mut forged = request.clone();
        forged
            .headers
            .insert(signature::HEADER, http::HeaderValue::from_str(bad).unwrap());
        assert_eq!(
            forged.verify().unwrap_err(),
            WebhookError::BadSignature,
            "{bad:?}"
        );
    }
}

#[test]
fn a_signature_with_trailing_bytes_is_refused() {
    let request = genuine();
    let mut forged = request.clone();
    let longer = format!("{}A", signature_of(&request));
    forged.headers.insert(
        signature::HEADER,
        http::HeaderValue::from_str(&longer).unwrap(),
    );
    assert_eq!(forged.verify().unwrap_err(), WebhookError::BadSignature);
}

#[test]
fn forwarding_headers_do_not_change_the_url_that_is_checked() {
    let mut request = genuine();
    request.headers.insert(
        "x-forwarded-host",
        http::HeaderValue::from_static("evil.example"),
    );
    request
        .headers
        .insert("x-forwarded-proto", http::HeaderValue::from_static("http"));
    assert!(request.verify().is_ok());
    // A signature made for the URL the forwarding headers describe fails.
    let mut as_forwarded = request.clone();
    as_forwarded.url = "http://evil.example/voice/webhook?callId=c-1".to_owned();
    let as_forwarded = as_forwarded.signed_with(TOKEN);
    let mut replayed = request;
    replayed.headers.insert(
        signature::HEADER,
        http::HeaderValue::from_str(&signature_of(&as_forwarded)).unwrap(),
    );
    assert_eq!(replayed.verify().unwrap_err(), WebhookError::BadSignature);
}

#[test]
fn an_explicit_port_is_never_swapped_for_the_default_one() {
    let on_port = "https://gw.example.com:8443/voice/webhook";
    let signed_443 =
        Request::form("https://gw.example.com:443/voice/webhook", &FIELDS, None).signed_with(TOKEN);
    let mut request = Request::form(on_port, &FIELDS, None);
    request.headers = signed_443.headers.clone();
    assert_eq!(request.verify().unwrap_err(), WebhookError::BadSignature);
    assert!(Request::form(on_port, &FIELDS, None)
        .signed_with(TOKEN)
        .verify()
        .is_ok());
}

#[test]
fn a_body_over_the_limit_is_refused_before_anything_is_computed() {
    let mut request = genuine();
    request.body = vec![b'a'; MAX_WEBHOOK_BODY + 1];
    request.headers.remove(signature::HEADER);
    assert_eq!(
        request.verify().unwrap_err(),
        WebhookError::BodyTooLarge {
            len: MAX_WEBHOOK_BODY + 1,
            limit: MAX_WEBHOOK_BODY
        }
    );
}

#[test]
fn a_body_exactly_at_the_limit_is_still_checked_and_accepted() {
    let padding = "x".repeat(MAX_WEBHOOK_BODY - "Pad=".len());
    let request = Request::form(&url(), &[("Pad", &padding)], None).signed_with(TOKEN);
    assert_eq!(request.body.len(), MAX_WEBHOOK_BODY);
    assert!(request.verify().is_ok());
}

#[test]
fn a_json_body_that_does_not_match_its_hash_is_refused_even_with_a_valid_url_signature() {
    let body = br#"{"CallStatus":"completed"}"#;
    let hash = signature::hex(&Sha256::digest(body));
    let url = format!("{WEBHOOK_URL}?bodySHA256={hash}");
    let sig = signature::compute(TOKEN, &url, &signature::Params::new());
    let good = Request::raw(&url, "application/json", body.to_vec(), Some(&sig));
    assert!(good.verify().is_ok());
    let mut altered = good;
    altered.body = br#"{"CallStatus":"busy"}"#.to_vec();
    assert_eq!(altered.verify().unwrap_err(), WebhookError::BadSignature);
}

#[test]
fn form_fields_that_are_not_utf8_are_malformed_not_guessed() {
    let mut request = genuine();
    request.body.extend_from_slice(b"&From=%FF");
    assert!(matches!(
        request.verify().unwrap_err(),
        WebhookError::Malformed { .. }
    ));
}

#[test]
fn an_empty_auth_token_is_a_configuration_error_not_a_pass() {
    let request = Request::form(&url(), &FIELDS, None).signed_with("");
    assert!(matches!(
        request.verify_with(&adapter_with_token("")).unwrap_err(),
        WebhookError::Config { .. }
    ));
}

fn replaced(body: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.contains(from));
    text.replace(from, to).into_bytes()
}
