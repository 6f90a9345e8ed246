//! The gateway's answer to a callback, read the way each provider reads it:
//! the neutral `x-callproof-answer` header the simulator's reference gateway
//! sends, or the provider's own form (Twilio TwiML, Plivo XML). Telnyx reads
//! no answer from a webhook reply: an inbound call is answered or refused by
//! the REST actions `answer` and `reject`.

use super::behaviour::Emulator;
use super::dialect::CallbackKind;
use callproof_core::provider::ProviderName;
use callproof_core::record::Direction;

/// The header by which a gateway says whether it answers an inbound call.
pub const ANSWER_HEADER: &str = "x-callproof-answer";

/// What the gateway's reply to a callback says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayAnswer {
    /// Take the call (or: the callback was applied).
    Accept,
    /// Refuse the call (`<Reject/>`).
    Reject,
    /// Hang up (`<Hangup/>`, or TwiML with nothing to do).
    Hangup,
}

impl GatewayAnswer {
    /// The word the webhook journal records.
    pub fn as_str(self) -> &'static str {
        match self {
            GatewayAnswer::Accept => "accept",
            GatewayAnswer::Reject => "reject",
            GatewayAnswer::Hangup => "hangup",
        }
    }
}

/// Reads only the neutral header (`accept` or `reject`), as the simulator
/// always has.
pub fn from_header(headers: &http::HeaderMap) -> Option<GatewayAnswer> {
    match headers.get(ANSWER_HEADER).map(http::HeaderValue::as_bytes) {
        Some(b"accept") => Some(GatewayAnswer::Accept),
        Some(b"reject") => Some(GatewayAnswer::Reject),
        _ => None,
    }
}

/// Reads a 2xx reply: the neutral header first, then the provider's XML.
pub fn read(provider: ProviderName, response: &http::Response<Vec<u8>>) -> Option<GatewayAnswer> {
    if let Some(answer) = from_header(response.headers()) {
        return Some(answer);
    }
    let body = std::str::from_utf8(response.body()).ok()?;
    match provider {
        ProviderName::Twilio | ProviderName::Plivo => xml_answer(provider, body),
        ProviderName::Telnyx | ProviderName::Mock => None,
    }
}

/// The first verb inside `<Response>`: `Reject` refuses, `Hangup` hangs up,
/// any other verb takes the call. An empty `<Response/>` gives Twilio nothing
/// to do, so it hangs up; Plivo likewise.
fn xml_answer(provider: ProviderName, body: &str) -> Option<GatewayAnswer> {
    let start = body.find("<Response")?;
    let after = &body[start + "<Response".len()..];
    let close = after.find('>')?;
    if after[..close].ends_with('/') {
        return Some(GatewayAnswer::Hangup);
    }
    let inner = &after[close + 1..];
    let mut rest = inner;
    loop {
        let open = rest.find('<')?;
        let tag = &rest[open + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            rest = &tag[tag.find('>')? + 1..];
            continue;
        }
        if tag.starts_with("/Response") {
            return Some(GatewayAnswer::Hangup);
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        return Some(match (provider, name.as_str()) {
            (ProviderName::Twilio, "Reject") => GatewayAnswer::Reject,
            (_, "Hangup") => GatewayAnswer::Hangup,
            _ => GatewayAnswer::Accept,
        });
    }
}

impl Emulator {
    /// Acts on the gateway's 2xx reply to a delivered callback: an accepted
    /// end is marked applied; an inbound call's first callback is answered
    /// or refused by it.
    pub fn callback_answered(
        &mut self,
        pid: &str,
        kind: CallbackKind,
        answer: Option<GatewayAnswer>,
        now: u64,
    ) {
        if let CallbackKind::Speech {
            index,
            is_final: true,
        } = kind
        {
            self.speech_answered(pid, index, answer == Some(GatewayAnswer::Accept));
        }
        if let (CallbackKind::Ended(_), Some(GatewayAnswer::Accept)) = (kind, answer) {
            if let Some(c) = self.calls.get_mut(pid) {
                c.end_accepted = true;
            }
        }
        let inbound_start = kind == CallbackKind::Initiated
            && self
                .calls
                .get(pid)
                .is_some_and(|c| c.direction == Direction::Inbound);
        if inbound_start {
            match answer {
                Some(GatewayAnswer::Accept) => self.inbound_decision(pid, true, now),
                Some(GatewayAnswer::Reject | GatewayAnswer::Hangup) => {
                    self.inbound_decision(pid, false, now)
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> http::Response<Vec<u8>> {
        http::Response::new(body.as_bytes().to_vec())
    }

    #[test]
    fn twiml_that_rejects_or_hangs_up_first_refuses_the_call() {
        let twilio = ProviderName::Twilio;
        let reject = reply("<?xml version=\"1.0\"?><Response><Reject reason=\"busy\"/></Response>");
        assert_eq!(read(twilio, &reject), Some(GatewayAnswer::Reject));
        let hangup = reply("<Response><Hangup/><Say>never</Say></Response>");
        assert_eq!(read(twilio, &hangup), Some(GatewayAnswer::Hangup));
        assert_eq!(
            read(twilio, &reply("<Response/>")),
            Some(GatewayAnswer::Hangup)
        );
    }

    #[test]
    fn twiml_with_any_other_verb_first_answers_the_call() {
        let say = reply("<Response><!-- hi --><Say>Hello</Say><Hangup/></Response>");
        assert_eq!(
            read(ProviderName::Twilio, &say),
            Some(GatewayAnswer::Accept)
        );
    }

    #[test]
    fn plivo_xml_hangup_refuses_and_speak_answers() {
        let plivo = ProviderName::Plivo;
        let hangup = reply("<Response><Hangup reason=\"rejected\"/></Response>");
        assert_eq!(read(plivo, &hangup), Some(GatewayAnswer::Hangup));
        let speak = reply("<Response><Speak>Hi</Speak></Response>");
        assert_eq!(read(plivo, &speak), Some(GatewayAnswer::Accept));
    }

    #[test]
    fn the_neutral_header_wins_over_the_body_and_telnyx_bodies_say_nothing() {
        let mut r = reply("<Response><Reject/></Response>");
        r.headers_mut()
            .insert(ANSWER_HEADER, http::HeaderValue::from_static("accept"));
        assert_eq!(read(ProviderName::Twilio, &r), Some(GatewayAnswer::Accept));
        assert_eq!(read(ProviderName::Telnyx, &reply("<Response/>")), None);
        assert_eq!(read(ProviderName::Twilio, &reply("not xml")), None);
        assert_eq!(read(ProviderName::Twilio, &reply("<Response>")), None);
    }
}
