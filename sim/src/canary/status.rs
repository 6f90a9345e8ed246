//! Issue 13 item 4, of the class of B3 ("only proof of termination may
//! release capacity"): an adapter that takes a status word it does not know
//! as the end of the call.

use super::adapter::ParseBend;
use callproof_core::adapters::Adapter;
use callproof_core::provider::{EventKind, ProviderEvent};
use callproof_core::state::CallState;
use callproof_core::webhook::{VerifiedWebhook, WebhookError};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// A callback the adapter refuses for an unknown status word is read as
/// `completed`. The refusal names no call, so the bend remembers the last
/// event of every call parsed and finds the call whose provider id the
/// refused callback carries.
#[derive(Default)]
pub struct UnknownStatusEnds {
    /// Last event parsed, by provider call id (a `BTreeMap`, so the search
    /// replays in the same order).
    seen: Mutex<BTreeMap<String, ProviderEvent>>,
}

impl UnknownStatusEnds {
    fn misread(
        &self,
        inner: &dyn Adapter,
        webhook: &VerifiedWebhook,
        raw: &str,
    ) -> Option<ProviderEvent> {
        let seen = self.seen.lock().ok()?;
        let body = String::from_utf8_lossy(webhook.body());
        let (pid, last) = seen
            .iter()
            .find(|(pid, _)| body.contains(pid.as_str()) || webhook.url().contains(pid.as_str()))?;
        let mut event = last.clone();
        event.dedupe_key = format!("{}:{pid}:unknown:{raw}", inner.name().as_str());
        event.kind = EventKind::Ended {
            reason: CallState::Completed,
        };
        event.occurred_at = None;
        Some(event)
    }
}

impl ParseBend for UnknownStatusEnds {
    fn bend(
        &self,
        inner: &dyn Adapter,
        webhook: &VerifiedWebhook,
        parsed: Result<Vec<ProviderEvent>, WebhookError>,
    ) -> Result<Vec<ProviderEvent>, WebhookError> {
        match parsed {
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
            Err(WebhookError::UnknownStatus { raw }) => match self.misread(inner, webhook, &raw) {
                Some(event) => Ok(vec![event]),
                None => Err(WebhookError::UnknownStatus { raw }),
            },
            Err(other) => Err(other),
        }
    }
}
