//! The manager's inputs, outputs, configuration and errors.

use crate::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use crate::record::CallMode;
use std::fmt;

/// Milliseconds since the Unix epoch. The manager never reads a clock: every
/// input comes with the caller's `now`.
pub type Millis = u64;

/// Identifies a command so its result can be matched (chosen by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommandId(pub u64);

/// Identifies a webhook delivery whose HTTP response is held until acked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventToken(pub u64);

/// Identifies a provider request the manager emitted; unique across restarts
/// of one journal (it is derived from the journal's sequence numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// The deadlines a call can have. One timer of each kind per call at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// `maxDurationSeconds` after the call was answered.
    MaxDuration,
    /// The call never got past ringing within the stale-call window.
    StaleRinging,
    /// Notify mode: hang up this long after the message was spoken.
    NotifyHangup,
    /// A `continue` command waited too long for the caller's words.
    TranscriptTimeout,
    /// Retry an unknown status check or a failed hangup (bounded backoff).
    Recheck,
    /// An outbound call's provider-side time limit (ring timeout + max
    /// duration, sent with the create) plus slack has passed: the provider
    /// has certainly ended it, even if we never learned its id or every
    /// hangup failed.
    ProviderDeadline,
}

/// A timer: which call, which deadline.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId {
    /// The call.
    pub call_id: String,
    /// The deadline.
    pub kind: TimerKind,
}

/// Inbound call policy (OpenClaw's `inboundPolicy` + `allowFrom`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundPolicy {
    /// Every inbound call is rejected (the default).
    Disabled,
    /// Only these exact E.164 numbers are answered.
    Allowlist(Vec<String>),
    /// Anyone with a caller id is answered (never withheld/anonymous callers).
    Open,
}

/// Backoff for retries of unknown outcomes: `initial`, doubling, capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// First delay.
    pub initial_ms: Millis,
    /// Largest delay.
    pub max_ms: Millis,
}

impl Backoff {
    /// Delay before retry number `attempt` (0-based).
    pub fn delay(&self, attempt: u32) -> Millis {
        let factor = 1u64.checked_shl(attempt.min(20)).unwrap_or(u64::MAX);
        self.initial_ms.saturating_mul(factor).min(self.max_ms)
    }
}

/// Manager settings. Defaults are OpenClaw's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Which provider the calls go through.
    pub provider: ProviderName,
    /// Our caller id (E.164).
    pub from_number: String,
    /// `maxConcurrentCalls`: outbound and inbound together, unknown included.
    pub max_concurrent_calls: usize,
    /// `maxDurationSeconds`, in ms.
    pub max_duration_ms: Millis,
    /// Calls that never got past ringing are ended after this long.
    pub stale_call_ms: Millis,
    /// How long the provider lets an outbound call ring.
    pub ring_timeout_secs: u32,
    /// Notify mode: hang up this long after the message is spoken.
    pub notify_hangup_delay_ms: Millis,
    /// How long `continue` waits for the caller's final words.
    pub transcript_timeout_ms: Millis,
    /// Who may call in.
    pub inbound: InboundPolicy,
    /// Prefix of the call ids this manager makes.
    pub id_prefix: String,
    /// Retry pacing for unknown outcomes.
    pub backoff: Backoff,
    /// Terminal calls remembered (for late and duplicated callbacks).
    pub history_limit: usize,
    /// Dedupe keys remembered per call.
    pub dedupe_per_call: usize,
    /// Margin past the provider's own time limit before a never-correlated
    /// call is declared over.
    pub provider_slack_ms: Millis,
}

impl Config {
    /// OpenClaw's defaults for `provider` (limit 1, 300 s max duration,
    /// 120 s stale reaper, inbound disabled, 3 s notify delay, 180 s
    /// transcript timeout).
    pub fn openclaw_defaults(provider: ProviderName) -> Config {
        Config {
            provider,
            from_number: String::from("+15550000000"),
            max_concurrent_calls: 1,
            max_duration_ms: 300_000,
            stale_call_ms: 120_000,
            ring_timeout_secs: 60,
            notify_hangup_delay_ms: 3_000,
            transcript_timeout_ms: 180_000,
            inbound: InboundPolicy::Disabled,
            id_prefix: String::from("call"),
            backoff: Backoff {
                initial_ms: 1_000,
                max_ms: 30_000,
            },
            history_limit: 1_024,
            dedupe_per_call: 64,
            provider_slack_ms: 30_000,
        }
    }
}

/// What the application asks the manager to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Place an outbound call.
    Place {
        /// Callee, E.164.
        to: String,
        /// Notify or conversation.
        mode: CallMode,
        /// Spoken once answered.
        message: Option<String>,
        /// The agent session this call serves.
        session_key: Option<String>,
    },
    /// Speak into a live call.
    Speak {
        /// The call.
        call_id: String,
        /// The words.
        text: String,
    },
    /// Speak a prompt, then wait for the caller's final words.
    Continue {
        /// The call.
        call_id: String,
        /// The prompt.
        prompt: String,
    },
    /// Hang up.
    End {
        /// The call.
        call_id: String,
    },
}

/// Everything that can happen to the manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// An application command.
    Command(CommandId, Command),
    /// A verified, normalized provider callback; its HTTP response waits for
    /// the matching [`Output::Ack`].
    Event(EventToken, ProviderEvent),
    /// The provider's answer to a request (a timeout is `Err(Transient)`).
    Reply(RequestId, Result<OpOutcome, ProviderError>),
    /// A timer set with [`Output::SetTimer`] is due.
    Timer(TimerId),
}

/// A journal line to append. It must be durable (fsync) before the driver
/// acts on any output that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalWrite {
    /// The line's sequence number.
    pub seq: u64,
    /// The call it records.
    pub call_id: String,
    /// The line, newline included.
    pub line: String,
}

/// How to answer a webhook delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    /// Applied (and durable).
    Accepted,
    /// Already applied, or late for a call that ended: nothing changed.
    Duplicate,
    /// Not about any call we track and not an inbound call: nothing to do.
    Ignored,
    /// An inbound call our policy or capacity refused; a hangup follows.
    Rejected,
}

/// What a command achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOk {
    /// The provider accepted the call.
    Placed {
        /// Our id for it.
        call_id: String,
    },
    /// The words were handed to the provider.
    Spoken,
    /// The caller's final words.
    Transcript(String),
    /// The call is over.
    Ended,
}

/// Why a command failed, by who is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// All `max` slots are taken (calls in unknown state count too).
    CapacityReached {
        /// The limit.
        max: usize,
    },
    /// The number is not E.164 (`+` and 8 to 15 digits).
    InvalidNumber {
        /// What was given.
        number: String,
    },
    /// No call with this id is tracked.
    CallNotFound {
        /// The id given.
        call_id: String,
    },
    /// The call has ended.
    CallEnded {
        /// The call.
        call_id: String,
        /// How it ended.
        reason: crate::state::EndReason,
    },
    /// The call has no provider id yet (still being placed).
    NotConnected {
        /// The call.
        call_id: String,
    },
    /// Another `continue` is already waiting on this call.
    AlreadyListening {
        /// The call.
        call_id: String,
    },
    /// The provider did not accept the request.
    Provider(ProviderError),
    /// The create request's outcome is unknown (timeout, 5xx): the call keeps
    /// its capacity slot until the provider proves it over.
    OutcomeUnknown {
        /// The call.
        call_id: String,
    },
    /// `continue` heard no final words in time.
    TranscriptTimeout {
        /// The call.
        call_id: String,
    },
}

/// What the manager wants done. Drain with `poll_output` after every input,
/// in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Output {
    /// Append and fsync before acting on anything after it.
    Persist(JournalWrite),
    /// Send this to the provider and feed the reply back as [`Input::Reply`].
    Request(RequestId, ProviderOp),
    /// Fire [`Input::Timer`] at (or after) this time; replaces an earlier
    /// timer with the same id.
    SetTimer(TimerId, Millis),
    /// Forget a timer (firing it anyway is harmless: stale timers are ignored).
    CancelTimer(TimerId),
    /// Answer a webhook delivery.
    Ack(EventToken, Ack),
    /// A command's result.
    Done(CommandId, Result<CommandOk, CommandError>),
}
