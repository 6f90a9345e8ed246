//! Twilio's published request-validator vectors (numbered as in the project's
//! provider fact sheet), the two values derived from them, and the few
//! counterparts that show what a vector's point is (the same signature
//! refused once the signed part changes).

use super::signing::{form_body, HEADER};
use super::{adapter_with_token, RECORDED_NOW};
use crate::recording::OwnedWebhook;
use crate::subject::SignatureVector;
use callproof_core::adapters::twilio::TwilioAdapter;

const TOKEN: &str = "12345";

const U: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

/// The parameters P of vectors 1 to 6 and 14 to 17.
const P: [(&str, &str); 5] = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
];

const JSON_BODY: &str = r#"{"property": "value", "boolean": true}"#;
const JSON_HASH: &str = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
const EMPTY_OBJECT_HASH: &str = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

const ALL_SDKS: &str = "twilio-python tests/unit/test_request_validator.py; twilio-node spec/validation.spec.js; twilio-go client/request_validator_test.go";
const PYTHON_NODE: &str =
    "twilio-python tests/unit/test_request_validator.py; twilio-node spec/validation.spec.js";
const NODE_GO: &str =
    "twilio-node spec/validation.spec.js; twilio-go client/request_validator_test.go";
const NODE: &str = "twilio-node spec/validation.spec.js";
const NODE_WEBHOOKS: &str = "twilio-node spec/unit/webhooks/webhooks.spec.js";
const HASH_NEGATIVE: &str = "the body hash of vector 9 (python/node/go validator tests), paired with a body that is not its preimage";
const DERIVED: &str =
    "derived from the SDK vectors: HMAC-SHA1 recomputed independently with Python's hmac module";

fn webhook(url: &str, content_type: &str, body: Vec<u8>, signature: &str) -> OwnedWebhook {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_str(content_type)
            .unwrap_or(http::HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(value) = http::HeaderValue::from_str(signature) {
        headers.insert(HEADER, value);
    }
    OwnedWebhook {
        method: http::Method::POST,
        url: url.to_owned(),
        headers,
        body,
    }
}

fn form(url: &str, pairs: &[(&str, &str)], signature: &str) -> OwnedWebhook {
    webhook(
        url,
        "application/x-www-form-urlencoded",
        form_body(pairs),
        signature,
    )
}

fn json(url: &str, body: &str, signature: &str) -> OwnedWebhook {
    webhook(url, "application/json", body.as_bytes().to_vec(), signature)
}

fn vector(
    name: &'static str,
    source: &'static str,
    token: &str,
    webhook: OwnedWebhook,
    valid: bool,
) -> SignatureVector<TwilioAdapter> {
    SignatureVector {
        name,
        source,
        adapter: adapter_with_token(token),
        webhook,
        now_unix_secs: RECORDED_NOW,
        valid,
    }
}

pub(super) fn all() -> Vec<SignatureVector<TwilioAdapter>> {
    let v = |name, source, webhook, valid| vector(name, source, TOKEN, webhook, valid);
    let with_port_1234 = "https://mycompany.com:1234/myapp.php?foo=1&bar=2";
    let plain_http = "http://mycompany.com/myapp.php?foo=1&bar=2";
    let json_url = format!("{U}&bodySHA256={JSON_HASH}");
    let empty_url = format!("{U}&bodySHA256={EMPTY_OBJECT_HASH}");
    let user_pass = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
    let user_pass_443 = "https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2";
    let quote_raw = format!("{U}&Body=It's+amazing");
    let quote_encoded = format!("{U}&Body=It%27s+amazing");
    let digits_a = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ];
    let digits_b = [
        ("Digits", "1234"),
        ("SidAccount", "AC123"),
        ("Digits", "1234"),
        ("Sid", "CA123"),
        ("Digits", "5678"),
    ];
    let binding = "MessagingBinding.Address";
    let s18 = "loLgTitFAoWx57yy5oEU4Hlddzw=";
    vec![
        v("1: the reference request", ALL_SDKS, form(U, &P, "RSOYDt4T1cUTdK1PDd93/VVr8B8="), true),
        v("2: a wrong signature", NODE, form(U, &P, "WRONG_SIGNATURE"), false),
        v(
            "3: a URL with port 1234, signed without it",
            ALL_SDKS,
            form(with_port_1234, &P, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
            true,
        ),
        v(
            "4: signed with :443, delivered without a port",
            ALL_SDKS,
            form(U, &P, "kvajT1Ptam85bY51eRf/AJRuM3w="),
            true,
        ),
        v(
            "4: signed with :443, delivered with it",
            ALL_SDKS,
            form(
                "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                &P,
                "kvajT1Ptam85bY51eRf/AJRuM3w=",
            ),
            true,
        ),
        v(
            "5: plain http signed with :80",
            ALL_SDKS,
            form(plain_http, &P, "0ZXoZLH/DfblKGATFgpif+LLRf4="),
            true,
        ),
        v(
            "6: http with port 1234, signed with it",
            ALL_SDKS,
            form(
                "http://mycompany.com:1234/myapp.php?foo=1&bar=2",
                &P,
                "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",
            ),
            true,
        ),
        v(
            "7: repeated values sorted and deduplicated",
            PYTHON_NODE,
            form(U, &digits_a, "IK+Dwps556ElfBT0I3Rgjkr1wJU="),
            true,
        ),
        v(
            "7: the same parameters in another order",
            PYTHON_NODE,
            form(U, &digits_b, "IK+Dwps556ElfBT0I3Rgjkr1wJU="),
            true,
        ),
        v(
            "8: a repeated dotted name",
            NODE,
            form(
                U,
                &[(binding, "+1325xxxxxxx"), (binding, "+1415xxxxxxx")],
                "83O6e2vORAoJHUNzJjDWN1jz+BA=",
            ),
            true,
        ),
        v(
            "8: the repeated values in the other order",
            NODE,
            form(
                U,
                &[(binding, "+1415xxxxxxx"), (binding, "+1325xxxxxxx")],
                "83O6e2vORAoJHUNzJjDWN1jz+BA=",
            ),
            true,
        ),
        v(
            "9: a body that does not hash to the published bodySHA256 (vector 10 with the body changed)",
            HASH_NEGATIVE,
            json(&json_url, r#"{"property": "value", "boolean": false}"#, "a9nBmqA0ju/hNViExpshrM61xv4="),
            false,
        ),
        v(
            "10: a JSON body validated through bodySHA256",
            ALL_SDKS,
            json(&json_url, JSON_BODY, "a9nBmqA0ju/hNViExpshrM61xv4="),
            true,
        ),
        v(
            "11: bodySHA256 as the only query parameter",
            NODE_GO,
            json(
                &format!("https://mycompany.com/myapp.php?bodySHA256={JSON_HASH}"),
                JSON_BODY,
                "y77kIzt2vzLz71DgmJGsen2scGs=",
            ),
            true,
        ),
        v(
            "12: an empty JSON object, signed with :443",
            NODE,
            json(&empty_url, "{}", "Ldidvp12m26NI7eqEvxnEpkd9Hc="),
            true,
        ),
        v(
            "12: an empty JSON object, signed without a port (derived)",
            DERIVED,
            json(&empty_url, "{}", "rw/jVviOgicj2+kHZULvebnA4ag="),
            true,
        ),
        v(
            "13: a JSON body without bodySHA256 in the URL",
            NODE,
            json(U, JSON_BODY, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
            false,
        ),
        v(
            "13: the same body sent without a JSON content type",
            NODE,
            webhook(U, "text/plain", JSON_BODY.as_bytes().to_vec(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
            false,
        ),
        v(
            "14: user and password in the URL",
            NODE,
            form(user_pass, &P, "CukzLTc1tT5dXEDIHm/tKBanW10="),
            true,
        ),
        v(
            "14: the same signature once the user info is gone",
            NODE,
            form(U, &P, "CukzLTc1tT5dXEDIHm/tKBanW10="),
            false,
        ),
        v(
            "15: a user without a password in the URL",
            NODE,
            form(
                "https://user@mycompany.com/myapp.php?foo=1&bar=2",
                &P,
                "2YRLlVAflCqxaNicjMpJcSTgzSs=",
            ),
            true,
        ),
        v(
            "16: user info with :443, delivered with it",
            NODE,
            form(user_pass_443, &P, "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="),
            true,
        ),
        v(
            "16: user info with :443, delivered without a port",
            NODE,
            form(user_pass, &P, "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="),
            true,
        ),
        v(
            "17: a quote in the query, signed percent-encoded",
            NODE,
            form(&quote_raw, &P, "TfZzewPq8wqrGlMfyAud8+/IvJ0="),
            true,
        ),
        v(
            "17: a quote in the query, signed raw (derived)",
            DERIVED,
            form(&quote_raw, &P, "dsq4Ehbj6cs+KdTkpF5sSSplOWw="),
            true,
        ),
        v(
            "17: a percent-encoded quote, signed percent-encoded (derived)",
            DERIVED,
            form(&quote_encoded, &P, "TfZzewPq8wqrGlMfyAud8+/IvJ0="),
            true,
        ),
        vector(
            "18: signed for test=param, delivered as test=param",
            DERIVED,
            "s3cr3t",
            form("https://example.com/path?test=param", &[], s18),
            true,
        ),
        vector(
            "18: signed for test=param, delivered as test=param2",
            NODE_WEBHOOKS,
            "s3cr3t",
            form("https://example.com/path?test=param2", &[], s18),
            false,
        ),
        v(
            "derived: https with port 1234 kept in the signature",
            DERIVED,
            form(with_port_1234, &P, "CYn1h0gLBdNxDGkKJg6hYohgeD8="),
            true,
        ),
        v(
            "derived: plain http without a port in the signature",
            DERIVED,
            form(plain_http, &P, "OyGYPqTF6ztdbRNCvuQO/oPvqQ4="),
            true,
        ),
    ]
}
