//! What the manager asks of a telephony provider and what it hears back, in
//! provider-neutral terms. Adapters (one module per provider under `adapters`)
//! turn these into the provider's real wire format and back.

use crate::record::{CallMode, Direction};
use crate::state::EndReason;
use std::fmt;

/// Which provider an adapter, record or event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProviderName {
    /// Twilio Programmable Voice (API 2010-04-01).
    Twilio,
    /// Plivo Voice API v1.
    Plivo,
    /// Telnyx Call Control v2.
    Telnyx,
    /// The in-project mock provider.
    Mock,
}

impl ProviderName {
    /// All providers, in a fixed order.
    pub const ALL: [ProviderName; 4] = [
        ProviderName::Twilio,
        ProviderName::Plivo,
        ProviderName::Telnyx,
        ProviderName::Mock,
    ];

    /// The name used in records and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderName::Twilio => "twilio",
            ProviderName::Plivo => "plivo",
            ProviderName::Telnyx => "telnyx",
            ProviderName::Mock => "mock",
        }
    }

    /// Parses a provider name as written in a record or on the command line.
    pub fn parse(name: &str) -> Option<ProviderName> {
        ProviderName::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything we may know about which call at the provider an operation is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRef {
    /// The manager's own call id (carried in callbacks: Twilio/Plivo `callId`
    /// query parameter, Telnyx base64 `client_state`).
    pub call_id: String,
    /// The provider's call id, once known.
    pub provider_call_id: Option<String>,
    /// Plivo's `request_uuid`, known before the call uuid.
    pub request_id: Option<String>,
}

/// Parameters of an outbound call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCall {
    /// The manager's call id, to be echoed in every callback.
    pub call_id: String,
    /// Caller id (E.164).
    pub from: String,
    /// Callee (E.164).
    pub to: String,
    /// Notify or conversation.
    pub mode: CallMode,
    /// Message to speak once answered, if any.
    pub message: Option<String>,
    /// The provider-side time limit: the provider itself ends the call after
    /// this long, so a call we lose track of still cannot live forever.
    pub time_limit_secs: u32,
    /// How long the provider lets it ring.
    pub ring_timeout_secs: u32,
}

/// One request the manager wants sent to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderOp {
    /// Place an outbound call.
    Create(CreateCall),
    /// End a call. `answered` picks Twilio's `completed` over `canceled`.
    Hangup {
        /// The call.
        call: CallRef,
        /// Whether the callee had picked up, as far as we know.
        answered: bool,
    },
    /// Ask whether a call is still live (recovery, unknown outcomes).
    Status {
        /// The call.
        call: CallRef,
    },
    /// Speak text into a live call.
    Speak {
        /// The call.
        call: CallRef,
        /// The words.
        text: String,
    },
    /// Start transcribing the caller.
    StartListening {
        /// The call.
        call: CallRef,
    },
    /// Stop transcribing the caller.
    StopListening {
        /// The call.
        call: CallRef,
    },
}

impl ProviderOp {
    /// The call this operation is about.
    pub fn call_id(&self) -> &str {
        match self {
            ProviderOp::Create(c) => &c.call_id,
            ProviderOp::Hangup { call, .. }
            | ProviderOp::Status { call }
            | ProviderOp::Speak { call, .. }
            | ProviderOp::StartListening { call }
            | ProviderOp::StopListening { call } => &call.call_id,
        }
    }

    /// A short name for logs and tables.
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderOp::Create(_) => "create",
            ProviderOp::Hangup { .. } => "hangup",
            ProviderOp::Status { .. } => "status",
            ProviderOp::Speak { .. } => "speak",
            ProviderOp::StartListening { .. } => "listen",
            ProviderOp::StopListening { .. } => "stop-listening",
        }
    }
}

/// A call's liveness as the provider reports it. Classification is total:
/// anything the adapter does not recognise is `Unknown`, never `Ended`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderCallStatus {
    /// Queued, ringing or in progress at the provider.
    Live {
        /// Whether the callee picked up.
        answered: bool,
    },
    /// Proven over, with the reason mapped from the provider's status.
    Ended {
        /// The terminal state to record.
        reason: EndReason,
    },
    /// The provider said something we cannot classify: keep the call.
    Unknown {
        /// The provider's own word for it.
        raw: String,
    },
}

/// A successful answer to a [`ProviderOp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpOutcome {
    /// The provider accepted a create.
    Created {
        /// Its call id, if the create response carries one (Twilio, Telnyx).
        provider_call_id: Option<String>,
        /// Its request id, if it answers with one instead (Plivo).
        request_id: Option<String>,
    },
    /// The answer to a status request.
    Status(ProviderCallStatus),
    /// A hangup, speak or listen was accepted.
    Done,
}

/// Why an operation did not succeed, grouped by who is at fault and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// The call does not exist or has already ended (Twilio 404/20404, Plivo
    /// 404, Telnyx 422/90018). For a hangup or status this is proof of the end.
    NotFound {
        /// What the provider said.
        detail: String,
    },
    /// The provider was unreachable, overloaded (429, 5xx), timed out or
    /// dropped the connection: the operation's outcome is *unknown*. Retry.
    Transient {
        /// What happened.
        detail: String,
    },
    /// The provider refused the request as invalid (4xx validation): ours to
    /// fix, retrying will not help.
    Rejected {
        /// HTTP status.
        status: u16,
        /// What the provider said.
        detail: String,
    },
    /// Credentials were refused (401/403): the operator must fix configuration.
    Unauthorized {
        /// What the provider said.
        detail: String,
    },
    /// The provider answered with something unreadable: its fault; the
    /// outcome is unknown.
    Malformed {
        /// What was wrong.
        detail: String,
    },
}

impl ProviderError {
    /// Whether the operation may have taken effect at the provider.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ProviderError::Transient { .. } | ProviderError::Malformed { .. }
        )
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderError::NotFound { detail } => write!(f, "call not found or already ended at the provider: {detail}"),
            ProviderError::Transient { detail } => write!(f, "provider unreachable or overloaded, outcome unknown (will retry): {detail}"),
            ProviderError::Rejected { status, detail } => write!(f, "provider rejected the request (HTTP {status}), fix the request or configuration: {detail}"),
            ProviderError::Unauthorized { detail } => write!(f, "provider refused the credentials, check the account id and token: {detail}"),
            ProviderError::Malformed { detail } => write!(f, "provider sent an unreadable response, outcome unknown: {detail}"),
        }
    }
}

/// What happened to a call, in provider-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The provider created the call.
    Initiated,
    /// It is ringing.
    Ringing,
    /// The callee picked up.
    Answered,
    /// Media started.
    Active,
    /// The bot started speaking.
    Speaking,
    /// Recognized speech from the caller.
    Speech {
        /// The words.
        transcript: String,
        /// Whether the utterance is complete.
        is_final: bool,
    },
    /// The call ended.
    Ended {
        /// Why.
        reason: EndReason,
    },
    /// The provider reported an error on the call.
    Error {
        /// What it said.
        detail: String,
        /// Whether the call survives it.
        retryable: bool,
    },
}

/// A verified provider callback, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    /// Stable identity of the callback (from the provider, never random), so a
    /// retried or duplicated delivery is recognised.
    pub dedupe_key: String,
    /// The manager's call id, when the callback carries it.
    pub call_id: Option<String>,
    /// The provider's call id.
    pub provider_call_id: Option<String>,
    /// Plivo's request uuid, when present.
    pub request_id: Option<String>,
    /// Who started the call, when the callback says.
    pub direction: Option<Direction>,
    /// Caller, as the provider reports it (may be empty or "anonymous").
    pub from: Option<String>,
    /// Callee.
    pub to: Option<String>,
    /// When it happened, ms since the epoch, if the provider says.
    pub occurred_at: Option<u64>,
    /// What happened.
    pub kind: EventKind,
}
