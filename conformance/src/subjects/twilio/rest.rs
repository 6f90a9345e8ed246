//! Twilio's REST side: what each operation must send (CreateCall, FetchCall,
//! UpdateCall of API 2010-04-01) and what Twilio answers.
//!
//! Error bodies are Twilio's REST exception shape (`code`, `message`,
//! `more_info`, `status`; twilio-node `RestException`, twilio-python
//! `TwilioRestException`) with codes from Twilio's error catalogue: 20404 for a
//! call that does not exist or has ended (observed after hanging up an ended
//! call), 20003 for bad credentials, 20429, 20500, 20503, 20008 for a resource
//! test credentials cannot reach, 21211 for a bad `To`, 21220 for a TwiML
//! update on a call that is not in progress.

use super::{ACCOUNT_SID, AUTH_TOKEN, CALL_SID, WEBHOOK_URL};
use crate::subject::*;
use base64::Engine as _;
use callproof_core::provider::{EventKind, OpOutcome, ProviderCallStatus};
use callproof_core::state::CallState;
use serde_json::{json, Value};

/// The call's callback URL: every URL Twilio calls names our call.
fn callback() -> String {
    format!("{WEBHOOK_URL}?callId={CALL_ID}")
}

fn calls_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls")
}

fn call_path() -> String {
    format!("{}/{CALL_SID}.json", calls_path())
}

fn request(method: http::Method, path: String, body: Body) -> Expected {
    let credentials = format!("{ACCOUNT_SID}:{AUTH_TOKEN}");
    let basic = base64::engine::general_purpose::STANDARD.encode(credentials);
    let mut headers = vec![("authorization", format!("Basic {basic}"))];
    if matches!(body, Body::Form(_)) {
        headers.push((
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        ));
    }
    Expected::Request(ExpectedRequest {
        method,
        path,
        query: Vec::new(),
        headers,
        body,
    })
}

/// The fields every create carries: the parties, the status callback with
/// all four progress events, and the manager's limits as Twilio's own.
fn create_fields() -> Vec<Field> {
    let mut fields = vec![
        Field::eq("To", TO),
        Field::eq("From", FROM),
        Field::eq("StatusCallback", callback()),
        Field::eq("StatusCallbackMethod", "POST"),
        Field::eq("Timeout", RING_TIMEOUT_SECS),
        Field::eq("TimeLimit", TIME_LIMIT_SECS),
        Field::absent("ApplicationSid"),
    ];
    for event in ["initiated", "ringing", "answered", "completed"] {
        fields.push(Field::eq("StatusCallbackEvent", event));
    }
    fields
}

/// An update that replaces the call's TwiML: `Url` and `Twiml` are mutually
/// exclusive (OAS UpdateCall), and a TwiML update must not also hang up.
fn twiml_update(contains: &[String]) -> Expected {
    let mut fields = vec![Field::absent("Url"), Field::absent("Status")];
    fields.extend(contains.iter().map(|part| Field::contains("Twiml", part)));
    request(http::Method::POST, call_path(), Body::Form(fields))
}

pub(super) fn expected_request(case: OpCase) -> Expected {
    use http::Method;
    let back_to_us = format!("callId={CALL_ID}");
    match case {
        OpCase::Create => {
            let mut fields = create_fields();
            fields.push(Field::contains("Twiml", format!("<Say>{MESSAGE}</Say>")));
            // Twilio ignores `Twiml` when `Url` is also given.
            fields.push(Field::absent("Url"));
            request(Method::POST, format!("{}.json", calls_path()), Body::Form(fields))
        }
        OpCase::CreateConversation => {
            let mut fields = create_fields();
            fields.push(Field::eq("Url", callback()));
            fields.push(Field::eq("Method", "POST"));
            fields.push(Field::absent("Twiml"));
            request(Method::POST, format!("{}.json", calls_path()), Body::Form(fields))
        }
        OpCase::HangupAnswered => request(
            Method::POST,
            call_path(),
            Body::Form(vec![Field::eq("Status", "completed")]),
        ),
        // `canceled` ends a queued or ringing call; on a live call it does nothing.
        OpCase::HangupUnanswered => request(
            Method::POST,
            call_path(),
            Body::Form(vec![Field::eq("Status", "canceled")]),
        ),
        OpCase::HangupBeforeProviderId
        | OpCase::HangupWithoutIds
        | OpCase::StatusBeforeProviderId => Expected::CannotBuild {
            why: "Twilio's create answers the CallSid at once; there is no other id to address a call by",
        },
        OpCase::Status => request(Method::GET, call_path(), Body::Empty),
        OpCase::Speak => twiml_update(&[format!("<Say>{SPEAK_TEXT}</Say>"), back_to_us]),
        OpCase::StartListening => twiml_update(&[
            "<Gather input=\"dtmf speech\"".to_owned(),
            back_to_us,
            // The action URL names the command: the speech callback's identity.
            format!("gather={COMMAND_ID}"),
        ]),
        OpCase::StopListening => twiml_update(&["<Redirect".to_owned(), back_to_us]),
    }
}

/// The call resource (`api.v2010.account.call`) as Twilio answers it.
pub(super) fn call_resource(status: Value) -> Value {
    let uri = format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{CALL_SID}.json");
    json!({
        "account_sid": ACCOUNT_SID,
        "annotation": null,
        "answered_by": null,
        "api_version": "2010-04-01",
        "caller_name": null,
        "date_created": "Tue, 14 Oct 2025 09:30:00 +0000",
        "date_updated": "Tue, 14 Oct 2025 09:30:00 +0000",
        "direction": "outbound-api",
        "duration": null,
        "end_time": null,
        "forwarded_from": null,
        "from": FROM,
        "from_formatted": "(500) 555-0006",
        "group_sid": null,
        "parent_call_sid": null,
        "phone_number_sid": null,
        "price": null,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": CALL_SID,
        "start_time": null,
        "status": status,
        "subresource_uris": {
            "notifications": uri.replace(".json", "/Notifications.json"),
            "recordings": uri.replace(".json", "/Recordings.json"),
        },
        "to": TO,
        "to_formatted": "(555) 010-0002",
        "trunk_sid": null,
        "uri": uri,
    })
}

fn error(status: u16, code: u32, message: &str) -> Canned {
    Canned::Respond(CannedResponse::json(
        status,
        json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status,
        }),
    ))
}

pub(super) fn canned_response(case: OpCase, class: ResponseClass) -> Canned {
    let creates = matches!(case, OpCase::Create | OpCase::CreateConversation);
    let resource = |status: u16, word: &str| {
        Canned::Respond(CannedResponse::json(status, call_resource(json!(word))))
    };
    match class {
        ResponseClass::Success => match case {
            OpCase::Create | OpCase::CreateConversation => resource(201, "queued"),
            OpCase::HangupAnswered => resource(200, "completed"),
            OpCase::HangupUnanswered => resource(200, "canceled"),
            _ => resource(200, "in-progress"),
        },
        ResponseClass::NotFound if creates => Canned::NotApplicable(
            "a create names no call; a 404 there means a wrong account path, which is ours to fix",
        ),
        ResponseClass::NotFound => error(
            404,
            20404,
            &format!("The requested resource {} was not found", call_path()),
        ),
        ResponseClass::RateLimited => error(429, 20429, "Too Many Requests"),
        ResponseClass::ServerError => error(500, 20500, "Internal Server Error"),
        ResponseClass::Unavailable => error(503, 20503, "Service unavailable"),
        ResponseClass::Validation if creates => error(
            400,
            21211,
            &format!("The 'To' number {TO} is not a valid phone number."),
        ),
        ResponseClass::Validation => match case {
            OpCase::Speak | OpCase::StartListening | OpCase::StopListening => error(
                400,
                21220,
                "Invalid call state: you attempted a realtime operation on a Call that was not in-progress",
            ),
            OpCase::Status => {
                Canned::NotApplicable("a fetch sends no parameters that could fail validation")
            }
            _ => Canned::NotApplicable(
                "a hangup sends only a Status from Twilio's own enum; Twilio documents no validation error for it",
            ),
        },
        ResponseClass::Unauthorized => error(401, 20003, "Authenticate"),
        ResponseClass::Forbidden if creates => error(403, 20403, "403 Forbidden"),
        ResponseClass::Forbidden => error(
            403,
            20008,
            "Resource not accessible with Test Account Credentials",
        ),
        ResponseClass::UnreadableSuccess if creates => resource_without(201, "sid"),
        ResponseClass::UnreadableSuccess if case == OpCase::Status => {
            resource_without(200, "status")
        }
        ResponseClass::UnreadableSuccess => Canned::NotApplicable(
            "an update answers the call resource, but nothing in it changes what the manager knows",
        ),
    }
}

/// A call resource whose `field` is null (Twilio marks nearly every field
/// nullable), so the one thing the manager reads is missing.
fn resource_without(status: u16, field: &str) -> Canned {
    let mut body = call_resource(json!("queued"));
    if let Some(slot) = body.get_mut(field) {
        *slot = Value::Null;
    }
    Canned::Respond(CannedResponse::json(status, body))
}

pub(super) fn success_outcome(case: OpCase) -> OpOutcome {
    match case {
        OpCase::Create | OpCase::CreateConversation => OpOutcome::Created {
            provider_call_id: Some(CALL_SID.to_owned()),
            request_id: None,
        },
        OpCase::Status | OpCase::StatusBeforeProviderId => {
            OpOutcome::Status(ProviderCallStatus::Live { answered: true })
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

/// The call resource's status enum (OAS `call_enum_status`), which is also
/// every `CallStatus` but `initiated`. `canceled` is set only when we cancel a
/// queued or ringing call (`Status=canceled`): our hangup.
pub(super) fn statuses() -> Vec<(&'static str, ProviderCallStatus, EventKind)> {
    let live = |answered| ProviderCallStatus::Live { answered };
    let mut rows = vec![
        ("queued", live(false), EventKind::Initiated),
        ("ringing", live(false), EventKind::Ringing),
        ("in-progress", live(true), EventKind::Answered),
    ];
    for (raw, reason) in [
        ("completed", CallState::Completed),
        ("busy", CallState::Busy),
        ("failed", CallState::Failed),
        ("no-answer", CallState::NoAnswer),
        ("canceled", CallState::HangupBot),
    ] {
        let (status, kind) = ended(reason);
        rows.push((raw, status, kind));
    }
    rows
}
