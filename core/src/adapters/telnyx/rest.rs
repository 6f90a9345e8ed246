//! Call Control v2 requests and the classification of their answers.
//!
//! | op | request | success |
//! |---|---|---|
//! | Create | `POST /v2/calls` (DialCall) | 200 `data.call_control_id` |
//! | Hangup | `POST /v2/calls/{id}/actions/hangup` | 200 `data.result = "ok"` |
//! | Status | `GET /v2/calls/{id}` (RetrieveCallStatus) | 200 `data.is_alive` |
//! | Speak | `POST /v2/calls/{id}/actions/speak` | 200 `data.result = "ok"` |
//! | StartListening | `POST /v2/calls/{id}/actions/transcription_start` | 200 `data.result = "ok"` |
//! | StopListening | `POST /v2/calls/{id}/actions/transcription_stop` | 200 `data.result = "ok"` |
//!
//! The transcription paths are not in the OpenAPI excerpt the other rows come
//! from; they are Telnyx's documented `StartCallTranscription` command
//! (developers.telnyx.com, api-reference/call-commands/transcription-start,
//! "Expected webhooks: call.transcription") and its stop counterpart, and take
//! the same `client_state` / `command_id` fields (`TranscriptionStartRequest`
//! in the spec's components).

use super::TelnyxAdapter;
use crate::adapters::BuildError;
use crate::provider::{CallRef, OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use crate::state::EndReason;
use base64::Engine;
use serde_json::{json, Map, Value};

/// DialCall's `timeout_secs` range (spec: "Minimum value is 5 seconds.
/// Maximum value is 600 seconds").
pub(super) const RING_TIMEOUT_RANGE: (u32, u32) = (5, 600);
/// DialCall's `time_limit_secs` range (spec: `minimum: 30`, `maximum: 14400`).
pub(super) const TIME_LIMIT_RANGE: (u32, u32) = (30, 14_400);
/// SpeakRequest's documented payload limit ("There is a 3,000 character limit").
pub(super) const MAX_SPEAK_CHARS: usize = 3_000;
/// The error code of "Call has already ended" (422).
const CALL_ALREADY_ENDED: &str = "90018";

/// Builds the request for `op`.
///
/// Out-of-range limits are clamped into the spec's range rather than refused:
/// a refused dial would leave a call that cannot be placed at all, while a
/// clamped one still has a provider-side limit (a 10 s time limit becomes 30 s,
/// and the manager's own max-duration timer still ends the call on time).
pub(super) fn build_request(
    adapter: &TelnyxAdapter,
    op: &ProviderOp,
    command_id: &str,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    if command_id.is_empty() {
        return Err(build_error(
            "command_id is empty: Telnyx recognises a retried command by it",
        ));
    }
    let (method, path, body) = match op {
        ProviderOp::Create(create) => {
            let mut body = Map::new();
            body.insert("connection_id".into(), json!(adapter.config.connection_id));
            body.insert("to".into(), json!(create.to));
            body.insert("from".into(), json!(create.from));
            body.insert("client_state".into(), json!(client_state(&create.call_id)));
            body.insert("command_id".into(), json!(command_id));
            if !adapter.config.webhook_url.is_empty() {
                body.insert("webhook_url".into(), json!(adapter.config.webhook_url));
            }
            body.insert(
                "timeout_secs".into(),
                json!(clamp(create.ring_timeout_secs, RING_TIMEOUT_RANGE)),
            );
            body.insert(
                "time_limit_secs".into(),
                json!(clamp(create.time_limit_secs, TIME_LIMIT_RANGE)),
            );
            (http::Method::POST, "/v2/calls".to_owned(), Some(body))
        }
        ProviderOp::Hangup { call, .. } => (
            http::Method::POST,
            action_path(call, "hangup")?,
            Some(command_body(call, command_id)),
        ),
        ProviderOp::Status { call } => (http::Method::GET, call_path(call)?, None),
        ProviderOp::Speak { call, text } => {
            if text.is_empty() {
                return Err(build_error("speak: nothing to say (empty text)"));
            }
            let chars = text.chars().count();
            if chars > MAX_SPEAK_CHARS {
                return Err(build_error(format!(
                    "speak: {chars} characters exceed Telnyx's {MAX_SPEAK_CHARS}-character payload limit"
                )));
            }
            let mut body = command_body(call, command_id);
            body.insert("payload".into(), json!(text));
            body.insert("payload_type".into(), json!("text"));
            body.insert("voice".into(), json!(adapter.voice));
            (http::Method::POST, action_path(call, "speak")?, Some(body))
        }
        ProviderOp::StartListening { call } => (
            http::Method::POST,
            action_path(call, "transcription_start")?,
            Some(command_body(call, command_id)),
        ),
        ProviderOp::StopListening { call } => (
            http::Method::POST,
            action_path(call, "transcription_stop")?,
            Some(command_body(call, command_id)),
        ),
    };

    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("{}{}", adapter.api_base, path))
        .header(
            http::header::AUTHORIZATION,
            format!("Bearer {}", adapter.config.api_key),
        )
        .header(http::header::ACCEPT, "application/json");
    let bytes = match body {
        Some(body) => {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
            serde_json::to_vec(&body).map_err(|e| build_error(format!("encoding body: {e}")))?
        }
        None => Vec::new(),
    };
    builder
        .body(bytes)
        .map_err(|e| build_error(format!("invalid request: {e}")))
}

/// Base64 of the manager's call id: the spec requires `client_state` to be
/// valid base64, and Telnyx echoes it in every later webhook of the call.
pub(super) fn client_state(call_id: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(call_id.as_bytes())
}

fn clamp(value: u32, (min, max): (u32, u32)) -> u32 {
    value.clamp(min, max)
}

fn build_error(detail: impl Into<String>) -> BuildError {
    BuildError {
        detail: format!("telnyx: {}", detail.into()),
    }
}

fn command_body(call: &CallRef, command_id: &str) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("client_state".into(), json!(client_state(&call.call_id)));
    body.insert("command_id".into(), json!(command_id));
    body
}

fn call_path(call: &CallRef) -> Result<String, BuildError> {
    let id = match call.provider_call_id.as_deref() {
        Some(id) if !id.is_empty() => id,
        _ => {
            return Err(build_error(format!(
                "call {} has no call_control_id yet; Call Control addresses calls only by it",
                call.call_id
            )))
        }
    };
    Ok(format!("/v2/calls/{}", encode_path_segment(id)))
}

fn action_path(call: &CallRef, action: &str) -> Result<String, BuildError> {
    Ok(format!("{}/actions/{action}", call_path(call)?))
}

/// Percent-encodes everything outside RFC 3986 `pchar`, so an id like
/// `v3:Md..._IiE4pqg` passes unchanged and a hostile one cannot add path
/// segments or a query.
fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~:@!$&'()*+,;=".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Classifies Telnyx's answer. Total over every status and body.
///
/// - 2xx: the body must carry what the op needs, else `Malformed`.
/// - 401/403: `Unauthorized`. 408, 429 (code 10011), 5xx (503 is 10007):
///   `Transient`.
/// - 422 with any error of code 90018 ("Call has already ended"): `NotFound`,
///   proof the call is over. Other 400/422 (and remaining 4xx): `Rejected`.
/// - 404: not in the spec's response lists for these paths; for an op on an
///   existing call id it can only mean the call is unknown (status data is kept
///   only ten minutes after the end), so it is `NotFound`. For a create it
///   means the base URL is wrong: `Rejected`.
/// - 1xx/3xx: nothing Telnyx documents; `Malformed` (outcome unknown).
pub(super) fn parse_response(
    op: &ProviderOp,
    response: &http::Response<Vec<u8>>,
) -> Result<OpOutcome, ProviderError> {
    let status = response.status().as_u16();
    let body = response.body();
    let is_create = matches!(op, ProviderOp::Create(_));
    match status {
        200..=299 => parse_success(op, body),
        401 | 403 => Err(ProviderError::Unauthorized {
            detail: describe(status, body),
        }),
        408 | 429 | 500..=599 => Err(ProviderError::Transient {
            detail: describe(status, body),
        }),
        404 if !is_create => Err(ProviderError::NotFound {
            detail: describe(status, body),
        }),
        422 if !is_create && has_error_code(body, CALL_ALREADY_ENDED) => {
            Err(ProviderError::NotFound {
                detail: describe(status, body),
            })
        }
        400..=499 => Err(ProviderError::Rejected {
            status,
            detail: describe(status, body),
        }),
        _ => Err(ProviderError::Malformed {
            detail: format!("unexpected {}", describe(status, body)),
        }),
    }
}

fn parse_success(op: &ProviderOp, body: &[u8]) -> Result<OpOutcome, ProviderError> {
    let data = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("data").cloned())
        .filter(Value::is_object)
        .ok_or_else(|| malformed(op, "2xx body is not a JSON object with a `data` object"))?;
    match op {
        ProviderOp::Create(_) => match data.get("call_control_id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Ok(OpOutcome::Created {
                provider_call_id: Some(id.to_owned()),
                request_id: None,
            }),
            _ => Err(malformed(op, "dial answer lacks data.call_control_id")),
        },
        ProviderOp::Status { .. } => Ok(OpOutcome::Status(call_status(&data))),
        ProviderOp::Hangup { .. }
        | ProviderOp::Speak { .. }
        | ProviderOp::StartListening { .. }
        | ProviderOp::StopListening { .. } => match data.get("result").and_then(Value::as_str) {
            Some("ok") => Ok(OpOutcome::Done),
            other => Err(malformed(
                op,
                &format!("command answer has data.result {other:?}, expected \"ok\""),
            )),
        },
    }
}

/// `is_alive` is the only liveness signal the `Call` resource has (no status
/// enum). `true` is `Live { answered: false }`: the resource has `start_time`
/// but no answer time, so it cannot say whether the callee picked up, and the
/// manager keeps the answer it learnt from `call.answered`. `false` is
/// `Ended { Completed }`: the resource carries no hangup cause, so the neutral
/// end is the only honest reason. A missing or non-boolean `is_alive` is
/// `Unknown`, never an end.
fn call_status(data: &Value) -> ProviderCallStatus {
    match data.get("is_alive") {
        Some(Value::Bool(true)) => ProviderCallStatus::Live { answered: false },
        Some(Value::Bool(false)) => ProviderCallStatus::Ended {
            reason: EndReason::Completed,
        },
        Some(other) => ProviderCallStatus::Unknown {
            raw: format!("is_alive: {other}"),
        },
        None => ProviderCallStatus::Unknown {
            raw: "is_alive missing".to_owned(),
        },
    }
}

fn malformed(op: &ProviderOp, what: &str) -> ProviderError {
    ProviderError::Malformed {
        detail: format!("telnyx {}: {what}", op.kind()),
    }
}

fn errors(body: &[u8]) -> Vec<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("errors").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

/// The spec types `code` as a string; a number is accepted too.
fn error_code(error: &Value) -> Option<String> {
    match error.get("code")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn has_error_code(body: &[u8], code: &str) -> bool {
    errors(body)
        .iter()
        .any(|e| error_code(e).as_deref() == Some(code))
}

/// `HTTP 422: 90018 Call has already ended: This call is no longer active...`,
/// one entry per JSON:API error, or a short excerpt of an unreadable body.
fn describe(status: u16, body: &[u8]) -> String {
    let errors = errors(body);
    if errors.is_empty() {
        let text: String = String::from_utf8_lossy(body).chars().take(200).collect();
        return if text.trim().is_empty() {
            format!("HTTP {status} (empty body)")
        } else {
            format!("HTTP {status}: {}", text.trim())
        };
    }
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            let mut part = error_code(e).unwrap_or_else(|| "?".to_owned());
            if let Some(title) = e.get("title").and_then(Value::as_str) {
                part.push(' ');
                part.push_str(title);
            }
            if let Some(detail) = e.get("detail").and_then(Value::as_str) {
                part.push_str(": ");
                part.push_str(detail);
            }
            part
        })
        .collect();
    format!("HTTP {status}: {}", parts.join("; "))
}
