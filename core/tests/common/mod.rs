//! A tiny in-memory driver for the manager: a journal as bytes (synced on
//! every write, which is what the contract requires before the next output),
//! a list of outstanding provider requests, a timer table and a virtual clock.
#![allow(dead_code)]

use callproof_core::journal;
use callproof_core::manager::*;
use callproof_core::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderOp};
use callproof_core::record::CallMode;
use std::collections::BTreeMap;

pub struct Harness {
    pub config: Config,
    pub mgr: Manager,
    pub journal: Vec<u8>,
    pub now: Millis,
    pub requests: Vec<(RequestId, ProviderOp)>,
    pub timers: BTreeMap<TimerId, Millis>,
    pub done: Vec<(CommandId, Result<CommandOk, CommandError>)>,
    pub acks: Vec<(EventToken, Ack)>,
    pub writes: usize,
    next_cmd: u64,
    next_token: u64,
}

impl Harness {
    pub fn new(config: Config, now: Millis) -> Harness {
        Harness::with_journal(config, Vec::new(), now)
    }

    /// Starts from an existing journal, as a restarted gateway would.
    pub fn with_journal(config: Config, journal: Vec<u8>, now: Millis) -> Harness {
        let replay = journal::replay(&journal);
        let mgr = Manager::recover(config.clone(), &replay, now);
        let mut h = Harness {
            config,
            mgr,
            journal,
            now,
            requests: Vec::new(),
            timers: BTreeMap::new(),
            done: Vec::new(),
            acks: Vec::new(),
            writes: 0,
            next_cmd: 1,
            next_token: 1,
        };
        h.drain();
        h
    }

    pub fn drain(&mut self) {
        while let Some(out) = self.mgr.poll_output() {
            match out {
                Output::Persist(w) => {
                    if self.journal.last().is_some_and(|b| *b != b'\n') {
                        self.journal.push(b'\n');
                    }
                    self.journal.extend_from_slice(w.line.as_bytes());
                    self.writes += 1;
                }
                Output::Request(id, op) => self.requests.push((id, op)),
                Output::SetTimer(id, at) => {
                    self.timers.insert(id, at);
                }
                Output::CancelTimer(id) => {
                    self.timers.remove(&id);
                }
                Output::Ack(token, ack) => self.acks.push((token, ack)),
                Output::Done(id, result) => self.done.push((id, result)),
            }
        }
    }

    pub fn command(&mut self, command: Command) -> CommandId {
        let id = CommandId(self.next_cmd);
        self.next_cmd += 1;
        self.mgr.handle(Input::Command(id, command), self.now);
        self.drain();
        id
    }

    pub fn event(&mut self, event: ProviderEvent) -> Ack {
        let token = EventToken(self.next_token);
        self.next_token += 1;
        self.mgr.handle(Input::Event(token, event), self.now);
        self.drain();
        self.acks
            .iter()
            .find(|(t, _)| *t == token)
            .map(|(_, a)| *a)
            .expect("every event is acked")
    }

    /// Answers the oldest outstanding request matching `pred`.
    pub fn reply_where(
        &mut self,
        pred: impl Fn(&ProviderOp) -> bool,
        reply: Result<OpOutcome, ProviderError>,
    ) -> ProviderOp {
        let pos = self
            .requests
            .iter()
            .position(|(_, op)| pred(op))
            .expect("a matching request is outstanding");
        let (id, op) = self.requests.remove(pos);
        self.mgr.handle(Input::Reply(id, reply), self.now);
        self.drain();
        op
    }

    /// Moves the clock to `to`, firing due timers in time order.
    pub fn advance_to(&mut self, to: Millis) {
        loop {
            let due = self
                .timers
                .iter()
                .filter(|(_, at)| **at <= to)
                .min_by_key(|(id, at)| (**at, (*id).clone()))
                .map(|(id, at)| (id.clone(), *at));
            let Some((id, at)) = due else { break };
            self.timers.remove(&id);
            self.now = self.now.max(at);
            self.mgr.handle(Input::Timer(id), self.now);
            self.drain();
        }
        self.now = to;
    }

    pub fn result_of(&self, cmd: CommandId) -> Option<&Result<CommandOk, CommandError>> {
        self.done.iter().find(|(id, _)| *id == cmd).map(|(_, r)| r)
    }

    pub fn outstanding(&self, kind: &str) -> usize {
        self.requests
            .iter()
            .filter(|(_, op)| op.kind() == kind)
            .count()
    }

    /// Places a call to `+15551234567` and returns its id.
    pub fn place(&mut self, mode: CallMode, message: Option<&str>) -> String {
        self.command(Command::Place {
            to: "+15551234567".into(),
            mode,
            message: message.map(Into::into),
            session_key: None,
        });
        self.mgr
            .live_records()
            .max_by_key(|r| r.seq)
            .expect("admitted")
            .call_id
            .clone()
    }

    /// Answers the outstanding create: the provider accepted it as `pid`.
    pub fn created(&mut self, pid: &str) {
        self.reply_where(
            is_kind("create"),
            Ok(OpOutcome::Created {
                provider_call_id: Some(pid.into()),
                request_id: None,
            }),
        );
    }

    /// What a fresh manager rebuilt from this journal would hold.
    pub fn replayed(&self) -> journal::Replay {
        journal::replay(&self.journal)
    }
}

pub fn is_kind(kind: &'static str) -> impl Fn(&ProviderOp) -> bool {
    move |op| op.kind() == kind
}

pub fn event(
    key: &str,
    call_id: Option<&str>,
    pid: Option<&str>,
    kind: callproof_core::provider::EventKind,
) -> ProviderEvent {
    ProviderEvent {
        dedupe_key: key.to_owned(),
        call_id: call_id.map(str::to_owned),
        provider_call_id: pid.map(str::to_owned),
        request_id: None,
        direction: None,
        from: None,
        to: None,
        occurred_at: None,
        kind,
    }
}
