//! Failures forced through each command's real pipeline come out of the
//! JUnit writer with their invariant and reproducer, as a JUnit reader sees
//! them.

use super::super::Verdict;
use super::{from_campaign, from_conformance, from_selftest};
use crate::campaign::{run_campaign_with, Plan};
use crate::scenario::Profile;
use crate::selftest::{run_canary_scenario, selftest, Plan as SelftestPlan};
use crate::Canary;
use callproof_conformance::checks::inbound_rule_cases;
use callproof_conformance::report::Report as ConformReport;
use callproof_core::manager::{ExactE164, InboundPolicy, InboundRule};
use callproof_core::provider::ProviderName;
use quick_junit::{Report, TestCase, TestCaseStatus};

/// The failing case of `report` named `name` (in any suite), with its type,
/// message and text.
fn failure<'a>(report: &'a Report, name: &str) -> (&'a TestCase, String, String, String) {
    let case = report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .find(|c| c.name.as_str() == name && matches!(c.status, TestCaseStatus::NonSuccess { .. }))
        .unwrap_or_else(|| panic!("no failing case {name}"));
    let TestCaseStatus::NonSuccess {
        message,
        ty,
        description,
        ..
    } = &case.status
    else {
        unreachable!("only failing cases are found");
    };
    let text = |s: &Option<quick_junit::XmlString>| {
        s.as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default()
    };
    (case, text(ty), text(message), text(description))
}

#[test]
fn a_canary_pushed_through_the_campaign_fails_its_seed_with_invariant_reproducer_and_timeline() {
    let plan = Plan {
        providers: vec![ProviderName::Twilio],
        seeds: vec![1],
        profile: Profile::standard(),
        threads: 1,
        shrink: false,
    };
    let report = run_campaign_with(
        &plan,
        &|s| run_canary_scenario(Canary::RejectedNotHungUp, s),
        &|_, _, _| {},
    );
    let results = from_campaign(&report);
    assert_eq!(results.verdict(), Verdict::Failed);
    let junit = Report::deserialize_from_str(&results.to_junit().unwrap()).unwrap();
    assert_eq!((junit.tests, junit.failures), (1, 1));
    let (case, ty, message, text) = failure(&junit, "seed 1");
    assert_eq!(ty, "inbound-policy");
    assert!(
        message.starts_with("inbound-policy: inbound-policy at "),
        "{message}"
    );
    assert!(
        text.contains("reproduce: cargo run --release -- sim --provider twilio --seed 1 --trace"),
        "{text}"
    );
    assert!(text.contains("timeline:\n  "), "{text}");
    assert!(case
        .properties
        .iter()
        .any(|p| p.name.as_str() == "trace_hash"));
}

#[test]
fn a_canary_that_survives_the_selftest_fails_as_survived_with_its_reproducer() {
    let plan = SelftestPlan {
        canaries: vec![Canary::NoTimersAfterRestore],
        budget: 1,
        threads: 1,
        shrink: false,
    };
    let report = selftest(&plan, &|_| {});
    let results = from_selftest(&report);
    let junit = Report::deserialize_from_str(&results.to_junit().unwrap()).unwrap();
    let (_, ty, message, text) = failure(&junit, "no-timers-after-restore");
    assert_eq!(ty, "survived");
    assert!(message.contains("survived 1 seed(s)"), "{message}");
    assert!(
        text.contains(
            "reproduce: cargo run --release -- selftest --canary no-timers-after-restore"
        ),
        "{text}"
    );
    let reference: Vec<&str> = junit.test_suites[1]
        .test_cases
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(reference, ["seed 1 (twilio)", "checks"]);
}

/// A rule that lets every caller in: what the inbound-rule check exists to refuse.
#[derive(Debug)]
struct EveryoneIn;

impl InboundRule for EveryoneIn {
    fn allows(&self, _policy: &InboundPolicy, _from: &str) -> bool {
        true
    }
}

#[test]
fn a_failing_check_family_fails_its_conform_case_and_lists_every_failing_case() {
    let report = ConformReport {
        results: vec![
            inbound_rule_cases("core", &ExactE164),
            inbound_rule_cases("everyone-in", &EveryoneIn),
        ],
    };
    let results = from_conformance(&report);
    assert_eq!(results.totals.passed, 1);
    let junit = Report::deserialize_from_str(&results.to_junit().unwrap()).unwrap();
    assert_eq!(junit.test_suites[1].name.as_str(), "everyone-in");
    let (_, ty, message, text) = failure(&junit, "inbound_rule_cases");
    assert_eq!(ty, "inbound_rule_cases");
    assert!(message.contains("case(s) failed; first ["), "{message}");
    assert!(
        text.contains("reproduce: cargo run --release -- conform"),
        "{text}"
    );
    assert!(
        text.lines().filter(|l| l.starts_with("  [")).count() >= 2,
        "{text}"
    );
}

#[test]
fn a_conform_run_whose_every_case_was_skipped_ran_nothing() {
    let mut skipped = inbound_rule_cases("core", &ExactE164);
    skipped.passed = 0;
    skipped.skipped = vec![callproof_conformance::checks::Skip {
        case: "all".to_owned(),
        reason: "not built".to_owned(),
    }];
    let results = from_conformance(&ConformReport {
        results: vec![skipped],
    });
    assert_eq!(results.verdict(), Verdict::NothingRan);
    assert_eq!(ConformReport::default().results.len(), 0);
    assert_eq!(
        from_conformance(&ConformReport::default()).verdict(),
        Verdict::NothingRan
    );
}
