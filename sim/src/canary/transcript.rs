//! Issue 13 item 3, of the class of B7 ("Retried or duplicated webhooks
//! processed twice ... transcripts doubled"): an adapter that keys every
//! delivery of a final transcript afresh, so the manager cannot tell a
//! retried or redelivered transcript from new words and applies it again.
//! Every other callback keeps its real key: only the transcript's dedupe
//! protects it.

use super::adapter::ParseBend;
use callproof_core::adapters::Adapter;
use callproof_core::provider::{EventKind, ProviderEvent};
use callproof_core::webhook::{VerifiedWebhook, WebhookError};
use std::sync::atomic::{AtomicU64, Ordering};

/// Final transcripts get a key per delivery (a counter stands in for the
/// historical random id, so runs replay exactly).
#[derive(Default)]
pub struct TranscriptKeyIgnored {
    next: AtomicU64,
}

impl ParseBend for TranscriptKeyIgnored {
    fn bend(
        &self,
        inner: &dyn Adapter,
        _webhook: &VerifiedWebhook,
        parsed: Result<Vec<ProviderEvent>, WebhookError>,
    ) -> Result<Vec<ProviderEvent>, WebhookError> {
        let mut events = parsed?;
        for event in &mut events {
            if matches!(event.kind, EventKind::Speech { is_final: true, .. }) {
                let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
                event.dedupe_key = format!("{}:transcript-{n}", inner.name().as_str());
            }
        }
        Ok(events)
    }
}
