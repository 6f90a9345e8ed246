//! Every recorded webhook verifies with the recording's secret and parses into
//! normalized events with a stable, provider-prefixed dedupe key.

use super::{CheckFamily, CheckResult, Tally};
use crate::recording::{load_provider, RecordingError};
use crate::subject::Subject;
use callproof_core::adapters::Adapter;
use callproof_core::provider::{EventKind, ProviderEvent};
use callproof_core::webhook::WebhookError;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What one recording became.
#[derive(Debug, Clone)]
pub struct RecordedEvents {
    /// The recording's file name without `.http`.
    pub name: String,
    /// Its events, or why it was refused.
    pub outcome: Result<Vec<ProviderEvent>, WebhookError>,
}

/// Verifies and parses every recording of the subject, in file-name order.
pub fn recorded_events<S: Subject>() -> Result<Vec<RecordedEvents>, RecordingError> {
    recorded_events_with::<S>(&S::recorded_adapter())
}

/// [`recorded_events`] through `adapter` (configured with the recordings'
/// secret): how the self-test runs a deliberately broken adapter.
pub fn recorded_events_with<S: Subject>(
    adapter: &dyn Adapter,
) -> Result<Vec<RecordedEvents>, RecordingError> {
    let now = S::recorded_now_unix_secs();
    Ok(load_provider(S::fixtures_dir())?
        .into_iter()
        .map(|r| RecordedEvents {
            outcome: adapter
                .verify_webhook(&r.webhook.raw(), now)
                .and_then(|verified| adapter.parse_webhook(&verified)),
            name: r.name,
        })
        .collect())
}

/// The check: each recording verifies, parses, parses the same way twice, and
/// keys its events `<provider>:…`; recordings sharing a dedupe key (retried
/// deliveries) carry the same event.
pub async fn recorded_webhooks_parse<S: Subject>() -> CheckResult {
    recorded_webhooks_parse_with::<S>(&S::recorded_adapter())
}

/// [`recorded_webhooks_parse`] through `adapter` (one instance for both
/// passes, as one gateway process would parse a retried delivery).
pub fn recorded_webhooks_parse_with<S: Subject>(adapter: &dyn Adapter) -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::RecordedWebhooks);
    let prefix = S::provider().as_str();
    let (first, second) = match (
        recorded_events_with::<S>(adapter),
        recorded_events_with::<S>(adapter),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            tally.fail("recordings", e.to_string());
            return tally.finish();
        }
    };
    let mut by_key: BTreeMap<String, (String, ProviderEvent)> = BTreeMap::new();
    for (rec, again) in first.iter().zip(&second) {
        let events = match &rec.outcome {
            Ok(events) => events,
            Err(e) => {
                tally.fail(&rec.name, format!("refused: {e}"));
                continue;
            }
        };
        let mut problems = Vec::new();
        if rec.outcome != again.outcome {
            problems.push("parsing twice gave different events".to_owned());
        }
        for event in events {
            let key = &event.dedupe_key;
            if !key.starts_with(prefix) || key.len() <= prefix.len() + 1 {
                problems.push(format!(
                    "dedupe key {key:?} is not `{prefix}:<provider identity>`"
                ));
            }
            match by_key.get(key) {
                Some((other, seen)) if seen != event => {
                    problems.push(format!(
                        "dedupe key {key:?} is also used by {other} for a different event"
                    ));
                }
                Some(_) => {}
                None => {
                    by_key.insert(key.clone(), (rec.name.clone(), event.clone()));
                }
            }
        }
        let outcome = if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        };
        tally.case(&rec.name, outcome);
    }
    tally.finish()
}

/// A reviewable JSON rendering of the recordings' events, for snapshots.
pub fn snapshot_json(recorded: &[RecordedEvents]) -> Value {
    let entries = recorded.iter().map(|r| {
        let value = match &r.outcome {
            Ok(events) => Value::Array(events.iter().map(event_json).collect()),
            Err(e) => json!({ "refused": format!("{e:?}") }),
        };
        (r.name.clone(), value)
    });
    Value::Object(entries.collect())
}

fn event_json(e: &ProviderEvent) -> Value {
    json!({
        "dedupe_key": e.dedupe_key,
        "call_id": e.call_id,
        "provider_call_id": e.provider_call_id,
        "request_id": e.request_id,
        "direction": e.direction,
        "from": e.from,
        "to": e.to,
        "occurred_at": e.occurred_at,
        "kind": kind_json(&e.kind),
    })
}

fn kind_json(kind: &EventKind) -> Value {
    match kind {
        EventKind::Initiated => json!("initiated"),
        EventKind::Ringing => json!("ringing"),
        EventKind::Answered => json!("answered"),
        EventKind::Active => json!("active"),
        EventKind::Speaking => json!("speaking"),
        EventKind::Speech {
            transcript,
            is_final,
        } => {
            json!({ "speech": { "transcript": transcript, "is_final": is_final } })
        }
        EventKind::Ended { reason } => json!({ "ended": reason.as_str() }),
        EventKind::Error { detail, retryable } => {
            json!({ "error": { "detail": detail, "retryable": retryable } })
        }
    }
}
