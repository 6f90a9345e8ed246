//! No orphan: every call of the subject's is off the line by max duration
//! plus a stated slack (or the tighter deadline a scenario states, such as a
//! notify call's hang-up), counted from its answer, crashes included.

use super::{at, name, subject_calls, Check, Finding, Outcome};
use crate::gate::observe::Observation;

pub(super) fn check(obs: &Observation) -> Outcome {
    let max_ms = obs.settings.max_duration_secs * 1000;
    let slack = obs.tolerances.orphan_slack_ms;
    let now = obs.truth.now_ms.max(obs.finished_ms);
    let mut fails = Vec::new();
    let mut unknowns = Vec::new();
    for call in subject_calls(obs) {
        let start = call.answered_at_ms.unwrap_or(call.created_at_ms);
        let (deadline, why) = match obs
            .deadlines
            .iter()
            .find(|d| d.provider_call_id == call.provider_call_id)
        {
            Some(d) => (d.by_ms, d.why.clone()),
            None => (
                start + max_ms + slack,
                format!(
                    "max duration {} s plus {} ms slack from {}",
                    obs.settings.max_duration_secs,
                    slack,
                    if call.answered_at_ms.is_some() {
                        "its answer"
                    } else {
                        "its creation"
                    }
                ),
            ),
        };
        let id = name(obs, &call.provider_call_id);
        match call.ended_at_ms {
            Some(end) if end <= deadline => {}
            Some(end) => fails.push(Finding {
                summary: format!(
                    "{}: call {id} was still live at the provider {} ms past its deadline ({why}); it ended at {} by {}",
                    at(obs, deadline),
                    end - deadline,
                    at(obs, end),
                    match call.ended_by.as_deref() {
                        Some("gateway") => "the subject's own hangup, late".to_owned(),
                        Some(other) => format!("{other}, never hung up by the subject"),
                        None => "an unknown party".to_owned(),
                    }
                ),
                calls: vec![call.provider_call_id.clone()],
                at_ms: deadline,
            }),
            None if now > deadline => fails.push(Finding {
                summary: format!(
                    "{}: call {id} is live at the provider past its deadline ({why}) and the subject never hung it up (still live at {})",
                    at(obs, deadline),
                    at(obs, now)
                ),
                calls: vec![call.provider_call_id.clone()],
                at_ms: deadline,
            }),
            None => unknowns.push(Finding {
                summary: format!(
                    "call {id} was still live when the gate stopped looking ({}), before its deadline ({})",
                    at(obs, now),
                    at(obs, deadline)
                ),
                calls: vec![call.provider_call_id.clone()],
                at_ms: now,
            }),
        }
    }
    Outcome::from_findings(Check::Orphan, fails, unknowns)
}
