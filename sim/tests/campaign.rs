//! The simulator as the test suite runs it: a small campaign over every
//! provider, determinism of one seed, and every regression file.

use callproof_core::provider::ProviderName;
use callproof_sim::campaign::{required_situations, run_campaign, Plan};
use callproof_sim::run::run;
use callproof_sim::scenario::{Profile, Scenario};

const PROVIDERS: [ProviderName; 4] = [
    ProviderName::Twilio,
    ProviderName::Plivo,
    ProviderName::Telnyx,
    ProviderName::Mock,
];

/// Seeds per provider in the test suite (the CLI default is 100).
fn seeds() -> u64 {
    std::env::var("CALLPROOF_TEST_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32)
}

#[test]
fn a_small_campaign_over_every_provider_finds_no_violation_and_tests_every_situation() {
    let plan = Plan {
        providers: PROVIDERS.to_vec(),
        seeds: Plan::seeds(1, seeds(), (0, 1)),
        profile: Profile::standard(),
        threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        shrink: false,
    };
    let report = run_campaign(&plan, &|_, _, _| {});
    for f in &report.failures {
        eprintln!(
            "{} seed {}: {}\n  {}",
            f.provider,
            f.seed,
            f.violation,
            f.replay_command()
        );
    }
    assert!(
        report.failures.is_empty(),
        "{} failing seeds",
        report.failures.len()
    );
    for (provider, summary) in &report.summaries {
        assert_eq!(summary.seeds, seeds());
        assert!(
            summary.min_crashes.unwrap_or(0) >= 1,
            "{provider}: every seed crashes the gateway at least once"
        );
        assert!(
            summary.min_calls.unwrap_or(0) >= 10,
            "{provider}: every seed has at least 10 calls (placed or answered)"
        );
        for name in required_situations(*provider) {
            let n = summary.situations.get(&name).copied().unwrap_or(0);
            assert!(
                n > 0,
                "{provider}: situation {name:?} never happened in {} seeds",
                summary.seeds
            );
        }
    }
}

#[test]
fn one_seed_run_twice_gives_the_same_trace_hash() {
    for provider in PROVIDERS {
        let scenario = Scenario::draw(7, provider, &Profile::standard());
        let (a, b) = (run(&scenario), run(&scenario));
        assert_eq!(a.trace_hash, b.trace_hash, "{provider}: seed 7 diverged");
        assert_eq!(a.trace, b.trace);
        assert!(a.trace.len() > 100, "{provider}: the run did something");
    }
}

#[test]
fn different_seeds_give_different_runs() {
    let a = run(&Scenario::draw(1, ProviderName::Mock, &Profile::standard()));
    let b = run(&Scenario::draw(2, ProviderName::Mock, &Profile::standard()));
    assert_ne!(a.trace_hash, b.trace_hash);
}

#[test]
fn every_regression_file_replays_clean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/regressions");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures/regressions exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let v: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let provider = ProviderName::parse(v["provider"].as_str().unwrap_or(""))
            .unwrap_or_else(|| panic!("{}: provider", path.display()));
        let seed = v["seed"]
            .as_u64()
            .unwrap_or_else(|| panic!("{}: seed", path.display()));
        assert_eq!(
            v["profile"],
            "standard",
            "{}: only the standard profile exists",
            path.display()
        );
        let outcome = run(&Scenario::draw(seed, provider, &Profile::standard()));
        let expect_clean = v["expect"] == "clean";
        assert_eq!(
            outcome.violations.is_empty(),
            expect_clean,
            "{}: {:?}",
            path.display(),
            outcome.violations.first().map(|v| v.to_string())
        );
    }
}
