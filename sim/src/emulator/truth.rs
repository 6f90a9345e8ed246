//! Ground truth: every call the emulated provider carries, as it really is.
//! The oracle trusts this, never the gateway's opinion of itself.

use callproof_core::record::Direction;
use callproof_core::state::EndReason;

/// Where a call really is at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Accepted by the API, not yet ringing.
    Queued,
    /// Ringing at the callee (or, inbound, at us).
    Ringing,
    /// Someone picked up.
    Answered,
    /// Over, and why.
    Ended(EndReason),
}

/// What the person at the other end will do, drawn from the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callee {
    /// Picks up after `after_ms`, hangs up after `talk_ms` (if ever).
    Answers {
        /// Ringing time.
        after_ms: u64,
        /// Talking time before the callee hangs up; `None`: never.
        talk_ms: Option<u64>,
    },
    /// The line is busy.
    Busy,
    /// Nobody picks up (the ring timeout ends it).
    NoAnswer,
    /// The carrier fails the call.
    CarrierFailure,
    /// An answering machine picks up after `after_ms`, records for
    /// `message_ms` and then hangs up: the call ends `voicemail`.
    Voicemail {
        /// Ringing time before the machine picks up.
        after_ms: u64,
        /// How long the machine listens before it hangs up.
        message_ms: u64,
    },
    /// The callee declines the call after it rang `after_ms` (SIP 603): it
    /// ends `hangup-user` before any answer (Twilio `busy`, Plivo `busy`
    /// with `CALL_REJECTED`, Telnyx `call_rejected`).
    Declines {
        /// Ringing time before the decline.
        after_ms: u64,
    },
    /// The callee's network stops ringing after `after_ms`, before the ring
    /// timeout we asked for: it ends `no-answer` (Plivo `no-answer` and
    /// Telnyx `no_answer`, where our own timeout reads `timeout`).
    RingsOut {
        /// Ringing time before the network gives up.
        after_ms: u64,
    },
    /// The provider's network errs while connecting: the call ends `error`
    /// (Twilio and Plivo `failed`, Telnyx `unspecified`).
    NetworkError,
}

/// One call at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthCall {
    /// The provider's call id.
    pub provider_call_id: String,
    /// A request id the create answered with, before the call id (Plivo).
    pub request_id: Option<String>,
    /// The manager's call id, as carried by the create (outbound only).
    pub call_id: Option<String>,
    /// Who started it.
    pub direction: Direction,
    /// Caller.
    pub from: String,
    /// Callee.
    pub to: String,
    /// Where it is.
    pub phase: Phase,
    /// When the provider created it (ms since the epoch).
    pub created_at: u64,
    /// When it was answered.
    pub answered_at: Option<u64>,
    /// When it ended.
    pub ended_at: Option<u64>,
    /// The provider stops ringing after this long.
    pub ring_timeout_ms: u64,
    /// The provider ends the call this long after answer (sent with the create).
    pub time_limit_ms: Option<u64>,
    /// The person at the other end.
    pub callee: Callee,
    /// Where callbacks go.
    pub webhook_url: String,
    /// Placed by the gateway, or an inbound call the gateway answered.
    pub owned: bool,
    /// An inbound call the gateway refused.
    pub rejected: bool,
    /// Callbacks emitted so far (their sequence numbers).
    pub callbacks: u32,
    /// When the gateway answered or refused this inbound call.
    pub decided_at: Option<u64>,
    /// When the provider first spoke words into the call for the gateway.
    pub first_spoken_at: Option<u64>,
    /// The gateway answered the call's end callback with "accepted": it said
    /// the end was applied (and so durable).
    pub end_accepted: bool,
    /// What the callee said (or keyed) into the call while the gateway
    /// listened, in order: the ground truth of its transcript.
    pub said: Vec<Utterance>,
}

/// One answer of the callee in a listening turn, as the provider heard it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utterance {
    /// The words (unique per call, so the oracle can tell them apart).
    pub text: String,
    /// When the provider had the final result.
    pub at: u64,
    /// Where the provider posts the result (Twilio's `<Gather action>`,
    /// Plivo's `GetInput action`, Telnyx's webhook URL).
    pub url: String,
    /// Keyed on the phone's keypad rather than spoken.
    pub dtmf: bool,
    /// Times the final result's callback was answered 2xx.
    pub deliveries: u32,
    /// The gateway answered a delivery of the final result "accepted": it
    /// said the words were applied (and so durable).
    pub accepted: bool,
}

impl TruthCall {
    /// An outbound call the gateway placed, just queued, that nobody has
    /// answered yet: the starting point tests adjust with `..`.
    #[cfg(test)]
    pub(crate) fn placed(
        pid: &str,
        call_id: &str,
        created_at: u64,
        webhook_url: &str,
    ) -> TruthCall {
        TruthCall {
            provider_call_id: pid.to_owned(),
            request_id: None,
            call_id: Some(call_id.to_owned()),
            direction: Direction::Outbound,
            from: "+15550000000".to_owned(),
            to: "+15551234567".to_owned(),
            phase: Phase::Queued,
            created_at,
            answered_at: None,
            ended_at: None,
            ring_timeout_ms: 30_000,
            time_limit_ms: Some(600_000),
            callee: Callee::Answers {
                after_ms: 5_000,
                talk_ms: None,
            },
            webhook_url: webhook_url.to_owned(),
            owned: true,
            rejected: false,
            callbacks: 0,
            decided_at: None,
            first_spoken_at: None,
            end_accepted: false,
            said: Vec::new(),
        }
    }

    /// Whether the call is still up at the provider.
    pub fn is_live(&self) -> bool {
        !matches!(self.phase, Phase::Ended(_))
    }

    /// Whether it ended unanswered when the ring timeout it was placed with
    /// ran out (rather than earlier, ended by the callee or its network).
    pub fn rang_out(&self) -> bool {
        let start = self.created_at
            + match self.direction {
                Direction::Outbound => super::behaviour::QUEUE_MS,
                Direction::Inbound => 0,
            };
        self.answered_at.is_none()
            && self
                .ended_at
                .is_some_and(|end| end >= start + self.ring_timeout_ms)
    }

    /// Whether it ended when the time limit it was placed with ran out (the
    /// provider's own hangup of a connected call).
    pub fn hit_time_limit(&self) -> bool {
        match (self.answered_at, self.ended_at, self.time_limit_ms) {
            (Some(answered), Some(ended), Some(limit)) => ended >= answered + limit,
            _ => false,
        }
    }

    /// How long the call was (or has been) connected.
    pub fn talk_time(&self, now: u64) -> u64 {
        match self.answered_at {
            Some(at) => self.ended_at.unwrap_or(now).saturating_sub(at),
            None => 0,
        }
    }
}
