//! Service: a call the scenario expected to go through (capacity free at the
//! provider, no fault active) failed for a reason other than capacity. A
//! capacity refusal is the phantom check's to judge.

use super::{at, Check, Finding, Outcome};
use crate::gate::observe::{Answer, Ask, Observation};

pub(super) fn check(obs: &Observation) -> Outcome {
    let fails = obs
        .commands
        .iter()
        .filter(|c| c.expect_accepted)
        .filter_map(|c| {
            let what = match &c.answer {
                Answer::Accepted { .. } | Answer::Capacity { .. } => return None,
                Answer::Error { status, text } => format!("answered {status} {text:?}"),
                Answer::NoAnswer { error } => format!("gave no answer ({error})"),
            };
            let asked = match &c.ask {
                Ask::Place { tag, .. } => format!("placing call {tag}"),
                Ask::End { tag, call_id } => format!("ending call {tag} ({call_id})"),
            };
            Some(Finding {
                summary: format!("{}: {asked}, the subject {what}", at(obs, c.sent_ms)),
                calls: Vec::new(),
                at_ms: c.sent_ms,
            })
        })
        .collect();
    Outcome::from_findings(Check::Service, fails, Vec::new())
}
