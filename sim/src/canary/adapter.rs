//! Adapter canaries: the provider's own adapter with one thing bent in how
//! it parses webhooks or REST answers. [`BentParse`] delegates everything
//! else, so each canary states only its deviation.

use callproof_core::adapters::{Adapter, BuildError};
use callproof_core::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use callproof_core::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use std::sync::atomic::{AtomicU64, Ordering};

/// One deviation in parsing: given what the real adapter made of a webhook
/// (or a REST answer), what the canary makes of it.
pub trait ParseBend {
    /// Bends `parsed`, the real adapter's answer to `webhook`.
    fn bend(
        &self,
        inner: &dyn Adapter,
        webhook: &VerifiedWebhook,
        parsed: Result<Vec<ProviderEvent>, WebhookError>,
    ) -> Result<Vec<ProviderEvent>, WebhookError>;

    /// Bends `parsed`, the real adapter's reading of the answer to `op`;
    /// unchanged unless the canary bends answers too.
    fn bend_response(
        &self,
        _op: &ProviderOp,
        parsed: Result<OpOutcome, ProviderError>,
    ) -> Result<OpOutcome, ProviderError> {
        parsed
    }
}

/// The provider's adapter with `B` applied to every parsed webhook.
pub struct BentParse<B> {
    inner: Box<dyn Adapter>,
    bend: B,
}

impl<B: ParseBend> BentParse<B> {
    pub fn new(inner: Box<dyn Adapter>, bend: B) -> BentParse<B> {
        BentParse { inner, bend }
    }
}

impl<B: ParseBend> Adapter for BentParse<B> {
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
        self.bend
            .bend_response(op, self.inner.parse_response(op, response))
    }

    fn verify_webhook(
        &self,
        raw: &RawWebhook<'_>,
        now_unix_secs: i64,
    ) -> Result<VerifiedWebhook, WebhookError> {
        self.inner.verify_webhook(raw, now_unix_secs)
    }

    fn parse_webhook(&self, webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
        let parsed = self.inner.parse_webhook(webhook);
        self.bend.bend(self.inner.as_ref(), webhook, parsed)
    }
}

/// B7: every parsed webhook gets fresh event ids ("event ids were random
/// per HTTP request"). A counter stands in for the randomness so runs replay
/// exactly.
#[derive(Default)]
pub struct RandomEventIds {
    next: AtomicU64,
}

impl ParseBend for RandomEventIds {
    fn bend(
        &self,
        inner: &dyn Adapter,
        _webhook: &VerifiedWebhook,
        parsed: Result<Vec<ProviderEvent>, WebhookError>,
    ) -> Result<Vec<ProviderEvent>, WebhookError> {
        let mut events = parsed?;
        for event in &mut events {
            let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
            event.dedupe_key = format!("{}:request-{n}", inner.name().as_str());
        }
        Ok(events)
    }
}
