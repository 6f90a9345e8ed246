//! Building Plivo REST requests.
//!
//! Every path is under `/v1/Account/{auth_id}/` and ends with a slash, as
//! the SDKs send them. Bodies are JSON; GET parameters go in the query.

use super::form::with_query;
use super::PlivoConfig;
use crate::adapters::BuildError;
use crate::provider::{CallRef, CreateCall, ProviderOp};
use base64::Engine as _;
use serde_json::json;

/// Query parameter carrying the manager's call id on every callback URL.
pub(crate) const CALL_ID_PARAM: &str = "callId";
/// Query parameter naming which XML step a transferred leg is fetching.
pub(crate) const STEP_PARAM: &str = "plivoStep";
/// Query parameter naming the listening turn (the command id of the
/// `StartListening` that began it), so each transcript has its own identity.
pub(crate) const TURN_PARAM: &str = "turn";

pub(crate) fn build_request(
    config: &PlivoConfig,
    op: &ProviderOp,
    command_id: &str,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    match op {
        ProviderOp::Create(create) => create_call(config, create),
        ProviderOp::Hangup { call, .. } => match (&call.provider_call_id, &call.request_id) {
            // `answered` does not matter: DELETE ends a call in any state.
            (Some(uuid), _) => send(config, http::Method::DELETE, &["Call", uuid], "", None),
            (None, Some(request)) => send(
                config,
                http::Method::DELETE,
                &["Request", request],
                "",
                None,
            ),
            (None, None) => Err(unknown_call("hang up", call)),
        },
        ProviderOp::Status { call } => match (&call.provider_call_id, &call.request_id) {
            (Some(uuid), _) => send(
                config,
                http::Method::GET,
                &["Call", uuid],
                "?status=live",
                None,
            ),
            (None, Some(request)) => send(
                config,
                http::Method::GET,
                &["Call", request],
                "?status=queued",
                None,
            ),
            (None, None) => Err(unknown_call("ask about", call)),
        },
        ProviderOp::Speak { call, text } => {
            let uuid = live_uuid(call, "speak into")?;
            let body = json!({ "text": text });
            send(
                config,
                http::Method::POST,
                &["Call", uuid, "Speak"],
                "",
                Some(body),
            )
        }
        ProviderOp::StartListening { call } => transfer(config, call, "listen", command_id),
        ProviderOp::StopListening { call } => transfer(config, call, "hold", command_id),
    }
}

fn create_call(
    config: &PlivoConfig,
    create: &CreateCall,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    if create.time_limit_secs == 0 {
        return Err(BuildError {
            detail:
                "time_limit must be above 0 s: it is Plivo's own stop for a call we lose track of"
                    .to_owned(),
        });
    }
    let callback = callback_url(config, &[(CALL_ID_PARAM, &create.call_id)])?;
    // One URL for ring, answer and hangup: the `Event` field tells them apart.
    // The message is spoken after answer by a `Speak` op, not here.
    let body = json!({
        "from": create.from,
        "to": create.to,
        "answer_url": callback,
        "answer_method": "POST",
        "ring_url": callback,
        "ring_method": "POST",
        "hangup_url": callback,
        "hangup_method": "POST",
        "time_limit": create.time_limit_secs,
        "ring_timeout": create.ring_timeout_secs,
    });
    send(config, http::Method::POST, &["Call"], "", Some(body))
}

/// Moves the call's A leg to a new XML document fetched from our webhook:
/// Plivo's only way to start or stop speech input on a live call.
fn transfer(
    config: &PlivoConfig,
    call: &CallRef,
    step: &str,
    command_id: &str,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let uuid = live_uuid(call, "transfer")?;
    let aleg_url = callback_url(
        config,
        &[
            (CALL_ID_PARAM, &call.call_id),
            (STEP_PARAM, step),
            (TURN_PARAM, command_id),
        ],
    )?;
    let body = json!({ "legs": "aleg", "aleg_url": aleg_url, "aleg_method": "POST" });
    send(config, http::Method::POST, &["Call", uuid], "", Some(body))
}

/// The configured webhook URL plus our parameters. The configured string is
/// kept verbatim because Plivo signs exactly what it is given.
pub(crate) fn callback_url(
    config: &PlivoConfig,
    pairs: &[(&str, &str)],
) -> Result<String, BuildError> {
    let parsed = url::Url::parse(&config.webhook_url).map_err(|e| BuildError {
        detail: format!("webhook_url {:?} is not a URL: {e}", config.webhook_url),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(BuildError {
            detail: format!("webhook_url {:?} must be http or https", config.webhook_url),
        });
    }
    Ok(with_query(&config.webhook_url, pairs))
}

fn live_uuid<'a>(call: &'a CallRef, what: &str) -> Result<&'a str, BuildError> {
    call.provider_call_id.as_deref().ok_or_else(|| BuildError {
        detail: format!(
            "cannot {what} call {}: Plivo has not told us its CallUUID yet",
            call.call_id
        ),
    })
}

fn unknown_call(what: &str, call: &CallRef) -> BuildError {
    BuildError {
        detail: format!(
            "cannot {what} call {}: neither its CallUUID nor its request uuid is known",
            call.call_id
        ),
    }
}

/// An id goes into a URL path, so it must be a plain token: a `/`, `?` or
/// `..` smuggled into a uuid must not redirect the request.
fn path_segment(id: &str) -> Result<&str, BuildError> {
    let plain = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        Ok(id)
    } else {
        Err(BuildError {
            detail: format!("{id:?} is not a Plivo id (letters, digits, '-' and '_' only)"),
        })
    }
}

fn send(
    config: &PlivoConfig,
    method: http::Method,
    segments: &[&str],
    query: &str,
    body: Option<serde_json::Value>,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let mut uri = format!(
        "{}/v1/Account/{}/",
        config.api_base.trim_end_matches('/'),
        path_segment(&config.auth_id)?
    );
    for segment in segments {
        uri.push_str(path_segment(segment)?);
        uri.push('/');
    }
    uri.push_str(query);
    let credentials = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", config.auth_id, config.auth_token));
    let mut builder = http::Request::builder()
        .method(method)
        .uri(&uri)
        .header(http::header::AUTHORIZATION, format!("Basic {credentials}"))
        .header(http::header::ACCEPT, "application/json");
    let bytes = match body {
        Some(value) => {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
            serde_json::to_vec(&value).map_err(|e| BuildError {
                detail: format!("cannot encode the request body: {e}"),
            })?
        }
        None => Vec::new(),
    };
    builder.body(bytes).map_err(|e| BuildError {
        detail: format!("cannot build a request for {uri:?} (check api_base): {e}"),
    })
}
