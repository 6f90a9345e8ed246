//! The few TwiML documents the adapter sends, built as text.
//!
//! Verbs used (Twilio's TwiML voice reference): `<Say>`, `<Pause length>`,
//! `<Redirect method>`, `<Gather input action method timeout speechTimeout>`.
//! `speechTimeout="auto"` is avoided: Twilio warns (13335) that it does not
//! work with the default speech model.

use crate::adapters::xml::escape;

/// How long a call waits in silence before asking the gateway again. Short
/// enough that a restarted gateway regains control within a minute, long
/// enough not to flood it.
pub(super) const HOLD_SECS: u32 = 60;

/// How long `<Gather>` waits for the caller to start speaking.
pub(super) const GATHER_TIMEOUT_SECS: u32 = 10;

/// Seconds of silence that end an utterance.
pub(super) const SPEECH_END_SECS: u32 = 2;

/// Twilio's limit on an inline `Twiml` parameter, in characters.
pub(super) const MAX_TWIML_CHARS: usize = 4000;

/// A notify call's message: spoken once, then the document ends and Twilio
/// hangs up by itself.
pub(super) fn say_once(message: &str) -> String {
    format!("<Response><Say>{}</Say></Response>", escape(message))
}

/// Keep the line open, then ask `url` what next.
pub(super) fn hold(url: &str) -> String {
    format!("<Response>{}</Response>", hold_tail(url))
}

/// Speak, then hold.
pub(super) fn say_then_hold(text: &str, url: &str) -> String {
    format!(
        "<Response><Say>{}</Say>{}</Response>",
        escape(text),
        hold_tail(url)
    )
}

/// Listen for one answer, spoken or keyed (posted to `action`), then hold
/// if none came.
pub(super) fn gather_then_hold(action: &str, url: &str) -> String {
    format!(
        "<Response><Gather input=\"dtmf speech\" action=\"{}\" method=\"POST\" timeout=\"{GATHER_TIMEOUT_SECS}\" speechTimeout=\"{SPEECH_END_SECS}\"></Gather>{}</Response>",
        escape(action),
        hold_tail(url)
    )
}

fn hold_tail(url: &str) -> String {
    format!(
        "<Pause length=\"{HOLD_SECS}\"/><Redirect method=\"POST\">{}</Redirect>",
        escape(url)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_spoken_text_is_escaped_not_executed() {
        assert_eq!(
            say_once("<Hangup/> & \"quotes\" 'too'"),
            "<Response><Say>&lt;Hangup/&gt; &amp; &quot;quotes&quot; &apos;too&apos;</Say></Response>"
        );
    }

    #[test]
    fn control_characters_xml_cannot_hold_become_spaces() {
        assert_eq!(escape("a\u{0}b\u{1b}c\td\ne\u{FFFF}"), "a b c\td\ne ");
    }

    #[test]
    fn every_hold_ends_in_a_redirect_back_to_the_escaped_callback_url() {
        let url = "https://gw.example.com/voice/webhook?callId=c1&x=y";
        let want = "<Pause length=\"60\"/><Redirect method=\"POST\">https://gw.example.com/voice/webhook?callId=c1&amp;x=y</Redirect></Response>";
        assert!(hold(url).ends_with(want), "{}", hold(url));
        assert!(say_then_hold("hi", url).ends_with(want));
        assert!(gather_then_hold(url, url).ends_with(want));
    }

    #[test]
    fn listening_gathers_speech_and_posts_it_to_the_action_url() {
        let doc = gather_then_hold("https://h/cb?callId=c1&gather=k", "https://h/cb");
        assert!(doc.starts_with(
            "<Response><Gather input=\"dtmf speech\" action=\"https://h/cb?callId=c1&amp;gather=k\" method=\"POST\" timeout=\"10\" speechTimeout=\"2\"></Gather>"
        ), "{doc}");
    }
}
