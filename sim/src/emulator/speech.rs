//! What callees say when the gateway listens: each listening turn the
//! callee answers in words, keys digits, or stays silent, drawn from the
//! emulator's own speech draws. Every answer becomes ground truth
//! ([`TruthCall::said`]) before its result goes out through the same
//! delivery faults as every other callback (loss, duplication, delay,
//! redelivery), so the oracle can judge the journal's transcript against
//! what the callee really said.
//!
//! One result per turn: Twilio's `<Gather>` and Plivo's `GetInput` post once
//! to their action URL and are done; Telnyx's transcription would go on, but
//! a callee here answers once per prompt. Telnyx sends an interim
//! transcription (`is_final: false`) first.

use super::behaviour::Emulator;
use super::dialect::CallbackKind;
use super::truth::{Phase, TruthCall, Utterance};
use callproof_core::provider::ProviderName;
use rand::Rng;

/// A listening turn in progress at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Where the result goes.
    pub url: String,
    /// When the callee's answer is complete; `None`: the callee stays silent.
    pub answers_at: Option<u64>,
    /// Keyed digits rather than words.
    pub dtmf: bool,
}

/// What callees say, in turn; the call's answer number makes each unique.
const PHRASES: [&str; 6] = [
    "I'd like to book a table",
    "Yes, that works for me",
    "Could you repeat that",
    "Tomorrow at seven, please",
    "No, thank you",
    "Four people",
];

/// One turn in this many the callee says nothing.
const SILENT_PER_100: u32 = 15;
/// One turn in this many the callee keys digits instead of speaking.
const DTMF_PER_100: u32 = 15;
/// An interim transcription goes out this long before the final one.
const INTERIM_BEFORE_MS: u64 = 700;

/// The words of a call's `n`-th answer (0-based): unique within the call.
pub fn words(n: usize) -> String {
    format!("{} ({})", PHRASES[n % PHRASES.len()], n + 1)
}

/// The digits of a call's `n`-th answer, when keyed: unique within the call.
pub fn digits(n: usize) -> String {
    format!("{}#", n + 1)
}

impl Emulator {
    /// The gateway started listening on answered call `pid`: the callee
    /// decides now what it will answer, and when. Without a URL to post to
    /// (a dialect that reports no speech) nothing will be heard.
    pub(super) fn listen(&mut self, pid: &str, url: Option<String>, now: u64) {
        let url = match url {
            Some(url) => url,
            None if self.dialect().speech_to_webhook() => match self.calls.get(pid) {
                Some(c) => c.webhook_url.clone(),
                None => return,
            },
            None => return,
        };
        let draw = self.speech_rng.random_range(0..100u32);
        let delay = self.speech_rng.random_range(1_500..8_000u64);
        let turn = if draw < SILENT_PER_100 {
            self.stats.silent_turns += 1;
            self.log
                .record(pid, now, "listen", "the callee stays silent");
            Turn {
                url,
                answers_at: None,
                dtmf: false,
            }
        } else {
            Turn {
                url,
                answers_at: Some(now + delay),
                dtmf: draw < SILENT_PER_100 + DTMF_PER_100,
            }
        };
        self.turns.insert(pid.to_owned(), turn);
    }

    /// The gateway stopped listening: an answer not complete yet is never
    /// heard.
    pub(super) fn stop_listening(&mut self, pid: &str) {
        self.turns.remove(pid);
    }

    /// Turns whose answer is complete by `now` produce their result, if the
    /// call is still up.
    pub(super) fn speak_due(&mut self, now: u64) {
        let due: Vec<(String, Turn)> = self
            .turns
            .iter()
            .filter(|(_, t)| t.answers_at.is_some_and(|at| at <= now))
            .map(|(pid, t)| (pid.clone(), t.clone()))
            .collect();
        for (pid, turn) in due {
            self.turns.remove(&pid);
            let Some(at) = turn.answers_at else { continue };
            let Some(call) = self.calls.get_mut(&pid) else {
                continue;
            };
            if call.phase != Phase::Answered || call.said.len() >= usize::from(u16::MAX) {
                continue;
            }
            let n = call.said.len();
            let text = if turn.dtmf { digits(n) } else { words(n) };
            call.said.push(Utterance {
                text,
                at,
                url: turn.url,
                dtmf: turn.dtmf,
                deliveries: 0,
                accepted: false,
            });
            let index = n as u16;
            if turn.dtmf {
                self.stats.dtmf_turns += 1;
            }
            let interim = self.dialect().name() == ProviderName::Telnyx && !turn.dtmf;
            if interim {
                let kind = CallbackKind::Speech {
                    index,
                    is_final: false,
                };
                self.emit(&pid, kind, at.saturating_sub(INTERIM_BEFORE_MS));
            }
            let kind = CallbackKind::Speech {
                index,
                is_final: true,
            };
            self.emit(&pid, kind, at);
        }
    }

    /// A final result was answered 2xx: count the delivery, and whether the
    /// gateway said it applied it.
    pub(super) fn speech_answered(&mut self, pid: &str, index: u16, accepted: bool) {
        let Some(u) = self
            .calls
            .get_mut(pid)
            .and_then(|c| c.said.get_mut(usize::from(index)))
        else {
            return;
        };
        u.deliveries += 1;
        u.accepted |= accepted;
        match u.deliveries {
            1 => self.stats.speech_results += 1,
            2 => self.stats.speech_twice += 1,
            _ => {}
        }
    }
}

/// The utterance a speech callback reports, for the dialects.
pub fn utterance(call: &TruthCall, index: u16) -> Option<&Utterance> {
    call.said.get(usize::from(index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::dialect::{for_provider, Dialect};
    use callproof_core::provider::EventKind;
    use callproof_core::webhook::RawWebhook;

    const WEBHOOK: &str = "http://gateway:8080/webhook";
    const T0: u64 = 1_769_990_000_000;

    /// A call answered at `T0` whose callee said `text` (or keyed it).
    fn answered(dialect: &dyn Dialect, url: &str, text: &str, dtmf: bool) -> TruthCall {
        let (pid, _) = dialect.new_ids(7);
        let mut call = TruthCall::placed(&pid, "call-7", T0, &format!("{WEBHOOK}?callId=call-7"));
        call.phase = Phase::Answered;
        call.answered_at = Some(T0 + 5_000);
        call.said.push(Utterance {
            text: text.to_owned(),
            at: T0 + 9_000,
            url: url.to_owned(),
            dtmf,
            deliveries: 0,
            accepted: false,
        });
        call
    }

    /// What the provider's own adapter makes of the result callback.
    fn parsed(provider: ProviderName, url: &str, dtmf: bool, is_final: bool) -> Vec<EventKind> {
        let dialect = for_provider(provider).unwrap();
        let call = answered(dialect.as_ref(), url, &words(0), dtmf);
        let kind = CallbackKind::Speech { index: 0, is_final };
        let request = dialect.callback(&call, kind, 3, T0 + 9_000);
        let adapter = dialect.adapter("http://provider:80", WEBHOOK);
        let url = request.uri().to_string();
        let raw = RawWebhook {
            method: request.method(),
            url: &url,
            headers: request.headers(),
            body: request.body(),
        };
        let verified = adapter
            .verify_webhook(&raw, ((T0 + 9_000) / 1000) as i64)
            .unwrap();
        let events = adapter.parse_webhook(&verified).unwrap();
        for e in &events {
            assert_eq!(e.call_id.as_deref(), Some("call-7"), "{provider}");
        }
        events.into_iter().map(|e| e.kind).collect()
    }

    fn heard(text: String, is_final: bool) -> Vec<EventKind> {
        vec![EventKind::Speech {
            transcript: text,
            is_final,
        }]
    }

    #[test]
    fn twilio_posts_the_gather_result_to_its_action_url_and_the_adapter_reads_the_words() {
        let action = format!("{WEBHOOK}?callId=call-7&gather=r9");
        assert_eq!(
            parsed(ProviderName::Twilio, &action, false, true),
            heard(words(0), true)
        );
        assert_eq!(
            parsed(ProviderName::Twilio, &action, true, true),
            heard(words(0), true),
            "keys pressed are posted as Digits and read as the answer"
        );
    }

    #[test]
    fn plivo_posts_the_getinput_result_to_its_action_url_and_the_adapter_reads_the_words() {
        let action = format!("{WEBHOOK}?callId=call-7&plivoStep=speech&turn=r9");
        assert_eq!(
            parsed(ProviderName::Plivo, &action, false, true),
            heard(words(0), true)
        );
        assert_eq!(
            parsed(ProviderName::Plivo, &action, true, true),
            heard(words(0), true)
        );
    }

    #[test]
    fn telnyx_sends_interim_and_final_transcriptions_and_keys_as_ignored_dtmf_events() {
        let hook = format!("{WEBHOOK}?callId=call-7");
        assert_eq!(
            parsed(ProviderName::Telnyx, &hook, false, true),
            heard(words(0), true)
        );
        assert_eq!(
            parsed(ProviderName::Telnyx, &hook, false, false),
            heard("I'd like".to_owned(), false)
        );
        assert_eq!(parsed(ProviderName::Telnyx, &hook, true, true), vec![]);
    }

    #[test]
    fn every_answer_of_a_call_has_its_own_words() {
        let all: Vec<String> = (0..20).map(words).chain((0..20).map(digits)).collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
    }
}
