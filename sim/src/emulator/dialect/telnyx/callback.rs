//! Call Control webhooks (API version 2 envelope), signed as Telnyx signs
//! them: Ed25519 over `"{telnyx-timestamp}|{raw body}"`, the signature in
//! `telnyx-signature-ed25519` (base64), the time in `telnyx-timestamp`
//! (Unix seconds).
//!
//! | callback | event | `data.id` from |
//! |---|---|---|
//! | `Initiated` | `call.initiated` | the call (Telnyx sends one per call) |
//! | `Ringing` | the same `call.initiated`, delivered again | the call |
//! | `Answered` | `call.answered` | the call and the sequence number |
//! | `Ended(reason)` | `call.hangup`, cause from [`hangup`] | the call and the sequence number |
//!
//! Call Control has no ringing event. Telnyx does deliver webhooks more than
//! once ("retries webhook delivery"), so the moment the emulator wants a
//! ringing callback is spent on a duplicate of `call.initiated`: same body,
//! same `data.id`, a real thing Telnyx sends, which the receiver must
//! recognise as a duplicate.

use super::{ids, rest, SIGNING_SEED_BASE64};
use crate::emulator::dialect::CallbackKind;
use crate::emulator::truth::TruthCall;
use base64::Engine;
use callproof_core::record::Direction;
use callproof_core::state::{CallState, EndReason};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Map, Value};

/// Header names, as the webhook definitions of the spec give them.
const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
const TIMESTAMP_HEADER: &str = "telnyx-timestamp";

/// The signed webhook for `kind`, addressed to `call.webhook_url`.
pub(super) fn render(
    call: &TruthCall,
    kind: CallbackKind,
    sequence: u32,
    now: u64,
) -> http::Request<Vec<u8>> {
    let body = serde_json::to_vec(&envelope(call, kind, sequence, now)).unwrap_or_default();
    let timestamp = (now / 1000).to_string();

    let mut request = http::Request::new(Vec::new());
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = call.webhook_url.parse().unwrap_or_default();
    let headers = request.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    if let Some(signature) = sign(&timestamp, &body) {
        if let Ok(value) = http::HeaderValue::from_str(&signature) {
            headers.insert(SIGNATURE_HEADER, value);
        }
    }
    if let Ok(value) = http::HeaderValue::from_str(&timestamp) {
        headers.insert(TIMESTAMP_HEADER, value);
    }
    *request.body_mut() = body;
    request
}

/// The event type of a [`CallbackKind::Unrecognised`] callback.
const UNRECOGNISED_EVENT: &str = "call.screening";

/// `{"data":{record_type,event_type,id,occurred_at,payload},"meta":{…}}`.
fn envelope(call: &TruthCall, kind: CallbackKind, sequence: u32, now: u64) -> Value {
    let id = &call.provider_call_id;
    let outgoing = call.direction == Direction::Outbound;
    let (event_type, identity, occurred_at) = match kind {
        CallbackKind::Initiated | CallbackKind::Ringing => (
            "call.initiated",
            "call.initiated".to_owned(),
            call.created_at,
        ),
        CallbackKind::Answered => (
            "call.answered",
            sequence.to_string(),
            call.answered_at.unwrap_or(now),
        ),
        CallbackKind::Ended(_) => (
            "call.hangup",
            sequence.to_string(),
            call.ended_at.unwrap_or(now),
        ),
        CallbackKind::Unrecognised => (UNRECOGNISED_EVENT, sequence.to_string(), now),
        CallbackKind::Speech { index, is_final } => (
            "call.transcription",
            format!("transcription-{index}-{is_final}"),
            now,
        ),
    };

    let mut payload = Map::new();
    payload.insert("call_control_id".into(), json!(id));
    payload.insert("connection_id".into(), json!(super::CONNECTION_ID));
    payload.insert("call_leg_id".into(), json!(ids::call_leg_id(id)));
    payload.insert("call_session_id".into(), json!(ids::call_session_id(id)));
    // An inbound call nobody has commanded yet carries an empty client state.
    let state = call.call_id.as_deref().map(rest::client_state);
    payload.insert("client_state".into(), json!(state.unwrap_or_default()));
    if let CallbackKind::Speech { index, is_final } = kind {
        // `call.transcription` carries the ids and `transcription_data`
        // only (developers.telnyx.com, api-reference/callbacks/transcription).
        let said = crate::emulator::speech::utterance(call, index);
        if let Some(keyed) = said.filter(|u| u.dtmf) {
            // Keys are no words: a transcription does not hear them; Telnyx
            // reports each as `call.dtmf.received` (only the first here).
            let digit: String = keyed.text.chars().take(1).collect();
            payload.insert("digit".into(), json!(digit));
            payload.insert("from".into(), json!(call.from));
            payload.insert("to".into(), json!(call.to));
            return event(
                call,
                "call.dtmf.received",
                id,
                &identity,
                occurred_at,
                payload,
            );
        }
        let words = said.map_or("", |u| u.text.as_str());
        // An interim result is the first words of the final one.
        let transcript = if is_final {
            words.to_owned()
        } else {
            words.split(' ').take(2).collect::<Vec<_>>().join(" ")
        };
        payload.insert(
            "transcription_data".into(),
            json!({"transcript": transcript, "is_final": is_final, "confidence": 0.93}),
        );
        return event(call, event_type, id, &identity, occurred_at, payload);
    }
    payload.insert("from".into(), json!(call.from));
    payload.insert("to".into(), json!(call.to));
    payload.insert(
        "direction".into(),
        json!(if outgoing { "outgoing" } else { "incoming" }),
    );
    payload.insert("start_time".into(), json!(ids::rfc3339(call.created_at)));
    match kind {
        CallbackKind::Initiated | CallbackKind::Ringing => {
            let state = if outgoing { "bridging" } else { "parked" };
            payload.insert("state".into(), json!(state));
        }
        CallbackKind::Answered => {
            payload.insert("state".into(), json!("answered"));
        }
        CallbackKind::Unrecognised => {
            payload.insert(
                "state".into(),
                json!(crate::emulator::dialect::UNRECOGNISED_STATUS),
            );
        }
        CallbackKind::Speech { .. } => {}
        CallbackKind::Ended(reason) => {
            let (cause, source, sip) = hangup(call, reason);
            payload.insert("state".into(), json!("hangup"));
            payload.insert("hangup_cause".into(), json!(cause));
            payload.insert("hangup_source".into(), json!(source));
            payload.insert("sip_hangup_cause".into(), json!(sip));
        }
    }

    event(call, event_type, id, &identity, occurred_at, payload)
}

/// The envelope around `payload`.
fn event(
    call: &TruthCall,
    event_type: &str,
    id: &str,
    identity: &str,
    occurred_at: u64,
    payload: Map<String, Value>,
) -> Value {
    json!({
        "data": {
            "record_type": "event",
            "event_type": event_type,
            "id": ids::event_id(id, identity),
            "occurred_at": ids::rfc3339(occurred_at),
            "payload": payload,
        },
        "meta": {"attempt": 1, "delivered_to": call.webhook_url},
    })
}

/// `(hangup_cause, hangup_source, sip_hangup_cause)` for a truth end reason,
/// chosen so the adapter's mapping gives an end back for every one, and so
/// every cause of the SDK's closed `hangup_cause` enum occurs:
///
/// | reason | when | cause | source | adapter reads |
/// |---|---|---|---|---|
/// | `Busy` | | `user_busy` | remote | `Busy` |
/// | `HangupUser` | outgoing, before answer (declined) | `call_rejected` (SIP 603) | callee | `Busy` |
/// | `HangupUser` | incoming, before answer (the caller gave up) | `originator_cancel` | caller | `NoAnswer` |
/// | `HangupUser` | answered | `normal_clearing` | remote | `HangupUser` |
/// | `NoAnswer` | outgoing, at our `timeout_secs` | `timeout` | unknown | `NoAnswer` |
/// | `NoAnswer` | outgoing, the callee's network first | `no_answer` | callee | `NoAnswer` |
/// | `NoAnswer` | incoming | `originator_cancel` | caller | `NoAnswer` |
/// | `HangupBot` | outgoing, before answer (we cancel) | `originator_cancel` | caller | `NoAnswer` |
/// | `HangupBot` | otherwise | `normal_clearing` | our side | `Completed` |
/// | `Timeout` | | `time_limit` (our `time_limit_secs`) | unknown | `Timeout` |
/// | `Failed` | | `not_found` | unknown | `Failed` |
/// | `Error` | | `unspecified` | unknown | `Completed` |
/// | `Completed` | at our `time_limit_secs` | `time_limit` | unknown | `Timeout` |
/// | `Completed`, `Voicemail` | otherwise | `normal_clearing` | unknown | `Completed` |
///
/// The remote party is the callee of an outgoing call and the caller of an
/// incoming one. Telnyx has no cause for an answering machine (only with
/// machine detection, which the adapter never asks for) or for a provider
/// error beyond `unspecified`.
pub(super) fn hangup(
    call: &TruthCall,
    reason: EndReason,
) -> (&'static str, &'static str, &'static str) {
    let direction = call.direction;
    let answered = call.answered_at.is_some();
    let (remote, ours) = match direction {
        Direction::Outbound => ("callee", "caller"),
        Direction::Inbound => ("caller", "callee"),
    };
    match reason {
        CallState::Busy => ("user_busy", remote, "486"),
        CallState::HangupUser if !answered => match direction {
            Direction::Outbound => ("call_rejected", "callee", "603"),
            Direction::Inbound => ("originator_cancel", "caller", "487"),
        },
        CallState::NoAnswer => match direction {
            Direction::Outbound if call.rang_out() => ("timeout", "unknown", "unspecified"),
            Direction::Outbound => ("no_answer", "callee", "480"),
            Direction::Inbound => ("originator_cancel", "caller", "487"),
        },
        CallState::HangupBot if !answered && direction == Direction::Outbound => {
            ("originator_cancel", "caller", "487")
        }
        CallState::Timeout => ("time_limit", "unknown", "unspecified"),
        CallState::Completed if call.hit_time_limit() => ("time_limit", "unknown", "unspecified"),
        CallState::Failed => ("not_found", "unknown", "404"),
        CallState::Error => ("unspecified", "unknown", "unspecified"),
        CallState::HangupUser => ("normal_clearing", remote, "unspecified"),
        CallState::HangupBot => ("normal_clearing", ours, "unspecified"),
        _ => ("normal_clearing", "unknown", "unspecified"),
    }
}

/// Base64 of the Ed25519 signature over `"{timestamp}|{body}"`. `None` only
/// if the seed constant were not 32 bytes of base64, which a test rules out;
/// the delivery then goes unsigned and the receiver refuses it, loudly.
pub(super) fn sign(timestamp: &str, body: &[u8]) -> Option<String> {
    let seed = base64::engine::general_purpose::STANDARD
        .decode(SIGNING_SEED_BASE64)
        .ok()?;
    let seed: [u8; 32] = seed.as_slice().try_into().ok()?;
    let key = SigningKey::from_bytes(&seed);
    let mut message = Vec::with_capacity(timestamp.len() + 1 + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'|');
    message.extend_from_slice(body);
    Some(base64::engine::general_purpose::STANDARD.encode(key.sign(&message).to_bytes()))
}
