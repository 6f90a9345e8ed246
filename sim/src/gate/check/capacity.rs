//! Capacity: the provider never holds more of the subject's calls at once
//! than `maxConcurrentCalls` (a subject that forgot a live call admits one
//! more).

use super::spans::first_breach;
use super::{at, name, subject_spans, Check, Finding, Outcome};
use crate::gate::observe::Observation;

pub(super) fn check(obs: &Observation) -> Outcome {
    let max = obs.settings.max_concurrent_calls;
    let fails = first_breach(&subject_spans(obs), max)
        .map(|(t, live)| Finding {
            summary: format!(
                "{}: the provider held {} of the subject's calls at once (limit {max}): {}",
                at(obs, t),
                live.len(),
                live.iter()
                    .map(|id| name(obs, id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            calls: live,
            at_ms: t,
        })
        .into_iter()
        .collect();
    Outcome::from_findings(Check::Capacity, fails, Vec::new())
}
