//! The callbacks Plivo sends to a call's answer, ring and hangup URL.
//!
//! Fields as plivo.com/docs/voice/xml/request lists them and the SDKs' signed
//! answer payload shows them: always `Direction, From, To, CallUUID,
//! CallStatus, ForwardedFrom, SessionStart`; outbound calls add `ALegUUID,
//! RequestUUID, ALegRequestUUID, ParentAuthID`; inbound calls add
//! `CallerName` and repeat the call uuid as `RequestUUID`; hangups add
//! `HangupCause, HangupSource, Duration, BillDuration, StartTime,
//! AnswerTime, EndTime`. `Event` names the trigger: `Ring`, `StartApp`
//! (the answer URL), `Hangup`.

use super::super::CallbackKind;
use super::answer::request_uuid;
use super::wire::{direction, hash, number, timestamp};
use super::{AUTH_ID, AUTH_TOKEN};
use crate::emulator::truth::TruthCall;
use callproof_core::adapters::plivo::{v3_signature, SignedMethod};
use callproof_core::record::Direction;
use callproof_core::state::{CallState, EndReason};

/// What one callback says: `CallStatus`, `Event` (absent for the two
/// callbacks Plivo does not really send) and, for a hangup, its cause and
/// who ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Report {
    status: &'static str,
    event: Option<&'static str>,
    hangup: Option<(&'static str, &'static str)>,
}

pub(super) fn callback(
    call: &TruthCall,
    kind: CallbackKind,
    sequence: u32,
    now: u64,
) -> http::Request<Vec<u8>> {
    if let CallbackKind::Speech { index, .. } = kind {
        return speech(call, index, sequence);
    }
    let inbound = call.direction == Direction::Inbound;
    let report = report(call, kind, inbound);
    let uuid = call.provider_call_id.as_str();
    let mut params: Vec<(&str, String)> = vec![
        ("Direction", direction(call.direction).to_owned()),
        ("From", number(&call.from)),
        ("To", number(&call.to)),
        ("CallUUID", uuid.to_owned()),
        ("CallStatus", report.status.to_owned()),
        ("ForwardedFrom", String::new()),
        ("SessionStart", timestamp(call.created_at, true)),
    ];
    if inbound {
        params.push(("CallerName", call.from.clone()));
        params.push(("RequestUUID", uuid.to_owned()));
    } else {
        params.push(("ALegUUID", uuid.to_owned()));
        params.push(("RequestUUID", request_uuid(call).to_owned()));
        params.push(("ALegRequestUUID", request_uuid(call).to_owned()));
        params.push(("ParentAuthID", AUTH_ID.to_owned()));
    }
    if let Some(event) = report.event {
        params.push(("Event", event.to_owned()));
    }
    if kind == CallbackKind::Answered {
        params.push((
            "AnswerTime",
            timestamp(call.answered_at.unwrap_or(now), false),
        ));
    }
    if let Some((cause, source)) = report.hangup {
        let ended_at = call.ended_at.unwrap_or(now);
        let seconds = (call.talk_time(ended_at) / 1000).to_string();
        params.push(("HangupCause", cause.to_owned()));
        params.push(("HangupSource", source.to_owned()));
        params.push(("Duration", seconds.clone()));
        params.push(("BillDuration", seconds));
        params.push(("StartTime", timestamp(call.created_at, false)));
        if let Some(answered_at) = call.answered_at {
            params.push(("AnswerTime", timestamp(answered_at, false)));
        }
        params.push(("EndTime", timestamp(ended_at, false)));
    }
    signed_post(&call.webhook_url, &params, &nonce(uuid, sequence))
}

/// The callee's answer, posted by `GetInput` to its action URL with the call
/// parameters and (recalled from plivo.com/docs/voice/xml/getinput, "action
/// URL parameters") `InputType` (`speech` or `dtmf`), `Speech` and
/// `SpeechConfidenceScore`, or `Digits`.
fn speech(call: &TruthCall, index: u16, sequence: u32) -> http::Request<Vec<u8>> {
    let uuid = call.provider_call_id.as_str();
    let Some(said) = crate::emulator::speech::utterance(call, index) else {
        return signed_post(&call.webhook_url, &[], &nonce(uuid, sequence));
    };
    let mut params: Vec<(&str, String)> = vec![
        ("Direction", direction(call.direction).to_owned()),
        ("From", number(&call.from)),
        ("To", number(&call.to)),
        ("CallUUID", uuid.to_owned()),
        ("CallStatus", "in-progress".to_owned()),
    ];
    if call.direction == Direction::Outbound {
        params.push(("ALegUUID", uuid.to_owned()));
        params.push(("RequestUUID", request_uuid(call).to_owned()));
        params.push(("ALegRequestUUID", request_uuid(call).to_owned()));
    }
    if said.dtmf {
        params.push(("InputType", "dtmf".to_owned()));
        params.push(("Digits", said.text.clone()));
    } else {
        params.push(("InputType", "speech".to_owned()));
        params.push(("Speech", said.text.clone()));
        params.push(("SpeechConfidenceScore", "0.91".to_owned()));
    }
    signed_post(&said.url, &params, &nonce(uuid, sequence))
}

/// Plivo's nonce is twenty digits; here a hash of the callback's identity,
/// so a redelivery signs alike.
fn nonce(uuid: &str, sequence: u32) -> String {
    format!("{:020}", hash(&[uuid.as_bytes(), &sequence.to_le_bytes()]))
}

fn report(call: &TruthCall, kind: CallbackKind, inbound: bool) -> Report {
    let plain = |status, event| Report {
        status,
        event,
        hangup: None,
    };
    match (kind, inbound) {
        // Plivo has no "queued" callback; see the module docs.
        (CallbackKind::Initiated, false) => plain("queued", None),
        // A new inbound call: Plivo fetching the answer URL, still ringing.
        (CallbackKind::Initiated, true) => plain("ringing", Some("StartApp")),
        (CallbackKind::Ringing, _) => plain("ringing", Some("Ring")),
        (CallbackKind::Answered, false) => plain("in-progress", Some("StartApp")),
        // Plivo has no callback for an inbound answer; see the module docs.
        (CallbackKind::Answered, true) => plain("in-progress", None),
        // Rendered by `speech`, never reported here.
        (CallbackKind::Speech { .. }, _) => plain("in-progress", None),
        // A status Plivo adds later, on no documented event: named by itself.
        (CallbackKind::Unrecognised, _) => plain(super::super::UNRECOGNISED_STATUS, None),
        (CallbackKind::Ended(reason), _) => {
            let status = ended_status(call, reason);
            Report {
                status,
                event: Some("Hangup"),
                hangup: Some(hangup_cause(reason, inbound, status)),
            }
        }
    }
}

/// Plivo's final `CallStatus`: an answered call or an inbound call can only
/// be `completed`; an outbound call that never connected says why: `timeout`
/// when the `ring_timeout` we placed it with ran out, `no-answer` when the
/// callee's network gave up first.
pub(super) fn ended_status(call: &TruthCall, reason: EndReason) -> &'static str {
    if call.direction == Direction::Inbound || call.answered_at.is_some() {
        return "completed";
    }
    match reason {
        CallState::Busy | CallState::HangupUser => "busy",
        CallState::NoAnswer if call.rang_out() => "timeout",
        CallState::NoAnswer => "no-answer",
        CallState::Timeout => "timeout",
        CallState::Failed | CallState::Error => "failed",
        CallState::HangupBot => "cancel",
        _ => "completed",
    }
}

/// The standard cause name and Plivo's hangup source.
fn hangup_cause(reason: EndReason, inbound: bool, status: &str) -> (&'static str, &'static str) {
    let remote = if inbound { "Caller" } else { "Callee" };
    match reason {
        CallState::Completed | CallState::Voicemail => ("NORMAL_CLEARING", remote),
        // Declined before answer.
        CallState::HangupUser if status == "busy" => ("CALL_REJECTED", remote),
        CallState::HangupUser => ("NORMAL_CLEARING", remote),
        CallState::HangupBot if status == "cancel" => ("ORIGINATOR_CANCEL", "API Request"),
        CallState::HangupBot => ("NORMAL_CLEARING", "API Request"),
        CallState::Timeout => ("ALLOTTED_TIMEOUT", "Plivo"),
        CallState::Busy => ("USER_BUSY", remote),
        CallState::NoAnswer => ("NO_ANSWER", remote),
        CallState::Failed => ("NORMAL_TEMPORARY_FAILURE", "Carrier"),
        CallState::Error => ("NORMAL_TEMPORARY_FAILURE", "Error"),
        _ => ("NORMAL_CLEARING", "Unknown"),
    }
}

/// A form-encoded POST to `url`, signed V3 as Plivo signs it (the fragment,
/// where Plivo reads its retry settings, is neither sent nor signed).
fn signed_post(url: &str, params: &[(&str, String)], nonce: &str) -> http::Request<Vec<u8>> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        form.append_pair(name, value);
    }
    let body = form.finish().into_bytes();
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.clone()))
        .collect();
    let signature =
        v3_signature(AUTH_TOKEN, SignedMethod::Post, url, &pairs, nonce).unwrap_or_default();
    let target = url.split('#').next().unwrap_or(url);

    let mut request = http::Request::new(body);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = target.parse().unwrap_or_default();
    let headers = request.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    for (name, value) in [
        ("x-plivo-signature-v3", signature.as_str()),
        // A main account signs both with the same token.
        ("x-plivo-signature-ma-v3", signature.as_str()),
        ("x-plivo-signature-v3-nonce", nonce),
    ] {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            headers.insert(http::HeaderName::from_static(name), value);
        }
    }
    request
}
