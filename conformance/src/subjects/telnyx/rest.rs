//! The requests Telnyx expects and the answers it gives.
//!
//! Paths, bodies and every error body except 401, 403 and 429 are the
//! OpenAPI document's (DialCall, HangupCall, RetrieveCallStatus, SpeakCall and
//! its `UnprocessableEntityResponse`, `InternalServerErrorResponse` and
//! `ServiceUnavailableResponse` examples). The transcription paths are
//! Telnyx's `transcription_start` / `transcription_stop` call commands
//! (developers.telnyx.com, call commands). The 401, 403 and 429 bodies follow
//! Telnyx's API error code reference (codes 10009, 10010, 10011).

use super::{API_KEY, CONNECTION_ID, PROVIDER_CALL_ID, WEBHOOK_URL};
use crate::subject::*;
use base64::Engine;
use callproof_core::provider::{OpOutcome, ProviderCallStatus};
use callproof_core::state::CallState;
use serde_json::{json, Value};

/// `client_state` of every request: base64 of the manager's call id, which
/// Telnyx echoes in the call's webhooks.
pub(super) fn client_state() -> String {
    base64::engine::general_purpose::STANDARD.encode(CALL_ID)
}

fn request(method: http::Method, path: &str, body: Body) -> Expected {
    let mut headers = vec![("authorization", format!("Bearer {API_KEY}"))];
    if matches!(body, Body::Json(_)) {
        headers.push(("content-type", "application/json".to_owned()));
    }
    Expected::Request(ExpectedRequest {
        method,
        path: path.to_owned(),
        query: Vec::new(),
        headers,
        body,
    })
}

/// The fields every call command carries: the correlation and the command id
/// Telnyx deduplicates retries by.
fn command_fields() -> Vec<Field> {
    vec![
        Field::eq("/client_state", client_state()),
        Field::eq("/command_id", COMMAND_ID),
    ]
}

fn dial_fields() -> Vec<Field> {
    let mut fields = vec![
        Field::eq("/connection_id", CONNECTION_ID),
        Field::eq("/to", TO),
        Field::eq("/from", FROM),
        Field::eq("/webhook_url", WEBHOOK_URL),
        Field::eq("/timeout_secs", RING_TIMEOUT_SECS),
        Field::eq("/time_limit_secs", TIME_LIMIT_SECS),
        // Dialing is asynchronous: the message is spoken after
        // `call.answered`, never sent with the dial.
        Field::absent("/audio_url"),
        Field::absent("/media_name"),
    ];
    fields.extend(command_fields());
    fields
}

pub(super) fn expected_request(case: OpCase) -> Expected {
    use http::Method;
    let call = format!("/v2/calls/{PROVIDER_CALL_ID}");
    let action = |name: &str, extra: Vec<Field>| {
        let mut fields = command_fields();
        fields.extend(extra);
        request(
            Method::POST,
            &format!("{call}/actions/{name}"),
            Body::Json(fields),
        )
    };
    match case {
        OpCase::Create | OpCase::CreateConversation => {
            request(Method::POST, "/v2/calls", Body::Json(dial_fields()))
        }
        // HangupCall has no answered/unanswered variants: one command ends a
        // ringing call and a live one alike.
        OpCase::HangupAnswered | OpCase::HangupUnanswered => action("hangup", Vec::new()),
        OpCase::HangupBeforeProviderId
        | OpCase::HangupWithoutIds
        | OpCase::StatusBeforeProviderId => Expected::CannotBuild {
            why: "Call Control addresses a call only by its call_control_id, which the dial answer carries; Telnyx has no request id",
        },
        OpCase::Status => request(Method::GET, &call, Body::Empty),
        OpCase::Speak => action(
            "speak",
            vec![
                Field::eq("/payload", SPEAK_TEXT),
                Field::eq("/payload_type", "text"),
                Field::eq("/voice", "AWS.Polly.Joanna"),
            ],
        ),
        OpCase::StartListening => action("transcription_start", Vec::new()),
        OpCase::StopListening => action("transcription_stop", Vec::new()),
    }
}

/// One JSON:API error, as every Telnyx error body carries them.
fn error(status: u16, code: &str, title: &str, detail: &str) -> Canned {
    Canned::Respond(CannedResponse::json(
        status,
        json!({ "errors": [{ "code": code, "title": title, "detail": detail }] }),
    ))
}

fn call_already_ended() -> Canned {
    error(
        422,
        "90018",
        "Call has already ended",
        "This call is no longer active and can't receive commands.",
    )
}

fn invalid_call_control_id() -> Canned {
    Canned::Respond(CannedResponse::json(
        422,
        json!({ "errors": [{
            "code": "90015",
            "title": "Invalid Call Control ID",
            "detail": "The call_control_id provided was not valid.",
            "source": { "pointer": "/call_control_id" },
        }] }),
    ))
}

/// The `Call` resource (the spec's `Call` schema and example).
fn call_data(is_alive: Value) -> Value {
    json!({
        "call_control_id": PROVIDER_CALL_ID,
        "call_leg_id": "4a1e9c52-83b7-11ee-9f3d-02420a0d7a01",
        "call_session_id": "4a1e7b30-83b7-11ee-a6c2-02420a0d7a01",
        "client_state": client_state(),
        "is_alive": is_alive,
        "record_type": "call",
        "start_time": "2023-11-14T22:13:19.482113Z",
    })
}

/// DialCall's and RetrieveCallStatus's answer: the resource under `data`.
fn call_resource(is_alive: Value) -> Value {
    json!({ "data": call_data(is_alive) })
}

pub(super) fn canned_response(case: OpCase, class: ResponseClass) -> Canned {
    let dials = matches!(case, OpCase::Create | OpCase::CreateConversation);
    let status = matches!(case, OpCase::Status | OpCase::StatusBeforeProviderId);
    let ok = |body: Value| Canned::Respond(CannedResponse::json(200, body));
    match class {
        // Dial answers 200 (not 201) with `is_alive: false`: dialing is
        // asynchronous.
        ResponseClass::Success if dials => ok(call_resource(json!(false))),
        ResponseClass::Success if status => ok(call_resource(json!(true))),
        ResponseClass::Success => ok(json!({ "data": { "result": "ok" } })),
        ResponseClass::NotFound if dials => {
            Canned::NotApplicable("a dial addresses no existing call")
        }
        ResponseClass::NotFound => call_already_ended(),
        ResponseClass::RateLimited => error(
            429,
            "10011",
            "Too many requests",
            "You have exceeded the maximum number of allowed requests.",
        ),
        ResponseClass::ServerError => error(
            500,
            "10007",
            "Internal server error",
            "Internal server error",
        ),
        ResponseClass::Unavailable => error(
            503,
            "10007",
            "Service unavailable",
            "Service unavailable",
        ),
        ResponseClass::Validation => match case {
            OpCase::Create | OpCase::CreateConversation => Canned::Respond(CannedResponse::json(
                422,
                json!({ "errors": [{
                    "code": "10016",
                    "title": "Phone number must be in +E164 format",
                    "detail": "The 'to' parameter must be in E164 format.",
                    "source": { "pointer": "/to" },
                }] }),
            )),
            OpCase::Speak => error(
                422,
                "90034",
                "Call not answered yet",
                "This call can't receive this command because it has not been answered yet.",
            ),
            OpCase::StartListening => error(
                422,
                "90054",
                "Call transcription is already in progress",
                "Call transcription can not be started more than once.",
            ),
            _ => invalid_call_control_id(),
        },
        ResponseClass::Unauthorized => error(
            401,
            "10009",
            "Authentication failed",
            "The required authentication headers were either invalid or not included in the request.",
        ),
        ResponseClass::Forbidden => error(
            403,
            "10010",
            "Authorization failed",
            "You do not have permission to perform the requested action on the specified resource or resources.",
        ),
        // A dial answer without the id every later command needs.
        ResponseClass::UnreadableSuccess if dials => ok(json!({ "data": {
            "call_leg_id": "4a1e9c52-83b7-11ee-9f3d-02420a0d7a01",
            "is_alive": false,
            "record_type": "call",
        } })),
        // A list-shaped answer where the single resource belongs.
        ResponseClass::UnreadableSuccess if status => {
            ok(json!({ "data": [call_data(json!(true))] }))
        }
        // A command answer that does not say `ok`.
        ResponseClass::UnreadableSuccess => ok(json!({ "data": {} })),
    }
}

pub(super) fn success_outcome(case: OpCase) -> OpOutcome {
    match case {
        OpCase::Create | OpCase::CreateConversation => OpOutcome::Created {
            provider_call_id: Some(PROVIDER_CALL_ID.to_owned()),
            request_id: None,
        },
        // `is_alive: true` cannot say whether the callee picked up: the
        // `Call` resource has no answer time.
        OpCase::Status | OpCase::StatusBeforeProviderId => {
            OpOutcome::Status(ProviderCallStatus::Live { answered: false })
        }
        _ => OpOutcome::Done,
    }
}

/// RetrieveCallStatus has no status enum: `is_alive` is the whole table. The
/// rows past the two booleans are the shapes a reply may take where the
/// boolean is absent or not a boolean; none of them may end a call.
pub(super) fn status_table() -> Vec<StatusRow> {
    let row = |raw, response, expected| StatusRow {
        raw,
        response: CannedResponse::json(200, response),
        expected,
    };
    let mut without = call_data(Value::Null);
    if let Some(data) = without.as_object_mut() {
        data.remove("is_alive");
    }
    vec![
        row(
            "is_alive: true",
            call_resource(json!(true)),
            ProviderCallStatus::Live { answered: false },
        ),
        // Kept ten minutes after the end, with no hangup cause: the neutral end.
        row(
            "is_alive: false",
            call_resource(json!(false)),
            ProviderCallStatus::Ended {
                reason: CallState::Completed,
            },
        ),
        row(
            "is_alive: null",
            call_resource(Value::Null),
            ProviderCallStatus::Unknown {
                raw: "is_alive: null".to_owned(),
            },
        ),
        row(
            "is_alive missing",
            json!({ "data": without }),
            ProviderCallStatus::Unknown {
                raw: "is_alive missing".to_owned(),
            },
        ),
    ]
}

/// Telnyx's status reply has no free-text status word, so the suite's probe
/// words go where the boolean belongs (`"is_alive": "completed"`): a word in
/// place of `false` must never be taken for an end.
pub(super) fn status_response_with_word(raw: &str) -> CannedResponse {
    CannedResponse::json(200, call_resource(json!(raw)))
}
