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
            self.log.record(pid, now, "listen", "the callee stays silent");
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
