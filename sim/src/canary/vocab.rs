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

use callproof_core::adapters::{Adapter, BuildError};
use callproof_core::provider::{
    EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderEvent, ProviderName,
    ProviderOp,
};
use callproof_core::state::{CallState, EndReason};
use callproof_core::webhook::{RawWebhook, VerifiedWebhook, WebhookError};

/// The ends of a call that never connected: what the bent table misses.
fn misread(reason: EndReason) -> bool {
    matches!(
        reason,
        CallState::Busy | CallState::NoAnswer | CallState::Failed | CallState::HangupBot
    )
}

/// The provider's adapter with those ends read as "still ringing".
pub struct EndWordsLive {
    inner: Box<dyn Adapter>,
}

impl EndWordsLive {
    pub fn new(inner: Box<dyn Adapter>) -> EndWordsLive {
        EndWordsLive { inner }
    }
}

impl Adapter for EndWordsLive {
    fn name(&self) -> ProviderName {
        self.inner.name()
    }

    fn build_request(
        &self,
        op: &ProviderOp,
        command_id: &str,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.inner.build_request(op, command_id)
    }

    fn parse_response(
        &self,
        op: &ProviderOp,
        response: &http::Response<Vec<u8>>,
    ) -> Result<OpOutcome, ProviderError> {
        match self.inner.parse_response(op, response)? {
            OpOutcome::Status(ProviderCallStatus::Ended { reason }) if misread(reason) => {
                Ok(OpOutcome::Status(ProviderCallStatus::Live {
                    answered: false,
                }))
            }
            other => Ok(other),
        }
    }

    fn verify_webhook(
        &self,
        raw: &RawWebhook<'_>,
        now_unix_secs: i64,
    ) -> Result<VerifiedWebhook, WebhookError> {
        self.inner.verify_webhook(raw, now_unix_secs)
    }

    fn parse_webhook(&self, webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
        let mut events = self.inner.parse_webhook(webhook)?;
        for event in &mut events {
            if matches!(event.kind, EventKind::Ended { reason } if misread(reason)) {
                event.kind = EventKind::Ringing;
            }
        }
        Ok(events)
    }
}
