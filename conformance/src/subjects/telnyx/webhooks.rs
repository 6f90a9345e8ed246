//! Telnyx's call events, the probe webhooks built from them, and the signer
//! the recordings were made with.
//!
//! Event types, `hangup_cause`, `hangup_source` and `direction` values are the
//! OpenAPI document's `webhooks` (callInitiated, callAnswered, callHangup,
//! callSpeakStarted) and telnyx-python `types/call_hangup.py`;
//! `call.transcription` and its `transcription_data` are Telnyx's callback
//! reference ("transcription").

use super::{CONNECTION_ID, JAVA_SEED, PROVIDER_CALL_ID, RECORDED_NOW, WEBHOOK_URL};
use crate::recording::OwnedWebhook;
use crate::subject::{WebhookStatusRow, CALL_ID, FROM, TO};
use base64::Engine;
use callproof_core::provider::EventKind;
use callproof_core::state::CallState;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Map, Value};

/// base64 of the 64-byte Ed25519 signature.
pub(super) const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
/// The signing time, Unix seconds; part of the signed text.
pub(super) const TIMESTAMP_HEADER: &str = "telnyx-timestamp";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The transcript the `call.transcription` probes carry.
const TRANSCRIPT: &str = "yes that works for me";

fn ended(reason: CallState) -> EventKind {
    EventKind::Ended { reason }
}

/// Every event the adapter turns into a call event. A key is
/// `event_type[:detail…]`: for `call.hangup` the detail is
/// `hangup_cause[:hangup_source:direction]` (the end reason lives there), for
/// `call.transcription` `final` or `interim`.
///
/// Documented events that carry nothing the call model tracks
/// (`call.bridged`, `call.speak.ended`, `call.playback.*`, `call.dtmf.*`, …)
/// produce no event at all, which a row cannot state; the suite's unknown-word
/// probes hold them to "never an end" like any other word.
pub(super) fn status_table() -> Vec<WebhookStatusRow> {
    let row = |raw, expected| WebhookStatusRow { raw, expected };
    vec![
        row("call.initiated", EventKind::Initiated),
        row("call.answered", EventKind::Answered),
        row("call.speak.started", EventKind::Speaking),
        row(
            "call.transcription:final",
            EventKind::Speech {
                transcript: TRANSCRIPT.to_owned(),
                is_final: true,
            },
        ),
        row(
            "call.transcription:interim",
            EventKind::Speech {
                transcript: TRANSCRIPT.to_owned(),
                is_final: false,
            },
        ),
        // SIP 603: the callee declined.
        row("call.hangup:call_rejected", ended(CallState::Busy)),
        row("call.hangup:user_busy", ended(CallState::Busy)),
        // Who cleared the call decides whether the user hung up; without a
        // direction (the spec's call.hangup has none) it is the neutral end.
        row("call.hangup:normal_clearing", ended(CallState::Completed)),
        row(
            "call.hangup:normal_clearing:callee:outgoing",
            ended(CallState::HangupUser),
        ),
        row(
            "call.hangup:normal_clearing:caller:incoming",
            ended(CallState::HangupUser),
        ),
        row(
            "call.hangup:normal_clearing:caller:outgoing",
            ended(CallState::Completed),
        ),
        row(
            "call.hangup:normal_clearing:unknown:outgoing",
            ended(CallState::Completed),
        ),
        row("call.hangup:originator_cancel", ended(CallState::NoAnswer)),
        // Our `timeout_secs` ring timeout expired.
        row("call.hangup:timeout", ended(CallState::NoAnswer)),
        row("call.hangup:no_answer", ended(CallState::NoAnswer)),
        // Our `time_limit_secs` expired.
        row("call.hangup:time_limit", ended(CallState::Timeout)),
        row("call.hangup:not_found", ended(CallState::Failed)),
        row("call.hangup:unspecified", ended(CallState::Completed)),
        // A hangup is proof the call is over, whatever (or whether) its cause.
        row("call.hangup", ended(CallState::Completed)),
    ]
}

/// A v2-envelope delivery of the event `raw` names (a table key, or any word
/// as the `event_type`), signed at the recordings' clock.
pub(super) fn with_status(raw: &str) -> OwnedWebhook {
    let mut parts = raw.split(':');
    let event_type = parts.next().unwrap_or_default();
    let mut payload = Map::new();
    for (key, value) in [
        ("call_control_id", PROVIDER_CALL_ID),
        ("connection_id", CONNECTION_ID),
        ("call_leg_id", "4a1e9c52-83b7-11ee-9f3d-02420a0d7a01"),
        ("call_session_id", "4a1e7b30-83b7-11ee-a6c2-02420a0d7a01"),
        ("from", FROM),
        ("to", TO),
    ] {
        payload.insert(key.to_owned(), json!(value));
    }
    payload.insert("client_state".to_owned(), json!(B64.encode(CALL_ID)));
    match event_type {
        "call.hangup" => {
            payload.insert("state".to_owned(), json!("hangup"));
            let fields = ["hangup_cause", "hangup_source", "direction"];
            for (field, value) in fields.into_iter().zip(parts) {
                payload.insert(field.to_owned(), json!(value));
            }
        }
        "call.transcription" => {
            payload.insert(
                "transcription_data".to_owned(),
                json!({
                    "confidence": 0.93,
                    "is_final": parts.next() != Some("interim"),
                    "transcript": TRANSCRIPT,
                }),
            );
        }
        "call.initiated" => {
            payload.insert("direction".to_owned(), json!("outgoing"));
            payload.insert("state".to_owned(), json!("bridging"));
        }
        "call.answered" => {
            payload.insert("state".to_owned(), json!("answered"));
        }
        _ => {}
    }
    let body = json!({ "data": {
        "record_type": "event",
        "event_type": event_type,
        "id": "c0ffee00-0000-4000-8000-00000000beef",
        "occurred_at": "2023-11-14T22:14:01.930417Z",
        "payload": Value::Object(payload),
    } });
    let mut webhook = OwnedWebhook {
        method: http::Method::POST,
        url: WEBHOOK_URL.to_owned(),
        headers: http::HeaderMap::new(),
        body: body.to_string().into_bytes(),
    };
    webhook.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    // The body is ours and the seed a constant: signing cannot fail, and if
    // it did the unsigned webhook would be refused, which the check reports.
    let _ = sign(&mut webhook, RECORDED_NOW);
    webhook
}

/// The Ed25519 key the recordings are signed with (telnyx-java's test seed).
pub(super) fn recording_key() -> Result<SigningKey, String> {
    signing_key(JAVA_SEED)
}

/// A public key neither published key pair shares, for "signed under
/// another key": both published pairs sign valid vectors, so neither can
/// play the stranger. Derived from a seed of our own (32 bytes of `0x07`).
pub(super) fn other_public_key() -> String {
    B64.encode(
        SigningKey::from_bytes(&[7u8; 32])
            .verifying_key()
            .to_bytes(),
    )
}

/// A signing key from base64 of a 32-byte seed (or of a 64-byte seed‖public
/// secret, whose first half is the seed).
pub(super) fn signing_key(seed_base64: &str) -> Result<SigningKey, String> {
    let bytes = B64
        .decode(seed_base64)
        .map_err(|e| format!("seed is not base64: {e}"))?;
    let seed: [u8; 32] = bytes
        .get(..32)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| format!("seed is {} bytes, an Ed25519 seed is 32", bytes.len()))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Base64 of the Ed25519 signature over `"{timestamp}|{body}"`.
pub(super) fn signature(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut message = format!("{timestamp}|").into_bytes();
    message.extend_from_slice(body);
    B64.encode(key.sign(&message).to_bytes())
}

/// Stamps `webhook` with `now` and signs it as Telnyx does, with the
/// recordings' key.
pub(super) fn sign(webhook: &mut OwnedWebhook, now_unix_secs: i64) -> Result<(), String> {
    let timestamp = now_unix_secs.to_string();
    let signed = signature(&recording_key()?, &timestamp, &webhook.body);
    let value = http::HeaderValue::from_str(&signed).map_err(|e| e.to_string())?;
    let stamp = http::HeaderValue::from_str(&timestamp).map_err(|e| e.to_string())?;
    webhook.headers.insert(SIGNATURE_HEADER, value);
    webhook.headers.insert(TIMESTAMP_HEADER, stamp);
    Ok(())
}
