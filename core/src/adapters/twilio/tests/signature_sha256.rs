//! Webhooks signed by a Webhook Rule's SharedKey, announced in
//! `X-Twilio-Webhooks-Signature-Settings` (twilio-node
//! `examples/WebhookSignatureValidation.md`: "Only the hash changes. The
//! signed string is still the full URL followed by the sorted POST
//! parameters").
//!
//! Twilio publishes no HMAC-SHA256 vectors for this (none were found in the
//! SDKs' tests); the expected values below are Twilio's own vectors 1, 4, 7
//! and 10 (same key `12345`, URL, parameters and body) recomputed under
//! HMAC-SHA256 with Python's `hmac` and `hashlib`, an implementation
//! independent of this crate's.

use super::super::settings::{self, SignatureAlgorithm};
use super::super::{signature, TwilioAdapter};
use super::{config, Request, TOKEN};
use crate::webhook::WebhookError;

const U: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

const P: [(&str, &str); 5] = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
];

/// Vector 1's request under HMAC-SHA256.
const V1_SHA256: &str = "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=";

/// The SharedKey secret of these tests: Twilio's test token, so the vectors
/// keep their inputs.
const SHARED: &str = TOKEN;

fn adapter_with_shared_key(secret: Option<&str>) -> TwilioAdapter {
    let mut c = config("an-auth-token-that-signs-nothing-here");
    c.shared_key = secret.map(str::to_owned);
    TwilioAdapter::new(c)
}

fn announced(mut request: Request, value: &str) -> Request {
    request.headers.insert(
        settings::HEADER,
        http::HeaderValue::from_str(value).unwrap(),
    );
    request
}

fn params(pairs: &[(&str, &str)]) -> signature::Params {
    signature::params_of(
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

#[test]
fn sha256_signs_vector_1s_string_to_the_independently_computed_value() {
    let got = signature::compute_with(SignatureAlgorithm::HmacSha256, SHARED, U, &params(&P));
    assert_eq!(got, V1_SHA256);
}

#[test]
fn sha256_keeps_the_port_variants_sorting_and_json_rules_of_sha1() {
    // Vector 4: signed for the :443 form of U.
    let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    assert_eq!(
        signature::compute_with(
            SignatureAlgorithm::HmacSha256,
            SHARED,
            with_port,
            &params(&P)
        ),
        "grxRoa/VNtXxd524NGLxIdev83nh23xhrRUVm50Umq4="
    );
    // Vector 7: repeated names, values sorted and de-duplicated.
    let repeated = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ];
    assert_eq!(
        signature::compute_with(
            SignatureAlgorithm::HmacSha256,
            SHARED,
            U,
            &params(&repeated)
        ),
        "jco7II1lvHpqANwxYMpqhOGVonnkKyDh1cL2ZUBvMDs="
    );
    // Vector 10: a JSON body, its hash in the URL, no parameters.
    let url =
        format!("{U}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
    assert_eq!(
        signature::compute_with(
            SignatureAlgorithm::HmacSha256,
            SHARED,
            &url,
            &signature::Params::new()
        ),
        "+UOCWf84gdgo/5Hpg4m5/EgKnJA2/TbOw5sPNVr3bPk="
    );
}

#[test]
fn a_webhook_announcing_hmac_sha256_verifies_with_the_shared_key() {
    let request = announced(
        Request::form(U, &P, Some(V1_SHA256)),
        "key=KS0123456789abcdef,algorithm=HMAC_SHA256",
    );
    assert!(request
        .verify_with(&adapter_with_shared_key(Some(SHARED)))
        .is_ok());
}

#[test]
fn the_settings_header_is_read_in_any_order_with_spaces_and_an_empty_key() {
    for value in [
        "algorithm=HMAC_SHA256,key=KS1",
        " key=KS1 , algorithm=HMAC_SHA256 ",
        "key=,algorithm=HMAC_SHA256",
        "key=KS1,algorithm=hmac_sha256,version=2",
    ] {
        let request = announced(Request::form(U, &P, Some(V1_SHA256)), value);
        assert!(
            request
                .verify_with(&adapter_with_shared_key(Some(SHARED)))
                .is_ok(),
            "{value}"
        );
    }
}

#[test]
fn a_shared_key_announcing_hmac_sha1_verifies_with_the_shared_key_not_the_token() {
    let request = announced(
        Request::form(U, &P, Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")),
        "key=KS1,algorithm=HMAC_SHA1",
    );
    assert!(request
        .verify_with(&adapter_with_shared_key(Some(SHARED)))
        .is_ok());
    // The same signature without the header is checked with the auth token.
    let unannounced = Request::form(U, &P, Some("RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    assert_eq!(
        unannounced
            .verify_with(&adapter_with_shared_key(Some(SHARED)))
            .unwrap_err(),
        WebhookError::BadSignature
    );
}

#[test]
fn without_the_header_the_auth_token_and_sha1_still_verify_when_a_shared_key_is_configured() {
    let mut c = config(TOKEN);
    c.shared_key = Some("some-other-secret".to_owned());
    let request = Request::form(U, &P, Some("RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    assert!(request.verify_with(&TwilioAdapter::new(c)).is_ok());
}

#[test]
fn a_sha256_signature_made_with_another_key_is_refused() {
    let wrong = signature::compute_with(
        SignatureAlgorithm::HmacSha256,
        "not-the-shared-key",
        U,
        &params(&P),
    );
    let request = announced(
        Request::form(U, &P, Some(&wrong)),
        "key=KS1,algorithm=HMAC_SHA256",
    );
    assert_eq!(
        request
            .verify_with(&adapter_with_shared_key(Some(SHARED)))
            .unwrap_err(),
        WebhookError::BadSignature
    );
}

#[test]
fn a_sha256_signature_announced_as_sha1_is_refused_and_the_reverse() {
    let as_sha1 = announced(
        Request::form(U, &P, Some(V1_SHA256)),
        "key=KS1,algorithm=HMAC_SHA1",
    );
    let as_sha256 = announced(
        Request::form(U, &P, Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")),
        "key=KS1,algorithm=HMAC_SHA256",
    );
    for request in [as_sha1, as_sha256] {
        assert_eq!(
            request
                .verify_with(&adapter_with_shared_key(Some(SHARED)))
                .unwrap_err(),
            WebhookError::BadSignature
        );
    }
}

#[test]
fn an_altered_parameter_breaks_a_sha256_signature() {
    let mut altered = P;
    altered[4] = ("To", "+18005551213");
    let request = announced(
        Request::form(U, &altered, Some(V1_SHA256)),
        "key=KS1,algorithm=HMAC_SHA256",
    );
    assert_eq!(
        request
            .verify_with(&adapter_with_shared_key(Some(SHARED)))
            .unwrap_err(),
        WebhookError::BadSignature
    );
}

#[test]
fn an_unsupported_algorithm_is_refused_by_name_never_tried_as_sha1() {
    let request = announced(
        Request::form(U, &P, Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")),
        "key=KS1,algorithm=HMAC_SHA512",
    );
    assert_eq!(
        request
            .verify_with(&adapter_with_shared_key(Some(SHARED)))
            .unwrap_err(),
        WebhookError::UnsupportedAlgorithm {
            name: "HMAC_SHA512".to_owned()
        }
    );
}

#[test]
fn a_settings_header_without_an_algorithm_or_with_a_bare_word_is_malformed() {
    for value in ["key=KS1", "key=KS1,HMAC_SHA256", ""] {
        let request = announced(Request::form(U, &P, Some(V1_SHA256)), value);
        assert!(
            matches!(
                request
                    .verify_with(&adapter_with_shared_key(Some(SHARED)))
                    .unwrap_err(),
                WebhookError::Malformed { .. }
            ),
            "{value:?}"
        );
    }
}

#[test]
fn an_announced_shared_key_without_a_configured_secret_is_a_configuration_error() {
    let request = announced(
        Request::form(U, &P, Some(V1_SHA256)),
        "key=KS1,algorithm=HMAC_SHA256",
    );
    assert!(matches!(
        request
            .verify_with(&adapter_with_shared_key(None))
            .unwrap_err(),
        WebhookError::Config { .. }
    ));
}

#[test]
fn an_empty_shared_key_secret_is_a_configuration_error_not_a_pass() {
    let empty = signature::compute_with(SignatureAlgorithm::HmacSha256, "", U, &params(&P));
    let request = announced(
        Request::form(U, &P, Some(&empty)),
        "key=KS1,algorithm=HMAC_SHA256",
    );
    assert!(matches!(
        request
            .verify_with(&adapter_with_shared_key(Some("")))
            .unwrap_err(),
        WebhookError::Config { .. }
    ));
}

#[test]
fn the_header_value_the_emulator_writes_reads_back() {
    let value = settings::header_value("KS1", SignatureAlgorithm::HmacSha256);
    assert_eq!(value, "key=KS1,algorithm=HMAC_SHA256");
    let request = announced(Request::form(U, &P, Some(V1_SHA256)), &value);
    assert!(request
        .verify_with(&adapter_with_shared_key(Some(SHARED)))
        .is_ok());
}
