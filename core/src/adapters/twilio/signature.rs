//! `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, URL + parameters)),
//! or, when `X-Twilio-Webhooks-Signature-Settings` announces a Webhook Rule's
//! SharedKey, base64(HMAC(that key's secret, the same string)) with the
//! algorithm it names (see `super::settings`).
//!
//! The algorithm, as Twilio's SDK validators implement it (twilio-python
//! `request_validator.py`, twilio-node `webhooks.ts`):
//! - form bodies: the URL, then for each parameter name in sorted order, each
//!   of its values sorted and de-duplicated, `name` + `value`, no separators;
//! - JSON bodies: the URL carries `bodySHA256=<hex sha256 of the body>`; the
//!   signature covers the URL alone and the body must hash to that value;
//! - the URL may have been signed with or without its port (see
//!   [`super::address::signing_candidates`]).
//!
//! Names and values sort by UTF-8 bytes (= code points, as twilio-python);
//! twilio-node sorts UTF-16 code units, which differs only for names mixing
//! characters above U+FFFF with U+E000..U+FFFF. Twilio's own names are ASCII.

use super::settings::{self, SignatureAlgorithm};
use super::{address, form};
use crate::webhook::{RawWebhook, WebhookError, MAX_WEBHOOK_BODY};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use subtle::ConstantTimeEq;

/// The header Twilio signs with.
pub(super) const HEADER: &str = "X-Twilio-Signature";

/// The query parameter that turns on JSON-body validation.
const BODY_HASH_PARAM: &str = "bodySHA256";

/// Parameters as they are signed: names sorted, each name's values sorted and
/// de-duplicated.
pub(super) type Params = BTreeMap<String, BTreeSet<String>>;

/// Collects decoded pairs into the signed shape.
pub(super) fn params_of(pairs: Vec<form::Pair>) -> Params {
    let mut params = Params::new();
    for (name, value) in pairs {
        params.entry(name).or_default().insert(value);
    }
    params
}

/// The signature Twilio would send for `url` and `params` with the auth token.
#[cfg(test)]
pub(super) fn compute(auth_token: &str, url: &str, params: &Params) -> String {
    compute_with(SignatureAlgorithm::HmacSha1, auth_token, url, params)
}

/// The signature over `url` and `params` with `key` and `algorithm`.
pub(super) fn compute_with(
    algorithm: SignatureAlgorithm,
    key: &str,
    url: &str,
    params: &Params,
) -> String {
    let signed = || {
        std::iter::once(url.as_bytes()).chain(params.iter().flat_map(|(name, values)| {
            values
                .iter()
                .flat_map(move |value| [name.as_bytes(), value.as_bytes()])
        }))
    };
    // HMAC takes a key of any length, so `new_from_slice` cannot fail here;
    // the fallbacks only exist to avoid a panic path.
    let digest = match algorithm {
        SignatureAlgorithm::HmacSha1 => mac::<Hmac<Sha1>>(key, signed()),
        SignatureAlgorithm::HmacSha256 => mac::<Hmac<Sha256>>(key, signed()),
    };
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// The MAC `M` keyed with `key` over `parts`, in order.
fn mac<'a, M: Mac + hmac::digest::KeyInit>(
    key: &str,
    parts: impl Iterator<Item = &'a [u8]>,
) -> Vec<u8> {
    <M as Mac>::new_from_slice(key.as_bytes())
        .map(|mut mac| {
            parts.for_each(|part| mac.update(part));
            mac.finalize().into_bytes().to_vec()
        })
        .unwrap_or_default()
}

/// Checks `raw` against `auth_token`, or against `shared_key` with the
/// algorithm the settings header names when the header is there. Proxy
/// headers (`X-Forwarded-*`) are ignored on purpose: `raw.url` is the public
/// URL Twilio was given.
pub(super) fn verify(
    auth_token: &str,
    shared_key: Option<&str>,
    raw: &RawWebhook<'_>,
) -> Result<(), WebhookError> {
    if raw.body.len() > MAX_WEBHOOK_BODY {
        return Err(WebhookError::BodyTooLarge {
            len: raw.body.len(),
            limit: MAX_WEBHOOK_BODY,
        });
    }
    let given = raw
        .headers
        .get(HEADER)
        .ok_or(WebhookError::MissingHeader { name: HEADER })?
        .as_bytes();
    let (algorithm, key) = match raw.headers.get(settings::HEADER) {
        None => (SignatureAlgorithm::HmacSha1, auth_token),
        Some(value) => {
            let value = value.to_str().map_err(|_| WebhookError::Malformed {
                detail: format!("{} is not visible ASCII", settings::HEADER),
            })?;
            let announced = settings::parse(value)?;
            let Some(secret) = shared_key else {
                return Err(WebhookError::Config {
                    detail: format!(
                        "a webhook was signed with Twilio SharedKey {:?} ({}), but no shared key secret is configured",
                        announced.key,
                        announced.algorithm.as_str()
                    ),
                });
            };
            (announced.algorithm, secret)
        }
    };
    if key.is_empty() {
        return Err(WebhookError::Config {
            detail: "the Twilio signing key (auth token or shared key secret) is empty: no webhook can be verified".to_owned(),
        });
    }
    let query = form::decode(address::query(raw.url).as_bytes())
        .map_err(|detail| WebhookError::Malformed { detail })?;
    let body_hashes: Vec<&str> = query
        .iter()
        .filter(|(name, _)| name == BODY_HASH_PARAM)
        .map(|(_, value)| value.as_str())
        .collect();

    let params = if body_hashes.is_empty() {
        if is_json(raw.headers) {
            // Twilio always adds bodySHA256 to a JSON delivery; without it the
            // body would not be covered by the signature at all.
            return Err(WebhookError::BadSignature);
        }
        params_of(form::decode(raw.body).map_err(|detail| WebhookError::Malformed { detail })?)
    } else {
        let actual = hex(&Sha256::digest(raw.body));
        if !body_hashes.iter().all(|h| h.eq_ignore_ascii_case(&actual)) {
            return Err(WebhookError::BadSignature);
        }
        Params::new()
    };

    let mut matched = subtle::Choice::from(0);
    for url in address::signing_candidates(raw.url) {
        matched |= compute_with(algorithm, key, &url, &params)
            .as_bytes()
            .ct_eq(given);
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

fn is_json(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .get(..16)
                .is_some_and(|t| t.eq_ignore_ascii_case("application/json"))
        })
}

/// Lower-case hex, as Twilio writes `bodySHA256`.
pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}
