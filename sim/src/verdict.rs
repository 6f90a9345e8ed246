//! Verdicts judged from the provider's ground truth and the operator's own
//! requests alone, never from the gateway's opinion of itself. Pure: the
//! simulator's oracle feeds them from its emulator, the black-box gate from
//! `callproof emulate`'s control API, and both give the same answer for the
//! same facts.
//!
//! Two verdicts live here:
//! - [`phantom_refusals`]: a capacity refusal while the provider held fewer
//!   than `maxConcurrentCalls` of the gateway's calls, for longer than a grace
//!   (the gateway is counting a call that is over: a phantom);
//! - [`judge_hangups`]: every hangup by which the gateway ended a connected
//!   call, explained by a reason the operator or the settings gave, or named
//!   as a hangup nobody asked for.
//!
//! Times are milliseconds on one clock (the simulator's epoch-based clock,
//! or the Unix epoch for the gate).

/// A span in which one of the gateway's calls rightly holds a capacity slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSpan {
    /// The provider's call id (or a label for a slot the provider never saw).
    pub provider_call_id: String,
    /// From when it counts: the provider created the outbound call, or the
    /// gateway answered the inbound one.
    pub from_ms: u64,
    /// Until when: the provider ended it *and* the gateway could know so
    /// (the provider told it, or its own time limit proved it). `None`:
    /// still counting at the end of what was observed.
    pub until_ms: Option<u64>,
}

impl LiveSpan {
    fn covers(&self, at_ms: u64) -> bool {
        self.from_ms <= at_ms && self.until_ms.is_none_or(|u| at_ms < u)
    }
}

/// A place refused because capacity was reached, as the operator saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// When the refusal was answered.
    pub at_ms: u64,
}

/// A refusal the provider's calls do not explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhantomRefusal {
    /// When the gateway refused.
    pub at_ms: u64,
    /// The limit.
    pub max_concurrent: usize,
    /// Calls of the gateway's live at that moment.
    pub live: Vec<String>,
    /// Since when fewer than `max_concurrent` were live (`None`: never as
    /// many in everything observed).
    pub free_since_ms: Option<u64>,
    /// The calls whose end freed the capacity the gateway still counts: the
    /// ones that stopped counting at or after `free_since_ms`.
    pub ended: Vec<(String, u64)>,
}

impl PhantomRefusal {
    /// The evidence in one line, for a violation's detail.
    pub fn describe(&self) -> String {
        let since = match self.free_since_ms {
            Some(s) => format!("for {:.1} s", self.at_ms.saturating_sub(s) as f64 / 1000.0),
            None => "ever".to_owned(),
        };
        let ended: Vec<String> = self
            .ended
            .iter()
            .map(|(pid, at)| {
                format!(
                    "{pid} over {:.1} s before",
                    self.at_ms.saturating_sub(*at) as f64 / 1000.0
                )
            })
            .collect();
        format!(
            "refused for capacity ({}) while the provider held {} live calls of the gateway's {:?}, fewer than the limit {since}; ended since: [{}]",
            self.max_concurrent,
            self.live.len(),
            self.live,
            ended.join(", ")
        )
    }
}

fn live_at(spans: &[LiveSpan], at_ms: u64) -> usize {
    spans.iter().filter(|s| s.covers(at_ms)).count()
}

/// Every capacity refusal judged against the provider's calls at that
/// moment: refused while fewer than `max_concurrent` were live, and that had
/// been so for more than `grace_ms`, is a phantom. The grace is the time a
/// correct gateway may need to hear of an end it could know about (a
/// callback in flight, a reply on its way). Refusals in time order give
/// results in time order.
pub fn phantom_refusals(
    spans: &[LiveSpan],
    refusals: &[Refusal],
    max_concurrent: usize,
    grace_ms: u64,
) -> Vec<PhantomRefusal> {
    // The moments the count can change, in order.
    let mut bounds: Vec<u64> = spans
        .iter()
        .flat_map(|s| std::iter::once(s.from_ms).chain(s.until_ms))
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut out = Vec::new();
    for r in refusals {
        let t = r.at_ms;
        if live_at(spans, t) >= max_concurrent {
            continue;
        }
        // The latest change at or before t before which the count was full.
        let free_since = bounds
            .iter()
            .rev()
            .filter(|b| **b <= t && **b > 0)
            .find(|b| live_at(spans, **b - 1) >= max_concurrent)
            .copied();
        let free_for = free_since.map(|s| t - s);
        if free_for.is_some_and(|f| f <= grace_ms) {
            continue;
        }
        let live = spans
            .iter()
            .filter(|s| s.covers(t))
            .map(|s| s.provider_call_id.clone())
            .collect();
        let ended = spans
            .iter()
            .filter_map(|s| {
                let u = s.until_ms?;
                (u <= t && free_since.is_none_or(|f| u >= f))
                    .then(|| (s.provider_call_id.clone(), u))
            })
            .collect();
        out.push(PhantomRefusal {
            at_ms: t,
            max_concurrent,
            live,
            free_since_ms: free_since,
            ended,
        });
    }
    out
}

/// Who ended a call, as the provider records it (the contract's
/// `ended_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndedBy {
    /// The gateway's hangup request.
    Gateway,
    /// The person the gateway called.
    Callee,
    /// The person who called the gateway.
    Caller,
    /// The provider itself (a time limit, a ring timeout, a carrier failure).
    Provider,
    /// The harness (the emulator's control API), standing in for the far end.
    Control,
}

/// One of the gateway's calls as the provider saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTimeline {
    /// The provider's id.
    pub provider_call_id: String,
    /// The gateway's own id, when the provider knows it (outbound calls
    /// carry it; inbound ones may not).
    pub call_id: Option<String>,
    /// Placed by the operator in notify mode (speak, then hang up).
    pub notify: bool,
    /// An inbound caller the gateway refused by policy.
    pub rejected: bool,
    /// Created at the provider.
    pub created_at_ms: u64,
    /// Answered (connected).
    pub answered_at_ms: Option<u64>,
    /// The provider told the gateway of the answer with its time (an answer
    /// callback reached it). Without that a gateway can only count max
    /// duration from its create, which is early by the ringing time.
    pub answer_reported: bool,
    /// When the provider first spoke the gateway's words into it.
    pub first_spoken_at_ms: Option<u64>,
    /// Ended.
    pub ended_at_ms: Option<u64>,
    /// By whom.
    pub ended_by: Option<EndedBy>,
}

/// The operator asked the gateway to end a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndRequest {
    /// When it was asked.
    pub at_ms: u64,
    /// The gateway's id of the call, if known.
    pub call_id: Option<String>,
    /// The provider's id of the call, if known.
    pub provider_call_id: Option<String>,
}

impl EndRequest {
    fn names(&self, call: &CallTimeline) -> bool {
        let by_id = self.call_id.is_some() && self.call_id == call.call_id;
        let by_pid = self.provider_call_id.as_deref() == Some(call.provider_call_id.as_str());
        by_id || by_pid
    }
}

/// The settings that give a gateway a reason of its own to hang up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HangupRules {
    /// `maxDurationSeconds`, in ms, counted from the answer.
    pub max_duration_ms: u64,
    /// Notify mode's hang-up delay after the message, in ms.
    pub notify_hangup_delay_ms: u64,
    /// How much earlier than its deadline a hangup may land and still count
    /// as meeting it: providers stamp events in whole seconds, so a gateway
    /// that counts from the provider's timestamp can be up to a second early.
    pub early_ms: u64,
}

/// Why the gateway may end a connected call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HangupReason {
    /// The operator asked (before the hangup landed).
    Operator,
    /// Max duration, counted from the answer, had passed (from the create
    /// if the provider never reported the answer to the gateway).
    MaxDuration,
    /// A notify call, its message spoken and the hang-up delay over.
    NotifyHangup,
    /// An inbound caller the policy refused.
    InboundPolicy,
}

impl HangupReason {
    /// Every reason, in table order.
    pub const ALL: [HangupReason; 4] = [
        HangupReason::Operator,
        HangupReason::MaxDuration,
        HangupReason::NotifyHangup,
        HangupReason::InboundPolicy,
    ];

    /// The name used in tables.
    pub fn name(self) -> &'static str {
        match self {
            HangupReason::Operator => "operator",
            HangupReason::MaxDuration => "max duration",
            HangupReason::NotifyHangup => "notify hang-up",
            HangupReason::InboundPolicy => "inbound policy",
        }
    }
}

/// A gateway hangup of a connected call, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgedHangup {
    /// The call, as the provider saw it.
    pub call: CallTimeline,
    /// The first reason that explains it, in [`HangupReason::ALL`] order;
    /// `None`: nobody asked for it.
    pub reason: Option<HangupReason>,
    /// The operator's end requests for this call.
    pub requests: Vec<u64>,
}

impl JudgedHangup {
    /// The call's timeline in one line, for a violation's detail.
    pub fn describe(&self) -> String {
        let c = &self.call;
        let at = |t: Option<u64>| {
            t.map_or("never".to_owned(), |t| {
                format!(
                    "{:+.1} s",
                    t as f64 / 1000.0 - c.created_at_ms as f64 / 1000.0
                )
            })
        };
        format!(
            "the gateway hung up connected call {} ({:?}{}): created, answered {}, first spoken {}, hung up {}; operator end requests at {:?}",
            c.provider_call_id,
            c.call_id,
            if c.notify { ", notify" } else { "" },
            at(c.answered_at_ms),
            at(c.first_spoken_at_ms),
            at(c.ended_at_ms),
            self.requests
                .iter()
                .map(|r| format!("{:+.1} s", *r as f64 / 1000.0 - c.created_at_ms as f64 / 1000.0))
                .collect::<Vec<_>>()
        )
    }
}

/// Every hangup by which the gateway ended a connected call, with the reason
/// that explains it or none. A connected call is one the provider answered
/// before it ended. A gateway hangup of a call the provider had already
/// proved over ends nothing at the provider, so ground truth never holds one
/// to judge.
pub fn judge_hangups(
    calls: &[CallTimeline],
    requests: &[EndRequest],
    rules: &HangupRules,
) -> Vec<JudgedHangup> {
    let mut out = Vec::new();
    for c in calls {
        let (Some(answered), Some(ended), Some(EndedBy::Gateway)) =
            (c.answered_at_ms, c.ended_at_ms, c.ended_by)
        else {
            continue;
        };
        if ended < answered {
            continue;
        }
        let asked: Vec<u64> = requests
            .iter()
            .filter(|r| r.names(c))
            .map(|r| r.at_ms)
            .collect();
        let landed = ended.saturating_add(rules.early_ms);
        let reason = HangupReason::ALL.into_iter().find(|reason| match reason {
            HangupReason::Operator => asked.iter().any(|at| *at <= ended),
            HangupReason::MaxDuration => {
                let base = if c.answer_reported {
                    answered
                } else {
                    c.created_at_ms
                };
                landed >= base.saturating_add(rules.max_duration_ms)
            }
            HangupReason::NotifyHangup => {
                c.notify
                    && c.first_spoken_at_ms
                        .is_some_and(|s| landed >= s.saturating_add(rules.notify_hangup_delay_ms))
            }
            HangupReason::InboundPolicy => c.rejected,
        });
        out.push(JudgedHangup {
            call: c.clone(),
            reason,
            requests: asked,
        });
    }
    out
}

/// Only the hangups nobody asked for, from [`judge_hangups`].
pub fn unrequested_hangups(
    calls: &[CallTimeline],
    requests: &[EndRequest],
    rules: &HangupRules,
) -> Vec<JudgedHangup> {
    judge_hangups(calls, requests, rules)
        .into_iter()
        .filter(|h| h.reason.is_none())
        .collect()
}

#[cfg(test)]
mod tests;
