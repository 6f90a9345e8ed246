//! B7: an adapter whose events are keyed per HTTP request instead of by the
//! provider's identity of the callback.

use callproof_core::adapters::{Adapter, BuildError};
use callproof_core::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use callproof_core::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use std::sync::atomic::{AtomicU64, Ordering};

/// The provider's adapter, except that every parsed webhook gets fresh event
/// ids ("event ids were random per HTTP request"). A counter stands in for
/// the randomness so runs replay exactly.
pub struct RandomEventIds {
    inner: Box<dyn Adapter>,
    next: AtomicU64,
}

impl RandomEventIds {
    pub fn new(inner: Box<dyn Adapter>) -> RandomEventIds {
        RandomEventIds {
            inner,
            next: AtomicU64::new(1),
        }
    }
}

impl Adapter for RandomEventIds {
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
        let mut events = self.inner.parse_webhook(webhook)?;
        for event in &mut events {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            event.dedupe_key = format!("{}:request-{n}", self.inner.name().as_str());
        }
        Ok(events)
    }
}
