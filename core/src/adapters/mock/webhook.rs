//! The mock's webhooks: its own HMAC scheme, and the JSON event body.

use super::MockStatus;
use crate::provider::{EventKind, ProviderEvent, ProviderName};
use crate::record::Direction;
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookError, MAX_WEBHOOK_BODY};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The header carrying the mock's webhook signature.
pub const SIGNATURE_HEADER: &str = "x-mock-signature";

/// The mock's signature for a callback of `body` sent to `url`: lowercase hex
/// of HMAC-SHA256(token, "{url}\n{body}"). Public so the simulator's mock
/// provider signs exactly what this adapter verifies.
pub fn webhook_signature(token: &str, url: &str, body: &[u8]) -> Result<String, WebhookError> {
    Ok(hex(&mac(token, url, body)?))
}

fn mac(token: &str, url: &str, body: &[u8]) -> Result<Vec<u8>, WebhookError> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(token.as_bytes()).map_err(|e| WebhookError::Config {
            detail: format!("mock token unusable as an HMAC key: {e}"),
        })?;
    mac.update(url.as_bytes());
    mac.update(b"\n");
    mac.update(body);
    Ok(mac.finalize().into_bytes().to_vec())
}

pub(super) fn verify(token: &str, raw: &RawWebhook<'_>) -> Result<(), WebhookError> {
    if raw.body.len() > MAX_WEBHOOK_BODY {
        return Err(WebhookError::BodyTooLarge {
            len: raw.body.len(),
            limit: MAX_WEBHOOK_BODY,
        });
    }
    if token.is_empty() {
        // An empty key would let anyone who guesses it sign callbacks.
        return Err(WebhookError::Config {
            detail: "mock token is empty".to_owned(),
        });
    }
    let header = raw
        .headers
        .get(SIGNATURE_HEADER)
        .ok_or(WebhookError::MissingHeader {
            name: SIGNATURE_HEADER,
        })?;
    let given = unhex(header.as_bytes()).ok_or(WebhookError::BadSignature)?;
    let expected = mac(token, raw.url, raw.body)?;
    if bool::from(expected.as_slice().ct_eq(given.as_slice())) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

#[derive(Deserialize)]
struct EventBody {
    id: String,
    #[serde(default)]
    call_id: Option<String>,
    provider_call_id: String,
    status: String,
    #[serde(default)]
    direction: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    occurred_at_ms: Option<u64>,
    /// The caller's words while the call is listened to.
    #[serde(default)]
    transcript: Option<TranscriptBody>,
}

/// `{"text": ..., "is_final": ...}`: what the caller said (or keyed).
#[derive(Deserialize)]
struct TranscriptBody {
    text: String,
    is_final: bool,
}

pub(super) fn parse(webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
    if webhook.provider() != ProviderName::Mock {
        return Err(WebhookError::Malformed {
            detail: format!("webhook was verified by {}, not mock", webhook.provider()),
        });
    }
    let body: EventBody =
        serde_json::from_slice(webhook.body()).map_err(|e| WebhookError::Malformed {
            detail: format!("mock webhook body: {e}"),
        })?;
    if body.id.is_empty() || body.provider_call_id.is_empty() {
        return Err(WebhookError::Malformed {
            detail: "mock webhook without an id or provider_call_id".to_owned(),
        });
    }
    let status = MockStatus::parse(&body.status).ok_or_else(|| WebhookError::UnknownStatus {
        raw: body.status.clone(),
    })?;
    let direction = match body.direction.as_deref() {
        None => None,
        Some("inbound") => Some(Direction::Inbound),
        Some("outbound") => Some(Direction::Outbound),
        Some(other) => {
            return Err(WebhookError::Malformed {
                detail: format!("mock webhook direction {other:?}"),
            })
        }
    };
    let kind = match (status.end_reason(), body.transcript) {
        (None, Some(t)) => EventKind::Speech {
            transcript: t.text,
            is_final: t.is_final,
        },
        (Some(reason), _) => EventKind::Ended { reason },
        (None, None) => match status {
            MockStatus::Queued => EventKind::Initiated,
            MockStatus::Ringing => EventKind::Ringing,
            _ => EventKind::Answered,
        },
    };
    Ok(vec![ProviderEvent {
        dedupe_key: format!("mock:{}", body.id),
        call_id: body.call_id.filter(|id| !id.is_empty()),
        provider_call_id: Some(body.provider_call_id),
        request_id: None,
        direction,
        from: body.from,
        to: body.to,
        occurred_at: body.occurred_at_ms,
        kind,
    }])
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Decodes hex of either case; `None` for odd length or a non-hex byte.
fn unhex(text: &[u8]) -> Option<Vec<u8>> {
    let pairs = text.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    pairs
        .map(|pair| match pair {
            [hi, lo] => Some(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => None,
        })
        .collect()
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}
