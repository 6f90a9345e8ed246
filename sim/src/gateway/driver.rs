//! The driver loop, written once against the [`Io`] seam: boot from the
//! journal, then execute the manager's outputs in order while webhooks,
//! provider replies, timers and operator commands come in.

use super::core::{AfterWriteFailure, CallCore};
use super::describe::{describe_command, describe_result};
use super::io::Io;
use super::journal_file::{CompactionError, JournalFile};
use super::pii::Pii;
use super::{
    AdapterSource, ControlAnswer, ControlMsg, ControlRequest, GatewayLog, GatewaySpec, Job,
    REQUEST_TIMEOUT,
};
use crate::emulator::dialect::for_provider;
use crate::emulator::host::ANSWER_HEADER;
use crate::net;
use callproof_core::adapters::Adapter;
use callproof_core::journal;
use callproof_core::manager::{
    Ack, Command, CommandError, CommandId, CommandOk, EventToken, Input, Output, RequestId, TimerId,
};
use callproof_core::provider::ProviderError;
use callproof_core::record::CallMode;
use callproof_core::webhook::RawWebhook;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

enum Msg {
    Webhook(
        http::Request<Vec<u8>>,
        oneshot::Sender<http::Response<Vec<u8>>>,
    ),
    Reply(
        RequestId,
        Result<callproof_core::provider::OpOutcome, ProviderError>,
    ),
}

struct Hook {
    respond: oneshot::Sender<http::Response<Vec<u8>>>,
    waiting: usize,
    acks: Vec<Ack>,
}

/// Why the driver stopped.
enum Stop {
    /// A journal write failed and the core asked to boot again from disk.
    Reboot(std::io::Error),
    /// Anything else: the host fails.
    Fatal(std::io::Error),
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Stop {
        Stop::Fatal(e)
    }
}

/// How long the gateway waits before booting again after a failed write.
const REBOOT_AFTER: Duration = Duration::from_secs(1);

/// The operator tries a call refused for capacity again this much later, up
/// to this many times (the simulator's scripted operator).
const RETRY_AFTER_MS: u64 = 15_000;
const RETRIES: u32 = 6;

/// The scripted operator's pause between one `continue` of a conversation
/// and the next.
const THINK_MS: u64 = 1_000;

struct Driver<I: Io> {
    io: I,
    log: Rc<RefCell<GatewayLog>>,
    mgr: Box<dyn CallCore>,
    adapter: Rc<dyn Adapter>,
    journal: JournalFile<I>,
    compact_after: u64,
    /// Where provider requests go.
    api: (String, u16),
    /// The public origin webhook signatures are computed over.
    public_origin: String,
    /// The webhook server and provider requests of this boot.
    tasks: Vec<AbortHandle>,
    tx: mpsc::UnboundedSender<Msg>,
    timers: BTreeMap<TimerId, u64>,
    hooks: BTreeMap<u64, Hook>,
    token_hook: BTreeMap<EventToken, u64>,
    next_token: u64,
    next_cmd: u64,
    /// Place commands of the scripted workload in flight, to retry those
    /// refused for capacity.
    places: BTreeMap<CommandId, (Job, u32)>,
    /// Refused places the operator tries again: (at, job, tries so far).
    retries: Vec<(u64, Job, u32)>,
    /// `continue` commands of a scripted conversation in flight: the call
    /// and how many turns follow.
    conversations: BTreeMap<CommandId, (String, u32)>,
    /// Control API commands waiting for their result.
    answers: BTreeMap<CommandId, oneshot::Sender<ControlAnswer>>,
    /// Provider requests in flight.
    in_flight: BTreeSet<RequestId>,
    /// Recovery's requests not yet answered; `None` once recovery is over.
    recovering: Option<BTreeSet<RequestId>>,
    /// Set by a shutdown request: no new commands, exit once requests and
    /// webhooks in flight are done (or at this time).
    draining_until: Option<u64>,
}

/// The gateway's software: boots from the journal, and boots again (after a
/// pause) whenever a journal write fails. Returns once a shutdown request
/// has drained (or the control channel's sender is gone after one).
pub async fn run<I: Io>(
    io: I,
    spec: Rc<GatewaySpec>,
    log: Rc<RefCell<GatewayLog>>,
    mut control: Option<mpsc::UnboundedReceiver<ControlMsg>>,
) -> std::io::Result<()> {
    loop {
        match boot(&io, &spec, &log, &mut control).await {
            Ok(()) => return Ok(()),
            Err(Stop::Reboot(e)) => {
                trace(
                    &io,
                    &log,
                    format!("journal write failed ({e}): rebooting from the journal"),
                );
                io.sleep(REBOOT_AFTER).await;
            }
            Err(Stop::Fatal(e)) => return Err(e),
        }
    }
}

fn trace<I: Io>(io: &I, log: &Rc<RefCell<GatewayLog>>, line: String) {
    let mut l = log.borrow_mut();
    if l.observe {
        let t = io.now_ms().saturating_sub(crate::clock::EPOCH_MS);
        l.trace
            .push(format!("{:>9.3}s gateway {line}", t as f64 / 1000.0));
    } else {
        tracing::debug!("{line}");
    }
}

/// `(host, port)` of an `http://` base URL.
fn host_port(base: &str) -> std::io::Result<(String, u16)> {
    let url = url::Url::parse(base)
        .map_err(|e| std::io::Error::other(format!("bad URL {base:?}: {e}")))?;
    if url.scheme() != "http" {
        return Err(std::io::Error::other(format!(
            "{base:?}: only http:// URLs are supported (point it at the emulator or a local proxy)"
        )));
    }
    let host = url
        .host_str()
        .ok_or_else(|| std::io::Error::other(format!("{base:?} has no host")))?;
    Ok((host.to_owned(), url.port_or_known_default().unwrap_or(80)))
}

/// `scheme://host[:port]` of a URL.
fn origin(public_url: &str) -> std::io::Result<String> {
    let url = url::Url::parse(public_url)
        .map_err(|e| std::io::Error::other(format!("bad URL {public_url:?}: {e}")))?;
    Ok(url.origin().ascii_serialization())
}

async fn pending_forever<T>() -> Option<T> {
    std::future::pending().await
}

async fn next_control(
    control: &mut Option<mpsc::UnboundedReceiver<ControlMsg>>,
) -> Option<ControlMsg> {
    match control {
        Some(rx) => rx.recv().await,
        None => pending_forever().await,
    }
}

async fn boot<I: Io>(
    io: &I,
    spec: &Rc<GatewaySpec>,
    log: &Rc<RefCell<GatewayLog>>,
    control: &mut Option<mpsc::UnboundedReceiver<ControlMsg>>,
) -> Result<(), Stop> {
    let (journal, bytes) = JournalFile::open(io.clone(), &spec.store).await?;
    let replay = journal::replay(&bytes);
    note_boot(log, bytes);
    trace(
        io,
        log,
        format!(
            "boot: journal {} lines, {} calls, {} live, {} skipped",
            replay.lines,
            replay.records.len(),
            replay.live().count(),
            replay.skipped.len()
        ),
    );
    let adapter = match &spec.adapter {
        AdapterSource::Emulator => for_provider(spec.provider)
            .ok_or_else(|| std::io::Error::other("no emulator dialect for this provider"))?
            .adapter(&spec.api_base, &spec.public_url),
        AdapterSource::Custom(build) => build(&spec.api_base, &spec.public_url),
    };
    let adapter: Rc<dyn Adapter> = Rc::from(spec.core.adapter(adapter));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let now = io.now_ms();
    let mut driver = Driver {
        io: io.clone(),
        mgr: spec.core.boot(&spec.config, &replay, now),
        log: log.clone(),
        adapter,
        journal,
        compact_after: spec.compact_after_bytes,
        api: host_port(&spec.api_base)?,
        public_origin: origin(&spec.public_url)?,
        tasks: Vec::new(),
        tx: tx.clone(),
        timers: BTreeMap::new(),
        hooks: BTreeMap::new(),
        token_hook: BTreeMap::new(),
        next_token: 0,
        next_cmd: 0,
        places: BTreeMap::new(),
        retries: Vec::new(),
        conversations: BTreeMap::new(),
        answers: BTreeMap::new(),
        in_flight: BTreeSet::new(),
        recovering: Some(BTreeSet::new()),
        draining_until: None,
    };
    let torn = replay.torn_tail;
    drop(replay);
    if torn {
        driver.append(b"\n").await.map_err(Stop::Reboot)?;
    }
    let listener = io.listen(spec.webhook_port).await?;
    let server = tokio::task::spawn_local(net::serve_on::<I, _, _>(listener, move |request| {
        let tx = tx.clone();
        async move {
            let (respond, answer) = oneshot::channel();
            if tx.send(Msg::Webhook(request, respond)).is_err() {
                return net::status(503);
            }
            answer.await.unwrap_or_else(|_| net::status(503))
        }
    }));
    driver.tasks.push(server.abort_handle());
    let result = driver.serve(spec, &mut rx, control, now).await;
    for task in &driver.tasks {
        task.abort();
    }
    result
}

/// Records what a boot read: the bytes beyond what the harness knew durable
/// (a write that landed without its fsync finishing) join the history.
fn note_boot(log: &Rc<RefCell<GatewayLog>>, bytes: Vec<u8>) {
    let mut guard = log.borrow_mut();
    let l = &mut *guard;
    l.boots += 1;
    l.ready = false;
    if !l.observe {
        return;
    }
    let known = if bytes.starts_with(&l.file) {
        l.file.len()
    } else {
        match l.checkpoint.as_ref().filter(|c| bytes.starts_with(c)) {
            Some(c) => c.len(),
            // Not explained by anything durable: the compaction check flags it.
            None => bytes.len(),
        }
    };
    l.journal.extend_from_slice(&bytes[known..]);
    l.checkpoint = None;
    l.file = bytes.clone();
    l.recovered = Some((bytes, l.journal.len()));
}

impl<I: Io> Driver<I> {
    fn trace(&self, line: String) {
        trace(&self.io, &self.log, line);
    }

    async fn serve(
        &mut self,
        spec: &GatewaySpec,
        rx: &mut mpsc::UnboundedReceiver<Msg>,
        control: &mut Option<mpsc::UnboundedReceiver<ControlMsg>>,
        now: u64,
    ) -> Result<(), Stop> {
        self.drain().await?;
        let recovery = self.recovering.as_ref().map_or(0, BTreeSet::len);
        self.trace(format!("recovery: {recovery} request(s) to the provider"));
        self.check_recovered();
        let mut next_work = spec
            .workload
            .iter()
            .position(|w| w.at >= now)
            .unwrap_or(spec.workload.len());
        loop {
            let now = self.io.now_ms();
            if let Some(until) = self.draining_until {
                if (self.in_flight.is_empty() && self.hooks.is_empty()) || now >= until {
                    self.trace("shut down: drained".to_owned());
                    return Ok(());
                }
            }
            let next_timer = self.timers.values().copied().min();
            let next_job = spec.workload.get(next_work).map(|w| w.at);
            let wake = [next_timer, next_job, self.draining_until]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now + 1_000)
                .max(now);
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(Msg::Webhook(request, respond)) => self.webhook(request, respond).await?,
                    Some(Msg::Reply(id, reply)) => {
                        self.trace(format!("reply {id}: {}", short(&reply)));
                        self.in_flight.remove(&id);
                        self.mgr.handle(Input::Reply(id, reply), self.io.now_ms());
                        self.drain().await?;
                        if let Some(waiting) = self.recovering.as_mut() {
                            waiting.remove(&id);
                        }
                        self.check_recovered();
                    }
                    None => return Ok(()),
                },
                msg = next_control(control) => match msg {
                    Some((request, answer)) => self.control(request, answer).await?,
                    None => *control = None,
                },
                _ = self.io.sleep(Duration::from_millis(wake - now)) => {
                    let now = self.io.now_ms();
                    let due: Vec<TimerId> = self.timers.iter().filter(|(_, at)| **at <= now).map(|(id, _)| id.clone()).collect();
                    for id in due {
                        self.timers.remove(&id);
                        self.trace(format!("timer {:?} {}", id.kind, id.call_id));
                        self.mgr.handle(Input::Timer(id), now);
                        self.drain().await?;
                    }
                    let mut due: Vec<(Job, u32)> = Vec::new();
                    while let Some(work) = spec.workload.get(next_work).filter(|w| w.at <= now) {
                        next_work += 1;
                        due.push((work.job.clone(), 0));
                    }
                    let (ready, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.retries).into_iter().partition(|(at, _, _)| *at <= now);
                    self.retries = later;
                    due.extend(ready.into_iter().map(|(_, job, tries)| (job, tries)));
                    for (job, tries) in due {
                        let Some(command) = self.command(&job) else { continue };
                        let id = self.next_command_id();
                        if matches!(job, Job::Place { .. }) {
                            self.places.insert(id, (job.clone(), tries));
                        }
                        if let (Command::Continue { call_id, .. }, Some(left)) = (&command, job.turns_after()) {
                            self.conversations.insert(id, (call_id.clone(), left));
                        }
                        self.issue(id, command, now).await?;
                    }
                }
            }
        }
    }

    fn next_command_id(&mut self) -> CommandId {
        self.next_cmd += 1;
        CommandId(self.next_cmd)
    }

    async fn issue(&mut self, id: CommandId, command: Command, now: u64) -> Result<(), Stop> {
        self.trace(format!("command {}", describe_command(&command)));
        self.mgr.handle(Input::Command(id, command), now);
        self.drain().await
    }

    /// Recovery is over once every request it made has been answered (a
    /// timeout or an error counts: the manager has then given up for now and
    /// re-checks on its own schedule).
    fn check_recovered(&mut self) {
        if self.recovering.as_ref().is_some_and(BTreeSet::is_empty) {
            self.recovering = None;
            self.log.borrow_mut().ready = true;
            let live = self.mgr.live_call_ids().len();
            tracing::info!(live, "recovery finished: ready");
            self.trace(format!("recovery finished: {live} live"));
        }
    }

    async fn control(
        &mut self,
        request: ControlRequest,
        answer: oneshot::Sender<ControlAnswer>,
    ) -> Result<(), Stop> {
        let command = match request {
            ControlRequest::List => {
                let _ = answer.send(ControlAnswer::Calls(self.mgr.live_records()));
                return Ok(());
            }
            ControlRequest::Shutdown => {
                let until = self.io.now_ms() + REQUEST_TIMEOUT.as_millis() as u64 + 1_000;
                self.draining_until = Some(until);
                tracing::info!("shutting down: draining requests in flight");
                let _ = answer.send(ControlAnswer::ShuttingDown);
                return Ok(());
            }
            _ if self.draining_until.is_some() => {
                let _ = answer.send(ControlAnswer::ShuttingDown);
                return Ok(());
            }
            ControlRequest::Place { to, mode, message } => Command::Place {
                to,
                mode,
                message,
                session_key: None,
            },
            ControlRequest::End { call_id } => Command::End { call_id },
        };
        let id = self.next_command_id();
        self.answers.insert(id, answer);
        let now = self.io.now_ms();
        self.issue(id, command, now).await
    }

    fn command(&self, job: &Job) -> Option<Command> {
        let nth = |n: usize| {
            let live = self.mgr.live_call_ids();
            (!live.is_empty()).then(|| live[n % live.len()].clone())
        };
        Some(match job {
            Job::Place { to, mode, message } => Command::Place {
                to: to.clone(),
                mode: *mode,
                message: message.clone(),
                session_key: None,
            },
            Job::Speak(n) => Command::Speak {
                call_id: nth(*n)?,
                text: "One moment, please.".into(),
            },
            Job::Continue(n) => Command::Continue {
                call_id: nth(*n)?,
                prompt: "Anything else?".into(),
            },
            Job::End(n) => Command::End { call_id: nth(*n)? },
            Job::Converse { nth, .. } => {
                let talking: Vec<String> = self
                    .mgr
                    .live_records()
                    .into_iter()
                    .filter(|r| r.mode() == CallMode::Conversation && r.state.is_connected())
                    .map(|r| r.call_id)
                    .collect();
                let call_id =
                    (!talking.is_empty()).then(|| talking[nth % talking.len()].clone())?;
                Command::Continue {
                    call_id,
                    prompt: "How can I help?".into(),
                }
            }
            Job::ContinueOn { call_id, .. } => Command::Continue {
                call_id: call_id.clone(),
                prompt: "Anything else?".into(),
            },
        })
    }

    /// Executes the manager's outputs in order; a journal write is durable
    /// before anything after it happens. Once drained (memory and disk
    /// agree), compacts the journal if it has grown past its bound.
    async fn drain(&mut self) -> Result<(), Stop> {
        while let Some(output) = self.mgr.poll_output() {
            match output {
                Output::Persist(write) => {
                    if let Err(e) = self.append(write.line.as_bytes()).await {
                        self.log.borrow_mut().write_failures += 1;
                        match self.mgr.after_write_failure() {
                            AfterWriteFailure::Reboot => return Err(Stop::Reboot(e)),
                            AfterWriteFailure::Continue => {
                                self.trace(format!("journal write failed ({e}): going on"));
                            }
                        }
                    } else {
                        self.log_call_event(&write.call_id);
                    }
                }
                Output::Request(id, op) => self.request(id, op),
                Output::SetTimer(id, at) => {
                    self.timers.insert(id, at);
                }
                Output::CancelTimer(id) => {
                    self.timers.remove(&id);
                }
                Output::Ack(token, ack) => self.ack(token, ack),
                Output::Done(cmd, result) => self.done(cmd, result),
            }
        }
        self.maybe_compact().await
    }

    fn done(&mut self, cmd: CommandId, result: Result<CommandOk, CommandError>) {
        if let Some((job, tries)) = self.places.remove(&cmd) {
            if matches!(result, Err(CommandError::CapacityReached { .. })) && tries < RETRIES {
                self.retries
                    .push((self.io.now_ms() + RETRY_AFTER_MS, job, tries + 1));
            }
        }
        if let Some((call_id, turns_left)) = self.conversations.remove(&cmd) {
            let turn_over = matches!(
                result,
                Ok(CommandOk::Transcript(_)) | Err(CommandError::TranscriptTimeout { .. })
            );
            if turn_over && turns_left > 0 {
                let job = Job::ContinueOn {
                    call_id,
                    turns_left: turns_left - 1,
                };
                self.retries.push((self.io.now_ms() + THINK_MS, job, 0));
            }
        }
        self.trace(format!("result {}", describe_result(&result)));
        if let Some(answer) = self.answers.remove(&cmd) {
            let _ = answer.send(ControlAnswer::Done(result.clone()));
        }
        let mut l = self.log.borrow_mut();
        if l.observe {
            let durable = l.journal.len();
            l.results.push((self.io.now_ms(), result, durable));
        }
    }

    /// One log line per call event, numbers masked.
    fn log_call_event(&self, call_id: &str) {
        match self.mgr.record(call_id) {
            Some(r) => tracing::info!(
                call_id = %r.call_id,
                state = %r.state,
                direction = ?r.direction,
                from = %Pii(&r.from),
                to = %Pii(&r.to),
                provider_call_id = r.provider_call_id.as_deref().unwrap_or("-"),
                "call event"
            ),
            None => tracing::info!(call_id, "call event"),
        }
    }

    async fn maybe_compact(&mut self) -> Result<(), Stop> {
        if !self.journal.wants_compaction(self.compact_after) {
            return Ok(());
        }
        let Some(checkpoint) = self.mgr.checkpoint() else {
            return Ok(());
        };
        let before = self.journal.len();
        {
            let mut l = self.log.borrow_mut();
            if l.observe {
                l.checkpoint = Some(checkpoint.as_bytes().to_vec());
            }
        }
        let log = self.log.clone();
        let result = self
            .journal
            .compact(checkpoint.as_bytes(), |step| {
                log.borrow_mut().compacting = Some(step)
            })
            .await;
        self.log.borrow_mut().compacting = None;
        match result {
            Ok(()) => {
                {
                    let mut l = self.log.borrow_mut();
                    l.compactions += 1;
                    if l.observe {
                        l.file = checkpoint.into_bytes();
                        l.checkpoint = None;
                    }
                }
                let after = self.journal.len();
                tracing::info!(before, after, "journal compacted");
                self.trace(format!("journal compacted: {before} -> {after} bytes"));
                Ok(())
            }
            Err(CompactionError::Before(e)) => {
                self.log.borrow_mut().checkpoint = None;
                self.trace(format!("journal compaction failed, old journal kept: {e}"));
                Ok(())
            }
            Err(CompactionError::After(e)) => Err(Stop::Reboot(e)),
        }
    }

    /// Appends to the journal; the harness's copies grow only once durable.
    async fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.journal.append(bytes).await?;
        let mut l = self.log.borrow_mut();
        if l.observe {
            l.journal.extend_from_slice(bytes);
            l.file.extend_from_slice(bytes);
        }
        Ok(())
    }

    fn request(&mut self, id: RequestId, op: callproof_core::provider::ProviderOp) {
        self.trace(format!("request {id} {} {}", op.kind(), op.call_id()));
        if let Some(waiting) = self.recovering.as_mut() {
            waiting.insert(id);
        }
        let tx = self.tx.clone();
        let request = match self.adapter.build_request(&op, &id.to_string()) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Msg::Reply(id, Err(e.into())));
                return;
            }
        };
        self.in_flight.insert(id);
        let adapter = self.adapter.clone();
        let io = self.io.clone();
        let (host, port) = self.api.clone();
        self.tasks.retain(|t| !t.is_finished());
        let task = tokio::task::spawn_local(async move {
            let reply = match net::send_via(&io, &host, port, request, REQUEST_TIMEOUT).await {
                Ok(response) => adapter.parse_response(&op, &response),
                Err(e) => Err(ProviderError::Transient {
                    detail: e.to_string(),
                }),
            };
            let _ = tx.send(Msg::Reply(id, reply));
        });
        self.tasks.push(task.abort_handle());
    }

    async fn webhook(
        &mut self,
        request: http::Request<Vec<u8>>,
        respond: oneshot::Sender<http::Response<Vec<u8>>>,
    ) -> Result<(), Stop> {
        let url = format!(
            "{}{}",
            self.public_origin,
            request.uri().path_and_query().map_or("/", |p| p.as_str())
        );
        let raw = RawWebhook {
            method: request.method(),
            url: &url,
            headers: request.headers(),
            body: request.body(),
        };
        let now = self.io.now_ms();
        let events = self
            .adapter
            .verify_webhook(&raw, (now / 1000) as i64)
            .and_then(|verified| self.adapter.parse_webhook(&verified));
        let events = match events {
            Ok(events) => events,
            Err(e) => {
                self.trace(format!("webhook refused: {e}"));
                self.log.borrow_mut().refused_webhooks += 1;
                let _ = respond.send(net::status(400));
                return Ok(());
            }
        };
        if events.is_empty() {
            let _ = respond.send(net::status(200));
            return Ok(());
        }
        self.next_token += 1;
        let hook_id = self.next_token;
        self.hooks.insert(
            hook_id,
            Hook {
                respond,
                waiting: events.len(),
                acks: Vec::new(),
            },
        );
        for event in events {
            self.next_token += 1;
            let token = EventToken(self.next_token);
            self.token_hook.insert(token, hook_id);
            self.trace(format!(
                "webhook {:?} call {:?} pid {:?} key {}",
                event.kind, event.call_id, event.provider_call_id, event.dedupe_key
            ));
            self.mgr.handle(Input::Event(token, event), now);
            self.drain().await?;
        }
        Ok(())
    }

    fn ack(&mut self, token: EventToken, ack: Ack) {
        self.trace(format!("ack {ack:?}"));
        let Some(hook_id) = self.token_hook.remove(&token) else {
            return;
        };
        let Some(hook) = self.hooks.get_mut(&hook_id) else {
            return;
        };
        hook.acks.push(ack);
        hook.waiting -= 1;
        if hook.waiting > 0 {
            return;
        }
        let Some(hook) = self.hooks.remove(&hook_id) else {
            return;
        };
        let answer = if hook.acks.contains(&Ack::Rejected) {
            "reject"
        } else if hook.acks.contains(&Ack::Accepted) {
            "accept"
        } else {
            "ok"
        };
        let mut response = net::status(200);
        response
            .headers_mut()
            .insert(ANSWER_HEADER, http::HeaderValue::from_static(answer));
        let _ = hook.respond.send(response);
    }
}

fn short<T: std::fmt::Debug, E: std::fmt::Display>(r: &Result<T, E>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => format!("error: {e}"),
    }
}
