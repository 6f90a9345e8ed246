//! The canaries that live in the call manager: a wrapper around the pure
//! `Manager` that bends exactly one thing, on the way in (the replay, an
//! input) or on the way out (the outputs), per canary.

use super::{Canary, SuffixMatch};
use crate::gateway::core::{AfterWriteFailure, CallCore, CoreFactory};
use callproof_core::adapters::Adapter;
use callproof_core::journal::Replay;
use callproof_core::manager::{
    Config, InboundRule, Input, JournalWrite, Manager, Output, RequestId, TimerId, TimerKind,
};
use callproof_core::provider::{
    EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderEvent, ProviderOp,
};
use callproof_core::record::Direction;
use callproof_core::state::CallState;
use std::collections::{BTreeSet, VecDeque};

/// Builds a canary's core at every boot.
#[derive(Debug, Clone, Copy)]
pub struct CanaryFactory(pub Canary);

impl CoreFactory for CanaryFactory {
    fn boot(&self, config: &Config, replay: &Replay, now: u64) -> Box<dyn CallCore> {
        let canary = self.0;
        if canary == Canary::SuffixAllowlist {
            let inner = Manager::recover_with_rule(config.clone(), SuffixMatch, replay, now);
            return Box::new(Wrapped::boot(canary, inner));
        }
        let replay = loaded(canary, config, replay, now);
        Box::new(Wrapped::boot(
            canary,
            Manager::recover(config.clone(), &replay, now),
        ))
    }

    fn adapter(&self, adapter: Box<dyn Adapter>) -> Box<dyn Adapter> {
        self.0.wrap_adapter(adapter)
    }
}

/// The records a canary loads at boot.
fn loaded(canary: Canary, config: &Config, replay: &Replay, now: u64) -> Replay {
    let mut replay = replay.clone();
    match canary {
        // B2: "skipping non-terminal records older than maxDurationSeconds".
        Canary::TimeOnlyCleanup => replay.records.retain(|_, r| {
            r.state.is_terminal() || r.started_at.saturating_add(config.max_duration_ms) > now
        }),
        // B5-W2: a record without a provider id "was skipped".
        Canary::NoIdSkipped => replay.records.retain(|_, r| {
            r.state.is_terminal()
                || r.provider_call_id.is_some()
                || r.callproof.request_id.is_some()
        }),
        // B8: "terminal calls were not in memory". (A refused caller still
        // owed a hangup is the B9 fix's record, not a call: it stays.)
        Canary::LateCallbackRevives => replay
            .records
            .retain(|_, r| !r.state.is_terminal() || r.callproof.hangup_pending),
        _ => {}
    }
    replay
}

/// The manager plus the one deviation.
struct Wrapped<R: InboundRule> {
    canary: Canary,
    inner: Manager<R>,
    out: VecDeque<Output>,
    /// B3: status requests in flight.
    status_requests: BTreeSet<RequestId>,
    /// Item 5: hangup requests in flight.
    hangup_requests: BTreeSet<RequestId>,
    /// Item 1: create requests in flight.
    create_requests: BTreeSet<RequestId>,
    /// B6: a write still in flight, and how many batches it has waited.
    in_flight: Option<(JournalWrite, u32)>,
}

impl<R: InboundRule> Wrapped<R> {
    fn boot(canary: Canary, inner: Manager<R>) -> Wrapped<R> {
        let mut w = Wrapped {
            canary,
            inner,
            out: VecDeque::new(),
            status_requests: BTreeSet::new(),
            hangup_requests: BTreeSet::new(),
            create_requests: BTreeSet::new(),
            in_flight: None,
        };
        let mut batch: Vec<Output> = std::iter::from_fn(|| w.inner.poll_output()).collect();
        let live: BTreeSet<String> = w.live_call_ids().into_iter().collect();
        let about_live = |o: &Output| match o {
            Output::Request(_, op) => live.contains(op.call_id()),
            Output::SetTimer(id, _) => live.contains(&id.call_id),
            _ => false,
        };
        match canary {
            // B1, B2: loaded as active, and nothing reconciles or times them.
            Canary::StaleReload | Canary::TimeOnlyCleanup => batch.retain(|o| !about_live(o)),
            // B4: "no timer was re-armed after a restore".
            Canary::NoTimersAfterRestore => batch.retain(|o| !matches!(o, Output::SetTimer(..))),
            _ => {}
        }
        let batch = w.bend(batch);
        w.out.extend(batch);
        w
    }

    /// Applies the canary's deviation to one input's outputs.
    fn bend(&mut self, batch: Vec<Output>) -> Vec<Output> {
        match self.canary {
            Canary::UnconfirmedDropped => {
                for o in &batch {
                    if let Output::Request(id, ProviderOp::Status { .. }) = o {
                        self.status_requests.insert(*id);
                    }
                }
                batch
            }
            Canary::EndedHangupRetried => {
                for o in &batch {
                    if let Output::Request(id, ProviderOp::Hangup { .. }) = o {
                        self.hangup_requests.insert(*id);
                    }
                }
                batch
            }
            Canary::LostCreateFreed => {
                for o in &batch {
                    if let Output::Request(id, ProviderOp::Create(_)) = o {
                        self.create_requests.insert(*id);
                    }
                }
                batch
            }
            // The reaper's timer is never cancelled when the call connects.
            Canary::ReaperCutsConnected => batch
                .into_iter()
                .filter(
                    |o| !matches!(o, Output::CancelTimer(id) if id.kind == TimerKind::StaleRinging),
                )
                .collect(),
            Canary::AppendsOutOfOrder => self.out_of_order(batch),
            // B6: the write is started, not awaited: everything after it in
            // the operation (the ack included) goes first.
            Canary::AckBeforeWrite => {
                let (writes, rest): (Vec<Output>, Vec<Output>) = batch
                    .into_iter()
                    .partition(|o| matches!(o, Output::Persist(_)));
                rest.into_iter().chain(writes).collect()
            }
            // B9: "rejected the caller and simply returned".
            Canary::RejectedNotHungUp => batch
                .into_iter()
                .filter(|o| match o {
                    Output::Request(_, ProviderOp::Hangup { call, .. }) => !self
                        .inner
                        .record(&call.call_id)
                        .is_some_and(|r| r.callproof.rejected),
                    _ => true,
                })
                .collect(),
            // B12: the hangup time is kept in memory only.
            Canary::NotifyHangupInMemory => batch
                .into_iter()
                .map(|o| match o {
                    Output::Persist(mut w) => {
                        w.line = without_notify_hangup(&w.line);
                        Output::Persist(w)
                    }
                    other => other,
                })
                .collect(),
            _ => batch,
        }
    }

    /// B6: each write lands only after the next one is issued, or one input
    /// later; two writes of one call in flight together land newest first.
    fn out_of_order(&mut self, batch: Vec<Output>) -> Vec<Output> {
        let mut result = Vec::new();
        for o in batch {
            let Output::Persist(write) = o else {
                result.push(o);
                continue;
            };
            match self.in_flight.take() {
                Some((earlier, _)) if earlier.call_id == write.call_id => {
                    result.push(Output::Persist(write));
                    result.push(Output::Persist(earlier));
                }
                Some((earlier, _)) => {
                    result.push(Output::Persist(earlier));
                    self.in_flight = Some((write, 0));
                }
                None => self.in_flight = Some((write, 0)),
            }
        }
        match self.in_flight.take() {
            Some((write, waited)) if waited >= 1 => result.push(Output::Persist(write)),
            Some((write, waited)) => self.in_flight = Some((write, waited + 1)),
            None => {}
        }
        result
    }

    /// Applies the canary's deviation to an input.
    fn bend_input(&mut self, input: Input) -> Input {
        match (self.canary, input) {
            // B3: a failed lookup "reported as terminal".
            (Canary::UnconfirmedDropped, Input::Reply(id, reply)) => {
                if !self.status_requests.remove(&id) {
                    return Input::Reply(id, reply);
                }
                match reply {
                    Err(e) if !matches!(e, ProviderError::NotFound { .. }) => Input::Reply(
                        id,
                        Ok(OpOutcome::Status(ProviderCallStatus::Ended {
                            reason: CallState::Completed,
                        })),
                    ),
                    other => Input::Reply(id, other),
                }
            }
            // Item 5: "already ended" is taken for "unreachable, retry".
            (Canary::EndedHangupRetried, Input::Reply(id, reply)) => {
                if !self.hangup_requests.remove(&id) {
                    return Input::Reply(id, reply);
                }
                match reply {
                    Err(ProviderError::NotFound { detail }) => {
                        Input::Reply(id, Err(ProviderError::Transient { detail }))
                    }
                    other => Input::Reply(id, other),
                }
            }
            // Item 1: an unknown outcome is taken for a refusal.
            (Canary::LostCreateFreed, Input::Reply(id, reply)) => {
                if !self.create_requests.remove(&id) {
                    return Input::Reply(id, reply);
                }
                match reply {
                    Err(e) if e.outcome_unknown() => Input::Reply(
                        id,
                        Err(ProviderError::Rejected {
                            status: 0,
                            detail: e.to_string(),
                        }),
                    ),
                    other => Input::Reply(id, other),
                }
            }
            // Item 2: the reaper fires on a connected call and ends it as
            // if its time were up.
            (Canary::ReaperCutsConnected, Input::Timer(id))
                if id.kind == TimerKind::StaleRinging
                    && self
                        .inner
                        .record(&id.call_id)
                        .is_some_and(|r| r.state.is_connected() && !r.state.is_terminal()) =>
            {
                Input::Timer(TimerId {
                    call_id: id.call_id,
                    kind: TimerKind::MaxDuration,
                })
            }
            // B8: an unknown call's ringing or in-progress callback starts a
            // new inbound call, whatever the call really was.
            (Canary::LateCallbackRevives, Input::Event(token, mut event)) => {
                let starts = matches!(
                    event.kind,
                    EventKind::Initiated
                        | EventKind::Ringing
                        | EventKind::Answered
                        | EventKind::Active
                );
                if starts && !self.knows(&event) {
                    event.direction = Some(Direction::Inbound);
                    event.call_id = None;
                }
                Input::Event(token, event)
            }
            (_, input) => input,
        }
    }

    /// Whether the manager holds a record the event is about.
    fn knows(&self, event: &ProviderEvent) -> bool {
        if event
            .call_id
            .as_deref()
            .is_some_and(|id| self.inner.record(id).is_some())
        {
            return true;
        }
        let ids = [
            event.provider_call_id.as_deref(),
            event.request_id.as_deref(),
        ];
        self.inner.records().values().any(|r| {
            ids.into_iter().flatten().any(|id| {
                r.provider_call_id.as_deref() == Some(id)
                    || r.callproof.request_id.as_deref() == Some(id)
            })
        })
    }
}

/// A journal line with `callproof.notifyHangupAt` removed.
fn without_notify_hangup(line: &str) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(line) else {
        return line.to_owned();
    };
    if let Some(ext) = value.get_mut("callproof").and_then(|v| v.as_object_mut()) {
        ext.remove("notifyHangupAt");
    }
    let mut line = value.to_string();
    line.push('\n');
    line
}

impl<R: InboundRule> CallCore for Wrapped<R> {
    fn handle(&mut self, input: Input, now: u64) {
        let input = self.bend_input(input);
        self.inner.handle(input, now);
        let batch: Vec<Output> = std::iter::from_fn(|| self.inner.poll_output()).collect();
        let batch = self.bend(batch);
        self.out.extend(batch);
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    fn live_call_ids(&self) -> Vec<String> {
        self.inner.live_call_ids()
    }

    fn live_records(&self) -> Vec<callproof_core::record::CallRecord> {
        self.inner.live_records().cloned().collect()
    }

    fn after_write_failure(&mut self) -> AfterWriteFailure {
        if self.canary == Canary::PublishedBeforePersisted {
            // The write threw: the rest of the operation is abandoned, the
            // in-memory change stays.
            self.out.clear();
            return AfterWriteFailure::Continue;
        }
        AfterWriteFailure::Reboot
    }
}
