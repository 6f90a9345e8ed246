//! Telnyx webhook signatures: Ed25519 over `"{telnyx-timestamp}|{raw body}"`.
//!
//! The scheme is the one Telnyx's SDKs implement (telnyx-python
//! `lib/webhook_verification.py`, telnyx-node `lib/webhooks.ts`): headers
//! `telnyx-signature-ed25519` (base64 of the 64-byte signature) and
//! `telnyx-timestamp` (Unix seconds), with the timestamp within the tolerance
//! on *both* sides of our clock, so a captured delivery cannot be replayed
//! later and a forged far-future one cannot outlive the window either.
//!
//! Verification is `verify_strict`, which also refuses small-order `R`
//! components and non-canonical encodings, so one valid signature cannot be
//! mauled into a second accepted one. Ed25519 verification works on public
//! data only, so there is no secret to leak through comparison timing.

use crate::webhook::{RawWebhook, WebhookError, MAX_WEBHOOK_BODY};
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};

/// Header carrying base64 of the 64-byte Ed25519 signature.
pub(super) const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
/// Header carrying the signing time, Unix seconds.
pub(super) const TIMESTAMP_HEADER: &str = "telnyx-timestamp";

/// Checks, in order of cost: body size, both headers, the timestamp's form
/// and freshness, the signature's form, then the signature itself.
pub(super) fn verify(
    key: &VerifyingKey,
    tolerance_secs: i64,
    raw: &RawWebhook<'_>,
    now_unix_secs: i64,
) -> Result<(), WebhookError> {
    if raw.body.len() > MAX_WEBHOOK_BODY {
        return Err(WebhookError::BodyTooLarge {
            len: raw.body.len(),
            limit: MAX_WEBHOOK_BODY,
        });
    }
    let signature_b64 = header(raw, SIGNATURE_HEADER)?;
    let timestamp_text = header(raw, TIMESTAMP_HEADER)?;

    let timestamp = parse_timestamp(timestamp_text)?;
    if now_unix_secs.abs_diff(timestamp) > tolerance_secs.unsigned_abs() {
        return Err(WebhookError::StaleTimestamp {
            timestamp,
            now: now_unix_secs,
            tolerance_secs,
        });
    }

    let signature_bytes = base64::engine::general_purpose::STANDARD
        .decode(signature_b64.trim())
        .map_err(|e| malformed(format!("{SIGNATURE_HEADER} is not base64: {e}")))?;
    let signature_bytes: [u8; 64] = signature_bytes.as_slice().try_into().map_err(|_| {
        malformed(format!(
            "{SIGNATURE_HEADER} decodes to {} bytes, an Ed25519 signature is 64",
            signature_bytes.len()
        ))
    })?;
    let signature = Signature::from_bytes(&signature_bytes);

    // The signed text uses the header exactly as sent, not the parsed number.
    let mut message = Vec::with_capacity(timestamp_text.len() + 1 + raw.body.len());
    message.extend_from_slice(timestamp_text.as_bytes());
    message.push(b'|');
    message.extend_from_slice(raw.body);

    key.verify_strict(&message, &signature)
        .map_err(|_| WebhookError::BadSignature)
}

fn header<'a>(raw: &RawWebhook<'a>, name: &'static str) -> Result<&'a str, WebhookError> {
    let value = raw
        .headers
        .get(name)
        .ok_or(WebhookError::MissingHeader { name })?;
    value
        .to_str()
        .map_err(|_| malformed(format!("{name} is not visible ASCII")))
}

/// Unix seconds as ASCII digits (an optional leading `-` for completeness);
/// anything else, including `+`, spaces or a fraction, is malformed.
fn parse_timestamp(text: &str) -> Result<i64, WebhookError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(format!(
            "{TIMESTAMP_HEADER} {text:?} is not Unix seconds"
        )));
    }
    text.parse::<i64>()
        .map_err(|_| malformed(format!("{TIMESTAMP_HEADER} {text:?} is out of range")))
}

fn malformed(detail: String) -> WebhookError {
    WebhookError::Malformed { detail }
}
