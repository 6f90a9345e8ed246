//! What the harness sees at the seam between the driver and the core, without
//! changing anything that passes: the operator's end requests (the workload
//! the harness itself issued, resolved to the call the operator picked), the
//! creates the gateway sent, and the moments the provider told the gateway a
//! call was over. The oracle uses these to give the ground-truth verdicts a
//! fair clock; it never takes the gateway's opinion of a call.

use crate::gateway::core::{AfterWriteFailure, CallCore, CoreFactory};
use callproof_core::adapters::Adapter;
use callproof_core::journal::Replay;
use callproof_core::manager::{Command, Config, Input, Output, RequestId};
use callproof_core::provider::{
    EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderOp,
};
use callproof_core::record::{CallRecord, Direction};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// One callback as the manager received it: the call (provider id, else
/// ours), what it reports, and when it happened at the provider.
pub type CallbackIdentity = (String, String, u64);

/// A create the gateway sent, and what it heard back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSent {
    /// The gateway's call id.
    pub call_id: String,
    /// When it went out.
    pub at_ms: u64,
    /// When a reply that settles it came back: the provider refused the
    /// create outright, so the gateway knew there was no call.
    pub refused_at_ms: Option<u64>,
}

/// Everything observed over one run, across boots.
#[derive(Debug, Default)]
pub struct Observations {
    /// The operator's end requests: (when, the gateway's call id).
    pub ends: Vec<(u64, String)>,
    /// Creates, in the order sent.
    pub creates: Vec<CreateSent>,
    /// (when, the gateway's call id or the provider's id): the provider told
    /// the gateway this call is over (an end callback, a status of ended, a
    /// not-found or already-ended answer, an accepted hangup).
    pub told_over: Vec<(u64, String)>,
    /// Callbacks as the manager received them: (call, what, when it
    /// happened) -> the dedupe keys they came with.
    pub event_keys: BTreeMap<CallbackIdentity, Vec<String>>,
    /// Calls (the gateway's id or the provider's) whose answer callback
    /// reached the manager, and when it first did: an answer heard only
    /// after the call was over (a redelivery) told the gateway nothing in time.
    pub answers_heard: BTreeMap<String, u64>,
    /// Inbound calls (the provider's id) whose start (initiated, ringing or
    /// answered) reached the manager, and when it first did.
    pub inbound_rings_heard: BTreeMap<String, u64>,
    requests: BTreeMap<RequestId, (String, &'static str)>,
}

impl Observations {
    fn input(&mut self, input: &Input, now: u64) {
        match input {
            Input::Command(_, Command::End { call_id }) => self.ends.push((now, call_id.clone())),
            Input::Event(_, event) => {
                let starts = matches!(
                    event.kind,
                    EventKind::Initiated | EventKind::Ringing | EventKind::Answered
                );
                if let (true, Some(Direction::Inbound), Some(pid)) =
                    (starts, event.direction, &event.provider_call_id)
                {
                    self.inbound_rings_heard.entry(pid.clone()).or_insert(now);
                }
                if matches!(event.kind, EventKind::Answered | EventKind::Active) {
                    for id in [&event.call_id, &event.provider_call_id]
                        .into_iter()
                        .flatten()
                    {
                        self.answers_heard.entry(id.clone()).or_insert(now);
                    }
                }
                if matches!(event.kind, EventKind::Ended { .. }) {
                    for id in [&event.call_id, &event.provider_call_id]
                        .into_iter()
                        .flatten()
                    {
                        self.told_over.push((now, id.clone()));
                    }
                }
                let call = event
                    .provider_call_id
                    .clone()
                    .or_else(|| event.call_id.clone())
                    .unwrap_or_default();
                if let Some(at) = event.occurred_at {
                    let keys = self
                        .event_keys
                        .entry((call, format!("{:?}", event.kind), at))
                        .or_default();
                    if !keys.contains(&event.dedupe_key) {
                        keys.push(event.dedupe_key.clone());
                    }
                }
            }
            Input::Reply(id, reply) => {
                let Some((call_id, kind)) = self.requests.remove(id) else {
                    return;
                };
                let over = match (kind, reply) {
                    ("create", Err(e)) if !e.outcome_unknown() => {
                        if let Some(c) =
                            self.creates.iter_mut().rev().find(|c| c.call_id == call_id)
                        {
                            c.refused_at_ms.get_or_insert(now);
                        }
                        false
                    }
                    ("status", Ok(OpOutcome::Status(ProviderCallStatus::Ended { .. }))) => true,
                    ("hangup", Ok(_)) => true,
                    ("create", _) => false,
                    (_, Err(ProviderError::NotFound { .. })) => true,
                    _ => false,
                };
                if over {
                    self.told_over.push((now, call_id));
                }
            }
            _ => {}
        }
    }

    fn output(&mut self, output: &Output, now: u64) {
        if let Output::Request(id, op) = output {
            if let ProviderOp::Create(c) = op {
                self.creates.push(CreateSent {
                    call_id: c.call_id.clone(),
                    at_ms: now,
                    refused_at_ms: None,
                });
            }
            self.requests
                .insert(*id, (op.call_id().to_owned(), op.kind()));
        }
    }

    /// Whether one callback reached the manager under more than one dedupe
    /// key: its retries were not recognised as the same callback (B7).
    pub fn rekeyed_callback(&self) -> Option<(&CallbackIdentity, &Vec<String>)> {
        self.event_keys.iter().find(|(_, keys)| keys.len() > 1)
    }
}

/// A factory whose cores report to `seen`; otherwise exactly `inner`.
pub struct Observed {
    inner: Rc<dyn CoreFactory>,
    seen: Rc<RefCell<Observations>>,
}

impl Observed {
    /// Wraps `inner`.
    pub fn new(inner: Rc<dyn CoreFactory>, seen: Rc<RefCell<Observations>>) -> Observed {
        Observed { inner, seen }
    }
}

impl fmt::Debug for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Observed({:?})", self.inner)
    }
}

impl CoreFactory for Observed {
    fn boot(&self, config: &Config, replay: &Replay, now: u64) -> Box<dyn CallCore> {
        Box::new(ObservedCore {
            inner: self.inner.boot(config, replay, now),
            seen: self.seen.clone(),
            now,
        })
    }

    fn adapter(&self, adapter: Box<dyn Adapter>) -> Box<dyn Adapter> {
        self.inner.adapter(adapter)
    }
}

struct ObservedCore {
    inner: Box<dyn CallCore>,
    seen: Rc<RefCell<Observations>>,
    /// The time of the last input (outputs are drained right after it).
    now: u64,
}

impl CallCore for ObservedCore {
    fn handle(&mut self, input: Input, now: u64) {
        self.now = now;
        self.seen.borrow_mut().input(&input, now);
        self.inner.handle(input, now);
    }

    fn poll_output(&mut self) -> Option<Output> {
        let output = self.inner.poll_output()?;
        self.seen.borrow_mut().output(&output, self.now);
        Some(output)
    }

    fn live_call_ids(&self) -> Vec<String> {
        self.inner.live_call_ids()
    }

    fn after_write_failure(&mut self) -> AfterWriteFailure {
        self.inner.after_write_failure()
    }

    fn record(&self, call_id: &str) -> Option<&CallRecord> {
        self.inner.record(call_id)
    }

    fn live_records(&self) -> Vec<CallRecord> {
        self.inner.live_records()
    }

    fn checkpoint(&self) -> Option<String> {
        self.inner.checkpoint()
    }
}
