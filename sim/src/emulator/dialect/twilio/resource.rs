//! What Twilio answers: the call resource (OAS `api.v2010.account.call`) and
//! its error bodies (`code`, `message`, `more_info`, `status`, as the SDKs'
//! `RestException` reads them).

use super::{date, ACCOUNT_SID, API_VERSION};
use crate::emulator::dialect::{ApiCall, ApiResult, IdRef};
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::record::Direction;
use callproof_core::state::{CallState, EndReason};
use serde_json::{json, Value};

pub(super) fn respond(call: &ApiCall, result: ApiResult<'_>) -> http::Response<Vec<u8>> {
    match result {
        // A new call is always reported queued: it waits for the account's
        // calls-per-second slot (Twilio's Call resource docs).
        ApiResult::Created(truth) => json_response(201, call_resource(truth, "queued")),
        ApiResult::Status(truth) | ApiResult::Done(truth) => {
            json_response(200, call_resource(truth, status_word(truth)))
        }
        ApiResult::NotFound => error(
            404,
            20404,
            &format!("The requested resource {} was not found", path_of(call)),
        ),
        ApiResult::RateLimited => error(429, 20429, "Too Many Requests"),
        ApiResult::ServerError => error(500, 20500, "An internal server error has occurred"),
    }
}

/// The call's `status` (OAS `call_enum_status`).
pub(super) fn status_word(call: &TruthCall) -> &'static str {
    match call.phase {
        Phase::Queued => "queued",
        Phase::Ringing => "ringing",
        Phase::Answered => "in-progress",
        Phase::Ended(reason) => ended_word(call, reason),
    }
}

/// Twilio has five words for an end: `completed`, `busy`, `failed`,
/// `no-answer`, `canceled`. Who hung up, a time limit and an answering
/// machine all read `completed`; an error reads `failed`. `canceled` is only
/// our own hangup of a call nobody answered (`Status=canceled`): once
/// answered, our hangup is `Status=completed` and reads `completed`. A callee
/// who declines a ringing outbound call (SIP 603) gives `busy`, as a busy
/// line does.
pub(super) fn ended_word(call: &TruthCall, reason: EndReason) -> &'static str {
    let answered = call.answered_at.is_some();
    match reason {
        CallState::Busy => "busy",
        CallState::HangupUser if !answered && call.direction == Direction::Outbound => "busy",
        CallState::NoAnswer => "no-answer",
        CallState::Failed | CallState::Error => "failed",
        CallState::HangupBot if !answered => "canceled",
        CallState::HangupBot
        | CallState::Completed
        | CallState::HangupUser
        | CallState::Timeout
        | CallState::Voicemail => "completed",
        // Not end reasons: the emulator never ends a call with one.
        CallState::Initiated
        | CallState::Ringing
        | CallState::Answered
        | CallState::Active
        | CallState::Speaking
        | CallState::Listening => "completed",
    }
}

/// Twilio's `direction` for a call: `outbound-api` for one placed through the
/// REST API.
pub(super) fn direction_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound-api",
    }
}

fn call_path(sid: &str) -> String {
    format!("/{API_VERSION}/Accounts/{ACCOUNT_SID}/Calls/{sid}.json")
}

fn path_of(call: &ApiCall) -> String {
    match call.target() {
        Some(IdRef::Call(sid) | IdRef::Request(sid)) => call_path(sid),
        None => format!("/{API_VERSION}/Accounts/{ACCOUNT_SID}/Calls.json"),
    }
}

fn call_resource(call: &TruthCall, status: &str) -> Value {
    let sid = call.provider_call_id.as_str();
    let updated = call
        .ended_at
        .or(call.answered_at)
        .unwrap_or(call.created_at);
    // `duration` is whole seconds once the call is over, empty before, and
    // empty for a call never answered (OAS).
    let duration = match (call.answered_at, call.ended_at) {
        (Some(_), Some(end)) => Value::String((call.talk_time(end) / 1000).to_string()),
        _ => Value::Null,
    };
    let uri = call_path(sid);
    let sub = |name: &str| format!("{}/{name}.json", uri.trim_end_matches(".json"));
    json!({
        "account_sid": ACCOUNT_SID,
        "annotation": null,
        "answered_by": null,
        "api_version": API_VERSION,
        "caller_name": null,
        "date_created": date::rfc2822(call.created_at),
        "date_updated": date::rfc2822(updated),
        "direction": direction_word(call.direction),
        "duration": duration,
        "end_time": call.ended_at.map(date::rfc2822),
        "forwarded_from": null,
        "from": call.from,
        "from_formatted": call.from,
        "group_sid": null,
        "parent_call_sid": null,
        "phone_number_sid": null,
        "price": null,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": sid,
        "start_time": call.answered_at.map(date::rfc2822),
        "status": status,
        "subresource_uris": {
            "notifications": sub("Notifications"),
            "recordings": sub("Recordings"),
            "payments": sub("Payments"),
            "events": sub("Events"),
            "siprec": sub("Siprec"),
            "streams": sub("Streams"),
            "transcriptions": sub("Transcriptions"),
            "user_defined_message_subscriptions": sub("UserDefinedMessageSubscriptions"),
            "user_defined_messages": sub("UserDefinedMessages"),
        },
        "to": call.to,
        "to_formatted": call.to,
        "trunk_sid": null,
        "uri": uri,
    })
}

/// Twilio's error body. The codes used: 20003 (bad credentials), 20404 (not
/// found), 20429 (too many requests), 20500 (internal error), and the create
/// validation codes in `request`.
pub(super) fn error(status: u16, code: u32, message: &str) -> http::Response<Vec<u8>> {
    let mut response = json_response(
        status,
        json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status,
        }),
    );
    if status == 401 {
        response.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Basic realm=\"Twilio API\""),
        );
    }
    response
}

fn json_response(status: u16, body: Value) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(serde_json::to_vec(&body).unwrap_or_default());
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
