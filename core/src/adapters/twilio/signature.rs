//! `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, URL + parameters)).
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

/// The signature Twilio would send for `url` and `params`.
pub(super) fn compute(auth_token: &str, url: &str, params: &Params) -> String {
    // HMAC takes a key of any length, so `new_from_slice` cannot fail here;
    // the fallback only exists to avoid a panic path.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
        return String::new();
    };
    mac.update(url.as_bytes());
    for (name, values) in params {
        for value in values {
            mac.update(name.as_bytes());
            mac.update(value.as_bytes());
        }
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks `raw` against `auth_token`. Proxy headers (`X-Forwarded-*`) are
/// ignored on purpose: `raw.url` is the public URL Twilio was given.
pub(super) fn verify(auth_token: &str, raw: &RawWebhook<'_>) -> Result<(), WebhookError> {
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
    if auth_token.is_empty() {
        return Err(WebhookError::Config {
            detail: "the Twilio auth token is empty: no webhook can be verified".to_owned(),
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
        matched |= compute(auth_token, &url, &params).as_bytes().ct_eq(given);
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
