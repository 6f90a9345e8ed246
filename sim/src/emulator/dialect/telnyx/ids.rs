//! Identifiers and timestamps in Telnyx's shapes, derived by hashing so the
//! simulator stays reproducible from its seed.
//!
//! - `call_control_id`: `v3:` followed by 52 URL-safe base64 characters, the
//!   shape of the spec's example `v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg`;
//! - `call_leg_id`, `call_session_id` and event `id`: UUIDs;
//! - `occurred_at` / `start_time`: RFC 3339 UTC with six fractional digits,
//!   as in the spec's `2018-02-02T22:25:27.521992Z`.

use base64::Engine;
use sha2::{Digest, Sha256};

/// The call control id of the emulator's `n`th call. SHA-256 keeps ids of
/// neighbouring `n` unrelated, as real ones are, while staying a pure
/// function of `n`.
pub(super) fn call_control_id(n: u64) -> String {
    let mut bytes = Vec::with_capacity(64);
    bytes.extend_from_slice(&digest(&[b"call_control_id", &n.to_be_bytes(), b"0"]));
    bytes.extend_from_slice(&digest(&[b"call_control_id", &n.to_be_bytes(), b"1"]));
    bytes.truncate(39);
    format!(
        "v3:{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The call leg id Telnyx pairs with a call control id.
pub(super) fn call_leg_id(call_control_id: &str) -> String {
    uuid(&[b"call_leg_id", call_control_id.as_bytes()])
}

/// The call session id (one leg per session in the emulator).
pub(super) fn call_session_id(call_control_id: &str) -> String {
    uuid(&[b"call_session_id", call_control_id.as_bytes()])
}

/// The `data.id` of one webhook event: the same for every delivery of that
/// event, different for every other event, which is what receivers dedupe on.
pub(super) fn event_id(call_control_id: &str, identity: &str) -> String {
    uuid(&[
        b"event",
        call_control_id.as_bytes(),
        b"|",
        identity.as_bytes(),
    ])
}

/// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub(super) fn rfc3339(ms: u64) -> String {
    callproof_core::calendar::format_utc(ms, "%Y-%m-%dT%H:%M:%S.%6fZ")
}

fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// A version-4-shaped UUID from a hash, so it parses as a UUID anywhere.
fn uuid(parts: &[&[u8]]) -> String {
    let mut b = digest(parts);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().take(16).map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
