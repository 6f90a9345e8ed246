//! The campaign: seeds x providers on all cores, a summary per provider, and
//! for every failing seed the invariant, the timeline that led to it, the
//! command that replays it and the fewest faults that still fail.

use crate::oracle::{Invariant, Violation};
use crate::run::{run, Outcome};
use crate::scenario::{LostOp, Profile, Scenario};
use callproof_core::provider::ProviderName;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Providers, in table order.
    pub providers: Vec<ProviderName>,
    /// Seeds to run (after sharding).
    pub seeds: Vec<u64>,
    /// Fault profile.
    pub profile: Profile,
    /// Worker threads.
    pub threads: usize,
    /// Shrink failing seeds.
    pub shrink: bool,
}

impl Plan {
    /// Seeds `start..start+count`, keeping those of shard `index` of `of`.
    pub fn seeds(start: u64, count: u64, shard: (u64, u64)) -> Vec<u64> {
        (start..start + count)
            .filter(|s| shard.1 <= 1 || s % shard.1 == shard.0 % shard.1)
            .collect()
    }
}

/// A failing seed, explained.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Provider.
    pub provider: ProviderName,
    /// Seed.
    pub seed: u64,
    /// What broke first.
    pub violation: Violation,
    /// The timeline up to the violation (last lines).
    pub timeline: Vec<String>,
    /// Indices of the faults that still fail after shrinking.
    pub shrunk: Option<Vec<usize>>,
    /// The faults of the scenario (for printing the shrunk set).
    pub faults: Vec<crate::scenario::Fault>,
}

impl Failure {
    /// The one command that replays this failure.
    pub fn replay_command(&self) -> String {
        format!(
            "cargo run --release -- sim --provider {} --seed {} --trace",
            self.provider, self.seed
        )
    }

    /// The command that replays the shrunk fault schedule.
    pub fn shrunk_command(&self) -> Option<String> {
        let keep = self.shrunk.as_ref()?;
        let list: Vec<String> = keep.iter().map(usize::to_string).collect();
        Some(format!(
            "{} --faults {}",
            self.replay_command(),
            if list.is_empty() {
                "none".into()
            } else {
                list.join(",")
            }
        ))
    }
}

/// Totals for one provider.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Seeds run.
    pub seeds: u64,
    /// Simulated time, ms.
    pub sim_ms: u64,
    /// Calls the provider saw from the gateway.
    pub calls: u64,
    /// Gateway crashes.
    pub crashes: u64,
    /// Faults by kind.
    pub faults: BTreeMap<&'static str, u64>,
    /// Situation counters, by name.
    pub situations: BTreeMap<String, u64>,
    /// Violations by invariant.
    pub violations: BTreeMap<Invariant, u64>,
    /// Wall time spent in runs (summed over threads).
    pub wall: Duration,
    /// Trace hashes by seed.
    pub hashes: BTreeMap<u64, u64>,
    /// Fewest calls (placed or answered) in one seed.
    pub min_calls: Option<u64>,
    /// Inbound calls the gateway answered.
    pub answered: u64,
    /// Fewest gateway crashes in one seed.
    pub min_crashes: Option<u64>,
}

impl Summary {
    fn add(&mut self, o: &Outcome) {
        self.seeds += 1;
        self.sim_ms += o.sim_ms;
        self.calls += o.calls_placed;
        self.answered += o.calls_answered;
        let calls = o.calls_placed + o.calls_answered;
        self.crashes += o.crashes;
        for (k, v) in &o.faults {
            *self.faults.entry(k).or_default() += v;
        }
        let s = &o.situations;
        for (state, n) in &s.crash_with_state {
            *self
                .situations
                .entry(format!("crash with a call {state}"))
                .or_default() += n;
        }
        for (name, n) in [
            ("crash before id recorded", s.crash_before_id_recorded),
            (
                "restart, provider unreachable",
                s.restart_provider_unreachable,
            ),
            ("duplicate callbacks", s.duplicate_callbacks),
            ("late callbacks", s.late_callbacks),
            ("inbound rejected", s.inbound_rejected),
            ("inbound accepted", s.inbound_accepted),
            ("journal write refused", s.write_failures),
            (
                "gateway hangups judged",
                s.hangups_judged.values().sum::<u64>(),
            ),
            (
                "  by operator request",
                s.hangups_judged.get("operator").copied().unwrap_or(0),
            ),
            (
                "  at max duration",
                s.hangups_judged.get("max duration").copied().unwrap_or(0),
            ),
            (
                "  at notify hang-up",
                s.hangups_judged.get("notify hang-up").copied().unwrap_or(0),
            ),
            ("capacity refusals judged", s.refusals_judged),
            ("unknown status word sent", s.unrecognised_status),
            ("operation on an ended call", s.ops_on_ended),
            ("sha256-signed webhooks", s.sha256_signed),
            ("queued view asked", s.queued_view_asked),
            ("compactions", s.compactions),
            ("crashes during compaction", s.crashes_during_compaction),
            ("speech result delivered", s.speech_results),
            ("final transcript delivered twice", s.speech_twice),
            ("DTMF keyed", s.dtmf_turns),
            ("silence in a listening turn", s.silent_turns),
            ("continue timed out", s.transcript_timeouts),
            ("multi-turn continue", s.multi_turn_calls),
        ] {
            *self.situations.entry(name.to_owned()).or_default() += n;
        }
        for op in LostOp::ALL {
            let n = s.replies_lost.get(&op).copied().unwrap_or(0);
            *self
                .situations
                .entry(reply_lost_situation(op).to_owned())
                .or_default() += n;
        }
        for (word, n) in &s.end_words {
            *self.situations.entry(end_word_situation(word)).or_default() += n;
        }
        for v in &o.violations {
            *self.violations.entry(v.invariant).or_default() += 1;
        }
        self.wall += o.wall;
        self.hashes.insert(o.seed, o.trace_hash);
        self.min_calls = Some(self.min_calls.map_or(calls, |m| m.min(calls)));
        self.min_crashes = Some(self.min_crashes.map_or(o.crashes, |m| m.min(o.crashes)));
    }
}

/// The situation of a request of `op` the provider carried out while its
/// reply was lost.
fn reply_lost_situation(op: LostOp) -> &'static str {
    match op {
        LostOp::Create => "create applied, reply lost",
        LostOp::Hangup => "hangup applied, reply lost",
        LostOp::Status => "status answered, reply lost",
        LostOp::Speak => "speak applied, reply lost",
        LostOp::Listen => "listen applied, reply lost",
    }
}

/// The situations every campaign must have produced (a zero means the
/// campaign tested nothing there).
pub const REQUIRED_SITUATIONS: [&str; 29] = [
    "crash with a call queued",
    "crash with a call ringing",
    "crash with a call answered",
    "crash before id recorded",
    "restart, provider unreachable",
    "duplicate callbacks",
    "late callbacks",
    "inbound rejected",
    "inbound accepted",
    "journal write refused",
    "gateway hangups judged",
    "  by operator request",
    "  at max duration",
    "  at notify hang-up",
    "capacity refusals judged",
    "unknown status word sent",
    "compactions",
    "crashes during compaction",
    "create applied, reply lost",
    "hangup applied, reply lost",
    "status answered, reply lost",
    "speak applied, reply lost",
    "listen applied, reply lost",
    "speech result delivered",
    "final transcript delivered twice",
    "DTMF keyed",
    "silence in a listening turn",
    "continue timed out",
    "multi-turn continue",
];

/// The situations every campaign of `provider` must have produced: the
/// shared ones, "already ended" answers, every word the provider documents
/// for the end of a call, for Twilio the Webhook Rules' HMAC-SHA256
/// signatures, and for Plivo its queued view.
pub fn required_situations(provider: ProviderName) -> Vec<String> {
    let mut names: Vec<String> = REQUIRED_SITUATIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    names.push("operation on an ended call".to_owned());
    if provider == ProviderName::Twilio {
        names.push("sha256-signed webhooks".to_owned());
    }
    if provider == ProviderName::Plivo {
        // The only provider whose create answers before the call has an id.
        names.push("queued view asked".to_owned());
    }
    if let Some(dialect) = crate::emulator::dialect::for_provider(provider) {
        names.extend(
            dialect
                .end_vocabulary()
                .iter()
                .map(|w| end_word_situation(w)),
        );
    }
    names
}

/// The situation counting end callbacks that carried `word`.
pub fn end_word_situation(word: &str) -> String {
    format!("end word sent: {word}")
}

/// The campaign's results.
#[derive(Debug, Clone)]
pub struct Report {
    /// Per provider.
    pub summaries: Vec<(ProviderName, Summary)>,
    /// Every failing seed.
    pub failures: Vec<Failure>,
    /// Wall time of the whole campaign.
    pub wall: Duration,
}

/// Runs the plan; `progress(done, total, failures)` is called after each seed.
pub fn run_campaign(plan: &Plan, progress: &(dyn Fn(usize, usize, usize) + Sync)) -> Report {
    run_campaign_with(plan, &run, progress)
}

/// [`run_campaign`], running (and shrinking) each scenario with `runner`:
/// the seam through which tests push a known-bad gateway through the same
/// campaign and see its failure reported.
pub fn run_campaign_with(
    plan: &Plan,
    runner: &(dyn Fn(&Scenario) -> Outcome + Sync),
    progress: &(dyn Fn(usize, usize, usize) + Sync),
) -> Report {
    let started = Instant::now();
    let jobs: Vec<(ProviderName, u64)> = plan
        .providers
        .iter()
        .flat_map(|p| plan.seeds.iter().map(move |s| (*p, *s)))
        .collect();
    let failed = AtomicUsize::new(0);
    let results = par_map(
        &jobs,
        plan.threads,
        &|&(provider, seed)| {
            let scenario = Scenario::draw(seed, provider, &plan.profile);
            (runner(&scenario), scenario)
        },
        &|done, (outcome, _)| {
            if !outcome.violations.is_empty() {
                failed.fetch_add(1, Ordering::SeqCst);
            }
            progress(done, jobs.len(), failed.load(Ordering::SeqCst));
        },
    );
    let mut summaries: Vec<(ProviderName, Summary)> = plan
        .providers
        .iter()
        .map(|p| (*p, Summary::default()))
        .collect();
    let mut failures = Vec::new();
    for (outcome, scenario) in &results {
        if let Some((_, summary)) = summaries.iter_mut().find(|(p, _)| *p == scenario.provider) {
            summary.add(outcome);
        }
        if let Some(first) = outcome.violations.first() {
            let cut = first.at_ms as f64 / 1000.0;
            let timeline: Vec<String> = outcome
                .trace
                .iter()
                .filter(|l| {
                    l[..10]
                        .trim()
                        .trim_end_matches('s')
                        .parse::<f64>()
                        .is_ok_and(|t| t <= cut + 0.001)
                })
                .cloned()
                .collect();
            let tail = timeline[timeline.len().saturating_sub(40)..].to_vec();
            let shrunk = plan
                .shrink
                .then(|| shrink_with(scenario, first.invariant, runner));
            failures.push(Failure {
                provider: scenario.provider,
                seed: scenario.seed,
                violation: first.clone(),
                timeline: tail,
                shrunk,
                faults: scenario.faults.clone(),
            });
        }
    }
    Report {
        summaries,
        failures,
        wall: started.elapsed(),
    }
}

/// `f` applied to every item on `threads` worker threads, results in item
/// order; `finished(done so far, result)` is called as each one completes.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: &(dyn Fn(&T) -> R + Sync),
    finished: &(dyn Fn(usize, &R) + Sync),
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let completed = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                finished(completed.fetch_add(1, Ordering::SeqCst) + 1, &r);
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Removes faults one at a time while the same invariant still breaks.
pub fn shrink(scenario: &Scenario, invariant: Invariant) -> Vec<usize> {
    shrink_with(scenario, invariant, &run)
}

/// [`shrink`], running each candidate with `runner`.
pub fn shrink_with(
    scenario: &Scenario,
    invariant: Invariant,
    runner: &dyn Fn(&Scenario) -> Outcome,
) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..scenario.faults.len()).collect();
    let mut i = 0;
    while i < keep.len() {
        let mut candidate = keep.clone();
        candidate.remove(i);
        let outcome = runner(&scenario.with_faults(&candidate));
        if outcome.violations.iter().any(|v| v.invariant == invariant) {
            keep = candidate;
        } else {
            i += 1;
        }
    }
    keep
}
