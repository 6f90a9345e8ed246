//! Rendering the emulator's decisions as Plivo's REST answers.

use super::super::{ApiCall, ApiResult, IdRef};
use super::wire::{api_id, direction, error, json_response, no_content, number, timestamp};
use crate::emulator::truth::{Phase, TruthCall};
use serde_json::json;

pub(super) fn respond(call: &ApiCall, result: ApiResult<'_>) -> http::Response<Vec<u8>> {
    let about = format!("{call:?}");
    let api_id = api_id(&about);
    match result {
        ApiResult::Created(truth) => json_response(
            201,
            &json!({
                "api_id": api_id,
                "message": "call fired",
                "request_uuid": request_uuid(truth),
            }),
        ),
        ApiResult::Status(truth) => status(call, truth, &about),
        ApiResult::Done(_) => match call {
            ApiCall::Speak(_) => json_response(
                202,
                &json!({ "api_id": api_id, "message": "speak started" }),
            ),
            // Listening starts and stops by transferring the A leg; Plivo's
            // own spelling of the answer.
            ApiCall::StartListening(_) | ApiCall::StopListening(_) => json_response(
                202,
                &json!({ "api_id": api_id, "message": "call transfered" }),
            ),
            ApiCall::Hangup(_)
            | ApiCall::Create(_)
            | ApiCall::Status(_)
            | ApiCall::Answer(_)
            | ApiCall::Reject(_) => no_content(),
        },
        ApiResult::NotFound => error(404, &about, "not found"),
        ApiResult::RateLimited => error(429, &about, "too many requests"),
        ApiResult::ServerError => error(500, &about, "internal server error"),
    }
}

/// The queued view (asked by request uuid) shows only a call still waiting
/// for a dial slot; the live view (asked by call uuid) only a call not yet
/// over. Either answers 404 otherwise, so an ended call's reason is lost
/// here: Plivo tells it only in the hangup callback.
fn status(call: &ApiCall, truth: &TruthCall, about: &str) -> http::Response<Vec<u8>> {
    let by_request = matches!(call, ApiCall::Status(IdRef::Request(_)));
    let word = match (truth.phase, by_request) {
        (Phase::Queued, _) => "queued",
        (_, true) | (Phase::Ended(_), false) => return error(404, about, "not found"),
        (Phase::Ringing, false) => "ringing",
        (Phase::Answered, false) => "in-progress",
    };
    let body = if by_request {
        json!({
            "api_id": api_id(about),
            "call_status": word,
            "direction": direction(truth.direction),
            "request_uuid": request_uuid(truth),
        })
    } else {
        // A call the manager already knows by uuid may still be queued (it
        // learns the uuid from the first callback): shown as `queued`, which
        // the adapter reads as live and unanswered.
        json!({
            "api_id": api_id(about),
            "call_status": word,
            "call_uuid": truth.provider_call_id,
            "caller_name": "",
            "direction": direction(truth.direction),
            "from": number(&truth.from),
            "to": number(&truth.to),
            "request_uuid": request_uuid(truth),
            "session_start": timestamp(truth.created_at, true),
        })
    };
    json_response(200, &body)
}

/// The request uuid of a call; an inbound call has none of its own, and
/// Plivo then repeats the call uuid.
pub(super) fn request_uuid(truth: &TruthCall) -> &str {
    truth
        .request_id
        .as_deref()
        .unwrap_or(&truth.provider_call_id)
}
