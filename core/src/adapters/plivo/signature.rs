//! Plivo webhook signatures, V3 (current), V2 (legacy) and V1 (oldest).
//!
//! Algorithms as Plivo's SDKs implement them (plivo-python
//! `plivo/utils/signature_v3.py`, plivo-go `utils.go`, plivo-node
//! `lib/utils/v3Security.js`), pinned by the SDKs' own test vectors.
//!
//! [`verify`] accepts V3, and V2 only when no V3 header is present, so that an
//! attacker cannot downgrade a request by adding a weaker header. V1 is not
//! accepted at all: it is HMAC-SHA1 without a nonce, and Plivo's voice
//! callbacks carry V2/V3 headers; a verifier is only as strong as the weakest
//! scheme it takes. [`v1_signature`] exists so the legacy vectors stay
//! checked and an operator can diagnose an old integration.
//!
//! `X-Plivo-Signature-Ma-V3` (always signed with the main account's token) is
//! not read: the configured token, main or subaccount, checks
//! `X-Plivo-Signature-V3`.

use super::form::{parse_form, split_url};
use crate::webhook::{RawWebhook, WebhookError, MAX_WEBHOOK_BODY};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use std::collections::BTreeMap;
use subtle::{Choice, ConstantTimeEq};

/// The V3 signature(s): comma-separated, any one may match.
pub(crate) const V3_HEADER: &str = "X-Plivo-Signature-V3";
/// The nonce mixed into the V3 signature.
pub(crate) const V3_NONCE_HEADER: &str = "X-Plivo-Signature-V3-Nonce";
/// The legacy V2 signature.
pub(crate) const V2_HEADER: &str = "X-Plivo-Signature-V2";
/// The nonce mixed into the V2 signature.
pub(crate) const V2_NONCE_HEADER: &str = "X-Plivo-Signature-V2-Nonce";

/// The method a V3 signature was computed for: the two build the signed
/// string differently (GET folds the parameters into the query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedMethod {
    /// Parameters travel in the query string.
    Get,
    /// Parameters travel in a form-encoded body.
    Post,
}

/// Plivo's V3 signature of a callback to `url` carrying `params`.
///
/// The signed string is `scheme://host[:port]/path`, then for GET `?` and
/// all parameters (query and `params`) as sorted `key=value` pairs joined by
/// `&`; for POST `?` and the sorted query, a `.` when both query and
/// parameters exist, then the sorted parameters as `keyvalue` run together;
/// finally `.` and the nonce. Values are compared decoded, sorting is by
/// bytes. Public so the emulators sign exactly as the adapter checks.
pub fn v3_signature(
    auth_token: &str,
    method: SignedMethod,
    url: &str,
    params: &[(String, String)],
    nonce: &str,
) -> Result<String, WebhookError> {
    let (base, query) = split_url(url);
    let query = group(parse_form(query.as_bytes()).map_err(malformed)?);
    let mut signed = base.to_owned();
    match method {
        SignedMethod::Get => {
            // The URL's own query wins over a parameter of the same name.
            let mut all = group(params.to_vec());
            all.extend(query);
            let sorted = sorted_query(&all);
            if !sorted.is_empty() {
                signed.push('?');
                signed.push_str(&sorted);
            }
        }
        SignedMethod::Post => {
            let sorted = sorted_query(&query);
            if !sorted.is_empty() || !params.is_empty() {
                signed.push('?');
                signed.push_str(&sorted);
            }
            if !sorted.is_empty() && !params.is_empty() {
                signed.push('.');
            }
            signed.push_str(&sorted_concat(&group(params.to_vec())));
        }
    }
    signed.push('.');
    signed.push_str(nonce);
    Ok(hmac_sha256_base64(auth_token, signed.as_bytes()))
}

/// Plivo's V2 signature: HMAC-SHA256 over `scheme://host[:port]/path` (no
/// query, no fragment; a trailing slash and a port count) followed by the
/// nonce.
pub fn v2_signature(auth_token: &str, url: &str, nonce: &str) -> String {
    let (base, _) = split_url(url);
    hmac_sha256_base64(auth_token, format!("{base}{nonce}").as_bytes())
}

/// Plivo's V1 signature: HMAC-SHA1 over the full URL followed by every
/// parameter as `keyvalue`, sorted by key. Not accepted by `verify_webhook`; see
/// the module docs.
pub fn v1_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut signed = url.to_owned();
    for (key, value) in sorted {
        signed.push_str(key);
        signed.push_str(value);
    }
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(auth_token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(signed.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks a callback's signature: V3 when its header is present, else V2.
pub(crate) fn verify(auth_token: &str, raw: &RawWebhook<'_>) -> Result<(), WebhookError> {
    if raw.body.len() > MAX_WEBHOOK_BODY {
        return Err(WebhookError::BodyTooLarge {
            len: raw.body.len(),
            limit: MAX_WEBHOOK_BODY,
        });
    }
    if auth_token.is_empty() {
        // Anyone can compute an HMAC under an empty key.
        return Err(WebhookError::Config {
            detail: "the Plivo auth token is empty".to_owned(),
        });
    }
    let v3 = header_values(raw.headers, V3_HEADER)?;
    if !v3.is_empty() {
        let nonce = nonce(raw.headers, V3_NONCE_HEADER)?;
        let method = if raw.method == http::Method::GET {
            SignedMethod::Get
        } else if raw.method == http::Method::POST {
            SignedMethod::Post
        } else {
            return Err(malformed(format!(
                "Plivo calls back with GET or POST, not {}",
                raw.method
            )));
        };
        let params = match method {
            // A GET carries its parameters in the query, already in the URL.
            SignedMethod::Get => Vec::new(),
            SignedMethod::Post => parse_form(raw.body).map_err(malformed)?,
        };
        let expected = v3_signature(auth_token, method, raw.url, &params, nonce)?;
        let candidates = v3.iter().flat_map(|h| h.split(','));
        return check(&expected, candidates);
    }
    let v2 = header_values(raw.headers, V2_HEADER)?;
    if !v2.is_empty() {
        let nonce = nonce(raw.headers, V2_NONCE_HEADER)?;
        let expected = v2_signature(auth_token, raw.url, nonce);
        return check(&expected, v2.into_iter());
    }
    Err(WebhookError::MissingHeader { name: V3_HEADER })
}

/// Compares against every candidate without stopping early, each comparison
/// in constant time.
fn check<'a>(
    expected: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Result<(), WebhookError> {
    let mut matched = Choice::from(0);
    for candidate in candidates {
        matched |= expected.as_bytes().ct_eq(candidate.trim().as_bytes());
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

fn header_values<'a>(
    headers: &'a http::HeaderMap,
    name: &'static str,
) -> Result<Vec<&'a str>, WebhookError> {
    headers
        .get_all(name)
        .iter()
        .map(|v| {
            v.to_str()
                .map_err(|_| malformed(format!("header {name} is not visible ASCII")))
        })
        .collect()
}

fn nonce<'a>(headers: &'a http::HeaderMap, name: &'static str) -> Result<&'a str, WebhookError> {
    match header_values(headers, name)?.first() {
        Some(v) if !v.trim().is_empty() => Ok(v.trim()),
        _ => Err(WebhookError::MissingHeader { name }),
    }
}

fn group(pairs: Vec<(String, String)>) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in pairs {
        map.entry(key).or_default().push(value);
    }
    for values in map.values_mut() {
        values.sort();
    }
    map
}

fn sorted_query(map: &BTreeMap<String, Vec<String>>) -> String {
    let pairs: Vec<String> = map
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}={v}")))
        .collect();
    pairs.join("&")
}

fn sorted_concat(map: &BTreeMap<String, Vec<String>>) -> String {
    map.iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}{v}")))
        .collect()
}

fn hmac_sha256_base64(key: &str, message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn malformed(detail: String) -> WebhookError {
    WebhookError::Malformed { detail }
}
