//! Inbound policy: a caller the policy refuses is never answered and is off
//! the line soon (issue #13242: rejected and left ringing); a caller it
//! allows is answered when capacity is free. The policy is the exact E.164
//! match the subject was configured with, decided by the gate, not the
//! subject.

use super::{at, name, subject_spans, Check, Finding, Outcome};
use crate::gate::observe::{Life, Observation};

/// When the subject could first have answered something that rang at `t`:
/// `t` if it was ready then, else its next readiness.
fn ready_from(obs: &Observation, t: u64) -> Option<u64> {
    let mut ready = false;
    for l in &obs.life {
        match l {
            Life::Ready { at_ms, .. } if *at_ms <= t => ready = true,
            Life::Started { at_ms, .. }
            | Life::Killed { at_ms }
            | Life::Terminated { at_ms }
            | Life::Exited { at_ms, .. }
                if *at_ms <= t =>
            {
                ready = false
            }
            _ => {}
        }
    }
    if ready {
        return Some(t);
    }
    obs.life.iter().find_map(|l| match l {
        Life::Ready { at_ms, .. } if *at_ms > t => Some(*at_ms),
        _ => None,
    })
}

pub(super) fn check(obs: &Observation) -> Outcome {
    let grace = obs.tolerances.reject_grace_ms;
    let now = obs.truth.now_ms.max(obs.finished_ms);
    let spans = subject_spans(obs);
    let mut fails = Vec::new();
    let mut unknowns = Vec::new();
    for caller in &obs.callers {
        let id = name(obs, &caller.provider_call_id);
        let Some(call) = obs.truth.call(&caller.provider_call_id) else {
            unknowns.push(Finding {
                summary: format!(
                    "caller {} ({}) is not in the provider's truth",
                    caller.tag, caller.from
                ),
                calls: vec![caller.provider_call_id.clone()],
                at_ms: caller.at_ms,
            });
            continue;
        };
        let Some(from) = ready_from(obs, caller.at_ms) else {
            unknowns.push(Finding {
                summary: format!(
                    "caller {id} rang while the subject was down and it never came back"
                ),
                calls: vec![call.provider_call_id.clone()],
                at_ms: caller.at_ms,
            });
            continue;
        };
        let by = from + grace;
        if !caller.allowed {
            if let Some(answered) = call.answered_at_ms.filter(|_| !call.rejected) {
                fails.push(Finding {
                    summary: format!(
                        "{}: caller {id} from {:?}, refused by the policy, was answered",
                        at(obs, answered),
                        caller.from
                    ),
                    calls: vec![call.provider_call_id.clone()],
                    at_ms: answered,
                });
            } else if call.ended_at_ms.is_none_or(|e| e > by) {
                if call.ended_at_ms.is_none() && now <= by {
                    unknowns.push(Finding {
                        summary: format!(
                            "caller {id} was still ringing when the gate stopped looking"
                        ),
                        calls: vec![call.provider_call_id.clone()],
                        at_ms: now,
                    });
                    continue;
                }
                fails.push(Finding {
                    summary: format!(
                        "{}: caller {id} from {:?}, refused by the policy, was left on the line more than {grace} ms after the subject could answer ({}){}",
                        at(obs, by),
                        caller.from,
                        if call.rejected { "it did reject it" } else { "it never rejected it" },
                        match call.ended_at_ms {
                            Some(e) => format!("; it ended at {} by {}", at(obs, e), call.ended_by.as_deref().unwrap_or("?")),
                            None => "; still live at the end".into(),
                        }
                    ),
                    calls: vec![call.provider_call_id.clone()],
                    at_ms: by,
                });
            }
        } else {
            let room = super::spans::live_at(&spans, caller.at_ms)
                .into_iter()
                .filter(|c| *c != call.provider_call_id)
                .count()
                < obs.settings.max_concurrent_calls;
            if !room {
                continue;
            }
            match call.answered_at_ms {
                Some(_) if !call.rejected => {}
                _ if call.rejected || call.ended_at_ms.is_some_and(|e| e <= by) => fails.push(Finding {
                    summary: format!(
                        "{}: caller {id} from {:?}, allowed by the policy, was refused with capacity free",
                        at(obs, call.ended_at_ms.unwrap_or(caller.at_ms)),
                        caller.from
                    ),
                    calls: vec![call.provider_call_id.clone()],
                    at_ms: caller.at_ms,
                }),
                _ if now <= by => unknowns.push(Finding {
                    summary: format!("caller {id} was not answered yet when the gate stopped looking"),
                    calls: vec![call.provider_call_id.clone()],
                    at_ms: now,
                }),
                _ => fails.push(Finding {
                    summary: format!(
                        "{}: caller {id} from {:?}, allowed by the policy, was not answered within {grace} ms",
                        at(obs, by),
                        caller.from
                    ),
                    calls: vec![call.provider_call_id.clone()],
                    at_ms: by,
                }),
            }
        }
    }
    Outcome::from_findings(Check::Inbound, fails, unknowns)
}
