//! What Twilio sends: a status callback, form-encoded and POSTed to the URL
//! recovered at create (the gateway's voice URL for an inbound call), signed
//! with `X-Twilio-Signature`.
//!
//! Parameters (recalled from Twilio's voice-webhook and status-callback docs;
//! the OAS does not model callbacks):
//! the standard voice set (`AccountSid`, `ApiVersion`, `CallSid`,
//! `CallStatus`, `Called`, `Caller`, `Direction`, `From`, `To`) plus the
//! status-callback extras (`CallbackSource=call-progress-events`,
//! `SequenceNumber`, `Timestamp`, and `CallDuration` once the call is over).
//!
//! Every callback is status-callback shaped, inbound ones included, so its
//! identity is always `CallSid` + `SequenceNumber`. An inbound call's first
//! callback says `ringing`, as Twilio's request to the number's voice URL does
//! (the call rings at us); unlike that request, it carries a `SequenceNumber`.

use super::resource::{direction_word, ended_word};
use super::{date, form, ACCOUNT_SID, API_VERSION, AUTH_TOKEN, SHARED_KEY_NAME, SHARED_KEY_SECRET};
use crate::emulator::dialect::CallbackKind;
use crate::emulator::truth::TruthCall;
use base64::Engine as _;
use callproof_core::adapters::twilio::SignatureAlgorithm;
use callproof_core::record::Direction;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use std::collections::BTreeMap;

/// The header Twilio signs with.
pub(super) const SIGNATURE_HEADER: &str = "X-Twilio-Signature";
/// The header announcing a Webhook Rule's SharedKey and algorithm.
pub(super) const SETTINGS_HEADER: &str = "X-Twilio-Webhooks-Signature-Settings";

pub(super) fn build(
    call: &TruthCall,
    kind: CallbackKind,
    sequence: u32,
    now: u64,
    webhook_rule: Option<SignatureAlgorithm>,
) -> http::Request<Vec<u8>> {
    if let CallbackKind::Speech { index, .. } = kind {
        return gather_result(call, index, webhook_rule);
    }
    let inbound = call.direction == Direction::Inbound;
    let status = match kind {
        // Rendered by `gather_result`.
        CallbackKind::Speech { .. } => "in-progress",
        CallbackKind::Initiated if inbound => "ringing",
        CallbackKind::Initiated => "initiated",
        CallbackKind::Ringing => "ringing",
        CallbackKind::Answered => "in-progress",
        CallbackKind::Unrecognised => crate::emulator::dialect::UNRECOGNISED_STATUS,
        CallbackKind::Ended(reason) => ended_word(call, reason),
    };
    let sequence = sequence.to_string();
    let timestamp = date::rfc2822(now);
    let duration = (call.talk_time(now) / 1000).to_string();
    let mut params: BTreeMap<&str, &str> = BTreeMap::from([
        ("AccountSid", ACCOUNT_SID),
        ("ApiVersion", API_VERSION),
        ("CallSid", call.provider_call_id.as_str()),
        ("CallStatus", status),
        ("Called", call.to.as_str()),
        ("Caller", call.from.as_str()),
        ("CallbackSource", "call-progress-events"),
        ("Direction", direction_word(call.direction)),
        ("From", call.from.as_str()),
        ("SequenceNumber", sequence.as_str()),
        ("Timestamp", timestamp.as_str()),
        ("To", call.to.as_str()),
    ]);
    if matches!(kind, CallbackKind::Ended(_)) {
        params.insert("CallDuration", duration.as_str());
    }
    signed_post(&call.webhook_url, &params, webhook_rule)
}

/// What `<Gather>` posts to its action URL once the callee has answered
/// (recalled from Twilio's `<Gather>` docs): the standard voice parameters
/// and `SpeechResult` with its `Confidence` (0 to 1), or `Digits` for keys
/// pressed. No `CallbackSource`, `SequenceNumber` or `Timestamp`: it is a
/// call-logic request, not a status callback.
fn gather_result(
    call: &TruthCall,
    index: u16,
    webhook_rule: Option<SignatureAlgorithm>,
) -> http::Request<Vec<u8>> {
    let Some(said) = crate::emulator::speech::utterance(call, index) else {
        return signed_post(&call.webhook_url, &BTreeMap::new(), webhook_rule);
    };
    let mut params: BTreeMap<&str, &str> = BTreeMap::from([
        ("AccountSid", ACCOUNT_SID),
        ("ApiVersion", API_VERSION),
        ("CallSid", call.provider_call_id.as_str()),
        ("CallStatus", "in-progress"),
        ("Called", call.to.as_str()),
        ("Caller", call.from.as_str()),
        ("Direction", direction_word(call.direction)),
        ("From", call.from.as_str()),
        ("To", call.to.as_str()),
    ]);
    if said.dtmf {
        params.insert("Digits", said.text.as_str());
    } else {
        params.insert("SpeechResult", said.text.as_str());
        params.insert("Confidence", "0.9165");
    }
    signed_post(&said.url, &params, webhook_rule)
}

/// A form POST of `params` to `url`, signed as Twilio signs: with the auth
/// token, or with a Webhook Rule's shared key under its algorithm.
fn signed_post(
    url: &str,
    params: &BTreeMap<&str, &str>,
    webhook_rule: Option<SignatureAlgorithm>,
) -> http::Request<Vec<u8>> {
    let signature = match webhook_rule {
        None => sign(AUTH_TOKEN, url, params),
        Some(SignatureAlgorithm::HmacSha1) => sign(SHARED_KEY_SECRET, url, params),
        Some(SignatureAlgorithm::HmacSha256) => sign_sha256(SHARED_KEY_SECRET, url, params),
    };
    let body = form::encode(params.iter().map(|(n, v)| (*n, *v)));

    let mut request = http::Request::new(body.into_bytes());
    *request.method_mut() = http::Method::POST;
    // A webhook URL that is not a URI leaves the request without a target;
    // the emulator's delivery then fails like a bad URL would at Twilio.
    *request.uri_mut() = url.parse().unwrap_or_default();
    let headers = request.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    headers.insert(
        http::header::USER_AGENT,
        http::HeaderValue::from_static("TwilioProxy/1.1"),
    );
    if let Ok(value) = http::HeaderValue::from_str(&signature) {
        headers.insert(SIGNATURE_HEADER, value);
    }
    if let Some(algorithm) = webhook_rule {
        let name = match algorithm {
            SignatureAlgorithm::HmacSha1 => "HMAC_SHA1",
            SignatureAlgorithm::HmacSha256 => "HMAC_SHA256",
        };
        let settings = format!("key={SHARED_KEY_NAME},algorithm={name}");
        if let Ok(value) = http::HeaderValue::from_str(&settings) {
            headers.insert(SETTINGS_HEADER, value);
        }
    }
    request
}

/// The same string as [`sign`], under HMAC-SHA256: what Twilio sends when a
/// Webhook Rule's Setting names `HMAC_SHA256` ("only the hash changes",
/// twilio-node `examples/WebhookSignatureValidation.md`).
pub(super) fn sign_sha256(key: &str, url: &str, params: &BTreeMap<&str, &str>) -> String {
    mac_base64::<Hmac<Sha256>>(key, url, params)
}

/// base64(HMAC-SHA1(token, URL + each name and value)), names in byte order
/// (twilio-python `request_validator.py`, twilio-node `webhooks.ts`). Every name here has a single value, so the rule for
/// repeated names (values sorted and de-duplicated) never comes into play.
pub(super) fn sign(token: &str, url: &str, params: &BTreeMap<&str, &str>) -> String {
    mac_base64::<Hmac<Sha1>>(token, url, params)
}

/// base64 of the MAC `M` keyed with `key` over the URL and each name and value.
fn mac_base64<M: Mac + hmac::digest::KeyInit>(
    key: &str,
    url: &str,
    params: &BTreeMap<&str, &str>,
) -> String {
    // HMAC accepts a key of any length; the fallback only avoids a panic path.
    let Ok(mut mac) = <M as Mac>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(url.as_bytes());
    for (name, value) in params {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_reproduces_twilios_published_validator_vector() {
        // twilio-python tests/unit/test_request_validator.py, case 1.
        let params = BTreeMap::from([
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]);
        let got = sign(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &params,
        );
        assert_eq!(got, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    }

    #[test]
    fn sha256_signing_reproduces_the_vector_derived_from_twilios_reference_request() {
        // Case 1's string under HMAC-SHA256 (computed with Python's hmac).
        let params = BTreeMap::from([
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]);
        let got = sign_sha256(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &params,
        );
        assert_eq!(got, "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=");
    }
}
