//! A provider's REST and webhook wire format, from the provider's side: the
//! inverse of an adapter. One implementation per provider; the emulator's
//! behaviour (`super::Emulator`) is shared.

mod mock;
mod plivo;
mod telnyx;
mod twilio;

pub use mock::MockDialect;
pub use plivo::PlivoDialect;
pub use telnyx::TelnyxDialect;
pub use twilio::TwilioDialect;

/// The emulated accounts' credentials, for whoever points a gateway at the
/// emulator (the gate hands them to its subjects).
pub mod credentials {
    pub use super::plivo::{AUTH_ID as PLIVO_AUTH_ID, AUTH_TOKEN as PLIVO_AUTH_TOKEN};
    pub use super::telnyx::{
        API_KEY as TELNYX_API_KEY, CONNECTION_ID as TELNYX_CONNECTION_ID,
        PUBLIC_KEY_BASE64 as TELNYX_PUBLIC_KEY,
    };
    pub use super::twilio::{
        ACCOUNT_SID as TWILIO_ACCOUNT_SID, AUTH_TOKEN as TWILIO_AUTH_TOKEN,
        SHARED_KEY_SECRET as TWILIO_SHARED_KEY,
    };
}

use super::truth::TruthCall;
use callproof_core::adapters::twilio::SignatureAlgorithm;
use callproof_core::adapters::Adapter;
use callproof_core::provider::ProviderName;
use callproof_core::state::EndReason;

/// Which call a per-call request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdRef {
    /// The provider's call id.
    Call(String),
    /// A request id (Plivo's `request_uuid`).
    Request(String),
}

/// What an outbound create asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateParams {
    /// The manager's call id, recovered from the callback URL or client state.
    pub call_id: Option<String>,
    /// Caller.
    pub from: String,
    /// Callee.
    pub to: String,
    /// Where callbacks go (the URL as the adapter sent it).
    pub webhook_url: String,
    /// Provider-side time limit after answer.
    pub time_limit_secs: Option<u32>,
    /// Provider-side ring timeout.
    pub ring_timeout_secs: Option<u32>,
}

/// A REST request the emulator understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiCall {
    /// Place a call.
    Create(CreateParams),
    /// End a call.
    Hangup(IdRef),
    /// Ask about a call.
    Status(IdRef),
    /// Speak into a call.
    Speak(IdRef),
    /// Start transcribing.
    StartListening(IdRef),
    /// Stop transcribing.
    StopListening(IdRef),
    /// Answer an inbound call that rings at the gateway (Telnyx's
    /// `actions/answer`; Twilio and Plivo answer through the callback's reply).
    Answer(IdRef),
    /// Refuse an inbound call (Telnyx's `actions/reject`).
    Reject(IdRef),
}

impl ApiCall {
    /// The call a per-call request names.
    pub fn target(&self) -> Option<&IdRef> {
        match self {
            ApiCall::Create(_) => None,
            ApiCall::Hangup(id)
            | ApiCall::Status(id)
            | ApiCall::Speak(id)
            | ApiCall::StartListening(id)
            | ApiCall::StopListening(id)
            | ApiCall::Answer(id)
            | ApiCall::Reject(id) => Some(id),
        }
    }
}

/// What the emulator decided; the dialect renders it in the provider's words.
#[derive(Debug, Clone, Copy)]
pub enum ApiResult<'a> {
    /// The call was created.
    Created(&'a TruthCall),
    /// The call as it is now.
    Status(&'a TruthCall),
    /// A hangup, speak or listen took effect.
    Done(&'a TruthCall),
    /// No such call, or it has ended (for a per-call command).
    NotFound,
    /// Rate limited (429).
    RateLimited,
    /// Internal error (5xx).
    ServerError,
}

/// What a callback reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackKind {
    /// The call exists (outbound: queued/initiated; inbound: a new call).
    Initiated,
    /// Ringing.
    Ringing,
    /// Answered.
    Answered,
    /// Over.
    Ended(EndReason),
    /// A progress report of a live, answered call in a status word no adapter
    /// knows ([`UNRECOGNISED_STATUS`]): a status the provider adds later. It
    /// must never count as an end.
    Unrecognised,
    /// The callee's answer in a listening turn: `call.said[index]`, as an
    /// interim or the final result (Telnyx sends both; Twilio and Plivo post
    /// only the final one to the listening's action URL).
    Speech {
        /// Which utterance of the call.
        index: u16,
        /// The final result rather than an interim one.
        is_final: bool,
    },
}

/// The status word of a [`CallbackKind::Unrecognised`] callback. Made up on
/// purpose: no provider documents it, so it stands for any word a provider
/// adds after an adapter was written (Telnyx gets it as `call.{word}`).
pub const UNRECOGNISED_STATUS: &str = "screening";

/// A provider's wire format from its own side.
pub trait Dialect {
    /// Which provider.
    fn name(&self) -> ProviderName;

    /// The adapter that speaks to this dialect, configured with the same
    /// secrets, for a provider at `api_base` calling back `webhook_url`.
    fn adapter(&self, api_base: &str, webhook_url: &str) -> Box<dyn Adapter>;

    /// Understands an API request (auth included); `Err` is the provider's
    /// own error response (401, 400, 404 for an unknown route). (The error is
    /// a whole response by design: it is what the provider sends back.)
    #[allow(clippy::result_large_err)]
    fn parse(&self, request: &http::Request<Vec<u8>>) -> Result<ApiCall, http::Response<Vec<u8>>>;

    /// Renders the answer to `call`.
    fn respond(&self, call: &ApiCall, result: ApiResult<'_>) -> http::Response<Vec<u8>>;

    /// A new provider id for a created call (and a request id, if the
    /// provider answers creates with one instead). `n` is unique per emulator.
    fn new_ids(&self, n: u64) -> (String, Option<String>);

    /// A signed callback for `call`, delivered to `call.webhook_url`.
    /// `sequence` numbers the call's callbacks; `now` is ms since the epoch.
    fn callback(
        &self,
        call: &TruthCall,
        kind: CallbackKind,
        sequence: u32,
        now: u64,
    ) -> http::Request<Vec<u8>>;

    /// Where this provider posts what the callee says during the listening
    /// `request` starts (a StartListening): the action URL the request
    /// names. `None`: this dialect reports no speech at that URL.
    fn speech_url(&self, _request: &http::Request<Vec<u8>>) -> Option<String> {
        None
    }

    /// Whether speech results go to the call's own webhook URL (Telnyx's
    /// `call.transcription` events) rather than to an action URL.
    fn speech_to_webhook(&self) -> bool {
        false
    }

    /// Whether the create response already carries the call id (false for
    /// Plivo, whose call uuid first appears in callbacks).
    fn create_returns_call_id(&self) -> bool {
        true
    }

    /// Every word this provider documents for how a call ended, as its end
    /// callback carries it (a final status, or a hangup cause): the campaign
    /// requires each of them to occur in ordinary seeds.
    fn end_vocabulary(&self) -> &'static [&'static str];

    /// The word of [`Self::end_vocabulary`] the end callback of `call`,
    /// ended for `reason`, carries.
    fn end_word(&self, call: &TruthCall, reason: EndReason) -> &'static str;

    /// Whether callbacks are signed with a shared key under HMAC-SHA256 in
    /// place of the provider's default (Twilio's Webhook Rules).
    fn sha256_signed(&self) -> bool {
        false
    }
}

/// Twilio's Account SID and Auth Token, as the emulator checks them.
pub fn twilio_credentials() -> (&'static str, &'static str) {
    (twilio::ACCOUNT_SID, twilio::AUTH_TOKEN)
}

/// Plivo's Auth ID and Auth Token.
pub fn plivo_credentials() -> (&'static str, &'static str) {
    (plivo::AUTH_ID, plivo::AUTH_TOKEN)
}

/// Telnyx's API key, webhook public key and connection id.
pub fn telnyx_credentials() -> (&'static str, &'static str, &'static str) {
    (
        telnyx::API_KEY,
        telnyx::PUBLIC_KEY_BASE64,
        telnyx::CONNECTION_ID,
    )
}

/// The dialect of `provider`, if the simulator has one.
pub fn for_provider(provider: ProviderName) -> Option<Box<dyn Dialect>> {
    match provider {
        ProviderName::Mock => Some(Box::new(MockDialect)),
        ProviderName::Twilio => Some(Box::new(TwilioDialect::default())),
        ProviderName::Plivo => Some(Box::new(PlivoDialect)),
        ProviderName::Telnyx => Some(Box::new(TelnyxDialect)),
    }
}

/// The dialect of `provider` as one seed's run meets it: the account
/// settings a real deployment may have, drawn from `seed`. For Twilio, a
/// Webhook Rule signs the gateway's webhooks with a SharedKey in half the
/// seeds (HMAC-SHA256 in three of those four, HMAC-SHA1 in the fourth);
/// the other providers are as [`for_provider`].
pub fn for_seed(provider: ProviderName, seed: u64) -> Option<Box<dyn Dialect>> {
    if provider != ProviderName::Twilio {
        return for_provider(provider);
    }
    // SplitMix64's finaliser, so neighbouring seeds do not alternate.
    let mut z = seed.wrapping_add(0x7a11_0c0d_e5ee_d5a1);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    let webhook_rule = match z % 8 {
        0..=2 => Some(SignatureAlgorithm::HmacSha256),
        3 => Some(SignatureAlgorithm::HmacSha1),
        _ => None,
    };
    Some(Box::new(TwilioDialect { webhook_rule }))
}

#[cfg(test)]
mod vocabulary_tests {
    use super::*;
    use crate::emulator::truth::Phase;
    use callproof_core::record::Direction;
    use callproof_core::state::CallState;

    const ENDS: [CallState; 9] = [
        CallState::Completed,
        CallState::HangupUser,
        CallState::HangupBot,
        CallState::Timeout,
        CallState::Error,
        CallState::Failed,
        CallState::NoAnswer,
        CallState::Busy,
        CallState::Voicemail,
    ];

    /// Every way the emulator ends a call, as the dialects see it.
    fn ended_calls() -> Vec<(TruthCall, CallState)> {
        let mut calls = Vec::new();
        for reason in ENDS {
            for direction in [Direction::Outbound, Direction::Inbound] {
                for answered in [false, true] {
                    for ended_at in [10_000, 31_000, 700_000] {
                        let mut c = TruthCall::placed("pid", "call", 0, "http://gw/webhook");
                        c.direction = direction;
                        c.phase = Phase::Ended(reason);
                        c.answered_at = answered.then_some(5_000);
                        c.ended_at = Some(ended_at);
                        calls.push((c, reason));
                    }
                }
            }
        }
        calls
    }

    #[test]
    fn every_end_word_a_dialect_sends_is_one_of_its_documented_words() {
        for provider in ProviderName::ALL {
            let dialect = for_provider(provider).unwrap();
            for (call, reason) in ended_calls() {
                let word = dialect.end_word(&call, reason);
                assert!(
                    dialect.end_vocabulary().contains(&word),
                    "{provider}: {word:?} for {reason:?} is not in its vocabulary"
                );
            }
        }
    }

    #[test]
    fn every_documented_end_word_is_sent_for_some_end() {
        for provider in ProviderName::ALL {
            let dialect = for_provider(provider).unwrap();
            let sent: Vec<&str> = ended_calls()
                .iter()
                .map(|(call, reason)| dialect.end_word(call, *reason))
                .collect();
            for word in dialect.end_vocabulary() {
                assert!(sent.contains(word), "{provider}: {word:?} is never sent");
            }
        }
    }

    #[test]
    fn about_half_the_seeds_sign_twilio_webhooks_with_a_shared_key() {
        let rules: Vec<bool> = (1..=400)
            .map(|seed| {
                for_seed(ProviderName::Twilio, seed)
                    .unwrap()
                    .sha256_signed()
            })
            .collect();
        let sha256 = rules.iter().filter(|r| **r).count();
        assert!((100..200).contains(&sha256), "{sha256} of 400");
        assert!(!for_seed(ProviderName::Plivo, 1).unwrap().sha256_signed());
    }
}
