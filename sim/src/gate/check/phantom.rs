//! No phantom: a refusal for capacity while the provider held fewer than
//! `maxConcurrentCalls` of the subject's calls, for longer than the grace,
//! means the subject counts a call that is not there (OpenClaw #6721).

use super::spans::{phantoms, Refusal};
use super::{at, name, subject_spans, Check, Finding, Outcome};
use crate::gate::observe::{Answer, Ask, Observation};

pub(super) fn check(obs: &Observation) -> Outcome {
    let spans = subject_spans(obs);
    let refused: Vec<_> = obs
        .commands
        .iter()
        .filter(|c| {
            matches!(c.ask, Ask::Place { .. }) && matches!(c.answer, Answer::Capacity { .. })
        })
        .collect();
    let refusals: Vec<Refusal> = refused
        .iter()
        .map(|c| Refusal {
            sent_ms: c.sent_ms,
            answered_ms: c.answered_ms,
        })
        .collect();
    let excused: Vec<(u64, u64)> = obs
        .faults
        .iter()
        .map(|f| (f.from_ms, f.excuse_until_ms))
        .collect();
    let max = obs.settings.max_concurrent_calls;
    let grace = obs.tolerances.phantom_grace_ms;
    let fails = phantoms(&spans, &refusals, &excused, max, grace)
        .into_iter()
        .map(|p| {
            let command = refused[p.refusal];
            let text = match &command.answer {
                Answer::Capacity { status, text } => format!("{status} {text:?}"),
                _ => String::new(),
            };
            let tag = match &command.ask {
                Ask::Place { tag, .. } => tag.as_str(),
                Ask::End { tag, .. } => tag.as_str(),
            };
            // The calls that ended last before the refusal are the ones the
            // subject most likely still counts.
            let mut ended: Vec<&crate::gate::truth::Call> = obs
                .truth
                .calls
                .iter()
                .filter(|c| c.ended_at_ms.is_some_and(|e| e <= command.sent_ms))
                .filter(|c| c.holds_slot_from().is_some() && !c.rejected)
                .collect();
            ended.sort_by_key(|c| std::cmp::Reverse(c.ended_at_ms));
            let stale: Vec<String> = ended.iter().take(max).map(|c| c.provider_call_id.clone()).collect();
            let stale_text = if stale.is_empty() {
                String::new()
            } else {
                format!(
                    "; the last call(s) to end there: {}",
                    stale.iter().map(|id| name(obs, id)).collect::<Vec<_>>().join(", ")
                )
            };
            Finding {
                summary: format!(
                    "{}: call {tag} refused for capacity ({text}) while the provider held {} of the subject's calls (limit {max}), and had held fewer than {max} since {} ({} ms before){stale_text}",
                    at(obs, command.sent_ms),
                    p.live,
                    at(obs, p.below_since_ms),
                    command.sent_ms.saturating_sub(p.below_since_ms),
                ),
                calls: stale,
                at_ms: command.sent_ms,
            }
        })
        .collect();
    Outcome::from_findings(Check::Phantom, fails, Vec::new())
}
