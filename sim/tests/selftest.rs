//! The self-test as the test suite runs it: every canary must be caught, and
//! the reference gateway must stay clean on the same seeds.

use callproof_sim::selftest::{selftest, Plan};
use callproof_sim::Canary;

/// Seeds per canary in the test suite (the CLI default is 200).
fn budget() -> u64 {
    std::env::var("CALLPROOF_SELFTEST_BUDGET")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
}

#[test]
fn every_canary_is_caught_and_the_reference_gateway_stays_clean_on_the_same_seeds() {
    let plan = Plan {
        canaries: Canary::ALL.to_vec(),
        budget: budget(),
        threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        shrink: false,
    };
    let report = selftest(&plan, &|_| {});
    for c in &report.canaries {
        eprintln!(
            "{:<28} caught={} by={} seeds={}",
            c.canary.name(),
            c.caught(),
            c.caught_by(),
            c.seeds_run
        );
    }
    let survivors: Vec<&str> = report
        .canaries
        .iter()
        .filter(|c| !c.caught())
        .map(|c| c.canary.name())
        .collect();
    assert!(survivors.is_empty(), "canaries survived: {survivors:?}");
    assert!(
        report.reference_failures.is_empty(),
        "the reference gateway failed: {:?}",
        report.reference_failures
    );
    assert!(
        report.reference_checks.is_empty(),
        "the reference failed a check: {:?}",
        report.reference_checks
    );
    assert!(report.reference_seeds >= 1);
}

#[test]
fn a_canary_run_replays_exactly_from_its_seed() {
    let a = callproof_sim::selftest::run_canary(Canary::AckBeforeWrite, 5, None);
    let b = callproof_sim::selftest::run_canary(Canary::AckBeforeWrite, 5, None);
    assert_eq!(a.trace_hash, b.trace_hash);
}

#[test]
fn each_canary_has_a_unique_name_a_class_and_its_history() {
    let mut names: Vec<&str> = Canary::ALL.iter().map(|c| c.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Canary::ALL.len());
    for c in Canary::ALL {
        assert_eq!(Canary::parse(c.name()), Some(c));
        assert!(c.class().starts_with('B'));
        assert!(c.history().len() > 20);
    }
}
