//! Plivo's published signature vectors.
//!
//! Every valid vector in the gated list also becomes a base for the suite's
//! forgeries, which expect a changed body and a changed query to be refused.
//! Three kinds of Plivo vector cannot meet that, by Plivo's own design, so
//! they are checked by the tests below instead of the gated list:
//!
//! - V3 GET (plivo-go TestValidateSignatureV3Pass2 and Pass4): a GET signs
//!   its query, which holds the parameters; a body is neither signed nor
//!   read, so the suite's `body-appended` forgery is accepted.
//! - V2 (plivo-python `tests/resources/test_signature.py` and every other
//!   SDK; plivo-java UtilsTest): V2 signs only `scheme://host/path` and a
//!   nonce, so neither a changed body nor a changed query is detected. The
//!   adapter still takes V2 when no V3 header is present (its documented
//!   choice); the published invalid V2 vector is gated.
//! - V1 (plivo-node `test/utils.js`, plivo-go `utils_test.go`): the adapter
//!   exposes `v1_signature` but `verify_webhook` accepts no V1 (documented
//!   choice), so a published-valid V1 request is refused.

use super::{adapter_with, V3_HEADER, V3_NONCE_HEADER};
use super::{form_webhook, set_header, PlivoAdapter, PlivoSubject, V2_HEADER, V2_NONCE_HEADER};
use crate::recording::OwnedWebhook;
use crate::subject::SignatureVector;

const V3_SOURCE: &str =
    "plivo-go utils_test.go TestValidateSignatureV3Pass1-4; plivo-ruby spec/signature_spec.rb";
const V3_TOKEN: &str = "Y2Q2ZDgxZmY5YWRiOTI5YmQ1Njg0MTAxZWIyOTc4";
const V3_NONCE: &str = "31627761595286130198";
const V3_URL_WITH_QUERY: &str =
    "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml/?a=b&c=d";
const V3_URL: &str = "https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml";
const V3_UUID: &str = "3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36";
/// Pass1: POST to the URL with a query.
const V3_PASS1: &str = "k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c=";
/// Pass2: GET to the URL with a query.
const V3_PASS2: &str = "UBq8jAtd32wR8EK9VgxbBn4n5rpI/l1H9iN4WfSEHFQ=";
/// Pass3: POST to the URL without a query.
const V3_PASS3: &str = "iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0=";
/// Pass4: GET to the URL without a query.
#[cfg(test)]
const V3_PASS4: &str = "i/MQsaQSAd6fiKhOh2qeeeLHZ9faldADSb3/7+Akfbc=";

const V2_SOURCE: &str = "plivo-python tests/resources/test_signature.py; plivo-node test/utils.js; plivo-go utils_test.go TestValidateSignatureV2Pass; plivo-ruby; plivo-php tests/UtilTest.php; plivo-java UtilsTest";
const V2_URL: &str = "https://answer.url";
const V2_NONCE: &str = "12345";
const V2_SIGNATURE: &str = "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=";

/// The answer payload signed by all four V3 vectors.
fn v3_params() -> [(&'static str, &'static str); 13] {
    [
        ("Direction", "outbound"),
        ("From", "19792014278"),
        ("ALegUUID", V3_UUID),
        ("CallStatus", "in-progress"),
        ("BillRate", "0.002"),
        ("ParentAuthID", "MANWVLYTK4ZWU1YTY4QA"),
        (
            "To",
            "sip:PlivoSignature382029104058171078704104@phone-qa.voice.plivodev.com",
        ),
        ("ALegRequestUUID", V3_UUID),
        ("CallUUID", V3_UUID),
        ("RequestUUID", V3_UUID),
        (
            "SIP-H-To",
            "<sip:PlivoSignature382029104058171078704104@52.9.11.55;transport=udp>;tag=1",
        ),
        ("SessionStart", "2020-04-08 11:34:33.238707"),
        ("Event", "StartApp"),
    ]
}

/// The vectors' callback as Plivo delivers it with `method` to `url`,
/// carrying `signature` (one value, or a comma-separated list).
fn v3_request(method: http::Method, url: &str, signature: &str) -> OwnedWebhook {
    let mut webhook = form_webhook(method, url, &v3_params());
    set_header(&mut webhook, V3_HEADER, signature);
    set_header(&mut webhook, V3_NONCE_HEADER, V3_NONCE);
    webhook
}

/// A V2-signed request: Plivo's V2 covers only the URL and the nonce, so the
/// body is any callback's.
fn v2_request(url: &str, signature: &str) -> OwnedWebhook {
    let mut webhook = form_webhook(
        http::Method::POST,
        url,
        &[("CallUUID", V3_UUID), ("CallStatus", "in-progress")],
    );
    set_header(&mut webhook, V2_HEADER, signature);
    set_header(&mut webhook, V2_NONCE_HEADER, V2_NONCE);
    webhook
}

fn vector(
    name: &'static str,
    source: &'static str,
    token: &str,
    webhook: OwnedWebhook,
    valid: bool,
) -> SignatureVector<PlivoAdapter> {
    SignatureVector {
        name,
        source,
        adapter: adapter_with(token),
        webhook,
        // Plivo signs no timestamp: any clock will do.
        now_unix_secs: <PlivoSubject as crate::subject::Subject>::recorded_now_unix_secs(),
        valid,
    }
}

/// The vectors the gate runs (and forges from); see the module docs for the
/// ones it cannot.
pub(super) fn gated() -> Vec<SignatureVector<PlivoAdapter>> {
    use http::Method;
    vec![
        vector(
            "V3 Pass1: POST, URL with a query",
            V3_SOURCE,
            V3_TOKEN,
            v3_request(Method::POST, V3_URL_WITH_QUERY, V3_PASS1),
            true,
        ),
        vector(
            "V3 Pass3: POST, URL without a query",
            V3_SOURCE,
            V3_TOKEN,
            v3_request(Method::POST, V3_URL, V3_PASS3),
            true,
        ),
        vector(
            "V3 Pass1 as the second of two comma-separated signatures",
            "derived from plivo-go TestValidateSignatureV3Pass1: Plivo's V3 header may hold several comma-separated signatures, any one matching passes (plivo-python plivo/utils/signature_v3.py, plivo-go utils.go)",
            V3_TOKEN,
            v3_request(
                Method::POST,
                V3_URL_WITH_QUERY,
                &format!("{V3_PASS2},{V3_PASS1}"),
            ),
            true,
        ),
        vector(
            "V3 Pass2's GET signature on the POST request",
            "derived from plivo-go TestValidateSignatureV3Pass1/Pass2: GET and POST sign different strings",
            V3_TOKEN,
            v3_request(Method::POST, V3_URL_WITH_QUERY, V3_PASS2),
            false,
        ),
        vector(
            "V3 Pass1 under another nonce",
            "derived from plivo-go TestValidateSignatureV3Pass1: the nonce is part of the signed string",
            V3_TOKEN,
            {
                let mut webhook = v3_request(Method::POST, V3_URL_WITH_QUERY, V3_PASS1);
                set_header(&mut webhook, V3_NONCE_HEADER, "31627761595286130199");
                webhook
            },
            false,
        ),
        vector(
            "V2 with the wrong token (my_auth_tokens)",
            V2_SOURCE,
            "my_auth_tokens",
            v2_request(V2_URL, V2_SIGNATURE),
            false,
        ),
        vector(
            "V2 vector beside a V3 header that does not match",
            "derived from the V2 vector of plivo-python tests/resources/test_signature.py: a V3 header present means V3 decides, so a weaker V2 signature cannot stand in for a failed V3 one",
            "my_auth_token",
            {
                let mut webhook = v2_request(V2_URL, V2_SIGNATURE);
                set_header(&mut webhook, V3_HEADER, V3_PASS1);
                set_header(&mut webhook, V3_NONCE_HEADER, V3_NONCE);
                webhook
            },
            false,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use callproof_core::adapters::plivo::v1_signature;
    use callproof_core::adapters::Adapter;
    use callproof_core::webhook::WebhookError;

    fn verify(token: &str, webhook: &OwnedWebhook) -> Result<(), WebhookError> {
        adapter_with(token)
            .verify_webhook(&webhook.raw(), 0)
            .map(|_| ())
    }

    #[test]
    fn the_published_v3_get_vectors_verify() {
        let pass2 = v3_request(http::Method::GET, V3_URL_WITH_QUERY, V3_PASS2);
        assert_eq!(verify(V3_TOKEN, &pass2), Ok(()));
        let pass4 = v3_request(http::Method::GET, V3_URL, V3_PASS4);
        assert_eq!(verify(V3_TOKEN, &pass4), Ok(()));
        assert_eq!(
            verify("another-token", &pass4),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn a_v3_get_signature_covers_its_query_but_not_a_body_it_never_reads() {
        let genuine = v3_request(http::Method::GET, V3_URL_WITH_QUERY, V3_PASS2);
        let mut query_changed = genuine.clone();
        query_changed.url = query_changed.url.replace("a=b", "a=x");
        assert_eq!(
            verify(V3_TOKEN, &query_changed),
            Err(WebhookError::BadSignature)
        );
        // Why the GET vectors are not in the gated list: the suite's
        // `body-appended` forgery would be accepted.
        let mut body_added = genuine;
        body_added.body = b"x".to_vec();
        assert_eq!(verify(V3_TOKEN, &body_added), Ok(()));
    }

    #[test]
    fn the_published_v2_vectors_verify_when_no_v3_header_is_sent() {
        let valid = [
            (V2_URL, V2_SIGNATURE),
            // plivo-java UtilsTest: the trailing slash is signed.
            (
                "https://answer.url/",
                "do1CXv+k99A6+B+eTcyqbxWlezFIxJ/1vz72787r37g=",
            ),
            // plivo-java UtilsTest (not annotated @Test there): the port is signed.
            (
                "https://answer.url:8000",
                "Gm7Z7AGBmf5JpSHrtUmeofrGyA4xV0ZiV0rH8JPXWGU=",
            ),
        ];
        for (url, signature) in valid {
            assert_eq!(
                verify("my_auth_token", &v2_request(url, signature)),
                Ok(()),
                "{url}"
            );
        }
        assert_eq!(
            verify(
                "my_auth_token",
                &v2_request("https://answer.url/", V2_SIGNATURE)
            ),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn a_v2_signature_covers_neither_the_body_nor_the_query() {
        // Why the valid V2 vectors are not in the gated list: V2 signs only
        // the URL without its query, and a nonce.
        let mut tampered = v2_request(V2_URL, V2_SIGNATURE);
        tampered.body.extend_from_slice(b"&CallStatus=completed");
        tampered.url = format!("{V2_URL}?callId=someone-else");
        assert_eq!(verify("my_auth_token", &tampered), Ok(()));
    }

    #[test]
    fn the_published_v1_vectors_match_v1_signature() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let token = "MAXXXXXXXXXXXXXXXXXX";
        let url = "http://foo.com/answer/";
        let call = pairs(&[
            ("CallUUID", "97ceeb52-58b6-11e1-86da-77300b68f8bb"),
            ("Duration", "300"),
        ]);
        assert_eq!(
            v1_signature(token, url, &call),
            "EJEt0ELanhr8hjMPIJnLNLex0dE="
        );
        assert_eq!(
            v1_signature(token, url, &pairs(&[("a", "1 2")])),
            "n3Xfo4u+vRFyl3gsH8B0qDUIK5g="
        );
        // plivo-go TestComputeSignatureFail: one character of the uuid changed.
        let altered = pairs(&[
            ("CallUUID", "97ceeb52-58b6-11e1-86da-77300b6b8f8bb"),
            ("Duration", "300"),
        ]);
        assert_ne!(
            v1_signature(token, url, &altered),
            "EJEt0ELanhr8hjMPIJnLNLex0dE="
        );
    }

    #[test]
    fn a_callback_signed_only_with_v1_is_refused() {
        let mut webhook = form_webhook(
            http::Method::POST,
            "http://foo.com/answer/",
            &[
                ("CallUUID", "97ceeb52-58b6-11e1-86da-77300b68f8bb"),
                ("Duration", "300"),
            ],
        );
        set_header(
            &mut webhook,
            "x-plivo-signature",
            "EJEt0ELanhr8hjMPIJnLNLex0dE=",
        );
        assert_eq!(
            verify("MAXXXXXXXXXXXXXXXXXX", &webhook),
            Err(WebhookError::MissingHeader {
                name: "X-Plivo-Signature-V3"
            })
        );
    }
}
