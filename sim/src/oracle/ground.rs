//! The verdicts of [`crate::verdict`], fed from the emulator's ground truth
//! and what the harness saw pass the driver's seam: every capacity refusal
//! judged against the provider's live calls at that moment (no phantom,
//! while it happens), every gateway hangup of a connected call judged against
//! the operator's requests and the settings, and every callback the manager
//! received judged to keep one dedupe key however often it was delivered.

use super::deadlines::deadline_past;
use super::observe::Observations;
use super::{harness_allows, Disruption, Invariant, Violation, PROMPT_MS};
use crate::emulator::truth::{Phase, TruthCall};
use crate::scenario::Scenario;
use crate::verdict::{
    self, CallTimeline, EndRequest, EndedBy, HangupReason, HangupRules, LiveSpan, Refusal,
};
use callproof_core::journal::Replay;
use callproof_core::manager::{CommandError, CommandOk};
use callproof_core::record::Direction;
use callproof_core::state::CallState;
use std::collections::{BTreeMap, BTreeSet};

/// How long a gateway may keep refusing once the provider has freed a slot
/// *and told it so*: the end callback's write and a reply in flight, and the
/// operator's request racing them. Disruptions push it further.
pub const PHANTOM_GRACE_MS: u64 = PROMPT_MS;

/// A gateway hangup may land this much before its deadline: providers stamp
/// events in whole seconds, and the gateway counts from their stamps.
pub const HANGUP_EARLY_MS: u64 = 1_000;

/// What the ground-truth verdicts found and how much they judged.
#[derive(Debug, Default)]
pub struct GroundFindings {
    /// Violations, first first.
    pub violations: Vec<Violation>,
    /// Gateway hangups of connected calls, by the reason that explains them
    /// ("unrequested" for none).
    pub hangups: BTreeMap<&'static str, u64>,
    /// Capacity refusals judged against the provider's live calls.
    pub refusals_judged: u64,
}

/// Who ended a call, from the emulator's end reason.
fn ended_by(c: &TruthCall) -> Option<EndedBy> {
    match c.phase {
        Phase::Ended(CallState::HangupBot) => Some(EndedBy::Gateway),
        Phase::Ended(CallState::HangupUser) if c.direction == Direction::Inbound => {
            Some(EndedBy::Caller)
        }
        Phase::Ended(CallState::HangupUser) => Some(EndedBy::Callee),
        Phase::Ended(_) => Some(EndedBy::Provider),
        _ => None,
    }
}

/// The gateway's id of each provider call: carried by the create, else the
/// journal's record of it.
fn gateway_ids(calls: &BTreeMap<String, TruthCall>, journal: &Replay) -> BTreeMap<String, String> {
    let mut ids: BTreeMap<String, String> = journal
        .records
        .values()
        .filter_map(|r| Some((r.provider_call_id.clone()?, r.call_id.clone())))
        .collect();
    for c in calls.values() {
        if let Some(id) = &c.call_id {
            ids.insert(c.provider_call_id.clone(), id.clone());
        }
    }
    ids
}

/// The slots the gateway rightly held: each of its calls from the create
/// (or the answer of an inbound one) until the provider had ended it and told
/// the gateway, or its own time limit proved it over; and each create the
/// provider never applied, until the gateway heard so or that time limit.
fn spans(
    calls: &BTreeMap<String, TruthCall>,
    seen: &Observations,
    ids: &BTreeMap<String, String>,
    scenario: &Scenario,
) -> Vec<LiveSpan> {
    let cfg = &scenario.config;
    let limit =
        u64::from(cfg.ring_timeout_secs) * 1000 + cfg.max_duration_ms + cfg.provider_slack_ms;
    let mut told: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (at, id) in &seen.told_over {
        told.entry(id.as_str()).or_default().push(*at);
    }
    let sent: BTreeMap<&str, u64> = seen
        .creates
        .iter()
        .rev()
        .map(|c| (c.call_id.as_str(), c.at_ms))
        .collect();
    let mut out = Vec::new();
    for c in calls.values().filter(|c| c.owned) {
        let gid = ids.get(&c.provider_call_id).map(String::as_str);
        let from = gid
            .and_then(|id| sent.get(id).copied())
            .map_or(c.created_at, |s| s.min(c.created_at));
        let until = c.ended_at.and_then(|ended| {
            let heard = [Some(c.provider_call_id.as_str()), gid]
                .into_iter()
                .flatten()
                .filter_map(|k| told.get(k))
                .flatten()
                .filter(|t| **t >= ended)
                .min()
                .copied();
            let proved = (c.direction == Direction::Outbound).then(|| from + limit);
            [heard, proved.map(|p| p.max(ended))]
                .into_iter()
                .flatten()
                .min()
        });
        out.push(LiveSpan {
            provider_call_id: c.provider_call_id.clone(),
            from_ms: from,
            until_ms: until,
        });
    }
    let applied: BTreeSet<&str> = calls
        .values()
        .filter_map(|c| c.call_id.as_deref())
        .collect();
    for c in seen
        .creates
        .iter()
        .filter(|c| !applied.contains(c.call_id.as_str()))
    {
        out.push(LiveSpan {
            provider_call_id: format!("(create of {} the provider never applied)", c.call_id),
            from_ms: c.at_ms,
            until_ms: Some(c.refused_at_ms.unwrap_or(c.at_ms + limit)),
        });
    }
    out
}

/// No phantom, judged at every refusal from ground truth.
fn phantoms(
    calls: &BTreeMap<String, TruthCall>,
    seen: &Observations,
    ids: &BTreeMap<String, String>,
    results: &[(u64, Result<CommandOk, CommandError>, usize)],
    disruptions: &[Disruption],
    scenario: &Scenario,
    found: &mut GroundFindings,
) {
    let mut refusals: Vec<Refusal> = results
        .iter()
        .filter(|(_, r, _)| matches!(r, Err(CommandError::CapacityReached { .. })))
        .map(|(at, _, _)| Refusal { at_ms: *at })
        .collect();
    // A caller the policy lets in and the gateway refused was refused for
    // capacity: judged as an operator's refused call is.
    refusals.extend(
        calls
            .values()
            .filter(|c| {
                c.direction == Direction::Inbound
                    && c.rejected
                    && harness_allows(&scenario.config.inbound, &c.from)
            })
            .filter_map(|c| c.decided_at)
            .map(|at_ms| Refusal { at_ms }),
    );
    refusals.sort_by_key(|r| r.at_ms);
    found.refusals_judged = refusals.len() as u64;
    let spans = spans(calls, seen, ids, scenario);
    let max = scenario.config.max_concurrent_calls;
    let phantom = verdict::phantom_refusals(&spans, &refusals, max, PHANTOM_GRACE_MS)
        .into_iter()
        .find(|p| {
            p.free_since_ms.is_none_or(|since| {
                p.at_ms > deadline_past(disruptions, since, since + PHANTOM_GRACE_MS)
            })
        });
    if let Some(p) = phantom {
        found.violations.push(Violation {
            invariant: Invariant::NoPhantom,
            at_ms: p.at_ms.saturating_sub(crate::clock::EPOCH_MS),
            detail: p.describe(),
        });
    }
}

/// Whether the answer callback of `c` reached the manager before the call
/// ended: only then could the gateway count max duration from the answer.
/// One that reached it later (a provider's redelivery after a lost
/// callback) leaves the create as the only base the gateway had.
pub(super) fn answer_heard_in_time(
    seen: &Observations,
    c: &TruthCall,
    gid: Option<&String>,
) -> bool {
    first_answer_heard(seen, c, gid)
        .is_some_and(|heard| c.ended_at.is_none_or(|ended| heard <= ended))
}

/// When the answer callback of `c` first reached the manager, under the
/// provider's id or the gateway's (`gid`).
fn first_answer_heard(seen: &Observations, c: &TruthCall, gid: Option<&String>) -> Option<u64> {
    [Some(&c.provider_call_id), gid]
        .into_iter()
        .flatten()
        .filter_map(|id| seen.answers_heard.get(id))
        .min()
        .copied()
}

/// No hangup nobody asked for.
fn hangups(
    calls: &BTreeMap<String, TruthCall>,
    seen: &Observations,
    ids: &BTreeMap<String, String>,
    scenario: &Scenario,
    found: &mut GroundFindings,
) {
    let notify = scenario.notify_numbers();
    let timelines: Vec<CallTimeline> = calls
        .values()
        .filter(|c| c.owned || c.rejected)
        .map(|c| CallTimeline {
            provider_call_id: c.provider_call_id.clone(),
            call_id: ids.get(&c.provider_call_id).cloned(),
            answer_reported: c.direction == Direction::Inbound
                || answer_heard_in_time(seen, c, ids.get(&c.provider_call_id)),
            notify: c.direction == Direction::Outbound && notify.contains(c.to.as_str()),
            rejected: c.rejected,
            created_at_ms: c.created_at,
            answered_at_ms: c.answered_at,
            first_spoken_at_ms: c.first_spoken_at,
            ended_at_ms: c.ended_at,
            ended_by: ended_by(c),
        })
        .collect();
    let requests: Vec<EndRequest> = seen
        .ends
        .iter()
        .map(|(at, id)| EndRequest {
            at_ms: *at,
            call_id: Some(id.clone()),
            provider_call_id: None,
        })
        .collect();
    let rules = HangupRules {
        max_duration_ms: scenario.config.max_duration_ms,
        notify_hangup_delay_ms: scenario.config.notify_hangup_delay_ms,
        early_ms: HANGUP_EARLY_MS,
    };
    let judged = verdict::judge_hangups(&timelines, &requests, &rules);
    for h in &judged {
        let name = h.reason.map_or("unrequested", HangupReason::name);
        *found.hangups.entry(name).or_default() += 1;
    }
    if let Some(h) = judged.iter().find(|h| h.reason.is_none()) {
        found.violations.push(Violation {
            invariant: Invariant::NoUnrequestedHangup,
            at_ms: h
                .call
                .ended_at_ms
                .unwrap_or(0)
                .saturating_sub(crate::clock::EPOCH_MS),
            detail: h.describe(),
        });
    }
}

/// Inbound policy, the caller's side: a ring that reached the manager is
/// answered or refused promptly (disruptions excepted), never left ringing
/// undecided until the caller gives up.
fn callers_decided(
    calls: &BTreeMap<String, TruthCall>,
    seen: &Observations,
    disruptions: &[Disruption],
    scenario: &Scenario,
    found: &mut GroundFindings,
) {
    let end = crate::clock::EPOCH_MS + scenario.end_ms;
    let undecided = calls
        .values()
        .filter(|c| c.direction == Direction::Inbound)
        .find_map(|c| {
            let heard = *seen.inbound_rings_heard.get(&c.provider_call_id)?;
            let deadline = deadline_past(disruptions, heard, heard + PROMPT_MS);
            let decided = c.decided_at.is_some_and(|d| d <= deadline);
            let gone = c.ended_at.is_some_and(|e| e <= deadline);
            (!decided && !gone && deadline < end).then_some((c, heard, deadline))
        });
    if let Some((c, heard, deadline)) = undecided {
        found.violations.push(Violation {
            invariant: Invariant::InboundPolicy,
            at_ms: deadline.saturating_sub(crate::clock::EPOCH_MS),
            detail: format!(
                "caller {:?} (call {}) rang the gateway at {:.3}s and was neither answered nor refused by {:.3}s",
                c.from,
                c.provider_call_id,
                heard.saturating_sub(crate::clock::EPOCH_MS) as f64 / 1000.0,
                deadline.saturating_sub(crate::clock::EPOCH_MS) as f64 / 1000.0
            ),
        });
    }
}

/// A conversation that never converses: the gateway refuses to speak on a
/// call as "not connected" while the provider has it connected and the
/// gateway has heard so (disruptions since excepted).
fn speech_on_live_calls(
    calls: &BTreeMap<String, TruthCall>,
    seen: &Observations,
    ids: &BTreeMap<String, String>,
    results: &[(u64, Result<CommandOk, CommandError>, usize)],
    disruptions: &[Disruption],
    found: &mut GroundFindings,
) {
    let refused = results.iter().find_map(|(at, result, _)| {
        let Err(CommandError::NotConnected { call_id }) = result else {
            return None;
        };
        let c = calls
            .values()
            .find(|c| ids.get(&c.provider_call_id) == Some(call_id))?;
        let answered = c.answered_at?;
        let heard = first_answer_heard(seen, c, Some(call_id))?;
        let settled = deadline_past(disruptions, heard, heard + PROMPT_MS);
        let live = c.ended_at.is_none_or(|e| e > *at);
        (answered <= *at && settled < *at && live).then_some((c, call_id, *at))
    });
    if let Some((c, call_id, at)) = refused {
        // Liveness as the operator sees it: a live conversation takes words.
        found.violations.push(Violation {
            invariant: Invariant::Liveness,
            at_ms: at.saturating_sub(crate::clock::EPOCH_MS),
            detail: format!(
                "the gateway refused to speak on call {call_id} ({}) as not connected, but the provider had it connected and the gateway had heard the answer",
                c.provider_call_id
            ),
        });
    }
}

/// Every ground-truth verdict of a finished run.
pub fn judge(
    calls: &BTreeMap<String, TruthCall>,
    seen: &Observations,
    journal: &Replay,
    results: &[(u64, Result<CommandOk, CommandError>, usize)],
    disruptions: &[Disruption],
    scenario: &Scenario,
) -> GroundFindings {
    let ids = gateway_ids(calls, journal);
    let mut found = GroundFindings::default();
    phantoms(
        calls,
        seen,
        &ids,
        results,
        disruptions,
        scenario,
        &mut found,
    );
    hangups(calls, seen, &ids, scenario, &mut found);
    callers_decided(calls, seen, disruptions, scenario, &mut found);
    speech_on_live_calls(calls, seen, &ids, results, disruptions, &mut found);
    if let Some(((call, kind, at), keys)) = seen.rekeyed_callback() {
        found.violations.push(Violation {
            invariant: Invariant::Idempotency,
            at_ms: at.saturating_sub(crate::clock::EPOCH_MS),
            detail: format!(
                "one callback ({kind} of call {call}) reached the manager under {} dedupe keys {keys:?}: its redeliveries were not recognised as the same callback",
                keys.len()
            ),
        });
    }
    found
}
