//! `X-Twilio-Webhooks-Signature-Settings`: which key and hash signed a webhook.
//!
//! By default Twilio signs with the account's auth token and HMAC-SHA1. When a
//! Webhook Rule (Webhooks configuration API, public beta) matches the webhook
//! URL, Twilio signs with the rule's Setting's SharedKey and the algorithm it
//! names instead, and announces it in this header, e.g.
//! `key=<SharedKey>,algorithm=HMAC_SHA256` (twilio-node
//! `examples/WebhookSignatureValidation.md`; twilio.com/docs/usage/webhooks/
//! webhook-shared-keys). Only the key and the hash change: the signed string
//! is still the URL followed by the sorted parameters, in `X-Twilio-Signature`.
//!
//! twilio-node's middleware refuses a request whose header names an algorithm
//! it does not support (403), and one that carries the header when no shared
//! key secret is configured (500): here [`WebhookError::UnsupportedAlgorithm`]
//! and [`WebhookError::Config`].

use crate::webhook::WebhookError;

/// The header announcing a Webhook Rule's signing settings.
pub const HEADER: &str = "X-Twilio-Webhooks-Signature-Settings";

/// The HMAC a webhook was signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// `HMAC_SHA1`: the auth token's algorithm, also a Setting's choice.
    HmacSha1,
    /// `HMAC_SHA256`: a Setting's choice.
    HmacSha256,
}

impl SignatureAlgorithm {
    /// Its name in the settings header.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureAlgorithm::HmacSha1 => "HMAC_SHA1",
            SignatureAlgorithm::HmacSha256 => "HMAC_SHA256",
        }
    }
}

/// What the settings header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Settings {
    /// The SharedKey named (`key=`), possibly empty.
    pub key: String,
    /// The hash.
    pub algorithm: SignatureAlgorithm,
}

/// Reads `key=…,algorithm=…` (pairs in any order, spaces around them
/// ignored). An absent `algorithm` is malformed; an unknown one is
/// unsupported: neither falls back to SHA-1.
pub(super) fn parse(value: &str) -> Result<Settings, WebhookError> {
    let mut key = String::new();
    let mut algorithm = None;
    for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, v) = pair
            .split_once('=')
            .ok_or_else(|| WebhookError::Malformed {
                detail: format!("{HEADER}: {pair:?} is not name=value"),
            })?;
        match name.trim() {
            "key" => key = v.trim().to_owned(),
            "algorithm" => {
                algorithm = Some(match v.trim() {
                    a if a.eq_ignore_ascii_case("HMAC_SHA1") => SignatureAlgorithm::HmacSha1,
                    a if a.eq_ignore_ascii_case("HMAC_SHA256") => SignatureAlgorithm::HmacSha256,
                    other => {
                        return Err(WebhookError::UnsupportedAlgorithm {
                            name: other.to_owned(),
                        })
                    }
                })
            }
            // Fields Twilio may add later do not change the hash.
            _ => {}
        }
    }
    let algorithm = algorithm.ok_or_else(|| WebhookError::Malformed {
        detail: format!("{HEADER} names no algorithm"),
    })?;
    Ok(Settings { key, algorithm })
}

/// The header value announcing `algorithm` with SharedKey `key`.
pub fn header_value(key: &str, algorithm: SignatureAlgorithm) -> String {
    format!("key={key},algorithm={}", algorithm.as_str())
}
