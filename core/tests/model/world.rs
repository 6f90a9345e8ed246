//! The system under test wired to the fake provider: a journal as bytes, a
//! virtual clock, outstanding requests with a timeout, timers, callbacks, and
//! crashes that may tear the last write and lose everything after it.

use crate::provider::{FakeProvider, Phase};
use callproof_core::journal;
use callproof_core::manager::*;
use callproof_core::provider::{ProviderError, ProviderEvent, ProviderOp};
use callproof_core::record::CallMode;
use std::collections::{BTreeMap, BTreeSet};

/// How long the driver waits for a provider reply before calling it a timeout.
pub const REQUEST_TIMEOUT_MS: u64 = 10_000;
pub const T0: u64 = 1_700_000_000_000;

pub struct Outstanding {
    pub id: RequestId,
    pub op: ProviderOp,
    pub sent_at: u64,
}

/// A crash armed for the next input: outputs before `at` are executed, the
/// output at `at` is torn (if it is a write), the rest never happen.
#[derive(Debug, Clone, Copy)]
pub struct ArmedCrash {
    pub at: proptest::sample::Index,
    pub cut: proptest::sample::Index,
}

pub struct World {
    pub config: Config,
    pub mgr: Manager,
    pub now: u64,
    pub journal: Vec<u8>,
    pub provider: FakeProvider,
    pub outstanding: Vec<Outstanding>,
    pub timers: BTreeMap<TimerId, u64>,
    /// Callbacks delivered once, kept for late or duplicate redelivery.
    pub delivered: Vec<ProviderEvent>,
    /// Call ids whose terminal record was ever durable.
    pub ever_terminal: BTreeSet<String>,
    pub armed: Option<ArmedCrash>,
    pub crashes: usize,
    /// Deliveries whose HTTP response (ack) has not been sent yet.
    pub pending_deliveries: Vec<(EventToken, ProviderEvent)>,
    next_id: u64,
}

impl World {
    pub fn new(config: Config) -> World {
        World {
            mgr: Manager::new(config.clone()),
            config,
            now: T0,
            journal: Vec::new(),
            provider: FakeProvider::default(),
            outstanding: Vec::new(),
            timers: BTreeMap::new(),
            delivered: Vec::new(),
            ever_terminal: BTreeSet::new(),
            armed: None,
            crashes: 0,
            pending_deliveries: Vec::new(),
            next_id: 1,
        }
    }

    fn fresh(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Feeds one input and executes the outputs, crashing midway if armed.
    pub fn input(&mut self, input: Input) {
        self.mgr.handle(input, self.now);
        let outputs: Vec<Output> = std::iter::from_fn(|| self.mgr.poll_output()).collect();
        let (stop, cut) = match self.armed.take() {
            Some(crash) => (crash.at.index(outputs.len() + 1), Some(crash.cut)),
            None => (outputs.len(), None),
        };
        for out in &outputs[..stop] {
            self.execute(out.clone());
        }
        if let Some(cut) = cut {
            if let Some(Output::Persist(write)) = outputs.get(stop) {
                let keep = cut.index(write.line.len());
                self.journal
                    .extend_from_slice(&write.line.as_bytes()[..keep]);
            }
            self.restart(false);
        }
    }

    fn execute(&mut self, out: Output) {
        match out {
            Output::Persist(write) => {
                // A writer reopening a torn file starts on a fresh line.
                if self.journal.last().is_some_and(|b| *b != b'\n') {
                    self.journal.push(b'\n');
                }
                self.journal.extend_from_slice(write.line.as_bytes());
                let replay = journal::replay(&self.journal);
                if replay
                    .records
                    .get(&write.call_id)
                    .is_some_and(|r| r.state.is_terminal())
                {
                    self.ever_terminal.insert(write.call_id);
                }
            }
            Output::Request(id, op) => self.outstanding.push(Outstanding {
                id,
                op,
                sent_at: self.now,
            }),
            Output::SetTimer(id, at) => {
                self.timers.insert(id, at);
            }
            Output::CancelTimer(id) => {
                self.timers.remove(&id);
            }
            Output::Ack(token, ack) => self.on_ack(token, ack),
            Output::Done(..) => {}
        }
    }

    /// The provider hears our answer to a delivery: an accepted inbound call
    /// is answered and becomes ours; a delivered callback leaves the queue.
    fn on_ack(&mut self, token: EventToken, ack: Ack) {
        let Some(pos) = self.provider_pending_position(token) else {
            return;
        };
        let event = self.pending_deliveries.remove(pos).1;
        if let (Ack::Accepted, Some(pid)) = (ack, event.provider_call_id.as_deref()) {
            let inbound_start = event.call_id.is_none()
                && self
                    .provider
                    .calls
                    .get(pid)
                    .is_some_and(|c| c.inbound && !c.owned);
            if inbound_start {
                if let Some(call) = self.provider.calls.get_mut(pid) {
                    call.owned = true;
                }
                self.provider.answer(pid, self.now);
            }
        }
        self.delivered.push(event);
    }

    fn provider_pending_position(&self, token: EventToken) -> Option<usize> {
        self.pending_deliveries
            .iter()
            .position(|(t, _)| *t == token)
    }

    // ----- transitions ----------------------------------------------------

    pub fn place(&mut self, notify: bool) {
        let id = CommandId(self.fresh());
        let mode = if notify {
            CallMode::Notify
        } else {
            CallMode::Conversation
        };
        let to = "+15551234567".to_owned();
        let message = Some("hello".to_owned());
        self.input(Input::Command(
            id,
            Command::Place {
                to,
                mode,
                message,
                session_key: None,
            },
        ));
    }

    pub fn command_on(&mut self, which: proptest::sample::Index, end: bool) {
        let ids: Vec<String> = self.mgr.live_records().map(|r| r.call_id.clone()).collect();
        if ids.is_empty() {
            return;
        }
        let call_id = ids[which.index(ids.len())].clone();
        let id = CommandId(self.fresh());
        let command = if end {
            Command::End { call_id }
        } else {
            Command::Speak {
                call_id,
                text: "hi".into(),
            }
        };
        self.input(Input::Command(id, command));
    }

    /// The provider answers an outstanding request: `executed` says whether
    /// the provider acted on it, `replied` whether its answer arrived.
    pub fn reply(&mut self, which: proptest::sample::Index, executed: bool, replied: bool) {
        if self.outstanding.is_empty() {
            return;
        }
        let req = self.outstanding.remove(which.index(self.outstanding.len()));
        let outcome = if executed {
            self.provider.execute(&req.op, self.now)
        } else {
            Err(ProviderError::Transient {
                detail: "connection refused".into(),
            })
        };
        let reply = if replied {
            outcome
        } else {
            Err(ProviderError::Transient {
                detail: "timed out".into(),
            })
        };
        self.input(Input::Reply(req.id, reply));
    }

    pub fn reject_request(&mut self, which: proptest::sample::Index) {
        if self.outstanding.is_empty() {
            return;
        }
        let req = self.outstanding.remove(which.index(self.outstanding.len()));
        let reply = Err(ProviderError::Rejected {
            status: 400,
            detail: "invalid".into(),
        });
        self.input(Input::Reply(req.id, reply));
    }

    pub fn deliver(&mut self, which: proptest::sample::Index) {
        if self.provider.queue.is_empty() {
            return;
        }
        let event = self
            .provider
            .queue
            .remove(which.index(self.provider.queue.len()));
        self.deliver_event(event);
    }

    pub fn redeliver(&mut self, which: proptest::sample::Index) {
        if self.delivered.is_empty() {
            return;
        }
        let event = self.delivered[which.index(self.delivered.len())].clone();
        self.deliver_event(event);
    }

    fn deliver_event(&mut self, event: ProviderEvent) {
        let token = EventToken(self.fresh());
        self.pending_deliveries.push((token, event.clone()));
        self.input(Input::Event(token, event));
        // No ack (the process crashed first): the provider will retry.
        if let Some(pos) = self.provider_pending_position(token) {
            let (_, event) = self.pending_deliveries.remove(pos);
            self.provider.queue.push(event);
        }
    }

    pub fn provider_acts(&mut self, which: proptest::sample::Index, answer: bool) {
        let live: Vec<String> = self
            .provider
            .calls
            .iter()
            .filter(|(_, c)| !matches!(c.phase, Phase::Ended(_)))
            .map(|(pid, _)| pid.clone())
            .collect();
        if live.is_empty() {
            return;
        }
        let pid = live[which.index(live.len())].clone();
        if answer {
            self.provider.answer(&pid, self.now);
        } else {
            self.provider
                .end(&pid, callproof_core::state::CallState::HangupUser, self.now);
        }
    }

    /// Time passes: timers fire, the provider's limits end calls, and
    /// requests older than the timeout fail as Transient (having taken effect
    /// at the provider if `executed`).
    pub fn tick(&mut self, ms: u64, executed: bool) {
        let target = self.now + ms;
        loop {
            let provider_next = self.provider.enforce_limits(self.now);
            let timer = self.timers.iter().map(|(id, at)| (*at, id.clone())).min();
            let request = self
                .outstanding
                .iter()
                .map(|r| r.sent_at + REQUEST_TIMEOUT_MS)
                .min();
            let next = [timer.as_ref().map(|t| t.0), request, provider_next]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = next.filter(|n| *n <= target) else {
                break;
            };
            self.now = self.now.max(next);
            self.provider.enforce_limits(self.now);
            if let Some((at, id)) = timer.filter(|(at, _)| *at <= self.now) {
                let _ = at;
                self.timers.remove(&id);
                self.input(Input::Timer(id));
            } else if let Some(pos) = self
                .outstanding
                .iter()
                .position(|r| r.sent_at + REQUEST_TIMEOUT_MS <= self.now)
            {
                let req = self.outstanding.remove(pos);
                if executed {
                    let _ = self.provider.execute(&req.op, self.now);
                }
                self.input(Input::Reply(
                    req.id,
                    Err(ProviderError::Transient {
                        detail: "timed out".into(),
                    }),
                ));
            }
        }
        self.now = target;
        self.provider.enforce_limits(self.now);
    }

    /// The gateway dies and comes back from its journal alone. Requests in
    /// flight reach the provider (or not); their replies are lost.
    pub fn restart(&mut self, inflight_executed: bool) {
        self.crashes += 1;
        for req in std::mem::take(&mut self.outstanding) {
            if inflight_executed {
                let _ = self.provider.execute(&req.op, self.now);
            }
        }
        for (_, event) in std::mem::take(&mut self.pending_deliveries) {
            self.provider.queue.push(event);
        }
        self.timers.clear();
        let replay = journal::replay(&self.journal);
        self.mgr = Manager::recover(self.config.clone(), &replay, self.now);
        let outputs: Vec<Output> = std::iter::from_fn(|| self.mgr.poll_output()).collect();
        for out in outputs {
            self.execute(out);
        }
    }
}
