//! Plivo's answers: success bodies from the SDK fixtures, error bodies in
//! Plivo's documented `{"api_id", "error"}` shape, and the status tables.
//!
//! Error texts follow docs.plivo.com's API response page (example
//! `{"api_id": "97ceeb52-…", "error": "not found"}`; common errors
//! `invalid_parameter`, `authentication_failed`, `not_found`,
//! `rate_limit_exceeded`); the 403, 500 and 503 texts are illustrative, since
//! the adapter classifies by status code and only carries the text along.

use super::{CALL_UUID, REQUEST_UUID};
use crate::subject::*;
use callproof_core::provider::{EventKind, OpOutcome, ProviderCallStatus};
use callproof_core::state::CallState;
use serde_json::json;

/// The `api_id` of the SDK fixture `callCreateResponse.json`.
const API_ID: &str = "97ceeb52-58b6-11e1-86da-77300b68f8bb";

fn error(status: u16, text: &str) -> Canned {
    Canned::Respond(CannedResponse::json(
        status,
        json!({ "api_id": API_ID, "error": text }),
    ))
}

/// A live-call answer (`GET /Call/{uuid}/?status=live`) reporting `status`,
/// in the shape of the SDK fixture `liveCallGetResponse.json`.
pub(super) fn live_call(status: &str) -> CannedResponse {
    CannedResponse::json(
        200,
        json!({
            "api_id": "18f3bbb0-3ef1-11e7-a68e-02d2f90c026e",
            "call_status": status,
            "call_uuid": CALL_UUID,
            "caller_name": "",
            "direction": "outbound",
            "from": FROM,
            "request_uuid": REQUEST_UUID,
            "session_start": "2026-03-02 14:05:01.120004",
            "to": TO,
        }),
    )
}

/// A queued-call answer (`?status=queued`), with the fields of the SDKs'
/// `QueuedCall` type.
fn queued_call() -> CannedResponse {
    CannedResponse::json(
        200,
        json!({
            "api_id": API_ID,
            "call_status": "queued",
            "direction": "outbound",
            "request_uuid": REQUEST_UUID,
        }),
    )
}

pub(super) fn canned(case: OpCase, class: ResponseClass) -> Canned {
    let creates = matches!(case, OpCase::Create | OpCase::CreateConversation);
    let statuses = matches!(case, OpCase::Status | OpCase::StatusBeforeProviderId);
    let hangups = matches!(
        case,
        OpCase::HangupAnswered
            | OpCase::HangupUnanswered
            | OpCase::HangupBeforeProviderId
            | OpCase::HangupWithoutIds
    );
    match class {
        ResponseClass::Success => Canned::Respond(success(case)),
        ResponseClass::NotFound if creates => {
            Canned::NotApplicable("a create addresses no existing call")
        }
        ResponseClass::NotFound if case == OpCase::HangupBeforeProviderId => Canned::NotApplicable(
            "a 404 to a cancel by request uuid only says the request left the queue: the call may be ringing under a CallUUID not yet reported, so the adapter answers Transient (retry once the uuid is known), by design",
        ),
        ResponseClass::NotFound if case == OpCase::StatusBeforeProviderId => Canned::NotApplicable(
            "a 404 from the queued view only says the request left the queue, not that the call ended, so the adapter answers Status(Unknown), by design",
        ),
        ResponseClass::NotFound => error(404, "not found"),
        ResponseClass::RateLimited => error(429, "rate_limit_exceeded"),
        ResponseClass::ServerError => error(500, "server error"),
        ResponseClass::Unavailable => error(503, "service unavailable"),
        ResponseClass::Validation if creates => error(400, "invalid_parameter: to"),
        ResponseClass::Validation if hangups => Canned::NotApplicable(
            "a hangup is a bare DELETE of an id: it has no parameter to refuse",
        ),
        ResponseClass::Validation if statuses => Canned::NotApplicable(
            "a status query sends only status=live or status=queued, which Plivo defines",
        ),
        ResponseClass::Validation if case == OpCase::Speak => {
            error(400, "invalid_parameter: text")
        }
        ResponseClass::Validation => error(400, "invalid_parameter: aleg_url"),
        ResponseClass::Unauthorized => error(401, "authentication_failed"),
        // The SDKs map 403 on `POST /Call/` to a GeoPermissionError; other
        // calls meet it when the (sub)account may not act on the call.
        ResponseClass::Forbidden if creates => {
            error(403, "geo permission: calls to this destination are not enabled")
        }
        ResponseClass::Forbidden => error(403, "forbidden"),
        ResponseClass::UnreadableSuccess if creates => Canned::Respond(CannedResponse::json(
            201,
            json!({ "message": "call fired", "api_id": API_ID }),
        )),
        ResponseClass::UnreadableSuccess if statuses => Canned::Respond(CannedResponse::json(
            200,
            json!({ "api_id": API_ID, "call_uuid": CALL_UUID, "direction": "outbound" }),
        )),
        ResponseClass::UnreadableSuccess => Canned::NotApplicable(
            "Plivo's answer to this carries nothing the manager reads (204 for a hangup, a message and api_id otherwise)",
        ),
    }
}

fn success(case: OpCase) -> CannedResponse {
    match case {
        OpCase::Create | OpCase::CreateConversation => CannedResponse::json(
            201,
            json!({ "message": "call fired", "request_uuid": REQUEST_UUID, "api_id": API_ID }),
        ),
        OpCase::HangupAnswered
        | OpCase::HangupUnanswered
        | OpCase::HangupBeforeProviderId
        | OpCase::HangupWithoutIds => CannedResponse::empty(204),
        OpCase::Status => live_call("in-progress"),
        OpCase::StatusBeforeProviderId => queued_call(),
        OpCase::Speak => {
            CannedResponse::json(202, json!({ "message": "speak started", "api_id": API_ID }))
        }
        // Plivo's own spelling (SDK fixture `callUpdateResponse.json`).
        OpCase::StartListening | OpCase::StopListening => CannedResponse::json(
            202,
            json!({ "message": "call transfered", "api_id": API_ID }),
        ),
    }
}

pub(super) fn success_outcome(case: OpCase) -> OpOutcome {
    match case {
        // Plivo names the call only in its callbacks.
        OpCase::Create | OpCase::CreateConversation => OpOutcome::Created {
            provider_call_id: None,
            request_id: Some(REQUEST_UUID.to_owned()),
        },
        OpCase::Status => OpOutcome::Status(ProviderCallStatus::Live { answered: true }),
        OpCase::StatusBeforeProviderId => {
            OpOutcome::Status(ProviderCallStatus::Live { answered: false })
        }
        _ => OpOutcome::Done,
    }
}

fn ended(reason: CallState) -> (ProviderCallStatus, EventKind) {
    (
        ProviderCallStatus::Ended { reason },
        EventKind::Ended { reason },
    )
}

/// Plivo's status words (plivo.com/docs/voice/xml/request, call status:
/// `ringing`, `in-progress`, then `completed`, or for outbound calls `busy`,
/// `failed`, `timeout`, `no-answer`, `cancel`; the queued view's `queued`),
/// with what each means here. `timeout` is the ring timeout running out
/// (nobody picked up); `cancel` is a call stopped before answer by a hangup
/// request, which is ours.
fn words() -> Vec<(&'static str, ProviderCallStatus, Option<EventKind>)> {
    let live = |answered| ProviderCallStatus::Live { answered };
    let mut rows = vec![
        // Only the REST queued view reports `queued`; no callback does.
        ("queued", live(false), None),
        ("ringing", live(false), Some(EventKind::Ringing)),
        ("in-progress", live(true), Some(EventKind::Answered)),
    ];
    for (word, reason) in [
        ("completed", CallState::Completed),
        ("busy", CallState::Busy),
        ("failed", CallState::Failed),
        ("timeout", CallState::NoAnswer),
        ("no-answer", CallState::NoAnswer),
        ("cancel", CallState::HangupBot),
    ] {
        let (status, kind) = ended(reason);
        rows.push((word, status, Some(kind)));
    }
    rows
}

pub(super) fn status_table() -> Vec<StatusRow> {
    words()
        .into_iter()
        .map(|(raw, expected, _)| StatusRow {
            raw,
            response: if raw == "queued" {
                queued_call()
            } else {
                live_call(raw)
            },
            expected,
        })
        .collect()
}

pub(super) fn webhook_status_table() -> Vec<WebhookStatusRow> {
    words()
        .into_iter()
        .filter_map(|(raw, _, kind)| kind.map(|expected| WebhookStatusRow { raw, expected }))
        .collect()
}
