//! Idempotency: once the subject has processed a call's end (it took the
//! provider's `ended` callback, or its own hangup succeeded), the call stays
//! ended: it is never listed live again and never hung up, spoken into or
//! listened on again (bug classes B6 to B8: retried, late or redelivered
//! callbacks that revive a call, ends lost by acknowledging before writing).

use super::{at, name, Check, Finding, Outcome};
use crate::gate::observe::Observation;

pub(super) fn check(obs: &Observation) -> Outcome {
    let grace = obs.tolerances.phantom_grace_ms;
    let mut fails = Vec::new();
    for call in &obs.truth.calls {
        let id = &call.provider_call_id;
        let took_end = obs
            .truth
            .webhooks_for(id)
            .filter(|d| d.kind == "ended" && d.accepted())
            .map(|d| {
                (
                    d.at_ms,
                    format!("took the provider's ended callback (attempt {})", d.attempt),
                )
            });
        let hung_up = obs
            .truth
            .requests_for(id)
            .filter(|r| r.operation == "hangup" && r.succeeded())
            .map(|r| (r.at_ms, format!("hung it up itself ({})", r.outcome())));
        let Some((processed, how)) = took_end.chain(hung_up).min_by_key(|(t, _)| *t) else {
            continue;
        };
        let after = processed + grace;
        if let Some(s) = obs.snapshots.iter().find(|s| {
            s.at_ms > after
                && s.calls.iter().any(|(cid, pid)| {
                    pid.as_deref() == Some(id.as_str())
                        || call.call_id.as_deref() == Some(cid.as_str())
                })
        }) {
            fails.push(Finding {
                summary: format!(
                    "{}: the subject lists call {} as live, though it {how} at {}: the call was revived",
                    at(obs, s.at_ms),
                    name(obs, id),
                    at(obs, processed)
                ),
                calls: vec![id.clone()],
                at_ms: s.at_ms,
            });
            continue;
        }
        if let Some(r) = obs.truth.requests_for(id).find(|r| {
            r.at_ms > after
                && matches!(
                    r.operation.as_str(),
                    "hangup" | "speak" | "start_listening" | "stop_listening" | "listen"
                )
        }) {
            fails.push(Finding {
                summary: format!(
                    "{}: the subject sent a {} for call {} (request #{}, {}), though it {how} at {}: the call was acted on twice",
                    at(obs, r.at_ms),
                    r.operation,
                    name(obs, id),
                    r.seq,
                    r.outcome(),
                    at(obs, processed)
                ),
                calls: vec![id.clone()],
                at_ms: r.at_ms,
            });
        }
    }
    Outcome::from_findings(Check::Idempotency, fails, Vec::new())
}
