//! Issue 13 item 4, of the class of B3 ("only proof of termination may
//! release capacity"): an adapter that takes a status word it does not know
//! as the end of the call.

use callproof_core::adapters::{Adapter, BuildError};
use callproof_core::provider::{
    EventKind, OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp,
};
use callproof_core::state::CallState;
use callproof_core::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The provider's adapter, except that a callback it refuses for an unknown
/// status word is read as `completed`. The refusal names no call, so the
/// wrapper remembers the last event of every call it parsed and finds the
/// call whose provider id the refused callback carries.
pub struct UnknownStatusEnds {
    inner: Box<dyn Adapter>,
    /// Last event parsed, by provider call id (a `BTreeMap`, so the search
    /// replays in the same order).
    seen: Mutex<BTreeMap<String, ProviderEvent>>,
}

impl UnknownStatusEnds {
    pub fn new(inner: Box<dyn Adapter>) -> UnknownStatusEnds {
        UnknownStatusEnds {
            inner,
            seen: Mutex::new(BTreeMap::new()),
        }
    }

    fn misread(&self, webhook: &VerifiedWebhook, raw: &str) -> Option<ProviderEvent> {
        let seen = self.seen.lock().ok()?;
        let body = String::from_utf8_lossy(webhook.body());
        let (pid, last) = seen
            .iter()
            .find(|(pid, _)| body.contains(pid.as_str()) || webhook.url().contains(pid.as_str()))?;
        let mut event = last.clone();
        event.dedupe_key = format!("{}:{pid}:unknown:{raw}", self.inner.name().as_str());
        event.kind = EventKind::Ended {
            reason: CallState::Completed,
        };
        event.occurred_at = None;
        Some(event)
    }
}

impl Adapter for UnknownStatusEnds {
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
        self.inner.parse_response(op, response)
    }

    fn verify_webhook(
        &self,
        raw: &RawWebhook<'_>,
        now_unix_secs: i64,
    ) -> Result<VerifiedWebhook, WebhookError> {
        self.inner.verify_webhook(raw, now_unix_secs)
    }

    fn parse_webhook(&self, webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
        match self.inner.parse_webhook(webhook) {
            Ok(events) => {
                if let Ok(mut seen) = self.seen.lock() {
                    for event in &events {
                        if let Some(pid) = &event.provider_call_id {
                            seen.insert(pid.clone(), event.clone());
                        }
                    }
                }
                Ok(events)
            }
            Err(WebhookError::UnknownStatus { raw }) => match self.misread(webhook, &raw) {
                Some(event) => Ok(vec![event]),
                None => Err(WebhookError::UnknownStatus { raw }),
            },
            Err(other) => Err(other),
        }
    }
}
