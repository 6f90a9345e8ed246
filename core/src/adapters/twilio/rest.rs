//! Building the REST requests (OAS operations CreateCall, FetchCall, UpdateCall).

use super::{address, twiml, TwilioConfig};
use crate::adapters::BuildError;
use crate::provider::{CallRef, CreateCall, ProviderOp};
use crate::record::CallMode;
use base64::Engine as _;

/// Twilio's ring timeout ceiling (OAS: "the maximum is `600` seconds").
pub(super) const MAX_RING_TIMEOUT_SECS: u32 = 600;

/// The progress events a created call reports, one repeated form field each.
pub(super) const STATUS_CALLBACK_EVENTS: [&str; 4] =
    ["initiated", "ringing", "answered", "completed"];

pub(super) fn build(
    config: &TwilioConfig,
    op: &ProviderOp,
    command_id: &str,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    if !address::is_sid(&config.account_sid) {
        return Err(error("the account SID must be letters and digits (AC…)"));
    }
    let calls = format!(
        "{}/2010-04-01/Accounts/{}/Calls",
        config.api_base, config.account_sid
    );
    match op {
        ProviderOp::Create(create) => {
            let body = create_form(config, create)?;
            send(
                config,
                http::Method::POST,
                format!("{calls}.json"),
                Some(body),
            )
        }
        ProviderOp::Hangup { call, answered } => {
            let status = if *answered { "completed" } else { "canceled" };
            let body = encode(&[("Status", status)]);
            send(
                config,
                http::Method::POST,
                call_path(&calls, call)?,
                Some(body),
            )
        }
        ProviderOp::Status { call } => {
            send(config, http::Method::GET, call_path(&calls, call)?, None)
        }
        ProviderOp::Speak { call, text } => {
            let doc = twiml::say_then_hold(text, &callback_url(config, &call.call_id)?);
            update_twiml(config, &calls, call, doc)
        }
        ProviderOp::StartListening { call } => {
            if command_id.is_empty() {
                return Err(error(
                    "listening needs a command id to name its speech callback",
                ));
            }
            let url = callback_url(config, &call.call_id)?;
            let action = address::with_query_param(&url, "gather", command_id);
            update_twiml(config, &calls, call, twiml::gather_then_hold(&action, &url))
        }
        ProviderOp::StopListening { call } => {
            let doc = twiml::hold(&callback_url(config, &call.call_id)?);
            update_twiml(config, &calls, call, doc)
        }
    }
}

fn create_form(config: &TwilioConfig, create: &CreateCall) -> Result<String, BuildError> {
    if create.time_limit_secs == 0 {
        return Err(error(
            "TimeLimit must be positive: it is the provider-side bound on the call",
        ));
    }
    if create.ring_timeout_secs > MAX_RING_TIMEOUT_SECS {
        return Err(error(&format!(
            "Timeout {} exceeds Twilio's maximum of {MAX_RING_TIMEOUT_SECS} seconds",
            create.ring_timeout_secs
        )));
    }
    let callback = callback_url(config, &create.call_id)?;
    let time_limit = create.time_limit_secs.to_string();
    let ring_timeout = create.ring_timeout_secs.to_string();
    let mut fields: Vec<(&str, &str)> = vec![("To", &create.to), ("From", &create.from)];
    let inline;
    match (&create.mode, &create.message) {
        (CallMode::Notify, Some(message)) => {
            inline = checked_twiml(twiml::say_once(message))?;
            fields.push(("Twiml", &inline));
        }
        _ => {
            fields.push(("Url", &callback));
            fields.push(("Method", "POST"));
        }
    }
    fields.push(("StatusCallback", &callback));
    fields.push(("StatusCallbackMethod", "POST"));
    for event in STATUS_CALLBACK_EVENTS {
        fields.push(("StatusCallbackEvent", event));
    }
    fields.push(("Timeout", &ring_timeout));
    fields.push(("TimeLimit", &time_limit));
    Ok(encode(&fields))
}

fn update_twiml(
    config: &TwilioConfig,
    calls: &str,
    call: &CallRef,
    doc: String,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let path = call_path(calls, call)?;
    let doc = checked_twiml(doc)?;
    send(
        config,
        http::Method::POST,
        path,
        Some(encode(&[("Twiml", &doc)])),
    )
}

/// `…/Calls/{CallSid}.json`; an operation on a call Twilio has not named yet
/// cannot be addressed.
fn call_path(calls: &str, call: &CallRef) -> Result<String, BuildError> {
    match call.provider_call_id.as_deref() {
        None => Err(error(&format!(
            "call {} has no Twilio CallSid yet",
            call.call_id
        ))),
        Some(sid) if !address::is_sid(sid) => Err(error(&format!(
            "call {} has a CallSid that is not letters and digits",
            call.call_id
        ))),
        Some(sid) => Ok(format!("{calls}/{sid}.json")),
    }
}

/// The configured webhook URL naming our call, for every URL Twilio calls.
fn callback_url(config: &TwilioConfig, call_id: &str) -> Result<String, BuildError> {
    if call_id.is_empty() {
        return Err(error("an empty call id cannot correlate callbacks"));
    }
    Ok(address::with_query_param(
        &config.webhook_url,
        "callId",
        call_id,
    ))
}

fn checked_twiml(doc: String) -> Result<String, BuildError> {
    let chars = doc.chars().count();
    if chars > twiml::MAX_TWIML_CHARS {
        return Err(error(&format!(
            "the TwiML is {chars} characters; Twilio accepts at most {}",
            twiml::MAX_TWIML_CHARS
        )));
    }
    Ok(doc)
}

fn encode(fields: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        form.append_pair(name, value);
    }
    form.finish()
}

fn send(
    config: &TwilioConfig,
    method: http::Method,
    uri: String,
    form: Option<String>,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let credentials = format!("{}:{}", config.account_sid, config.auth_token);
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    );
    let mut request = http::Request::builder()
        .method(method)
        .uri(uri)
        .header(http::header::AUTHORIZATION, auth)
        .header(http::header::ACCEPT, "application/json");
    if form.is_some() {
        request = request.header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        );
    }
    request
        .body(form.map(String::into_bytes).unwrap_or_default())
        .map_err(|e| {
            error(&format!(
                "invalid request (check api_base and the credentials): {e}"
            ))
        })
}

fn error(detail: &str) -> BuildError {
    BuildError {
        detail: detail.to_owned(),
    }
}
