//! The mutation run's only test: the simulator's default campaign, small.
//! `cargo mutants` (configured in `.cargo/mutants.toml`) mutates the
//! reference manager and runs this against each mutant, so a mutant counts
//! as caught only when the simulator itself sees it, never a unit test.
//! Ignored in the ordinary suite, where the campaign test covers the same.

use callproof_core::provider::ProviderName;
use callproof_sim::campaign::{run_campaign, Plan};
use callproof_sim::scenario::Profile;

/// Seeds per provider for each mutant (`CALLPROOF_MUTATION_SEEDS`).
fn seeds() -> u64 {
    std::env::var("CALLPROOF_MUTATION_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24)
}

#[test]
#[ignore = "the test command of the mutation run (cargo mutants); the campaign test covers it in the suite"]
fn the_default_campaign_alone_judges_a_mutant_of_the_reference_manager() {
    let plan = Plan {
        providers: vec![
            ProviderName::Twilio,
            ProviderName::Plivo,
            ProviderName::Telnyx,
        ],
        seeds: Plan::seeds(1, seeds(), (0, 1)),
        profile: Profile::standard(),
        threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        shrink: false,
    };
    let report = run_campaign(&plan, &|_, _, _| {});
    for f in &report.failures {
        eprintln!("{} seed {}: {}", f.provider, f.seed, f.violation);
    }
    assert!(
        report.failures.is_empty(),
        "{} failing seeds",
        report.failures.len()
    );
}
