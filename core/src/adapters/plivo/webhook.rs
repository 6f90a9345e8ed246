//! Turning Plivo callbacks into provider-neutral events.
//!
//! Callbacks are form-encoded POSTs (or GETs with the same fields in the
//! query) carrying, per plivo.com/docs/voice/xml/request: `CallUUID, From,
//! To, CallStatus, Direction` always; `RequestUUID`, `ALegUUID`,
//! `ALegRequestUUID` on outbound calls; `HangupCause`, `Duration`,
//! `BillDuration` and the end time on hangup. `Event` names the trigger:
//! `StartApp` (answer URL), `Ring`, `Hangup`.
//!
//! `From` and `To` come without the leading `+` (`14155550100`, as in
//! Plivo's documented examples and in recorded callbacks); they are read back
//! as E.164 by [`plus_e164`], so an allowlist written in E.164 matches.
//!
//! The identity of a callback is the call plus what it reports:
//! `plivo:{CallUUID}:{Event}` (or `CallStatus` when `Event` is absent). A
//! retried delivery carries the same fields and so the same key; ring, answer
//! and hangup of one call differ. A transcript is keyed by its listening
//! turn instead (`plivo:{CallUUID}:speech:{turn}`), since every turn of a
//! call has the same status.

use super::form::{first, parse_form, split_url};
use super::rest::{CALL_ID_PARAM, TURN_PARAM};
use super::status::PlivoStatus;
use super::time::parse_timestamp_ms;
use super::xml::PlivoStep;
use crate::manager::is_e164;
use crate::provider::{EventKind, ProviderEvent, ProviderName};
use crate::record::Direction;
use crate::webhook::{VerifiedWebhook, WebhookError};

pub(crate) fn parse_webhook(webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
    if webhook.provider() != ProviderName::Plivo {
        return Err(malformed(format!(
            "webhook was verified as {}, not plivo",
            webhook.provider()
        )));
    }
    let query = query_pairs(webhook.url())?;
    let params = if webhook.method() == http::Method::GET {
        query.clone()
    } else {
        parse_form(webhook.body()).map_err(malformed)?
    };
    let field = |name: &str| first(&params, name).filter(|v| !v.is_empty());

    let call_uuid = field("CallUUID").ok_or_else(|| malformed("CallUUID is missing".to_owned()))?;
    let step = PlivoStep::from_query(&query);
    if matches!(step, PlivoStep::Listen | PlivoStep::Hold) {
        // Plivo fetching the XML of a transfer we asked for: nothing happened
        // to the call that the answer and hangup callbacks do not report.
        return Ok(Vec::new());
    }

    let (kind, identity) = if step == PlivoStep::Speech || field("Speech").is_some() {
        // `GetInput` takes speech or keys; `Digits` keyed is the caller's
        // answer as words would be.
        let answer =
            field("Speech").or_else(|| field("Digits").filter(|_| step == PlivoStep::Speech));
        let Some(transcript) = answer else {
            // Listening ended without words: nothing to report.
            return Ok(Vec::new());
        };
        let turn = first(&query, TURN_PARAM).unwrap_or("-");
        let kind = EventKind::Speech {
            transcript: transcript.to_owned(),
            is_final: true,
        };
        (kind, format!("speech:{turn}"))
    } else {
        let raw_status =
            field("CallStatus").ok_or_else(|| malformed("CallStatus is missing".to_owned()))?;
        let status = PlivoStatus::parse(raw_status).ok_or_else(|| WebhookError::UnknownStatus {
            raw: raw_status.to_owned(),
        })?;
        let kind = match status {
            PlivoStatus::Queued => EventKind::Initiated,
            PlivoStatus::Ringing => EventKind::Ringing,
            PlivoStatus::InProgress => EventKind::Answered,
            PlivoStatus::Ended(reason) => EventKind::Ended { reason },
        };
        (kind, field("Event").unwrap_or(raw_status).to_owned())
    };

    let occurred_at = match kind {
        EventKind::Ended { .. } => field("EndTime").and_then(parse_timestamp_ms),
        EventKind::Answered => field("AnswerTime").and_then(parse_timestamp_ms),
        _ => None,
    };
    let direction = match field("Direction") {
        Some("inbound") => Some(Direction::Inbound),
        Some("outbound") => Some(Direction::Outbound),
        _ => None,
    };
    Ok(vec![ProviderEvent {
        dedupe_key: format!("plivo:{call_uuid}:{identity}"),
        call_id: first(&query, CALL_ID_PARAM)
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
        provider_call_id: Some(call_uuid.to_owned()),
        request_id: field("RequestUUID")
            .or_else(|| field("ALegRequestUUID"))
            .map(str::to_owned),
        direction,
        // Kept even when empty: an empty or "anonymous" caller is a fact the
        // inbound policy must see.
        from: first(&params, "From").map(plus_e164),
        to: first(&params, "To").map(plus_e164),
        occurred_at,
        kind,
    }])
}

/// A number as the rest of callproof writes it. Plivo sends E.164 numbers
/// without the leading `+` (`14155550100`), so a number of digits only gets
/// its `+` back, but only when the result is E.164: anything else (empty,
/// `anonymous`, a SIP URI, a short code, a number with a leading zero) is
/// kept exactly as Plivo wrote it, for the inbound policy to refuse.
pub fn plus_e164(number: &str) -> String {
    if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
        let plus = format!("+{number}");
        if is_e164(&plus) {
            return plus;
        }
    }
    number.to_owned()
}

fn query_pairs(url: &str) -> Result<Vec<(String, String)>, WebhookError> {
    let (_, query) = split_url(url);
    parse_form(query.as_bytes()).map_err(malformed)
}

fn malformed(detail: String) -> WebhookError {
    WebhookError::Malformed { detail }
}
