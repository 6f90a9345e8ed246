//! Webhooks as they arrive and the proof that one was verified.

use crate::provider::ProviderName;
use std::fmt;

/// The largest webhook body any adapter accepts. Provider callbacks are a few
/// kilobytes; anything near this is hostile or broken.
pub const MAX_WEBHOOK_BODY: usize = 64 * 1024;

/// A webhook request exactly as received, before anything is trusted.
#[derive(Debug, Clone, Copy)]
pub struct RawWebhook<'a> {
    /// `GET` or `POST`.
    pub method: &'a http::Method,
    /// The URL as the provider was configured to call it (public scheme, host,
    /// port, path and query), not as a proxy rewrote it.
    pub url: &'a str,
    /// All request headers.
    pub headers: &'a http::HeaderMap,
    /// The raw body bytes.
    pub body: &'a [u8],
}

/// A webhook whose signature checked out. Only an adapter's `verify` can make
/// one, so code that takes a `VerifiedWebhook` cannot be handed a forgery.
#[derive(Debug, Clone)]
pub struct VerifiedWebhook {
    provider: ProviderName,
    method: http::Method,
    url: String,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl VerifiedWebhook {
    /// Crate-private: the proof may only be minted after a signature check.
    pub(crate) fn new(provider: ProviderName, raw: &RawWebhook<'_>) -> Self {
        VerifiedWebhook {
            provider,
            method: raw.method.clone(),
            url: raw.url.to_owned(),
            headers: raw.headers.clone(),
            body: raw.body.to_vec(),
        }
    }

    /// Which adapter verified it.
    pub fn provider(&self) -> ProviderName {
        self.provider
    }
    /// Request method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }
    /// The URL that was signed.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// Request headers.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }
    /// Raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// Why a webhook was refused. All of these are the sender's fault (or an
/// attacker's): answer 4xx and change nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    /// A required signature or timestamp header is absent.
    MissingHeader {
        /// The header's name.
        name: &'static str,
    },
    /// The signature does not match (wrong secret, altered body or URL).
    BadSignature,
    /// The signed timestamp is outside the tolerance window.
    StaleTimestamp {
        /// Signed time, Unix seconds.
        timestamp: i64,
        /// Our time, Unix seconds.
        now: i64,
        /// Allowed skew either way.
        tolerance_secs: i64,
    },
    /// The body is larger than [`MAX_WEBHOOK_BODY`].
    BodyTooLarge {
        /// Bytes received.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The body or a header could not be decoded.
    Malformed {
        /// What was wrong.
        detail: String,
    },
    /// A status or event type no mapping knows. Never treated as an end.
    UnknownStatus {
        /// The provider's word.
        raw: String,
    },
    /// The webhook names a signature algorithm the adapter does not support
    /// (Twilio's signature settings header). Never falls back to another.
    UnsupportedAlgorithm {
        /// The algorithm's name as sent.
        name: String,
    },
    /// The adapter is misconfigured (e.g. a public key that is not 32 bytes).
    Config {
        /// What to fix.
        detail: String,
    },
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingHeader { name } => write!(f, "webhook refused: header {name} is missing"),
            WebhookError::BadSignature => write!(f, "webhook refused: signature does not match (check the auth token and the public URL the provider calls)"),
            WebhookError::StaleTimestamp { timestamp, now, tolerance_secs } => write!(f, "webhook refused: timestamp {timestamp} is more than {tolerance_secs}s from now ({now}); check the clock"),
            WebhookError::BodyTooLarge { len, limit } => write!(f, "webhook refused: body of {len} bytes exceeds the {limit}-byte limit"),
            WebhookError::Malformed { detail } => write!(f, "webhook refused: malformed: {detail}"),
            WebhookError::UnknownStatus { raw } => write!(f, "webhook refused: unknown call status {raw:?}"),
            WebhookError::UnsupportedAlgorithm { name } => write!(f, "webhook refused: signature algorithm {name:?} is not supported"),
            WebhookError::Config { detail } => write!(f, "webhook adapter misconfigured: {detail}"),
        }
    }
}
