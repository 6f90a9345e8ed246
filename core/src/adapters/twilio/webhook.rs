//! Turning a verified Twilio callback into an event.
//!
//! Three kinds of request reach the callback URL, all form-encoded:
//! - status callbacks (`CallbackSource=call-progress-events`, with
//!   `SequenceNumber` and `Timestamp`);
//! - call-logic requests (a call's `Url`, our `<Redirect>`s, and the voice URL
//!   of an inbound call): the same call parameters, without a sequence number;
//! - `<Gather>` results: `SpeechResult` (and `Confidence`), or `Digits` for
//!   keys pressed, on the action URL, which carries `gather=<command id>`.
//!
//! `CallStatus` values [Twilio's call-progress docs, recalled]: `initiated`,
//! `queued`, `ringing`, `in-progress` and the five terminal ones.

use super::{form, response, rfc2822};
use crate::provider::{EventKind, ProviderEvent, ProviderName};
use crate::record::Direction;
use crate::webhook::{VerifiedWebhook, WebhookError};

pub(super) fn parse(webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
    if webhook.provider() != ProviderName::Twilio {
        return Err(malformed(format!(
            "verified by the {} adapter, not Twilio's",
            webhook.provider()
        )));
    }
    let query = form::decode(super::address::query(webhook.url()).as_bytes()).map_err(malformed)?;
    // A GET callback carries its fields in the query, a POST in the body.
    let fields = if *webhook.method() == http::Method::GET {
        query.clone()
    } else {
        form::decode(webhook.body()).map_err(malformed)?
    };
    let field = |name: &str| form::first(&fields, name);

    let call_sid = field("CallSid")
        .filter(|sid| !sid.is_empty())
        .ok_or_else(|| malformed("no CallSid".to_owned()))?;

    // Keys pressed answer a `<Gather>` as words do: `Digits` on its action
    // URL (one with our gather id) is the caller's answer.
    let gathered = field("SpeechResult").or_else(|| {
        field("Digits")
            .filter(|d| !d.is_empty())
            .filter(|_| form::first(&query, "gather").is_some_and(|g| !g.is_empty()))
    });
    let (kind, identity) = match gathered {
        Some(transcript) => {
            let gather = form::first(&query, "gather")
                .filter(|g| !g.is_empty())
                .ok_or_else(|| {
                    malformed("speech result on a URL without our gather id".to_owned())
                })?;
            let kind = EventKind::Speech {
                transcript: transcript.to_owned(),
                is_final: true,
            };
            (kind, format!("speech:{gather}"))
        }
        None => {
            let status =
                field("CallStatus").ok_or_else(|| malformed("no CallStatus".to_owned()))?;
            let kind = event_kind(status)?;
            let identity = match field("SequenceNumber") {
                Some(seq) if !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit()) => {
                    seq.to_owned()
                }
                Some(seq) => {
                    return Err(malformed(format!("SequenceNumber {seq:?} is not a number")))
                }
                None => status.to_owned(),
            };
            (kind, identity)
        }
    };

    Ok(vec![ProviderEvent {
        dedupe_key: format!("twilio:{call_sid}:{identity}"),
        call_id: form::first(&query, "callId")
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
        provider_call_id: Some(call_sid.to_owned()),
        request_id: None,
        direction: field("Direction").and_then(direction),
        from: field("From").map(str::to_owned),
        to: field("To").map(str::to_owned),
        // An unreadable Timestamp costs the timestamp, not the event.
        occurred_at: field("Timestamp").and_then(rfc2822::parse_ms),
        kind,
    }])
}

/// `CallStatus` to event; a status no table knows is refused, never guessed
/// to be an end.
pub(super) fn event_kind(status: &str) -> Result<EventKind, WebhookError> {
    Ok(match status {
        "initiated" | "queued" => EventKind::Initiated,
        "ringing" => EventKind::Ringing,
        "in-progress" => EventKind::Answered,
        _ => match response::end_reason(status) {
            Some(reason) => EventKind::Ended { reason },
            None => {
                return Err(WebhookError::UnknownStatus {
                    raw: status.to_owned(),
                })
            }
        },
    })
}

/// `Direction`: `inbound`, or `outbound-api` (we placed it) / `outbound-dial`
/// (a `<Dial>` leg). Anything else is left unsaid rather than guessed.
fn direction(raw: &str) -> Option<Direction> {
    match raw {
        "inbound" => Some(Direction::Inbound),
        "outbound-api" | "outbound-dial" => Some(Direction::Outbound),
        _ => None,
    }
}

fn malformed(detail: String) -> WebhookError {
    WebhookError::Malformed { detail }
}
