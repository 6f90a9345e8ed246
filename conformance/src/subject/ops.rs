//! The operations every subject is checked on. The set is fixed here, not by
//! the subject, so no provider can leave an operation out: each case must be
//! answered with the request it becomes or a reason it cannot be built.

use callproof_core::provider::{CallRef, CreateCall, ProviderOp};
use callproof_core::record::CallMode;

/// The manager's id for the sample call (echoed in callbacks).
pub const CALL_ID: &str = "cp-call-0001";
/// The command id every sample request is built with.
pub const COMMAND_ID: &str = "cp-cmd-0001";
/// Caller id of the sample create.
pub const FROM: &str = "+15005550006";
/// Callee of the sample create.
pub const TO: &str = "+15550100002";
/// Message of the notify-mode sample create.
pub const MESSAGE: &str = "This is a callproof test call.";
/// Provider-side time limit of the sample create.
pub const TIME_LIMIT_SECS: u32 = 600;
/// Ring timeout of the sample create.
pub const RING_TIMEOUT_SECS: u32 = 45;
/// Text of the sample speak.
pub const SPEAK_TEXT: &str = "Please hold.";

/// The provider's own ids for the sample call, in the provider's formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleIds {
    /// The provider's call id (Twilio `CA…`, Plivo call uuid, Telnyx call control id).
    pub provider_call_id: String,
    /// The id a create answers with before the call id is known (Plivo
    /// `request_uuid`); providers without one put any placeholder here.
    pub request_id: String,
}

/// One operation the suite sends, named for the situation it models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpCase {
    /// Notify-mode create with a message.
    Create,
    /// Conversation-mode create without a message.
    CreateConversation,
    /// Hang up a call the callee picked up.
    HangupAnswered,
    /// Hang up a call still queued or ringing.
    HangupUnanswered,
    /// Hang up when only the create's request id is known (Plivo cancel).
    HangupBeforeProviderId,
    /// Hang up when no provider id at all is known.
    HangupWithoutIds,
    /// Ask for a call's status by its provider id.
    Status,
    /// Ask for a call's status when only the request id is known.
    StatusBeforeProviderId,
    /// Speak into a live call.
    Speak,
    /// Start transcribing.
    StartListening,
    /// Stop transcribing.
    StopListening,
}

impl OpCase {
    /// Every case, in table order.
    pub const ALL: [OpCase; 11] = [
        OpCase::Create,
        OpCase::CreateConversation,
        OpCase::HangupAnswered,
        OpCase::HangupUnanswered,
        OpCase::HangupBeforeProviderId,
        OpCase::HangupWithoutIds,
        OpCase::Status,
        OpCase::StatusBeforeProviderId,
        OpCase::Speak,
        OpCase::StartListening,
        OpCase::StopListening,
    ];

    /// The name used in failure messages.
    pub fn name(self) -> &'static str {
        match self {
            OpCase::Create => "create",
            OpCase::CreateConversation => "create-conversation",
            OpCase::HangupAnswered => "hangup-answered",
            OpCase::HangupUnanswered => "hangup-unanswered",
            OpCase::HangupBeforeProviderId => "hangup-before-provider-id",
            OpCase::HangupWithoutIds => "hangup-without-ids",
            OpCase::Status => "status",
            OpCase::StatusBeforeProviderId => "status-before-provider-id",
            OpCase::Speak => "speak",
            OpCase::StartListening => "start-listening",
            OpCase::StopListening => "stop-listening",
        }
    }

    /// The operation itself, with the subject's id formats.
    pub fn op(self, ids: &SampleIds) -> ProviderOp {
        let known = CallRef {
            call_id: CALL_ID.to_owned(),
            provider_call_id: Some(ids.provider_call_id.clone()),
            request_id: Some(ids.request_id.clone()),
        };
        let request_only = CallRef {
            provider_call_id: None,
            ..known.clone()
        };
        let create = CreateCall {
            call_id: CALL_ID.to_owned(),
            from: FROM.to_owned(),
            to: TO.to_owned(),
            mode: CallMode::Notify,
            message: Some(MESSAGE.to_owned()),
            time_limit_secs: TIME_LIMIT_SECS,
            ring_timeout_secs: RING_TIMEOUT_SECS,
        };
        match self {
            OpCase::Create => ProviderOp::Create(create),
            OpCase::CreateConversation => ProviderOp::Create(CreateCall {
                mode: CallMode::Conversation,
                message: None,
                ..create
            }),
            OpCase::HangupAnswered => ProviderOp::Hangup {
                call: known,
                answered: true,
            },
            OpCase::HangupUnanswered => ProviderOp::Hangup {
                call: known,
                answered: false,
            },
            OpCase::HangupBeforeProviderId => ProviderOp::Hangup {
                call: request_only,
                answered: false,
            },
            OpCase::HangupWithoutIds => ProviderOp::Hangup {
                call: CallRef {
                    call_id: CALL_ID.to_owned(),
                    provider_call_id: None,
                    request_id: None,
                },
                answered: false,
            },
            OpCase::Status => ProviderOp::Status { call: known },
            OpCase::StatusBeforeProviderId => ProviderOp::Status { call: request_only },
            OpCase::Speak => ProviderOp::Speak {
                call: known,
                text: SPEAK_TEXT.to_owned(),
            },
            OpCase::StartListening => ProviderOp::StartListening { call: known },
            OpCase::StopListening => ProviderOp::StopListening { call: known },
        }
    }
}
