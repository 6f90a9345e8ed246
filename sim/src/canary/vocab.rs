//! Issue 13 item 4, of the class of B3 ("Only proof of termination (a
//! terminal status, or not-found) may release capacity"), the other way
//! round: proof of the end that the adapter does not read as one. An adapter
//! whose status table knows only the normal ends (`completed`,
//! `normal_clearing`) takes every word for a call that never connected
//! (Twilio `busy`, `canceled`, `no-answer`, `failed`; Plivo `timeout`,
//! `cancel`; Telnyx `user_busy`, `call_rejected`, `originator_cancel`,
//! `no_answer`, `not_found`) as a call still ringing, in callbacks and
//! status answers alike: the manager keeps counting a call the provider has
//! ended, a phantom.

use super::adapter::ParseBend;
use callproof_core::adapters::Adapter;
use callproof_core::provider::{
    EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderEvent, ProviderOp,
};
use callproof_core::state::{CallState, EndReason};
use callproof_core::webhook::{VerifiedWebhook, WebhookError};

/// The ends of a call that never connected: what the bent table misses.
fn misread(reason: EndReason) -> bool {
    matches!(
        reason,
        CallState::Busy | CallState::NoAnswer | CallState::Failed | CallState::HangupBot
    )
}

/// The provider's adapter with those ends read as "still ringing".
pub struct EndWordsLive;

impl ParseBend for EndWordsLive {
    fn bend(
        &self,
        _inner: &dyn Adapter,
        _webhook: &VerifiedWebhook,
        parsed: Result<Vec<ProviderEvent>, WebhookError>,
    ) -> Result<Vec<ProviderEvent>, WebhookError> {
        let mut events = parsed?;
        for event in &mut events {
            if matches!(event.kind, EventKind::Ended { reason } if misread(reason)) {
                event.kind = EventKind::Ringing;
            }
        }
        Ok(events)
    }

    fn bend_response(
        &self,
        _op: &ProviderOp,
        parsed: Result<OpOutcome, ProviderError>,
    ) -> Result<OpOutcome, ProviderError> {
        match parsed? {
            OpOutcome::Status(ProviderCallStatus::Ended { reason }) if misread(reason) => {
                Ok(OpOutcome::Status(ProviderCallStatus::Live {
                    answered: false,
                }))
            }
            other => Ok(other),
        }
    }
}
