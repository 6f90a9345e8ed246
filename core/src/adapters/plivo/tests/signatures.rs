//! Plivo's published signature vectors and the ways a signature must fail.

use super::{adapter, fixture, pairs, Recorded, TOKEN, WEBHOOK_URL};
use crate::adapters::plivo::{v1_signature, v2_signature, v3_signature, SignedMethod};
use crate::adapters::Adapter;
use crate::webhook::{WebhookError, MAX_WEBHOOK_BODY};

const VECTOR_NONCE: &str = "31627761595286130198";
const VECTOR_URL_WITH_QUERY: &str =
    "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml/?a=b&c=d";
const VECTOR_URL: &str = "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml";
const VECTOR_UUID: &str = "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36";

/// The answer payload of plivo-go TestValidateSignatureV3Pass1–4.
fn vector_params() -> Vec<(String, String)> {
    pairs(&[
        ("Direction", "outbound"),
        ("From", "19792014278"),
        ("ALegUUID", VECTOR_UUID),
        ("CallStatus", "in-progress"),
        ("BillRate", "0.002"),
        ("ParentAuthID", "MANWVLYTK4ZWU1YTY4QA"),
        (
            "To",
            "sip:PlivoSignature382029104058171078704104@phone-qa.voice.plivodev.com",
        ),
        ("ALegRequestUUID", VECTOR_UUID),
        ("CallUUID", VECTOR_UUID),
        ("RequestUUID", VECTOR_UUID),
        (
            "SIP-H-To",
            "<sip:PlivoSignature382029104058171078704104@52.9.11.55;transport=udp>;tag=1",
        ),
        ("SessionStart", "2020-04-08 11:34:33.238707"),
        ("Event", "StartApp"),
    ])
}

fn v3(method: SignedMethod, url: &str) -> String {
    v3_signature(TOKEN, method, url, &vector_params(), VECTOR_NONCE).unwrap()
}

#[test]
fn v3_vector_1_post_with_query_matches_plivo() {
    assert_eq!(
        v3(SignedMethod::Post, VECTOR_URL_WITH_QUERY),
        "k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c="
    );
}

#[test]
fn v3_vector_2_get_with_query_matches_plivo() {
    assert_eq!(
        v3(SignedMethod::Get, VECTOR_URL_WITH_QUERY),
        "UBq8jAtd32wR8EK9VgxbBn4n5rpI/l1H9iN4WfSEHFQ="
    );
}

#[test]
fn v3_vector_3_post_without_query_matches_plivo() {
    assert_eq!(
        v3(SignedMethod::Post, VECTOR_URL),
        "iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0="
    );
}

#[test]
fn v3_vector_4_get_without_query_matches_plivo() {
    assert_eq!(
        v3(SignedMethod::Get, VECTOR_URL),
        "i/MQsaQSAd6fiKhOh2qeeeLHZ9faldADSb3/7+Akfbc="
    );
}

#[test]
fn v2_vector_with_the_right_token_matches_plivo() {
    assert_eq!(
        v2_signature("my_auth_token", "https://answer.url", "12345"),
        "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="
    );
}

#[test]
fn v2_vector_with_a_wrong_token_does_not_match() {
    assert_ne!(
        v2_signature("my_auth_tokens", "https://answer.url", "12345"),
        "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="
    );
}

#[test]
fn v2_signs_a_trailing_slash() {
    assert_eq!(
        v2_signature("my_auth_token", "https://answer.url/", "12345"),
        "do1CXv+k99A6+B+eTcyqbxWlezFIxJ/1vz72787r37g="
    );
}

#[test]
fn v2_keeps_the_port() {
    assert_eq!(
        v2_signature("my_auth_token", "https://answer.url:8000", "12345"),
        "Gm7Z7AGBmf5JpSHrtUmeofrGyA4xV0ZiV0rH8JPXWGU="
    );
}

#[test]
fn v2_ignores_the_query() {
    assert_eq!(
        v2_signature("my_auth_token", "https://answer.url?callId=x#rc=2", "12345"),
        "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="
    );
}

#[test]
fn v1_vector_with_call_fields_matches_plivo() {
    let params = pairs(&[
        ("CallUUID", "97ceeb52-58b6-11e1-86da-77300b68f8bb"),
        ("Duration", "300"),
    ]);
    assert_eq!(
        v1_signature("MAXXXXXXXXXXXXXXXXXX", "http://foo.com/answer/", &params),
        "EJEt0ELanhr8hjMPIJnLNLex0dE="
    );
}

#[test]
fn v1_vector_does_not_encode_a_space() {
    assert_eq!(
        v1_signature(
            "MAXXXXXXXXXXXXXXXXXX",
            "http://foo.com/answer/",
            &pairs(&[("a", "1 2")])
        ),
        "n3Xfo4u+vRFyl3gsH8B0qDUIK5g="
    );
}

fn verify(recorded: &Recorded) -> Result<(), WebhookError> {
    adapter().verify_webhook(&recorded.raw(), 0).map(|_| ())
}

#[test]
fn a_recorded_callback_verifies() {
    assert_eq!(verify(&fixture!("answer")), Ok(()));
}

#[test]
fn a_callback_signed_with_another_token_is_refused() {
    let recorded = Recorded::signed_post(
        "another-token",
        "https://gw.example.com/voice/webhook?callId=c1",
        &[("CallUUID", "u1"), ("CallStatus", "ringing")],
        "1",
    );
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn an_altered_body_is_refused() {
    let mut recorded = fixture!("hangup-completed");
    let body = String::from_utf8(recorded.body.clone()).unwrap();
    recorded.body = body
        .replace("CallStatus=completed", "CallStatus=busy")
        .into_bytes();
    assert_ne!(recorded.body, fixture!("hangup-completed").body);
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn an_added_body_field_is_refused() {
    let mut recorded = fixture!("ring");
    recorded.body.extend_from_slice(b"&Extra=1");
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn an_altered_url_is_refused() {
    let mut recorded = fixture!("answer");
    recorded.url = recorded.url.replace("callId=7f9c", "callId=0f9c");
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
    let mut recorded = fixture!("answer");
    recorded.url = recorded
        .url
        .replace("https://gw.example.com", "https://gw.example.com:8443");
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn a_missing_nonce_is_a_missing_header() {
    let mut recorded = fixture!("answer");
    recorded.headers.remove("x-plivo-signature-v3-nonce");
    assert_eq!(
        verify(&recorded),
        Err(WebhookError::MissingHeader {
            name: "X-Plivo-Signature-V3-Nonce"
        })
    );
}

#[test]
fn a_different_nonce_is_refused() {
    let mut recorded = fixture!("answer");
    recorded.set_header("x-plivo-signature-v3-nonce", "10000000000000000099");
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn a_truncated_signature_is_refused() {
    let mut recorded = fixture!("answer");
    let good = recorded.headers["x-plivo-signature-v3"]
        .to_str()
        .unwrap()
        .to_owned();
    recorded.set_header("x-plivo-signature-v3", &good[..good.len() - 1]);
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
    recorded.set_header("x-plivo-signature-v3", "");
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn a_comma_list_with_one_good_signature_passes() {
    let mut recorded = fixture!("answer");
    let good = recorded.headers["x-plivo-signature-v3"]
        .to_str()
        .unwrap()
        .to_owned();
    let bad = "k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c=";
    recorded.set_header("x-plivo-signature-v3", &format!("{bad},{good}"));
    assert_eq!(verify(&recorded), Ok(()));
    recorded.set_header("x-plivo-signature-v3", &format!("{bad}, {bad}"));
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn a_callback_without_any_signature_is_a_missing_header() {
    let mut recorded = fixture!("answer");
    recorded.headers.remove("x-plivo-signature-v3");
    recorded.headers.remove("x-plivo-signature-ma-v3");
    assert_eq!(
        verify(&recorded),
        Err(WebhookError::MissingHeader {
            name: "X-Plivo-Signature-V3"
        })
    );
}

fn v2_signed(url: &str, token: &str) -> Recorded {
    let mut recorded = Recorded::signed_post(TOKEN, url, &[("CallUUID", "u1")], "1");
    recorded.headers.clear();
    recorded.set_header("x-plivo-signature-v2", &v2_signature(token, url, "777"));
    recorded.set_header("x-plivo-signature-v2-nonce", "777");
    recorded
}

#[test]
fn a_v2_signature_is_accepted_when_no_v3_header_is_sent() {
    let url = format!("{WEBHOOK_URL}?callId=c1");
    assert_eq!(verify(&v2_signed(&url, TOKEN)), Ok(()));
    assert_eq!(
        verify(&v2_signed(&url, "another-token")),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_v2_signature_without_its_nonce_is_a_missing_header() {
    let mut recorded = v2_signed(WEBHOOK_URL, TOKEN);
    recorded.headers.remove("x-plivo-signature-v2-nonce");
    assert_eq!(
        verify(&recorded),
        Err(WebhookError::MissingHeader {
            name: "X-Plivo-Signature-V2-Nonce"
        })
    );
}

#[test]
fn a_bad_v3_signature_cannot_fall_back_to_a_good_v2_one() {
    let mut recorded = v2_signed(WEBHOOK_URL, TOKEN);
    recorded.set_header(
        "x-plivo-signature-v3",
        "k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c=",
    );
    recorded.set_header("x-plivo-signature-v3-nonce", "1");
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn a_get_callback_is_signed_over_its_sorted_query() {
    let url = format!("{WEBHOOK_URL}?callId=c1&CallUUID=u1&CallStatus=ringing&Event=Ring");
    let signature = v3_signature(TOKEN, SignedMethod::Get, &url, &[], "5").unwrap();
    let mut recorded = Recorded::signed_post(TOKEN, &url, &[], "5");
    recorded.method = http::Method::GET;
    recorded.set_header("x-plivo-signature-v3", &signature);
    assert_eq!(verify(&recorded), Ok(()));
    recorded.url = url.replace("ringing", "busy");
    assert_eq!(verify(&recorded), Err(WebhookError::BadSignature));
}

#[test]
fn an_oversized_body_is_refused_before_anything_else() {
    let mut recorded = fixture!("answer");
    recorded.body = vec![b'a'; MAX_WEBHOOK_BODY + 1];
    recorded.headers.clear();
    assert_eq!(
        verify(&recorded),
        Err(WebhookError::BodyTooLarge {
            len: MAX_WEBHOOK_BODY + 1,
            limit: MAX_WEBHOOK_BODY
        })
    );
}

#[test]
fn an_empty_auth_token_is_a_configuration_error_not_a_pass() {
    let recorded = Recorded::signed_post("", WEBHOOK_URL, &[("CallUUID", "u1")], "1");
    let mut config = super::config();
    config.auth_token = String::new();
    let result =
        crate::adapters::plivo::PlivoAdapter::new(config).verify_webhook(&recorded.raw(), 0);
    assert!(matches!(result, Err(WebhookError::Config { .. })));
}

#[test]
fn a_method_plivo_never_uses_is_malformed() {
    let mut recorded = fixture!("answer");
    recorded.method = http::Method::PUT;
    assert!(matches!(
        verify(&recorded),
        Err(WebhookError::Malformed { .. })
    ));
}

#[test]
fn a_body_that_is_not_utf8_once_decoded_is_malformed() {
    let mut recorded = fixture!("answer");
    recorded.body.extend_from_slice(b"&x=%FF");
    assert!(matches!(
        verify(&recorded),
        Err(WebhookError::Malformed { .. })
    ));
}
