//! Each command's own report as [`Results`]: which unit is one case, what a
//! failure says and how it is reproduced.

use super::{Case, Failure, Results};
use crate::campaign;
use crate::selftest;
use callproof_conformance::report::Report as ConformReport;
use std::collections::BTreeMap;

/// The reproducer of every conformance failure: the gate has no finer filter.
const CONFORM_COMMAND: &str = "cargo run --release -- conform";

/// `callproof sim`: one suite per provider, one case per seed. A failing
/// seed carries its first violation's invariant, the shrunk reproducer (or
/// the plain one without shrinking) and the timeline up to the violation.
/// Every case records its trace hash; `details.providers` keeps the
/// per-provider summary (simulated time, calls, crashes, faults, situations).
pub fn from_campaign(report: &campaign::Report) -> Results {
    let mut results = Results::new("sim");
    for (provider, summary) in &report.summaries {
        for (seed, hash) in &summary.hashes {
            let name = format!("seed {seed}");
            let failure = report
                .failures
                .iter()
                .find(|f| f.provider == *provider && f.seed == *seed);
            let case = match failure {
                Some(f) => Case::failed(
                    name,
                    Failure::new(f.violation.invariant.name(), f.violation.to_string())
                        .with_reproducer(f.shrunk_command().unwrap_or_else(|| f.replay_command()))
                        .with_timeline(f.timeline.clone()),
                ),
                None => Case::passed(name),
            };
            results.push(
                provider.as_str(),
                case.with_property("trace_hash", format!("{hash:016x}")),
            );
        }
    }
    let providers: Vec<serde_json::Value> = report
        .summaries
        .iter()
        .map(|(p, s)| {
            serde_json::json!({
                "provider": p.as_str(),
                "seeds": s.seeds,
                "sim_ms": s.sim_ms,
                "wall_ms": u64::try_from(s.wall.as_millis()).unwrap_or(u64::MAX),
                "calls": s.calls,
                "answered": s.answered,
                "min_calls_per_seed": s.min_calls,
                "crashes": s.crashes,
                "faults": s.faults,
                "situations": s.situations,
                "violations": s.violations.iter().map(|(k, v)| (k.name(), *v)).collect::<BTreeMap<_, _>>(),
            })
        })
        .collect();
    results.details = serde_json::json!({ "providers": providers });
    results
}

/// `callproof selftest`: suite `canaries` has one case per canary, which
/// passes when the suite caught it (its reproducer shows the catch) and
/// fails with kind `survived` when nothing did; suite `reference` has one
/// case per seed the reference gateway ran and one for its checks, which
/// must all pass.
pub fn from_selftest(report: &selftest::Report) -> Results {
    let mut results = Results::new("selftest");
    for c in &report.canaries {
        let name = c.canary.name();
        let case = if c.caught() {
            Case::passed(name)
                .with_property("caught_by", c.caught_by())
                .with_property("reproducer", c.reproducer())
        } else {
            Case::failed(
                name,
                Failure::new(
                    "survived",
                    format!(
                        "canary {name} ({}) survived {} seed(s) and its checks: the suite cannot see this bug yet",
                        c.canary.class(),
                        c.seeds_run
                    ),
                )
                .with_reproducer(c.reproducer())
                .with_timeline(vec![c.canary.history().to_owned()]),
            )
        };
        let case = case
            .with_property("class", c.canary.class())
            .with_property("seeds_run", c.seeds_run.to_string())
            .with_duration(c.wall);
        results.push("canaries", case);
    }
    for seed in 1..=report.reference_seeds {
        let provider = selftest::provider_of(seed);
        let name = format!("seed {seed} ({provider})");
        let case = match report
            .reference_failures
            .iter()
            .find(|(_, s, _)| *s == seed)
        {
            Some((provider, _, v)) => Case::failed(
                name,
                Failure::new(v.invariant.name(), v.to_string()).with_reproducer(format!(
                    "cargo run --release -- sim --provider {provider} --seed {seed} --trace"
                )),
            ),
            None => Case::passed(name),
        };
        results.push("reference", case);
    }
    let checks = if report.reference_checks.is_empty() {
        Case::passed("checks")
    } else {
        Case::failed(
            "checks",
            Failure::new(
                "reference_checks",
                format!(
                    "{} conformance finding(s) against the shipped rule and adapters",
                    report.reference_checks.len()
                ),
            )
            .with_reproducer("cargo run --release -- selftest")
            .with_timeline(
                report
                    .reference_checks
                    .iter()
                    .map(selftest::finding)
                    .collect(),
            ),
        )
    };
    results.push("reference", checks);
    results
}

/// `callproof conform`: one suite per adapter, one case per check family. A
/// family with failures fails with the family as its kind and every failing
/// case in the timeline; one that ran nothing (every case skipped) is
/// skipped with the reasons.
pub fn from_conformance(report: &ConformReport) -> Results {
    let mut results = Results::new("conform");
    for r in &report.results {
        let family = r.family.as_str();
        let case = if let Some(first) = r.failures.first() {
            Case::failed(
                family,
                Failure::new(
                    family,
                    format!(
                        "{} of {} case(s) failed; first [{}]: {}",
                        r.failures.len(),
                        r.failures.len() + r.passed,
                        first.case,
                        first.message
                    ),
                )
                .with_reproducer(CONFORM_COMMAND)
                .with_timeline(
                    r.failures
                        .iter()
                        .map(|f| format!("[{}] {}", f.case, f.message))
                        .collect(),
                ),
            )
        } else if r.passed == 0 {
            let reasons: Vec<String> = r
                .skipped
                .iter()
                .map(|s| format!("[{}] {}", s.case, s.reason))
                .collect();
            Case::skipped(family, format!("no case ran: {}", reasons.join("; ")))
        } else {
            Case::passed(family)
        };
        let case = case
            .with_property("cases_passed", r.passed.to_string())
            .with_property("cases_skipped", r.skipped.len().to_string());
        results.push(r.adapter, case);
    }
    results
}

#[cfg(test)]
mod tests;

/// `callproof gate`: one suite per subject and provider, one case per
/// scenario. A failure carries the failing checks, the evidence and the
/// command that replays the scenario; an unknown (the gate could not
/// establish a fact) is a failure of kind `unknown`, never a pass.
/// `details.runs` keeps each run's subject, seed, wall times and, under
/// `report`, the gate's whole report (every check's answer and its evidence).
pub fn from_gate(reports: &[crate::gate::report::GateReport]) -> Results {
    use crate::gate::check::Verdict;
    let mut results = Results::new("gate");
    for report in reports {
        let suite = format!("{} ({})", report.subject, report.provider);
        for s in &report.scenarios {
            let case = match s.verdict {
                Verdict::Pass => Case::passed(s.name.clone()),
                v => {
                    let failed: Vec<&str> = s
                        .checks
                        .iter()
                        .filter(|c| c.verdict == v)
                        .map(|c| c.check.name())
                        .collect();
                    let kind = if v == Verdict::Fail {
                        failed.first().copied().unwrap_or("gate")
                    } else {
                        "unknown"
                    };
                    let mut message = format!("{} ({})", v.as_str(), failed.join(", "));
                    if let Some(why) = &s.aborted {
                        message.push_str(&format!("; stopped early: {why}"));
                    }
                    Case::failed(
                        s.name.clone(),
                        Failure::new(kind, message)
                            .with_reproducer(s.replay.clone())
                            .with_timeline(s.evidence.clone()),
                    )
                }
            };
            results.push(
                &suite,
                case.with_duration(std::time::Duration::from_millis(s.wall_ms)),
            );
        }
    }
    results.details = serde_json::json!({
        "runs": reports
            .iter()
            .map(|r| serde_json::json!({
                "subject": r.subject,
                "provider": r.provider,
                "seed": r.seed,
                "prepare_ms": r.prepare_ms,
                "wall_ms": r.wall_ms,
                "verdict": r.verdict().as_str(),
                "report": r,
            }))
            .collect::<Vec<_>>(),
    });
    results
}
