//! The self-test: a simulator that never fails proves nothing until it is
//! seen failing for the right reasons. Every canary (one historical bug each)
//! runs through the simulator seed after seed until the oracle flags it, and
//! through the conformance checks where its bug is about parsing or policy;
//! the reference gateway runs the same seeds and must stay clean.

use crate::campaign::{par_map, shrink_with};
use crate::canary::{Canary, SuffixMatch};
use crate::oracle::Violation;
use crate::run::{run, run_with, Outcome};
use crate::scenario::{Profile, Scenario};
use callproof_conformance::checks::{
    inbound_rule_cases, recorded_webhooks_parse_with, CheckResult, Failure,
};
use callproof_conformance::subject::Subject;
use callproof_core::provider::ProviderName;
use std::time::{Duration, Instant};

/// Seed `n` runs on `PROVIDERS[(n - 1) % 4]`, so every provider's emulator
/// and adapter take part.
pub const PROVIDERS: [ProviderName; 4] = [
    ProviderName::Twilio,
    ProviderName::Plivo,
    ProviderName::Telnyx,
    ProviderName::Mock,
];

/// The provider seed `seed` runs on.
pub fn provider_of(seed: u64) -> ProviderName {
    PROVIDERS[(seed.saturating_sub(1) % PROVIDERS.len() as u64) as usize]
}

/// The scenario of `seed` in the self-test.
pub fn scenario_of(seed: u64) -> Scenario {
    Scenario::draw(seed, provider_of(seed), &Profile::standard())
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Canaries, in table order.
    pub canaries: Vec<Canary>,
    /// Most seeds tried per canary.
    pub budget: u64,
    /// Worker threads.
    pub threads: usize,
    /// Shrink each canary's first failing seed to the fewest faults.
    pub shrink: bool,
}

/// The first seed on which the simulator flagged a canary.
#[derive(Debug, Clone)]
pub struct SimCatch {
    /// The seed (also the number of seeds it took).
    pub seed: u64,
    /// Its provider.
    pub provider: ProviderName,
    /// The first violation.
    pub violation: Violation,
    /// Every invariant that seed broke, first first.
    pub invariants: Vec<&'static str>,
    /// Indices of the faults that still fail after shrinking.
    pub shrunk: Option<Vec<usize>>,
}

/// One canary's result.
#[derive(Debug, Clone)]
pub struct CanaryReport {
    /// Which.
    pub canary: Canary,
    /// The simulator's catch, if any.
    pub sim: Option<SimCatch>,
    /// Seeds the simulator ran.
    pub seeds_run: u64,
    /// Conformance findings against the canary.
    pub checks: Vec<Failure>,
    /// Wall time spent on this canary.
    pub wall: Duration,
}

impl CanaryReport {
    /// Whether anything flagged it.
    pub fn caught(&self) -> bool {
        self.sim.is_some() || !self.checks.is_empty()
    }

    /// What caught it, for the table.
    pub fn caught_by(&self) -> String {
        let mut by = Vec::new();
        if let Some(s) = &self.sim {
            by.push(format!("sim: {}", s.invariants.join("+")));
        }
        if let Some(first) = self.checks.first() {
            by.push(format!("check: {}", first.family));
        }
        if by.is_empty() {
            "nothing".to_owned()
        } else {
            by.join(", ")
        }
    }

    /// The one command that shows the catch again.
    pub fn reproducer(&self) -> String {
        let base = format!(
            "cargo run --release -- selftest --canary {}",
            self.canary.name()
        );
        match &self.sim {
            Some(s) => {
                let faults = s.shrunk.as_ref().map(|keep| {
                    let list: Vec<String> = keep.iter().map(usize::to_string).collect();
                    if list.is_empty() {
                        " --faults none".to_owned()
                    } else {
                        format!(" --faults {}", list.join(","))
                    }
                });
                format!(
                    "{base} --seed {} --trace{}",
                    s.seed,
                    faults.unwrap_or_default()
                )
            }
            None => base,
        }
    }
}

/// The whole self-test.
#[derive(Debug, Clone)]
pub struct Report {
    /// Per canary, in plan order.
    pub canaries: Vec<CanaryReport>,
    /// Seeds the reference gateway ran (the most any canary used).
    pub reference_seeds: u64,
    /// The reference gateway's failing seeds.
    pub reference_failures: Vec<(ProviderName, u64, Violation)>,
    /// Conformance findings against the reference (must be none).
    pub reference_checks: Vec<Failure>,
    /// Wall time.
    pub wall: Duration,
}

impl Report {
    /// Every canary caught and the reference clean.
    pub fn passed(&self) -> bool {
        self.canaries.iter().all(CanaryReport::caught)
            && self.reference_failures.is_empty()
            && self.reference_checks.is_empty()
    }

    /// Median seeds-to-catch over the canaries the simulator caught.
    pub fn median_seeds(&self) -> Option<u64> {
        let mut seeds: Vec<u64> = self
            .canaries
            .iter()
            .filter_map(|c| c.sim.as_ref().map(|s| s.seed))
            .collect();
        seeds.sort_unstable();
        seeds.get(seeds.len().checked_sub(1)? / 2).copied()
    }
}

/// Runs `seeds` on `threads` threads with `one`, in batches, stopping after
/// the first batch with a failure; returns the outcomes run, by seed.
fn search(
    seeds: &[u64],
    threads: usize,
    stop_at_failure: bool,
    one: &(dyn Fn(u64) -> Outcome + Sync),
) -> Vec<Outcome> {
    let mut all = Vec::new();
    for batch in seeds.chunks(threads.max(1)) {
        let done = par_map(batch, threads, &|&seed| one(seed), &|_, _| {});
        let failed = done.iter().any(|o| !o.violations.is_empty());
        all.extend(done);
        if failed && stop_at_failure {
            break;
        }
    }
    all
}

/// Runs `canary` on `seed` (with only the faults at `keep`, if given).
pub fn run_canary(canary: Canary, seed: u64, keep: Option<&[usize]>) -> Outcome {
    let scenario = scenario_of(seed);
    let scenario = match keep {
        Some(keep) => scenario.with_faults(keep),
        None => scenario,
    };
    run_with(&scenario, canary.factory())
}

/// Runs any scenario with `canary`'s gateway: the test-only hook through
/// which the campaign's own reporting is seen failing (the canary stays
/// crate-private and out of every shipped path).
#[cfg(test)]
pub(crate) fn run_canary_scenario(canary: Canary, scenario: &Scenario) -> Outcome {
    run_with(scenario, canary.factory())
}

/// The conformance checks that concern `canary`'s bug, run against it.
fn canary_checks(canary: Canary) -> Vec<CheckResult> {
    let mut results = Vec::new();
    match canary {
        Canary::RandomEventIds => {
            macro_rules! recorded {
                ($name:ident, $subject:ty) => {
                    let adapter = canary.wrap_adapter(Box::new(<$subject>::recorded_adapter()));
                    results.push(recorded_webhooks_parse_with::<$subject>(adapter.as_ref()));
                };
            }
            callproof_conformance::for_each_subject!(recorded);
        }
        Canary::SuffixAllowlist => results.push(inbound_rule_cases(canary.name(), &SuffixMatch)),
        _ => {}
    }
    results
}

/// The same checks against the shipped rule and adapters.
fn reference_checks() -> Vec<CheckResult> {
    let mut results = vec![inbound_rule_cases(
        "core",
        &callproof_core::manager::ExactE164,
    )];
    macro_rules! recorded {
        ($name:ident, $subject:ty) => {
            let adapter = <$subject>::recorded_adapter();
            results.push(recorded_webhooks_parse_with::<$subject>(&adapter));
        };
    }
    callproof_conformance::for_each_subject!(recorded);
    results
}

fn findings(results: &[CheckResult]) -> Vec<Failure> {
    results.iter().flat_map(|r| r.failures.clone()).collect()
}

/// One finding as the table prints it: `check [adapter] case: message`.
pub fn finding(f: &Failure) -> String {
    format!("{} [{}] {}: {}", f.family, f.adapter, f.case, f.message)
}

/// Runs the plan; `progress(line)` is told as each canary finishes.
pub fn selftest(plan: &Plan, progress: &dyn Fn(&CanaryReport)) -> Report {
    let started = Instant::now();
    let seeds: Vec<u64> = (1..=plan.budget).collect();
    let mut canaries = Vec::new();
    for &canary in &plan.canaries {
        let began = Instant::now();
        let checks = findings(&canary_checks(canary));
        let outcomes = search(&seeds, plan.threads, true, &|seed| {
            run_canary(canary, seed, None)
        });
        let seeds_run = outcomes.len() as u64;
        let sim = outcomes.iter().find(|o| !o.violations.is_empty()).map(|o| {
            let violation = o.violations[0].clone();
            let shrunk = plan.shrink.then(|| {
                shrink_with(
                    &scenario_of(o.seed),
                    violation.invariant,
                    &|s: &Scenario| run_with(s, canary.factory()),
                )
            });
            let mut invariants: Vec<&'static str> = Vec::new();
            for v in &o.violations {
                if !invariants.contains(&v.invariant.name()) {
                    invariants.push(v.invariant.name());
                }
            }
            SimCatch {
                seed: o.seed,
                provider: provider_of(o.seed),
                violation,
                invariants,
                shrunk,
            }
        });
        let report = CanaryReport {
            canary,
            sim,
            seeds_run,
            checks,
            wall: began.elapsed(),
        };
        progress(&report);
        canaries.push(report);
    }
    let reference_seeds = canaries.iter().map(|c| c.seeds_run).max().unwrap_or(0);
    let reference: Vec<u64> = (1..=reference_seeds).collect();
    let outcomes = search(&reference, plan.threads, false, &|seed| {
        run(&scenario_of(seed))
    });
    let reference_failures = outcomes
        .into_iter()
        .filter_map(|o| {
            let v = o.violations.first()?.clone();
            Some((provider_of(o.seed), o.seed, v))
        })
        .collect();
    Report {
        canaries,
        reference_seeds,
        reference_failures,
        reference_checks: findings(&reference_checks()),
        wall: started.elapsed(),
    }
}
