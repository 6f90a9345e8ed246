//! The Plivo XML our webhook answers with.
//!
//! Plivo runs the XML document returned by the answer URL (and by a
//! transfer's `aleg_url`) and hangs up when it runs out, so every answer
//! must keep the call up until we end it. Elements used, per
//! plivo.com/docs/voice/xml: `Wait length` (seconds, > 0), `GetInput`
//! (`action`, `method`, `inputType="dtmf speech"`, `executionTimeout` 5–60 s,
//! `redirect="false"`: report the words to `action` and carry on with the next
//! element instead of fetching new XML from it), `Hangup reason="rejected"`.

use super::form::first;
use super::rest::{callback_url, CALL_ID_PARAM, STEP_PARAM, TURN_PARAM};
use super::PlivoConfig;
use crate::webhook::VerifiedWebhook;

/// How long one listening turn waits for speech to start, in seconds.
const LISTEN_TIMEOUT_SECS: u32 = 30;

/// What a callback request is for, from the `plivoStep` query parameter the
/// adapter put on the URL Plivo calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlivoStep {
    /// A ring, answer or hangup callback (no `plivoStep`).
    Callback,
    /// Plivo fetching the XML that starts a listening turn.
    Listen,
    /// Plivo fetching the XML that stops listening and holds the call.
    Hold,
    /// The transcript of a listening turn.
    Speech,
}

impl PlivoStep {
    /// The step of a verified callback, so the webhook endpoint knows what to
    /// answer; an unreadable or unknown step is a plain callback.
    pub fn of(webhook: &VerifiedWebhook) -> PlivoStep {
        let (_, query) = super::form::split_url(webhook.url());
        match super::form::parse_form(query.as_bytes()) {
            Ok(pairs) => PlivoStep::from_query(&pairs),
            Err(_) => PlivoStep::Callback,
        }
    }

    pub(crate) fn from_query(query: &[(String, String)]) -> PlivoStep {
        match first(query, STEP_PARAM) {
            Some("listen") => PlivoStep::Listen,
            Some("hold") => PlivoStep::Hold,
            Some("speech") => PlivoStep::Speech,
            _ => PlivoStep::Callback,
        }
    }
}

/// The answer that refuses an inbound call without picking it up (for a
/// caller the inbound policy does not allow).
pub fn reject_xml() -> &'static str {
    r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup reason="rejected"/></Response>"#
}

pub(crate) fn answer_xml(
    config: &PlivoConfig,
    webhook: &VerifiedWebhook,
    hold_secs: u32,
) -> String {
    let hold = hold_secs.max(1);
    let wait = format!(r#"<Wait length="{hold}"/>"#);
    let listen = if PlivoStep::of(webhook) == PlivoStep::Listen {
        listen_element(config, webhook)
    } else {
        None
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Response>{}{wait}</Response>"#,
        listen.unwrap_or_default()
    )
}

/// A speech `GetInput` whose action is our webhook URL for the same call and
/// turn with `plivoStep=speech`; `None` when the request lacks the call id
/// or the configured URL is unusable (the call is then only held).
fn listen_element(config: &PlivoConfig, webhook: &VerifiedWebhook) -> Option<String> {
    let (_, query) = super::form::split_url(webhook.url());
    let query = super::form::parse_form(query.as_bytes()).ok()?;
    let call_id = first(&query, CALL_ID_PARAM)?;
    let turn = first(&query, TURN_PARAM).unwrap_or("-");
    let action = callback_url(
        config,
        &[
            (CALL_ID_PARAM, call_id),
            (STEP_PARAM, "speech"),
            (TURN_PARAM, turn),
        ],
    )
    .ok()?;
    Some(format!(
        r#"<GetInput action="{}" method="POST" inputType="dtmf speech" executionTimeout="{LISTEN_TIMEOUT_SECS}" redirect="false"></GetInput>"#,
        crate::adapters::xml::escape(&action)
    ))
}
