//! One simulated run: build the world from a scenario, step it, inject the
//! faults, check safety as it goes and liveness at the end.

use crate::clock::EPOCH_MS;
use crate::emulator::dialect::for_seed;
use crate::emulator::faults::{FaultAction, Rule};
use crate::emulator::host::RestFaults;
use crate::emulator::truth::Phase;
use crate::emulator::{host, Emulator, EmulatorStats};
use crate::gateway::core::{CoreFactory, Reference};
use crate::gateway::journal_file::CompactionStep;
use crate::gateway::sim_io::{Disk, SimIo};
use crate::gateway::{self, GatewayLog, GatewaySpec};
use crate::oracle::{self, Violation};
use crate::scenario::{FaultKind, LostOp, LostReply, Scenario, LATE_REPLY_MS, PROBE_NUMBER};
use callproof_core::journal;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::{Duration, Instant, UNIX_EPOCH};

/// Simulated time per step.
pub const TICK: Duration = Duration::from_millis(10);

/// How often each interesting situation actually happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Situations {
    /// Gateway crashes, by the provider-side phase of the calls that were up.
    pub crash_with_state: BTreeMap<&'static str, u64>,
    /// Crashes after the provider accepted a create whose id was not yet journaled.
    pub crash_before_id_recorded: u64,
    /// Restarts while the provider was unreachable or failing.
    pub restart_provider_unreachable: u64,
    /// Duplicate callbacks sent.
    pub duplicate_callbacks: u64,
    /// Callbacks that arrived after a later one of the same call.
    pub late_callbacks: u64,
    /// Inbound calls the gateway refused.
    pub inbound_rejected: u64,
    /// Inbound calls the gateway answered.
    pub inbound_accepted: u64,
    /// Journal writes the disk refused.
    pub write_failures: u64,
    /// Gateway hangups of connected calls, judged from ground truth, by the
    /// reason that explains them ("unrequested" for none).
    pub hangups_judged: BTreeMap<&'static str, u64>,
    /// Capacity refusals judged against the provider's live calls.
    pub refusals_judged: u64,
    /// Callbacks sent in a status word no adapter knows.
    pub unrecognised_status: u64,
    /// Journal compactions the gateway finished.
    pub compactions: u64,
    /// Power losses in the middle of a compaction.
    pub crashes_during_compaction: u64,
    /// Requests the provider carried out whose reply the gateway never got
    /// (reset, or later than its timeout), by operation.
    pub replies_lost: BTreeMap<LostOp, u64>,
    /// Final speech results the gateway took delivery of.
    pub speech_results: u64,
    /// Final speech results delivered a second time (duplicate, retry or
    /// redelivery): only their dedupe key keeps them from applying twice.
    pub speech_twice: u64,
    /// Listening turns the callee answered with keys.
    pub dtmf_turns: u64,
    /// Listening turns the callee said nothing in.
    pub silent_turns: u64,
    /// `continue` commands that heard no final words in time.
    pub transcript_timeouts: u64,
    /// Calls whose journal transcript holds two answers or more: `continue`
    /// after `continue` on one call.
    pub multi_turn_calls: u64,
    /// End callbacks sent, by the provider's word for the end.
    pub end_words: BTreeMap<&'static str, u64>,
    /// Callbacks signed with a shared key under HMAC-SHA256.
    pub sha256_signed: u64,
    /// Operations on calls that had ended, answered "already ended".
    pub ops_on_ended: u64,
    /// Status asked through the queued view (by request id).
    pub queued_view_asked: u64,
}

// A late reply must come after the gateway has given up on it.
const _: () = assert!(LATE_REPLY_MS.0 > gateway::REQUEST_TIMEOUT.as_millis() as u64);

/// What one run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The scenario's seed.
    pub seed: u64,
    /// Safety and liveness violations, first first.
    pub violations: Vec<Violation>,
    /// The timeline.
    pub trace: Vec<String>,
    /// FNV-1a of the timeline: equal for equal runs.
    pub trace_hash: u64,
    /// Calls the provider saw from the gateway.
    pub calls_placed: u64,
    /// Inbound calls the gateway answered.
    pub calls_answered: u64,
    /// Gateway crashes.
    pub crashes: u64,
    /// Faults injected, by kind.
    pub faults: BTreeMap<&'static str, u64>,
    /// Situation counters.
    pub situations: Situations,
    /// Emulator counters.
    pub emulator: EmulatorStats,
    /// Simulated time, ms.
    pub sim_ms: u64,
    /// Wall time.
    pub wall: Duration,
}

enum Pending {
    Bounce,
    /// Power loss now (the disk stall ends in a watchdog reboot), back after `ms`.
    CrashFor(u64),
    /// Make the provider unreachable from now for `ms`, then restart the gateway.
    OutageThenBounce(u64),
    Repair,
    Release,
    /// The provider redelivers every callback of the last `ms`.
    Redeliver(u64),
}

/// Runs `scenario` to its end against the shipped gateway.
pub fn run(scenario: &Scenario) -> Outcome {
    run_with(scenario, Rc::new(Reference))
}

/// What the harness finds and counts over a run.
#[derive(Default)]
struct Findings {
    violations: Vec<Violation>,
    situations: Situations,
    crashes: u64,
    /// Spans in which the gateway was disrupted (ms since the epoch).
    disruptions: Vec<oracle::Disruption>,
}

impl Findings {
    /// Keeps the first violation of each invariant.
    fn add(&mut self, found: Vec<Violation>) {
        for v in found {
            if !self.violations.iter().any(|o| o.invariant == v.invariant) {
                self.violations.push(v);
            }
        }
    }

    /// Power loss of the gateway, if it is up, disrupting it until
    /// `disrupted_until`: first judge what was durable, then crash. True if
    /// it crashed.
    fn power_loss(
        &mut self,
        sim: &mut turmoil::Sim<'_>,
        emulator: &Rc<RefCell<Emulator>>,
        log: &Rc<RefCell<GatewayLog>>,
        t: u64,
        disrupted_until: u64,
    ) -> bool {
        if !sim.is_host_running(gateway::HOST) {
            return false;
        }
        self.crashes += 1;
        self.disruptions.push((EPOCH_MS + t, disrupted_until));
        let e = emulator.borrow();
        let journal = journal::replay(&log.borrow().journal);
        count_crash(&mut self.situations, &e.calls, &journal);
        self.add(oracle::check_crash(&e.calls, &journal, t));
        sim.crash(gateway::HOST);
        true
    }
}

/// Runs `scenario` with the gateway core `core` builds (the self-test's way
/// of running a canary; everything else runs [`run`]).
pub(crate) fn run_with(scenario: &Scenario, core: Rc<dyn CoreFactory>) -> Outcome {
    let started = Instant::now();
    let mut builder = turmoil::Builder::new();
    builder
        .rng_seed(scenario.seed)
        .epoch(UNIX_EPOCH + Duration::from_millis(EPOCH_MS))
        .tick_duration(TICK)
        .simulation_duration(Duration::from_millis(scenario.end_ms + 10_000))
        .min_message_latency(Duration::from_millis(1))
        .max_message_latency(Duration::from_millis(40));
    builder.fs().block_size(32);
    let mut sim = builder.build();
    let dialect = for_seed(scenario.provider, scenario.seed)
        .expect("the campaign only runs providers with a dialect");
    let emulator = Rc::new(RefCell::new(Emulator::new(
        dialect,
        scenario.seed,
        scenario.callbacks,
        gateway::WEBHOOK_URL.to_owned(),
    )));
    let log = Rc::new(RefCell::new(GatewayLog::observing()));
    let seen = Rc::new(RefCell::new(oracle::observe::Observations::default()));
    let spec = Rc::new(GatewaySpec::simulated(
        scenario.provider,
        scenario.config.clone(),
        scenario.workload.clone(),
        Rc::new(oracle::observe::Observed::new(core, seen.clone())),
    ));
    let disk = Rc::new(Disk::default());
    let rest_faults = Rc::new(RefCell::new(RestFaults::new(scenario.seed)));
    {
        let (emulator, rest_faults) = (emulator.clone(), rest_faults.clone());
        sim.host(host::HOST, move || {
            host::run(emulator.clone(), rest_faults.clone())
        });
    }
    {
        let (spec, log, disk) = (spec.clone(), log.clone(), disk.clone());
        sim.host(gateway::HOST, move || {
            let io = SimIo { disk: disk.clone() };
            let (spec, log) = (spec.clone(), log.clone());
            async move { Ok(gateway::run(io, spec, log, None).await?) }
        });
    }
    let mut harness = Vec::new();
    let mut found = Findings::default();
    let mut faults_seen: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut pending: Vec<(u64, Pending)> = Vec::new();
    let mut next_fault = 0;
    let mut next_inbound = 0;
    let mut outage_until = 0u64;
    let mut unreachable_until = 0u64;
    let mut step = 0u64;
    let mut armed_create_crash: Option<(u64, usize)> = None;
    let mut armed_compaction_crash: Option<(CompactionStep, u64)> = None;
    let mut orphans = oracle::OrphanWatch::default();
    loop {
        let t = step * TICK.as_millis() as u64;
        if t > scenario.end_ms {
            break;
        }
        let now = EPOCH_MS + t;
        while let Some(fault) = scenario.faults.get(next_fault).filter(|f| f.at_ms <= t) {
            next_fault += 1;
            *faults_seen.entry(fault.kind.name()).or_default() += 1;
            harness.push(format!(
                "{:>9.3}s harness fault {:?}",
                t as f64 / 1000.0,
                fault.kind
            ));
            match fault.kind {
                FaultKind::Crash { down_ms } => {
                    if found.power_loss(&mut sim, &emulator, &log, t, now + down_ms) {
                        pending.push((t + down_ms, Pending::Bounce));
                    }
                }
                FaultKind::CrashAfterCreate { down_ms } => {
                    armed_create_crash = Some((down_ms, outbound_creates(&emulator.borrow().calls)))
                }
                FaultKind::CrashIntoOutage { down_ms, outage_ms } => {
                    let until = now + down_ms + outage_ms;
                    if found.power_loss(&mut sim, &emulator, &log, t, until) {
                        pending.push((
                            t + down_ms.saturating_sub(1_000),
                            Pending::OutageThenBounce(outage_ms),
                        ));
                    }
                }
                FaultKind::Partition { ms } => {
                    found.disruptions.push((now, now + ms));
                    sim.partition(gateway::HOST, host::HOST);
                    unreachable_until = unreachable_until.max(t + ms);
                    pending.push((t + ms, Pending::Repair));
                }
                FaultKind::Blackhole { ms } => {
                    found.disruptions.push((now, now + ms));
                    sim.hold(gateway::HOST, host::HOST);
                    unreachable_until = unreachable_until.max(t + ms);
                    pending.push((t + ms, Pending::Release));
                }
                FaultKind::DiskFull { ms } => {
                    found.disruptions.push((now, now + ms + 1_000));
                    disk.full_until.set(now + ms);
                }
                FaultKind::DiskStallCrash { stall_ms, down_ms } => {
                    // The downtime that follows is recorded by the power loss.
                    found.disruptions.push((now, now + stall_ms));
                    disk.stalled_until.set(now + stall_ms);
                    pending.push((t + stall_ms, Pending::CrashFor(down_ms)));
                }
                FaultKind::CrashDuringCompaction {
                    after_rename,
                    down_ms,
                } => {
                    let step = if after_rename {
                        CompactionStep::SyncingDirectory
                    } else {
                        CompactionStep::SyncingCheckpoint
                    };
                    armed_compaction_crash = Some((step, down_ms));
                }
                FaultKind::CrashThenReplay { down_ms, window_ms } => {
                    if found.power_loss(&mut sim, &emulator, &log, t, now + down_ms) {
                        pending.push((t + down_ms, Pending::Bounce));
                        let back = down_ms + crate::scenario::REPLAY_AFTER_RESTART_MS;
                        pending.push((t + back, Pending::Redeliver(window_ms + back)));
                    }
                }
                FaultKind::CallbackReplay { window_ms } => {
                    emulator.borrow_mut().redeliver(now, window_ms);
                }
                FaultKind::ApiOutage { ms, rate_limited } => {
                    found.disruptions.push((now, now + ms));
                    emulator.borrow_mut().api_outage(now + ms, rate_limited);
                    outage_until = outage_until.max(t + ms);
                }
                FaultKind::ReplyLost { op, reply } => {
                    let action = match reply {
                        LostReply::Reset => FaultAction::ReplyLost,
                        LostReply::Late { ms } => FaultAction::Latency { ms },
                    };
                    let rule = Rule {
                        provider: None,
                        operation: op.operation(),
                        action,
                        probability: 1.0,
                        count: Some(1),
                        for_ms: None,
                    };
                    // A certain rule without a status code is always valid.
                    let _ = rest_faults.borrow_mut().rules.add(rule, now);
                }
            }
        }
        pending.sort_by_key(|(at, _)| *at);
        while pending.first().is_some_and(|(at, _)| *at <= t) {
            let (_, action) = pending.remove(0);
            match action {
                Pending::Bounce => {
                    if t < unreachable_until || t < outage_until {
                        found.situations.restart_provider_unreachable += 1;
                    }
                    harness.push(format!(
                        "{:>9.3}s harness restart gateway",
                        t as f64 / 1000.0
                    ));
                    sim.bounce(gateway::HOST);
                }
                Pending::OutageThenBounce(ms) => {
                    sim.partition(gateway::HOST, host::HOST);
                    unreachable_until = unreachable_until.max(t + ms);
                    pending.push((t + ms, Pending::Repair));
                    pending.push((t + 1_000, Pending::Bounce));
                }
                Pending::CrashFor(down_ms) => {
                    let until = EPOCH_MS + t + down_ms;
                    if found.power_loss(&mut sim, &emulator, &log, t, until) {
                        pending.push((t + down_ms, Pending::Bounce));
                    }
                }
                Pending::Repair => sim.repair(gateway::HOST, host::HOST),
                Pending::Redeliver(window_ms) => {
                    emulator.borrow_mut().redeliver(EPOCH_MS + t, window_ms);
                }
                Pending::Release => {
                    sim.release(gateway::HOST, host::HOST);
                }
            }
        }
        if t == scenario.faults_end_ms - scenario.faults_end_ms % TICK.as_millis() as u64 {
            emulator.borrow_mut().calm();
            rest_faults.borrow_mut().rules.clear_rest();
            // A crash still waiting for a create or a compaction does not
            // outlive the faults.
            armed_create_crash = None;
            armed_compaction_crash = None;
            harness.push(format!(
                "{:>9.3}s harness faults stop: liveness phase",
                t as f64 / 1000.0
            ));
        }
        while let Some(call) = scenario.inbound.get(next_inbound).filter(|c| c.at_ms <= t) {
            next_inbound += 1;
            let pid =
                emulator
                    .borrow_mut()
                    .start_inbound(&call.from, &scenario.config.from_number, now);
            harness.push(format!(
                "{:>9.3}s harness inbound call {pid} from {}",
                t as f64 / 1000.0,
                call.from
            ));
        }
        if let Err(e) = sim.step() {
            found.violations.push(Violation {
                invariant: oracle::Invariant::Liveness,
                at_ms: t,
                detail: format!("the simulation stopped: {e}"),
            });
            break;
        }
        if let Some((down_ms, creates_before)) = armed_create_crash {
            if outbound_creates(&emulator.borrow().calls) > creates_before
                && found.power_loss(&mut sim, &emulator, &log, t, now + down_ms)
            {
                armed_create_crash = None;
                harness.push(format!(
                    "{:>9.3}s harness crash right after the provider accepted a create",
                    t as f64 / 1000.0
                ));
                pending.push((t + down_ms, Pending::Bounce));
            }
        }
        if let Some((at, down_ms)) = armed_compaction_crash {
            let compacting = log.borrow().compacting == Some(at);
            if compacting && found.power_loss(&mut sim, &emulator, &log, t, now + down_ms) {
                armed_compaction_crash = None;
                found.situations.crashes_during_compaction += 1;
                harness.push(format!(
                    "{:>9.3}s harness crash during a journal compaction ({at:?})",
                    t as f64 / 1000.0
                ));
                pending.push((t + down_ms, Pending::Bounce));
            }
        }
        let recovered = log.borrow_mut().recovered.take();
        if let Some((file, history_len)) = recovered {
            let l = log.borrow();
            if l.compactions > 0 {
                let history = &l.journal[..history_len.min(l.journal.len())];
                found.add(oracle::check_recovered_journal(&file, history, t));
            }
        }
        if step.is_multiple_of(10) {
            let mut step_found = oracle::check_step(&emulator.borrow().calls, scenario, now, t);
            {
                let l = log.borrow();
                step_found.extend(orphans.check(
                    &emulator.borrow().calls,
                    &l.journal,
                    l.boots,
                    now,
                    t,
                ));
            }
            found.add(step_found);
        }
        step += 1;
    }
    let end_ms = scenario.end_ms;
    let journal_bytes = log.borrow().journal.clone();
    let replay = journal::replay(&journal_bytes);
    let results = log.borrow().results.clone();
    let evidence = oracle::Evidence {
        journal_bytes: &journal_bytes,
        journal: &replay,
        results: &results,
        disruptions: &found.disruptions,
    };
    let end_found = oracle::check_end(
        &emulator.borrow().calls,
        &evidence,
        scenario,
        PROBE_NUMBER,
        end_ms,
    );
    let ground = oracle::ground::judge(
        &emulator.borrow().calls,
        &seen.borrow(),
        &replay,
        &results,
        &found.disruptions,
        scenario,
    );
    let Findings {
        mut violations,
        mut situations,
        crashes,
        ..
    } = found;
    violations.extend(end_found);
    for v in ground.violations {
        if !violations.iter().any(|o| o.invariant == v.invariant) {
            violations.push(v);
        }
    }
    situations.hangups_judged = ground.hangups;
    situations.refusals_judged = ground.refusals_judged;
    let e = emulator.borrow();
    situations.duplicate_callbacks = e.stats.duplicates;
    situations.late_callbacks = e.stats.reordered;
    situations.inbound_rejected = e.stats.inbound_rejected;
    situations.inbound_accepted = e.stats.inbound_accepted;
    situations.unrecognised_status = e.stats.unrecognised_status;
    situations.end_words = e.end_words.clone();
    situations.sha256_signed = e.stats.sha256_signed;
    situations.ops_on_ended = e.stats.ops_on_ended;
    situations.queued_view_asked = e.stats.queued_view_asked;
    situations.write_failures = log.borrow().write_failures;
    situations.compactions = log.borrow().compactions;
    for hit in &rest_faults.borrow().hits {
        harness.push(format!(
            "{:>9.3}s harness provider {} {} {} ({})",
            hit.at_ms.saturating_sub(EPOCH_MS) as f64 / 1000.0,
            if hit.applied {
                "applied"
            } else {
                "did not apply"
            },
            hit.operation,
            hit.provider_call_id.as_deref().unwrap_or("-"),
            hit.fault
        ));
        if let Some(op) = LostOp::of_journal_name(hit.operation).filter(|_| hit.applied) {
            *situations.replies_lost.entry(op).or_default() += 1;
        }
    }
    situations.speech_results = e.stats.speech_results;
    situations.speech_twice = e.stats.speech_twice;
    situations.dtmf_turns = e.stats.dtmf_turns;
    situations.silent_turns = e.stats.silent_turns;
    situations.transcript_timeouts = results
        .iter()
        .filter(|(_, r, _)| {
            matches!(
                r,
                Err(callproof_core::manager::CommandError::TranscriptTimeout { .. })
            )
        })
        .count() as u64;
    situations.multi_turn_calls = replay
        .records
        .values()
        .filter(|r| r.transcript.iter().filter(|e| e.speaker == "user").count() >= 2)
        .count() as u64;
    let calls_placed = e.calls.values().filter(|c| c.call_id.is_some()).count() as u64;
    let calls_answered = e
        .calls
        .values()
        .filter(|c| c.direction == callproof_core::record::Direction::Inbound && c.owned)
        .count() as u64;
    let mut trace = log.borrow().trace.clone();
    trace.extend(harness);
    trace.sort_by(|a, b| a[..10].cmp(&b[..10]));
    let trace_hash = fnv1a(&trace);
    Outcome {
        seed: scenario.seed,
        violations,
        trace,
        trace_hash,
        calls_placed,
        calls_answered,
        crashes,
        faults: faults_seen,
        situations,
        emulator: e.stats,
        sim_ms: end_ms,
        wall: started.elapsed(),
    }
}

/// Outbound calls the provider has accepted so far.
fn outbound_creates(calls: &BTreeMap<String, crate::emulator::truth::TruthCall>) -> usize {
    calls.values().filter(|c| c.call_id.is_some()).count()
}

fn count_crash(
    s: &mut Situations,
    calls: &BTreeMap<String, crate::emulator::truth::TruthCall>,
    replay: &journal::Replay,
) {
    for c in calls.values().filter(|c| c.owned && c.is_live()) {
        let phase = match c.phase {
            Phase::Queued => "queued",
            Phase::Ringing => "ringing",
            Phase::Answered => "answered",
            Phase::Ended(_) => continue,
        };
        *s.crash_with_state.entry(phase).or_default() += 1;
    }
    let unrecorded = calls.values().any(|c| {
        c.call_id.as_ref().is_some_and(|id| {
            replay.records.get(id).is_some_and(|r| {
                !r.state.is_terminal()
                    && r.provider_call_id.is_none()
                    && r.callproof.request_id.is_none()
            })
        })
    });
    if unrecorded {
        s.crash_before_id_recorded += 1;
    }
}

/// FNV-1a over the lines: a stable hash that does not depend on std's
/// randomized hasher.
pub fn fnv1a(lines: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for line in lines {
        for b in line.bytes().chain(std::iter::once(b'\n')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}
