//! The Call Control v2 REST surface: requests understood, answers rendered.
//!
//! | request | understood as | success |
//! |---|---|---|
//! | `POST /v2/calls` | `Create` | 200 `data` = Call, `is_alive: false` |
//! | `GET /v2/calls/{id}` | `Status` | 200 `data` = Call, `is_alive` |
//! | `POST /v2/calls/{id}/actions/hangup` | `Hangup` | 200 `{"data":{"result":"ok"}}` |
//! | `POST /v2/calls/{id}/actions/speak` | `Speak` | same |
//! | `POST /v2/calls/{id}/actions/transcription_start` | `StartListening` | same |
//! | `POST /v2/calls/{id}/actions/transcription_stop` | `StopListening` | same |
//! | `POST /v2/calls/{id}/actions/answer` | `Answer` (an inbound call) | same |
//! | `POST /v2/calls/{id}/actions/reject` | `Reject` (an inbound call) | same |
//!
//! Errors use Telnyx's JSON:API body `{"errors":[{code,title,detail,source?}]}`
//! with codes from its published list: 401/10009 (bad key), 404/10005 (no
//! such route), 400/10015 (unreadable body), 415/10014 (not JSON),
//! 422/10004 (missing parameter), 422/10015 (invalid value), 422/10033
//! (out of range), 422/90018 (call has already ended: the answer to any
//! command or status request for a call that is over or unknown; the spec
//! lists 422, not 404, for `GET /v2/calls/{id}`), 429/10011, 503/10007.

use super::{ids, API_KEY, CONNECTION_ID};
use crate::emulator::dialect::{ApiCall, ApiResult, CreateParams, IdRef};
use crate::emulator::truth::TruthCall;
use base64::Engine;
use serde_json::{json, Map, Value};

/// DialCall's `timeout_secs`: default and documented range.
const RING_TIMEOUT_DEFAULT: u32 = 30;
const RING_TIMEOUT_RANGE: (u32, u32) = (5, 600);
/// DialCall's `time_limit_secs`: default (also the maximum) and range.
const TIME_LIMIT_DEFAULT: u32 = 14_400;
const TIME_LIMIT_RANGE: (u32, u32) = (30, 14_400);
/// SpeakRequest's payload limit ("There is a 3,000 character limit").
const MAX_SPEAK_CHARS: usize = 3_000;

/// Telnyx's error answer, boxed so the many `Result`s carrying it stay small.
pub(super) type Refusal = Box<http::Response<Vec<u8>>>;

/// Understands a request the way Telnyx's API gateway would: credentials
/// first, then the route, then the body.
pub(super) fn parse(request: &http::Request<Vec<u8>>) -> Result<ApiCall, Refusal> {
    if !authorized(request) {
        return Err(error(
            401,
            "10009",
            "Authentication failed",
            "The required authentication headers were either invalid or not included in the request.",
            None,
        ));
    }
    let path = request.uri().path().trim_start_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let method = request.method();
    let route = match segments.as_slice() {
        ["v2", "calls"] if method == http::Method::POST => Command::Dial,
        ["v2", "calls", id] if method == http::Method::GET => {
            return Ok(ApiCall::Status(IdRef::Call(decode_id(id)?)));
        }
        ["v2", "calls", id, "actions", action] if method == http::Method::POST => {
            let id = IdRef::Call(decode_id(id)?);
            match *action {
                "hangup" => Command::Hangup(id),
                "speak" => Command::Speak(id),
                "transcription_start" => Command::StartListening(id),
                "transcription_stop" => Command::StopListening(id),
                "answer" => Command::Answer(id),
                "reject" => Command::Reject(id),
                _ => return Err(not_found()),
            }
        }
        _ => return Err(not_found()),
    };
    let body = json_body(request)?;
    check_client_state(&body)?;
    match route {
        Command::Dial => dial(&body).map(ApiCall::Create),
        Command::Hangup(id) => Ok(ApiCall::Hangup(id)),
        Command::Speak(id) => speak(&body).map(|()| ApiCall::Speak(id)),
        Command::StartListening(id) => Ok(ApiCall::StartListening(id)),
        Command::StopListening(id) => Ok(ApiCall::StopListening(id)),
        Command::Answer(id) => Ok(ApiCall::Answer(id)),
        Command::Reject(id) => Ok(ApiCall::Reject(id)),
    }
}

/// The POST routes, recognised before their body is read.
enum Command {
    Dial,
    Hangup(IdRef),
    Speak(IdRef),
    StartListening(IdRef),
    StopListening(IdRef),
    Answer(IdRef),
    Reject(IdRef),
}

/// Renders the emulator's decision as Telnyx answers it.
pub(super) fn respond(_call: &ApiCall, result: ApiResult<'_>) -> http::Response<Vec<u8>> {
    match result {
        ApiResult::Created(call) => {
            // "For Dial command it will always be `false` (dialing is asynchronous)."
            let mut data = call_object(call);
            data.insert("is_alive".into(), json!(false));
            response(200, &json!({ "data": data }))
        }
        ApiResult::Status(call) => response(200, &json!({ "data": status_object(call) })),
        ApiResult::Done(_) => response(200, &json!({"data": {"result": "ok"}})),
        ApiResult::NotFound => *error(
            422,
            "90018",
            "Call has already ended",
            "This call is no longer active and can't receive commands.",
            None,
        ),
        ApiResult::RateLimited => {
            let mut r = *error(
                429,
                "10011",
                "Too many requests",
                "You have exceeded the maximum number of allowed requests.",
                None,
            );
            // Telnyx documents x-ratelimit-limit/-remaining/-reset; only
            // "none left" is known without an account's real limit.
            r.headers_mut()
                .insert("x-ratelimit-remaining", http::HeaderValue::from_static("0"));
            r
        }
        ApiResult::ServerError => *error(
            503,
            "10007",
            "Service unavailable",
            "Service unavailable",
            None,
        ),
    }
}

/// The `Call` resource's identity fields, and the client state it echoes.
fn call_object(call: &TruthCall) -> Map<String, Value> {
    let id = &call.provider_call_id;
    let mut data = Map::new();
    data.insert("call_control_id".into(), json!(id));
    data.insert("call_leg_id".into(), json!(ids::call_leg_id(id)));
    data.insert("call_session_id".into(), json!(ids::call_session_id(id)));
    if let Some(call_id) = &call.call_id {
        data.insert("client_state".into(), json!(client_state(call_id)));
    }
    data.insert("record_type".into(), json!("call"));
    data
}

/// `is_alive` is the resource's only liveness signal (it has no status
/// enum): queued, ringing and answered are all alive; `end_time` and
/// `call_duration` appear only once the call is over.
fn status_object(call: &TruthCall) -> Map<String, Value> {
    let mut data = call_object(call);
    data.insert("is_alive".into(), json!(call.is_live()));
    data.insert("start_time".into(), json!(ids::rfc3339(call.created_at)));
    if let (false, Some(ended_at)) = (call.is_live(), call.ended_at) {
        data.insert("end_time".into(), json!(ids::rfc3339(ended_at)));
        data.insert(
            "call_duration".into(),
            json!(call.talk_time(ended_at) / 1000),
        );
    }
    data
}

/// Base64 of the manager's call id, as the adapter sends it and Telnyx
/// echoes it.
pub(super) fn client_state(call_id: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(call_id.as_bytes())
}

fn authorized(request: &http::Request<Vec<u8>>) -> bool {
    let Some(value) = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    match value.split_once(' ') {
        Some((scheme, token)) => scheme.eq_ignore_ascii_case("bearer") && token == API_KEY,
        None => false,
    }
}

/// A POST body: JSON object (an empty body counts as `{}`), sent as JSON.
fn json_body(request: &http::Request<Vec<u8>>) -> Result<Map<String, Value>, Refusal> {
    if request.body().iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let content_type = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(error(
            415,
            "10014",
            "Unsupported Media Type",
            "The request failed because the server does not support the media type.",
            None,
        ));
    }
    match serde_json::from_slice::<Value>(request.body()) {
        Ok(Value::Object(body)) => Ok(body),
        _ => Err(error(
            400,
            "10015",
            "Bad Request",
            "The request failed because it was not well-formed.",
            None,
        )),
    }
}

/// DialCall (`CallRequest`): `connection_id`, `to` and `from` are required.
/// Absent limits take Telnyx's defaults, since Telnyx applies them whether or
/// not the request names them.
fn dial(body: &Map<String, Value>) -> Result<CreateParams, Refusal> {
    let connection_id = required_str(body, "connection_id")?;
    if connection_id != CONNECTION_ID {
        return Err(invalid(
            "10015",
            "Invalid value for connection_id",
            "connection_id",
        ));
    }
    let to = required_str(body, "to")?.to_owned();
    let from = required_str(body, "from")?.to_owned();
    let webhook_url = match optional_str(body, "webhook_url")? {
        None => String::new(),
        Some(url) if is_http_url(url) => url.to_owned(),
        Some(_) => return Err(invalid("10003", "Invalid URL", "webhook_url")),
    };
    let call_id = optional_str(body, "client_state")?
        .and_then(|state| base64::engine::general_purpose::STANDARD.decode(state).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|id| !id.is_empty());
    optional_str(body, "command_id")?;
    Ok(CreateParams {
        call_id,
        from,
        to,
        webhook_url,
        time_limit_secs: Some(seconds(
            body,
            "time_limit_secs",
            TIME_LIMIT_DEFAULT,
            TIME_LIMIT_RANGE,
        )?),
        ring_timeout_secs: Some(seconds(
            body,
            "timeout_secs",
            RING_TIMEOUT_DEFAULT,
            RING_TIMEOUT_RANGE,
        )?),
    })
}

/// SpeakRequest: `payload` and `voice` are required; `payload_type` is
/// `text` or `ssml`.
fn speak(body: &Map<String, Value>) -> Result<(), Refusal> {
    let payload = required_str(body, "payload")?;
    required_str(body, "voice")?;
    if payload.chars().count() > MAX_SPEAK_CHARS {
        return Err(invalid("10033", "Value outside of range", "payload"));
    }
    match optional_str(body, "payload_type")? {
        None | Some("text") | Some("ssml") => Ok(()),
        Some(_) => Err(invalid("10032", "Invalid enumerated value", "payload_type")),
    }
}

/// Every command takes `client_state`, which "must be a valid Base-64
/// encoded string".
fn check_client_state(body: &Map<String, Value>) -> Result<(), Refusal> {
    match optional_str(body, "client_state")? {
        Some(state)
            if base64::engine::general_purpose::STANDARD
                .decode(state)
                .is_err() =>
        {
            Err(invalid(
                "10015",
                "Invalid value for client_state",
                "client_state",
            ))
        }
        _ => Ok(()),
    }
}

fn seconds(
    body: &Map<String, Value>,
    key: &str,
    default: u32,
    (min, max): (u32, u32),
) -> Result<u32, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(value) => match value.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(secs) if (min..=max).contains(&secs) => Ok(secs),
            _ => Err(invalid("10033", "Value outside of range", key)),
        },
    }
}

fn required_str<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a str, Refusal> {
    match optional_str(body, key)? {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(error(
            422,
            "10004",
            "Missing required parameter",
            &format!("The '{key}' parameter is required and cannot be blank."),
            Some(key),
        )),
    }
}

fn optional_str<'a>(body: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid("10015", "Bad Request", key)),
    }
}

fn is_http_url(text: &str) -> bool {
    url::Url::parse(text)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .unwrap_or(false)
}

/// A path segment, percent-decoded; one that does not decode names no call.
fn decode_id(segment: &str) -> Result<String, Refusal> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(not_found)?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(id) if !id.is_empty() => Ok(id),
        _ => Err(not_found()),
    }
}

fn not_found() -> Refusal {
    error(
        404,
        "10005",
        "Resource not found",
        "The requested resource or URL could not be found.",
        None,
    )
}

fn invalid(code: &str, title: &str, key: &str) -> Refusal {
    error(
        422,
        code,
        title,
        &format!("The '{key}' parameter is invalid."),
        Some(key),
    )
}

/// Telnyx's JSON:API error body (`call-control_Errors`).
fn error(status: u16, code: &str, title: &str, detail: &str, pointer: Option<&str>) -> Refusal {
    let mut entry = json!({"code": code, "title": title, "detail": detail});
    if let (Some(pointer), Some(obj)) = (pointer, entry.as_object_mut()) {
        obj.insert("source".into(), json!({"pointer": format!("/{pointer}")}));
    }
    Box::new(response(status, &json!({ "errors": [entry] })))
}

fn response(status: u16, body: &Value) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(serde_json::to_vec(body).unwrap_or_default());
    *r.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}
