//! The call manager, sans-IO.
//!
//! # Contract
//!
//! The manager is a plain value. It never reads a clock, a file, a socket or
//! a random number generator; everything arrives as an [`Input`] with the
//! caller's `now` (ms since the Unix epoch), and everything it wants done
//! leaves as an [`Output`] value.
//!
//! 1. Build it with [`Manager::new`] (empty journal) or [`Manager::recover`]
//!    (from a [`Replay`](crate::journal::Replay) of the journal file).
//! 2. Drain [`Manager::poll_output`] until it returns `None`. Do this after
//!    construction and after every [`Manager::handle`].
//! 3. Execute outputs **in order**. An [`Output::Persist`] line must be
//!    appended and fsynced before any later output is acted on: that is how
//!    "a record is durable before the provider request that depends on it"
//!    and "an ack or command result is sent only after its write" hold.
//! 4. Send each [`Output::Request`] through the provider adapter and feed the
//!    reply back as [`Input::Reply`]; a timeout or dropped connection is
//!    `Err(ProviderError::Transient)`: the outcome is unknown, not failed.
//! 5. Fire each [`Output::SetTimer`] as [`Input::Timer`] at its time. Stale or
//!    cancelled timers that fire anyway are ignored.
//! 6. Hold each webhook's HTTP response until its [`Output::Ack`].
//!
//! Capacity (`max_concurrent_calls`) counts every non-terminal call, inbound
//! and outbound, including calls whose outcome is unknown; admission happens
//! inside one `handle` call, so it is atomic. Only proof of the end (a
//! terminal status or callback, or not-found) releases a slot.

mod events;
mod inbound;
mod recovery;
mod replies;
mod timers;
mod types;

pub use inbound::{is_e164, is_withheld, ExactE164, InboundRule};
pub use types::*;

use crate::journal;
use crate::provider::{CallRef, CreateCall, ProviderOp};
use crate::record::{CallRecord, Direction};
use crate::state::{CallState, EndReason};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

/// What an in-flight provider request is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Create,
    Status,
    Hangup,
    /// A speak; `then_listen` continues into a `continue` command's listening.
    Speak {
        cmd: Option<CommandId>,
        initial: bool,
        then_listen: bool,
    },
    StartListening,
    StopListening,
}

/// A live (non-terminal) call and what the manager is waiting for on it.
#[derive(Debug, Clone)]
struct Call {
    record: CallRecord,
    /// The `Place` command waiting for the create reply.
    place_cmd: Option<CommandId>,
    /// The `continue` command waiting for the caller's final words.
    listen_cmd: Option<CommandId>,
    /// We want this call ended: why, and who is waiting.
    hangup: Option<(EndReason, Vec<CommandId>)>,
    /// A hangup request is in flight.
    hangup_in_flight: bool,
    /// The provider could not tell us whether the call is live; retries so far.
    doubt: Option<u32>,
}

/// The pure call manager. See the module docs for the contract.
///
/// `R` decides which callers may call in. The manager a gateway ships is
/// `Manager` (= `Manager<ExactE164>`): exact E.164 matching, never a withheld
/// caller. The parameter exists so a test can build a manager with exactly one
/// historical policy bug and prove the suite catches it; no value can change
/// the rule of a `Manager<ExactE164>` at run time.
#[derive(Debug)]
pub struct Manager<R: InboundRule = ExactE164> {
    config: Config,
    rule: R,
    calls: BTreeMap<String, Call>,
    /// Terminal calls, bounded by `history_limit` (oldest `seq` evicted).
    history: BTreeMap<String, CallRecord>,
    /// Provider ids and request ids of live and remembered calls.
    by_provider_id: BTreeMap<String, String>,
    requests: BTreeMap<RequestId, (String, Purpose)>,
    timers: BTreeMap<TimerId, Millis>,
    /// Retries so far of hangups owed for rejected inbound calls.
    owed_attempts: BTreeMap<String, u32>,
    next_seq: u64,
    next_request: u64,
    outputs: VecDeque<Output>,
}

impl Manager {
    /// A manager with an empty journal.
    pub fn new(config: Config) -> Manager {
        Manager::with_rule(config, ExactE164)
    }
}

impl<R: InboundRule> Manager<R> {
    /// A manager with an empty journal whose inbound decisions follow `rule`.
    pub fn with_rule(config: Config, rule: R) -> Manager<R> {
        Manager {
            config,
            rule,
            calls: BTreeMap::new(),
            history: BTreeMap::new(),
            by_provider_id: BTreeMap::new(),
            requests: BTreeMap::new(),
            timers: BTreeMap::new(),
            owed_attempts: BTreeMap::new(),
            next_seq: 1,
            next_request: 1 << 20,
            outputs: VecDeque::new(),
        }
    }

    /// The next thing to do, in order; `None` when drained.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Applies one input at `now`. Drain [`Manager::poll_output`] afterwards.
    pub fn handle(&mut self, input: Input, now: Millis) {
        match input {
            Input::Command(id, command) => self.on_command(id, command, now),
            Input::Event(token, event) => self.on_event(token, event, now),
            Input::Reply(id, reply) => self.on_reply(id, reply, now),
            Input::Timer(id) => self.on_timer(id, now),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Calls counted against capacity (every non-terminal call).
    pub fn capacity_used(&self) -> usize {
        self.calls.len()
    }

    /// Records of the calls counted against capacity, by call id.
    pub fn live_records(&self) -> impl Iterator<Item = &CallRecord> {
        self.calls.values().map(|c| &c.record)
    }

    /// The current record of a call, live or remembered.
    pub fn record(&self, call_id: &str) -> Option<&CallRecord> {
        self.calls
            .get(call_id)
            .map(|c| &c.record)
            .or_else(|| self.history.get(call_id))
    }

    /// Every record the manager holds (live and remembered), by call id.
    pub fn records(&self) -> BTreeMap<&str, &CallRecord> {
        self.calls
            .iter()
            .map(|(id, c)| (id.as_str(), &c.record))
            .chain(self.history.iter().map(|(id, r)| (id.as_str(), r)))
            .collect()
    }

    /// Timers currently armed.
    pub fn timers(&self) -> &BTreeMap<TimerId, Millis> {
        &self.timers
    }

    /// A compacted journal: every live call, every owed hangup and the
    /// bounded history, one line each in `seq` order. Replaying it yields the
    /// same state as replaying the full journal. Write it to a new file,
    /// fsync, then rename over the old one.
    pub fn compacted_journal(&self) -> String {
        let mut records: Vec<&CallRecord> = self.records().into_values().collect();
        records.sort_by_key(|r| r.seq);
        records.into_iter().map(journal::encode).collect()
    }

    // ----- commands -------------------------------------------------------

    fn on_command(&mut self, id: CommandId, command: Command, now: Millis) {
        match command {
            Command::Place {
                to,
                mode,
                message,
                session_key,
            } => self.place(id, to, mode, message, session_key, now),
            Command::Speak { call_id, text } => self.speak(id, &call_id, text, false, now),
            Command::Continue { call_id, prompt } => self.speak(id, &call_id, prompt, true, now),
            Command::End { call_id } => match self.calls.contains_key(&call_id) {
                true => self.begin_hangup(&call_id, CallState::HangupBot, Some(id), now),
                false => {
                    let result = match self.history.get(&call_id) {
                        Some(_) => Ok(CommandOk::Ended),
                        None => Err(CommandError::CallNotFound { call_id }),
                    };
                    self.done(id, result);
                }
            },
        }
    }

    fn place(
        &mut self,
        cmd: CommandId,
        to: String,
        mode: crate::record::CallMode,
        message: Option<String>,
        session_key: Option<String>,
        now: Millis,
    ) {
        if self.calls.len() >= self.config.max_concurrent_calls {
            let max = self.config.max_concurrent_calls;
            return self.done(cmd, Err(CommandError::CapacityReached { max }));
        }
        if !is_e164(&to) {
            return self.done(cmd, Err(CommandError::InvalidNumber { number: to }));
        }
        let call_id = format!("{}-{}", self.config.id_prefix, self.next_seq);
        let mut metadata = BTreeMap::new();
        let mode_name = match mode {
            crate::record::CallMode::Notify => "notify",
            crate::record::CallMode::Conversation => "conversation",
        };
        metadata.insert("mode".to_owned(), Value::from(mode_name));
        if let Some(message) = &message {
            metadata.insert("initialMessage".to_owned(), Value::from(message.as_str()));
        }
        let record = CallRecord {
            call_id: call_id.clone(),
            provider_call_id: None,
            provider: self.config.provider.as_str().to_owned(),
            direction: Direction::Outbound,
            state: CallState::Initiated,
            from: self.config.from_number.clone(),
            to: to.clone(),
            session_key,
            started_at: now,
            answered_at: None,
            ended_at: None,
            end_reason: None,
            transcript: Vec::new(),
            processed_event_ids: Vec::new(),
            metadata: Some(metadata),
            seq: None,
            callproof: Default::default(),
            unknown: BTreeMap::new(),
        };
        self.admit(record, Some(cmd));
        self.persist(&call_id);
        let op = ProviderOp::Create(CreateCall {
            call_id: call_id.clone(),
            from: self.config.from_number.clone(),
            to,
            mode,
            message,
            time_limit_secs: (self.config.max_duration_ms / 1000).max(1) as u32,
            ring_timeout_secs: self.config.ring_timeout_secs,
        });
        self.request(&call_id, Purpose::Create, op);
        self.arm_call_timers(&call_id, now);
    }

    fn speak(&mut self, cmd: CommandId, call_id: &str, text: String, listen: bool, now: Millis) {
        let Some(call) = self.calls.get(call_id) else {
            let err = match self.history.get(call_id) {
                Some(r) => CommandError::CallEnded {
                    call_id: call_id.to_owned(),
                    reason: r.state,
                },
                None => CommandError::CallNotFound {
                    call_id: call_id.to_owned(),
                },
            };
            return self.done(cmd, Err(err));
        };
        if call.record.provider_call_id.is_none() || !call.record.state.is_connected() {
            let call_id = call_id.to_owned();
            return self.done(cmd, Err(CommandError::NotConnected { call_id }));
        }
        if listen && call.listen_cmd.is_some() {
            let call_id = call_id.to_owned();
            return self.done(cmd, Err(CommandError::AlreadyListening { call_id }));
        }
        if listen {
            if let Some(call) = self.calls.get_mut(call_id) {
                call.listen_cmd = Some(cmd);
            }
        }
        self.move_state(call_id, CallState::Speaking);
        self.add_transcript(call_id, "bot", &text, now);
        self.persist(call_id);
        let op = ProviderOp::Speak {
            call: self.call_ref(call_id),
            text,
        };
        let purpose = Purpose::Speak {
            cmd: (!listen).then_some(cmd),
            initial: false,
            then_listen: listen,
        };
        self.request(call_id, purpose, op);
    }

    // ----- shared machinery ------------------------------------------------

    fn done(&mut self, cmd: CommandId, result: Result<CommandOk, CommandError>) {
        self.outputs.push_back(Output::Done(cmd, result));
    }

    fn admit(&mut self, record: CallRecord, place_cmd: Option<CommandId>) {
        let call_id = record.call_id.clone();
        self.index(&record);
        let call = Call {
            record,
            place_cmd,
            listen_cmd: None,
            hangup: None,
            hangup_in_flight: false,
            doubt: None,
        };
        self.calls.insert(call_id, call);
    }

    fn index(&mut self, record: &CallRecord) {
        for id in [&record.provider_call_id, &record.callproof.request_id]
            .into_iter()
            .flatten()
        {
            self.by_provider_id
                .insert(id.clone(), record.call_id.clone());
        }
    }

    /// Stamps the call's record with the next `seq` and emits its line.
    fn persist(&mut self, call_id: &str) {
        let seq = self.next_seq;
        let record = match self.calls.get_mut(call_id) {
            Some(call) => &mut call.record,
            None => match self.history.get_mut(call_id) {
                Some(record) => record,
                None => return,
            },
        };
        self.next_seq += 1;
        record.seq = Some(seq);
        let line = journal::encode(record);
        self.outputs.push_back(Output::Persist(JournalWrite {
            seq,
            call_id: call_id.to_owned(),
            line,
        }));
    }

    fn request(&mut self, call_id: &str, purpose: Purpose, op: ProviderOp) {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        self.requests.insert(id, (call_id.to_owned(), purpose));
        self.outputs.push_back(Output::Request(id, op));
    }

    fn call_ref(&self, call_id: &str) -> CallRef {
        let record = self.record(call_id);
        CallRef {
            call_id: call_id.to_owned(),
            provider_call_id: record.and_then(|r| r.provider_call_id.clone()),
            request_id: record.and_then(|r| r.callproof.request_id.clone()),
        }
    }

    /// Moves a live call's state through the transition table; true if it moved.
    fn move_state(&mut self, call_id: &str, to: CallState) -> bool {
        let Some(call) = self.calls.get_mut(call_id) else {
            return false;
        };
        match crate::state::transition(call.record.state, to) {
            crate::state::Transition::Move => {
                call.record.state = to;
                if !to.is_terminal() {
                    call.record.end_reason = None;
                    call.record.ended_at = None;
                }
                true
            }
            _ => false,
        }
    }

    fn add_transcript(&mut self, call_id: &str, speaker: &str, text: &str, now: Millis) {
        if let Some(call) = self.calls.get_mut(call_id) {
            call.record.transcript.push(crate::record::TranscriptEntry {
                timestamp: now,
                speaker: speaker.to_owned(),
                text: text.to_owned(),
                is_final: true,
            });
        }
    }

    /// Starts (or joins) ending a live call. The terminal record is written
    /// when the provider confirms (or proves the call already over).
    fn begin_hangup(
        &mut self,
        call_id: &str,
        reason: EndReason,
        cmd: Option<CommandId>,
        now: Millis,
    ) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        match &mut call.hangup {
            Some((_, waiting)) => waiting.extend(cmd),
            None => call.hangup = Some((reason, cmd.into_iter().collect())),
        }
        self.send_hangup(call_id, now);
    }

    fn send_hangup(&mut self, call_id: &str, _now: Millis) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        let has_id =
            call.record.provider_call_id.is_some() || call.record.callproof.request_id.is_some();
        if call.hangup_in_flight || !has_id {
            // Without a provider id there is nothing to hang up yet: the
            // hangup is sent as soon as a callback or reply brings the id.
            return;
        }
        call.hangup_in_flight = true;
        let answered = call.record.state.is_connected();
        let op = ProviderOp::Hangup {
            call: self.call_ref(call_id),
            answered,
        };
        self.request(call_id, Purpose::Hangup, op);
    }

    /// Ends a live call: terminal record, timers cancelled, waiters answered,
    /// the record moved to the bounded history.
    fn finish(&mut self, call_id: &str, reason: EndReason, at: Millis) {
        let Some(mut call) = self.calls.remove(call_id) else {
            return;
        };
        debug_assert!(reason.is_terminal());
        call.record.state = reason;
        call.record.end_reason = Some(reason);
        call.record.ended_at = Some(at);
        call.record.callproof.notify_hangup_at = None;
        let record = call.record;
        self.remember(record);
        self.persist(call_id);
        self.evict_history();
        self.cancel_all_timers(call_id);
        if let Some(cmd) = call.place_cmd {
            let call_id = call_id.to_owned();
            self.done(cmd, Err(CommandError::CallEnded { call_id, reason }));
        }
        if let Some(cmd) = call.listen_cmd {
            let call_id = call_id.to_owned();
            self.done(cmd, Err(CommandError::CallEnded { call_id, reason }));
        }
        for cmd in call.hangup.map(|(_, w)| w).unwrap_or_default() {
            self.done(cmd, Ok(CommandOk::Ended));
        }
    }

    /// Keeps a terminal record (for late and duplicated callbacks).
    fn remember(&mut self, record: CallRecord) {
        self.index(&record);
        self.history.insert(record.call_id.clone(), record);
    }

    /// Forgets the oldest terminal records beyond `history_limit`, never one
    /// that still owes the provider a hangup. Oldest is by `seq`, ties by
    /// call id; many at once (a recovery from a long journal) are chosen in
    /// one sort rather than one scan each.
    fn evict_history(&mut self) {
        let excess = self.history.len().saturating_sub(self.config.history_limit);
        if excess == 0 {
            return;
        }
        let mut candidates: Vec<(Option<u64>, &String)> = self
            .history
            .values()
            .filter(|r| !r.callproof.hangup_pending)
            .map(|r| (r.seq, &r.call_id))
            .collect();
        candidates.sort_unstable();
        let oldest: Vec<String> = candidates
            .into_iter()
            .take(excess)
            .map(|(_, id)| id.clone())
            .collect();
        for id in oldest {
            if let Some(r) = self.history.remove(&id) {
                for id in [r.provider_call_id, r.callproof.request_id]
                    .into_iter()
                    .flatten()
                {
                    self.by_provider_id.remove(&id);
                }
            }
        }
    }
}
