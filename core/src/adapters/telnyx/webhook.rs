//! Call Control v2 webhook events, normalized.
//!
//! Envelope (webhook API version 2):
//! `{"data":{"record_type":"event","event_type","id","occurred_at","payload":{…}},"meta":{…}}`.
//! The legacy version-1 envelope (flat, `event_type` like `call_initiated`,
//! `created_at`) is not supported: its payload fields are documented only
//! loosely, and a Call Control App is switched to version 2 with one setting
//! (`webhook_api_version`). It is refused as malformed with that hint.
//! GET-method deliveries (payload in the query string) are not supported
//! either: events are read from the signed JSON body only, which is what the
//! default `webhook_url_method` (POST) sends.
//!
//! | `event_type` | event |
//! |---|---|
//! | `call.initiated` | `Initiated` |
//! | `call.answered` | `Answered` |
//! | `call.hangup` | `Ended { reason }`, reason from `hangup_cause` (see [`end_reason`]) |
//! | `call.speak.started` | `Speaking` |
//! | `call.transcription` | `Speech { transcript, is_final }` |
//! | other documented call events ([`is_ignored`]) | none |
//! | anything else | `WebhookError::UnknownStatus` |

use crate::provider::{EventKind, ProviderEvent, ProviderName};
use crate::record::Direction;
use crate::state::EndReason;
use crate::webhook::{VerifiedWebhook, WebhookError};
use base64::Engine;
use serde_json::{Map, Value};

/// Parses one verified delivery into at most one event.
///
/// `dedupe_key` is `telnyx:` + `data.id`: Telnyx keeps the event id across
/// retried deliveries and gives every event its own, which is exactly the
/// identity the manager needs.
pub(super) fn parse(webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
    if webhook.provider() != ProviderName::Telnyx {
        return Err(malformed(format!(
            "webhook was verified by the {} adapter, not telnyx",
            webhook.provider()
        )));
    }
    let root: Value = serde_json::from_slice(webhook.body())
        .map_err(|e| malformed(format!("body is not JSON: {e}")))?;
    let Some(data) = root.get("data").and_then(Value::as_object) else {
        if root.get("event_type").is_some() {
            return Err(malformed(
                "webhook API version 1 envelope; set the Call Control App's webhook_api_version to 2"
                    .to_owned(),
            ));
        }
        return Err(malformed("no `data` object in the envelope".to_owned()));
    };

    let event_type = required_str(data, "event_type")?;
    let id = required_str(data, "id")?;
    if id.is_empty() {
        return Err(malformed("data.id is empty".to_owned()));
    }
    let occurred_at = match optional_str(data, "occurred_at")? {
        None => None,
        Some(text) => Some(super::time::parse_rfc3339_ms(text).ok_or_else(|| {
            malformed(format!("data.occurred_at {text:?} is not an RFC 3339 time"))
        })?),
    };
    let empty = Map::new();
    let payload = match data.get("payload") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(_) => return Err(malformed("data.payload is not an object".to_owned())),
    };

    let direction = match optional_str(payload, "direction")? {
        None => None,
        Some("incoming") => Some(Direction::Inbound),
        Some("outgoing") => Some(Direction::Outbound),
        Some(other) => {
            return Err(malformed(format!(
                "payload.direction {other:?} is neither incoming nor outgoing"
            )))
        }
    };

    let kind = match event_type {
        "call.initiated" => EventKind::Initiated,
        "call.answered" => EventKind::Answered,
        "call.hangup" => EventKind::Ended {
            reason: end_reason(
                optional_str(payload, "hangup_cause")?,
                optional_str(payload, "hangup_source")?,
                direction,
            ),
        },
        "call.speak.started" => EventKind::Speaking,
        "call.transcription" => speech(payload)?,
        other if is_ignored(other) => return Ok(Vec::new()),
        other => {
            return Err(WebhookError::UnknownStatus {
                raw: other.to_owned(),
            })
        }
    };

    Ok(vec![ProviderEvent {
        dedupe_key: format!("telnyx:{id}"),
        call_id: call_id(payload)?,
        provider_call_id: optional_str(payload, "call_control_id")?.map(str::to_owned),
        request_id: None,
        direction,
        from: optional_str(payload, "from")?.map(str::to_owned),
        to: optional_str(payload, "to")?.map(str::to_owned),
        occurred_at,
        kind,
    }])
}

/// Maps `hangup_cause` (the SDK's closed enum) to a terminal state.
///
/// | cause | reason | why |
/// |---|---|---|
/// | `call_rejected` | `Busy` | the far end declined (spec example: SIP 603) |
/// | `normal_clearing` | `HangupUser` or `Completed` | see below |
/// | `originator_cancel` | `NoAnswer` | the caller gave up before an answer |
/// | `timeout` | `NoAnswer` | our `timeout_secs` ring timeout expired |
/// | `time_limit` | `Timeout` | our `time_limit_secs` expired |
/// | `user_busy` | `Busy` | |
/// | `not_found` | `Failed` | the destination does not exist |
/// | `no_answer` | `NoAnswer` | |
/// | `unspecified`, absent, unrecognised | `Completed` | |
///
/// `normal_clearing` becomes `HangupUser` when `hangup_source` names the
/// remote party, which needs the call's direction: the callee of an outgoing
/// call, the caller of an incoming one. `call.hangup` payloads carry no
/// `direction` in the spec, so this applies only when a delivery includes one;
/// otherwise (and for our own side or `unknown`) it is `Completed`, and the
/// manager, which knows whether it sent the hangup, records `HangupBot` itself.
///
/// A `call.hangup` is proof the call is over whatever its cause says, so an
/// absent or new cause still ends the call, with the neutral `Completed`.
pub(super) fn end_reason(
    cause: Option<&str>,
    source: Option<&str>,
    direction: Option<Direction>,
) -> EndReason {
    match cause {
        Some("call_rejected") | Some("user_busy") => EndReason::Busy,
        Some("normal_clearing") => match (direction, source) {
            (Some(Direction::Outbound), Some("callee"))
            | (Some(Direction::Inbound), Some("caller")) => EndReason::HangupUser,
            _ => EndReason::Completed,
        },
        Some("originator_cancel") | Some("timeout") | Some("no_answer") => EndReason::NoAnswer,
        Some("time_limit") => EndReason::Timeout,
        Some("not_found") => EndReason::Failed,
        _ => EndReason::Completed,
    }
}

/// Documented call events that say nothing the call model tracks: bridging,
/// playback and speech progress, DTMF, answering-machine detection (never
/// requested by this adapter), recordings, media streams, forks, SIP refers,
/// queues and cost reports. Acknowledged and dropped.
pub(super) fn is_ignored(event_type: &str) -> bool {
    const EXACT: &[&str] = &[
        "call.bridged",
        "call.speak.ended",
        "call.dtmf.received",
        "call.gather.ended",
        "call.enqueued",
        "call.left_queue",
        "call.cost",
    ];
    const FAMILIES: &[&str] = &[
        "call.playback.",
        "call.machine.",
        "call.streaming.",
        "call.fork.",
        "call.refer.",
        "call.recording.",
    ];
    EXACT.contains(&event_type) || FAMILIES.iter().any(|f| event_type.starts_with(f))
}

/// `payload.transcription_data` as documented for `call.transcription`
/// (developers.telnyx.com, api-reference/callbacks/transcription:
/// `{transcript, is_final, confidence}`). An absent `is_final` counts as
/// final: an engine that sends no interim results has nothing to mark.
fn speech(payload: &Map<String, Value>) -> Result<EventKind, WebhookError> {
    let data = payload
        .get("transcription_data")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("call.transcription without transcription_data".to_owned()))?;
    let transcript = required_str(data, "transcript")?;
    let is_final = match data.get("is_final") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(malformed(format!("is_final is {other}, not a boolean"))),
    };
    Ok(EventKind::Speech {
        transcript: transcript.to_owned(),
        is_final,
    })
}

/// The manager's call id from `client_state` (base64 of it, set on dial).
/// Absent, null or empty: `None` (an inbound call nobody commanded yet).
/// Present but not base64 of UTF-8: malformed, because guessing would
/// attach the event to no call or the wrong one.
fn call_id(payload: &Map<String, Value>) -> Result<Option<String>, WebhookError> {
    let Some(state) = optional_str(payload, "client_state")? else {
        return Ok(None);
    };
    if state.is_empty() {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(state)
        .map_err(|e| malformed(format!("client_state is not base64: {e}")))?;
    let id = String::from_utf8(bytes)
        .map_err(|_| malformed("client_state does not decode to UTF-8".to_owned()))?;
    Ok((!id.is_empty()).then_some(id))
}

fn required_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, WebhookError> {
    optional_str(obj, key)?.ok_or_else(|| malformed(format!("`{key}` is missing")))
}

/// A string field, absent or null as `None`; any other type is malformed.
fn optional_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, WebhookError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(malformed(format!("`{key}` is {other}, not a string"))),
    }
}

fn malformed(detail: String) -> WebhookError {
    WebhookError::Malformed { detail }
}
