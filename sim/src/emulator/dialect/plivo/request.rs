//! Understanding the REST requests the Plivo adapter sends.

use super::super::{ApiCall, CreateParams, IdRef};
use super::{wire, AUTH_ID, AUTH_TOKEN};
use base64::Engine as _;
use serde_json::Value;

/// The query parameter the adapter puts our call id in, on every callback URL.
const CALL_ID_PARAM: &str = "callId";
/// The query parameter naming the XML step a transferred leg fetches.
const STEP_PARAM: &str = "plivoStep";

/// Why a request is refused: its status and Plivo's error text. Rendered as
/// Plivo's error body only at the end, so the checks pass around a small value.
pub(super) struct Refusal {
    status: u16,
    message: String,
}

fn refuse(status: u16, message: &str) -> Refusal {
    Refusal {
        status,
        message: message.to_owned(),
    }
}

impl Refusal {
    /// Plivo's error answer to `request`.
    pub(super) fn answer(&self, request: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let about = format!("{} {}", request.method(), request.uri());
        wire::error(self.status, &about, &self.message)
    }
}

pub(super) fn parse(request: &http::Request<Vec<u8>>) -> Result<ApiCall, Refusal> {
    if !authenticated(request) {
        return Err(refuse(401, "authentication failed"));
    }
    let not_found = || refuse(404, "not found");
    // Paths end with a slash; one without is not a Plivo route.
    let tail = request
        .uri()
        .path()
        .strip_prefix("/v1/Account/")
        .and_then(|p| p.strip_suffix('/'))
        .ok_or_else(not_found)?;
    let segments: Vec<&str> = tail.split('/').collect();
    let Some((account, route)) = segments.split_first() else {
        return Err(not_found());
    };
    if *account != AUTH_ID {
        // Credentials of one account cannot reach another's resources.
        return Err(refuse(401, "authentication failed"));
    }
    if route.iter().any(|s| s.is_empty()) {
        return Err(not_found());
    }
    let method = request.method();
    let not_allowed = || refuse(405, "method not allowed");
    let id = |id: &str| id.to_owned();
    match route {
        ["Call"] if method == http::Method::POST => create(request.body()),
        ["Call", uuid] if method == http::Method::DELETE => {
            Ok(ApiCall::Hangup(IdRef::Call(id(uuid))))
        }
        ["Call", uuid] if method == http::Method::GET => {
            match query_value(request.uri().query().unwrap_or(""), "status").as_deref() {
                Some("live") => Ok(ApiCall::Status(IdRef::Call(id(uuid)))),
                // The queued view is keyed by the request uuid the create gave.
                Some("queued") => Ok(ApiCall::Status(IdRef::Request(id(uuid)))),
                // The bare CDR lookup is real Plivo, but not emulated.
                _ => Err(refuse(
                    400,
                    "this emulator answers only status=live and status=queued",
                )),
            }
        }
        ["Call", uuid] if method == http::Method::POST => transfer(request.body(), uuid),
        ["Call", uuid, "Speak"] if method == http::Method::POST => {
            let body = json_object(request.body())?;
            match body.get("text").and_then(Value::as_str) {
                Some(text) if !text.is_empty() => Ok(ApiCall::Speak(IdRef::Call(id(uuid)))),
                _ => Err(refuse(400, "text is required")),
            }
        }
        ["Request", request_uuid] if method == http::Method::DELETE => {
            Ok(ApiCall::Hangup(IdRef::Request(id(request_uuid))))
        }
        ["Call"] | ["Call", _] | ["Call", _, "Speak"] | ["Request", _] => Err(not_allowed()),
        _ => Err(not_found()),
    }
}

fn authenticated(request: &http::Request<Vec<u8>>) -> bool {
    let Some(encoded) = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .is_ok_and(|decoded| decoded == format!("{AUTH_ID}:{AUTH_TOKEN}").as_bytes())
}

fn create(body: &[u8]) -> Result<ApiCall, Refusal> {
    let body = json_object(body)?;
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| refuse(400, &format!("{name} is required")))
    };
    let from = text("from")?;
    let to = text("to")?;
    let answer_url = text("answer_url")?;
    if !(answer_url.starts_with("http://") || answer_url.starts_with("https://")) {
        return Err(refuse(400, "answer_url must be an http or https URL"));
    }
    // Ring and hangup callbacks go where the answer callback goes unless the
    // create names other URLs; the emulator keeps one URL per call.
    for other in ["ring_url", "hangup_url"] {
        if let Some(url) = body.get(other) {
            if url.as_str() != Some(answer_url.as_str()) {
                return Err(refuse(
                    400,
                    &format!("{other} must equal answer_url in this emulator"),
                ));
            }
        }
    }
    let call_id = {
        let without_fragment = answer_url.split('#').next().unwrap_or("");
        let query = without_fragment.split_once('?').map_or("", |(_, q)| q);
        query_value(query, CALL_ID_PARAM)
    };
    Ok(ApiCall::Create(CreateParams {
        call_id,
        from,
        to,
        webhook_url: answer_url,
        // A time limit of 0 is refused by Plivo (it must be above 0).
        time_limit_secs: seconds(&body, "time_limit", 1)?,
        ring_timeout_secs: seconds(&body, "ring_timeout", 0)?,
    }))
}

/// `legs=aleg` with an `aleg_url` carrying the adapter's `plivoStep`: the
/// only transfers the adapter makes (to start or stop listening).
fn transfer(body: &[u8], uuid: &str) -> Result<ApiCall, Refusal> {
    let body = json_object(body)?;
    if body.get("legs").and_then(Value::as_str) != Some("aleg") {
        return Err(refuse(400, "legs must be aleg"));
    }
    let Some(url) = body.get("aleg_url").and_then(Value::as_str) else {
        return Err(refuse(400, "aleg_url is required"));
    };
    let query = url
        .split('#')
        .next()
        .and_then(|u| u.split_once('?'))
        .map_or("", |(_, q)| q);
    let target = IdRef::Call(uuid.to_owned());
    match query_value(query, STEP_PARAM).as_deref() {
        Some("listen") => Ok(ApiCall::StartListening(target)),
        Some("hold") => Ok(ApiCall::StopListening(target)),
        _ => Err(refuse(
            400,
            "this emulator transfers only to the listen and hold steps",
        )),
    }
}

/// Where the callee's answer to the listening a transfer starts is posted:
/// the action of the `GetInput` the gateway answers the transfer's
/// `aleg_url` with. The adapter's `GetInput` names the same URL with
/// `plivoStep=speech`; the emulator does not fetch the XML, so it takes
/// that URL from the `aleg_url` itself. `None` for any other request.
pub(super) fn speech_url(request: &http::Request<Vec<u8>>) -> Option<String> {
    let body = json_object(request.body()).ok()?;
    let url = body.get("aleg_url").and_then(Value::as_str)?;
    let listen = format!("{STEP_PARAM}=listen");
    url.contains(&listen)
        .then(|| url.replacen(&listen, &format!("{STEP_PARAM}=speech"), 1))
}

/// A whole number of seconds of at least `min`, if given (Plivo also takes
/// one as a string of digits).
fn seconds(
    body: &serde_json::Map<String, Value>,
    name: &str,
    min: u64,
) -> Result<Option<u32>, Refusal> {
    let invalid = || {
        refuse(
            400,
            &format!("{name} must be a whole number of seconds, at least {min}"),
        )
    };
    let value = match body.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(invalid)?,
        Some(Value::String(s)) => s.parse::<u64>().map_err(|_| invalid())?,
        Some(_) => return Err(invalid()),
    };
    if value < min {
        return Err(invalid());
    }
    Ok(Some(u32::try_from(value).unwrap_or(u32::MAX)))
}

fn json_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(refuse(400, "the request body must be a JSON object")),
    }
}

fn query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
