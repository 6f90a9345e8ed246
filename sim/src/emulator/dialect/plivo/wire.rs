//! Shapes shared by Plivo's answers and callbacks: its ids and error bodies.

use callproof_core::record::Direction;
use serde_json::{json, Value};

/// FNV-1a over `parts` (each followed by a separator byte), then a
/// SplitMix64 finaliser so that near inputs give far-apart outputs. Stands in
/// for the randomness Plivo uses, so a run replays exactly from its seed.
pub(super) fn hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.iter().chain(std::iter::once(&0xff)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A version-4-shaped UUID for the `n`th id of `kind` (call uuids, request
/// uuids and `api_id`s look alike at Plivo). The last group is `n` itself,
/// so ids of one kind never collide; the variant digit tells call uuids (`8`)
/// from everything else (`a`), so a call uuid never equals a request uuid.
pub(super) fn uuid(kind: &str, n: u64) -> String {
    let h = hash(&[kind.as_bytes(), &n.to_le_bytes()]);
    let variant = if kind == "call" { '8' } else { 'a' };
    format!(
        "{:08x}-{:04x}-4{:03x}-{variant}{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        (h >> 52) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

/// The `api_id` Plivo puts on every answer, derived from what is answered.
pub(super) fn api_id(about: &str) -> String {
    uuid("api", hash(&[about.as_bytes()]))
}

/// A JSON answer.
pub(super) fn json_response(status: u16, body: &Value) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(serde_json::to_vec(body).unwrap_or_default());
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// Plivo's error body: `{"api_id": …, "error": "…"}`.
pub(super) fn error(status: u16, about: &str, message: &str) -> http::Response<Vec<u8>> {
    json_response(
        status,
        &json!({ "api_id": api_id(&format!("{status} {about}")), "error": message }),
    )
}

/// An answer with no body (Plivo's 204 to a hangup).
pub(super) fn no_content() -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(Vec::new());
    *response.status_mut() = http::StatusCode::NO_CONTENT;
    response
}

/// A number as Plivo writes it in callbacks and call details: E.164 without
/// the leading `+` (`14155550100`). Anything else (`anonymous`, empty) is
/// written as it is.
pub(super) fn number(e164: &str) -> String {
    e164.strip_prefix('+').unwrap_or(e164).to_owned()
}

/// Plivo's word for a direction.
pub(super) fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
    }
}

/// Plivo's timestamps, in UTC: `2026-03-02 14:05:01`, or with microseconds
/// (`…01.120000`) as in `SessionStart`.
pub(super) fn timestamp(ms: u64, with_micros: bool) -> String {
    let format = if with_micros {
        "%Y-%m-%d %H:%M:%S.%6f"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    callproof_core::calendar::format_utc(ms, format)
}
