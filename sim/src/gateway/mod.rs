//! The gateway host: the pure manager driven by a small tokio driver. A
//! webhook server, a provider client with a timeout on every request, timers
//! from the manager's deadlines and the journal on the simulated disk. A
//! restart rebuilds everything from the journal alone, and so does a failed
//! journal write (fail-stop: memory may be ahead of the disk).

pub mod core;
pub mod journal_file;

use crate::clock::now_ms;
use crate::emulator::dialect::for_provider;
use crate::emulator::host::{ANSWER_HEADER, HOST as PROVIDER_HOST, PORT as PROVIDER_PORT};
use crate::net;
use callproof_core::adapters::Adapter;
use callproof_core::journal;
use callproof_core::manager::{
    Ack, Command, CommandError, CommandId, CommandOk, Config, EventToken, Input, Output, RequestId,
    TimerId,
};
use callproof_core::provider::{ProviderError, ProviderName};
use callproof_core::webhook::RawWebhook;
use core::{AfterWriteFailure, CallCore, CoreFactory};
use journal_file::{Disk, JournalFile};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

/// The gateway's host name.
pub const HOST: &str = "gateway";
/// Its webhook port.
pub const PORT: u16 = 8080;
/// The public webhook URL the provider calls.
pub const WEBHOOK_URL: &str = "http://gateway:8080/webhook";
/// Every provider request gives up after this long (outcome unknown).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// What the operator asks for. Per-call jobs name "the n-th call that is up
/// then", since the operator picks from the calls the gateway lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Place a call.
    Place {
        /// Callee.
        to: String,
        /// Notify or conversation.
        mode: callproof_core::record::CallMode,
        /// Initial message.
        message: Option<String>,
    },
    /// Speak into the n-th live call.
    Speak(usize),
    /// Speak and listen on the n-th live call.
    Continue(usize),
    /// Hang up the n-th live call.
    End(usize),
}

/// One thing the operator asks, at a simulated time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    /// When, ms since the epoch.
    pub at: u64,
    /// What.
    pub job: Job,
}

/// What the gateway is built from (survives restarts: it is configuration).
#[derive(Debug, Clone)]
pub struct GatewaySpec {
    /// Which provider.
    pub provider: ProviderName,
    /// Manager settings.
    pub config: Config,
    /// The operator's commands over time.
    pub workload: Vec<Work>,
    /// What runs the calls: [`core::Reference`] unless this is a self-test.
    pub core: Rc<dyn CoreFactory>,
}

/// What the harness may observe: the journal's durable bytes (as read at boot
/// plus every synced append) and a timeline. Never used for decisions.
#[derive(Debug, Default)]
pub struct GatewayLog {
    /// The journal file's durable content.
    pub journal: Vec<u8>,
    /// Boots so far.
    pub boots: u32,
    /// Timeline lines.
    pub trace: Vec<String>,
    /// Results of commands: when, what, and how many journal bytes were
    /// durable then.
    pub results: Vec<(u64, Result<CommandOk, CommandError>, usize)>,
    /// Webhooks refused (bad signature, malformed).
    pub refused_webhooks: u64,
    /// Journal writes the disk refused.
    pub write_failures: u64,
}

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

struct Driver {
    log: Rc<RefCell<GatewayLog>>,
    mgr: Box<dyn CallCore>,
    adapter: Rc<dyn Adapter>,
    journal: JournalFile,
    disk: Rc<Disk>,
    /// The webhook server and provider requests of this boot.
    tasks: Vec<AbortHandle>,
    tx: mpsc::UnboundedSender<Msg>,
    timers: BTreeMap<TimerId, u64>,
    hooks: BTreeMap<u64, Hook>,
    token_hook: BTreeMap<EventToken, u64>,
    next_token: u64,
    next_cmd: u64,
    /// Place commands in flight, to retry those refused for capacity.
    places: BTreeMap<CommandId, (Job, u32)>,
    /// Refused places the operator tries again: (at, job, tries so far).
    retries: Vec<(u64, Job, u32)>,
}

/// The operator tries a call refused for capacity again this much later, up
/// to this many times.
const RETRY_AFTER_MS: u64 = 15_000;
const RETRIES: u32 = 6;

fn trace(log: &Rc<RefCell<GatewayLog>>, line: String) {
    let t = now_ms() - crate::clock::EPOCH_MS;
    log.borrow_mut()
        .trace
        .push(format!("{:>9.3}s gateway {line}", t as f64 / 1000.0));
}

/// The host's software: boots from the journal, and boots again (after a
/// pause) whenever a journal write fails.
pub async fn run(
    spec: Rc<GatewaySpec>,
    log: Rc<RefCell<GatewayLog>>,
    disk: Rc<Disk>,
) -> turmoil::Result {
    loop {
        match boot(&spec, &log, &disk).await {
            Ok(()) => return Ok(()),
            Err(Stop::Reboot(e)) => {
                trace(
                    &log,
                    format!("journal write failed ({e}): rebooting from the journal"),
                );
                tokio::time::sleep(REBOOT_AFTER).await;
            }
            Err(Stop::Fatal(e)) => return Err(e.into()),
        }
    }
}

async fn boot(
    spec: &Rc<GatewaySpec>,
    log: &Rc<RefCell<GatewayLog>>,
    disk: &Rc<Disk>,
) -> Result<(), Stop> {
    let (journal, bytes) = JournalFile::open()?;
    let replay = journal::replay(&bytes);
    {
        let mut l = log.borrow_mut();
        l.journal = bytes;
        l.boots += 1;
    }
    trace(
        log,
        format!(
            "boot: journal {} lines, {} calls, {} live, {} skipped",
            replay.lines,
            replay.records.len(),
            replay.live().count(),
            replay.skipped.len()
        ),
    );
    let dialect = for_provider(spec.provider)
        .ok_or_else(|| std::io::Error::other("no emulator dialect for this provider"))?;
    let adapter: Rc<dyn Adapter> = Rc::from(spec.core.adapter(dialect.adapter(
        &format!("http://{PROVIDER_HOST}:{PROVIDER_PORT}"),
        WEBHOOK_URL,
    )));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let now = now_ms();
    let mut driver = Driver {
        mgr: spec.core.boot(&spec.config, &replay, now),
        log: log.clone(),
        adapter,
        journal,
        disk: disk.clone(),
        tasks: Vec::new(),
        tx: tx.clone(),
        timers: BTreeMap::new(),
        hooks: BTreeMap::new(),
        token_hook: BTreeMap::new(),
        next_token: 0,
        next_cmd: 0,
        places: BTreeMap::new(),
        retries: Vec::new(),
    };
    if replay.torn_tail {
        driver.append(b"\n").await.map_err(Stop::Reboot)?;
    }
    let server_tx = tx.clone();
    let server = tokio::task::spawn_local(net::serve(PORT, move |request| {
        let tx = server_tx.clone();
        async move {
            let (respond, answer) = oneshot::channel();
            if tx.send(Msg::Webhook(request, respond)).is_err() {
                return net::status(503);
            }
            answer.await.unwrap_or_else(|_| net::status(503))
        }
    }));
    driver.tasks.push(server.abort_handle());
    let result = driver.serve(spec, &mut rx, now).await;
    for task in &driver.tasks {
        task.abort();
    }
    result
}

impl Driver {
    async fn serve(
        &mut self,
        spec: &GatewaySpec,
        rx: &mut mpsc::UnboundedReceiver<Msg>,
        now: u64,
    ) -> Result<(), Stop> {
        let log = self.log.clone();
        let driver = self;
        driver.drain().await?;
        let mut next_work = spec
            .workload
            .iter()
            .position(|w| w.at >= now)
            .unwrap_or(spec.workload.len());
        loop {
            let now = now_ms();
            let next_timer = driver.timers.values().copied().min();
            let next_job = spec.workload.get(next_work).map(|w| w.at);
            let wake = [next_timer, next_job]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now + 1_000)
                .max(now);
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(Msg::Webhook(request, respond)) => driver.webhook(request, respond).await?,
                    Some(Msg::Reply(id, reply)) => {
                        trace(&log, format!("reply {id}: {}", short(&reply)));
                        driver.mgr.handle(Input::Reply(id, reply), now_ms());
                        driver.drain().await?;
                    }
                    None => return Ok(()),
                },
                _ = tokio::time::sleep(Duration::from_millis(wake - now)) => {
                    let now = now_ms();
                    let due: Vec<TimerId> = driver.timers.iter().filter(|(_, at)| **at <= now).map(|(id, _)| id.clone()).collect();
                    for id in due {
                        driver.timers.remove(&id);
                        trace(&log, format!("timer {:?} {}", id.kind, id.call_id));
                        driver.mgr.handle(Input::Timer(id), now);
                        driver.drain().await?;
                    }
                    let mut due: Vec<(Job, u32)> = Vec::new();
                    while let Some(work) = spec.workload.get(next_work).filter(|w| w.at <= now) {
                        next_work += 1;
                        due.push((work.job.clone(), 0));
                    }
                    let (ready, later): (Vec<_>, Vec<_>) = std::mem::take(&mut driver.retries).into_iter().partition(|(at, _, _)| *at <= now);
                    driver.retries = later;
                    due.extend(ready.into_iter().map(|(_, job, tries)| (job, tries)));
                    for (job, tries) in due {
                        let Some(command) = driver.command(&job) else { continue };
                        driver.next_cmd += 1;
                        if matches!(job, Job::Place { .. }) {
                            driver.places.insert(CommandId(driver.next_cmd), (job.clone(), tries));
                        }
                        trace(&log, format!("command {command:?}"));
                        driver.mgr.handle(Input::Command(CommandId(driver.next_cmd), command), now);
                        driver.drain().await?;
                    }
                }
            }
        }
    }
}

fn short<T: std::fmt::Debug, E: std::fmt::Display>(r: &Result<T, E>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => format!("error: {e}"),
    }
}

impl Driver {
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
        })
    }

    /// Executes the manager's outputs in order; a journal write is durable
    /// before anything after it happens.
    async fn drain(&mut self) -> Result<(), Stop> {
        while let Some(output) = self.mgr.poll_output() {
            match output {
                Output::Persist(write) => {
                    if let Err(e) = self.append(write.line.as_bytes()).await {
                        self.log.borrow_mut().write_failures += 1;
                        match self.mgr.after_write_failure() {
                            AfterWriteFailure::Reboot => return Err(Stop::Reboot(e)),
                            AfterWriteFailure::Continue => {
                                trace(&self.log, format!("journal write failed ({e}): going on"));
                            }
                        }
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
                Output::Done(cmd, result) => {
                    if let Some((job, tries)) = self.places.remove(&cmd) {
                        if matches!(result, Err(CommandError::CapacityReached { .. }))
                            && tries < RETRIES
                        {
                            self.retries
                                .push((now_ms() + RETRY_AFTER_MS, job, tries + 1));
                        }
                    }
                    trace(
                        &self.log,
                        format!(
                            "result {}",
                            short(&result.clone().map_err(|e| format!("{e:?}")))
                        ),
                    );
                    let durable = self.log.borrow().journal.len();
                    self.log
                        .borrow_mut()
                        .results
                        .push((now_ms(), result, durable));
                }
            }
        }
        Ok(())
    }

    /// Appends to the journal; the harness's copy grows only once durable.
    async fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.journal.append(bytes, &self.disk).await?;
        self.log.borrow_mut().journal.extend_from_slice(bytes);
        Ok(())
    }

    fn request(&mut self, id: RequestId, op: callproof_core::provider::ProviderOp) {
        trace(
            &self.log,
            format!("request {id} {} {}", op.kind(), op.call_id()),
        );
        let tx = self.tx.clone();
        let request = match self.adapter.build_request(&op, &id.to_string()) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Msg::Reply(id, Err(e.into())));
                return;
            }
        };
        let adapter = self.adapter.clone();
        self.tasks.retain(|t| !t.is_finished());
        let task = tokio::task::spawn_local(async move {
            let reply =
                match net::send(PROVIDER_HOST, PROVIDER_PORT, request, REQUEST_TIMEOUT).await {
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
            "http://{HOST}:{PORT}{}",
            request.uri().path_and_query().map_or("/", |p| p.as_str())
        );
        let raw = RawWebhook {
            method: request.method(),
            url: &url,
            headers: request.headers(),
            body: request.body(),
        };
        let now = now_ms();
        let events = self
            .adapter
            .verify_webhook(&raw, (now / 1000) as i64)
            .and_then(|verified| self.adapter.parse_webhook(&verified));
        let events = match events {
            Ok(events) => events,
            Err(e) => {
                trace(&self.log, format!("webhook refused: {e}"));
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
            trace(
                &self.log,
                format!(
                    "webhook {:?} call {:?} pid {:?} key {}",
                    event.kind, event.call_id, event.provider_call_id, event.dedupe_key
                ),
            );
            self.mgr.handle(Input::Event(token, event), now);
            self.drain().await?;
        }
        Ok(())
    }

    fn ack(&mut self, token: EventToken, ack: Ack) {
        trace(&self.log, format!("ack {ack:?}"));
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
