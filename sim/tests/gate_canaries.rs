//! The gate fails a gateway for the right reason: the reference gateway with
//! one of the self-test's canaries inside, as a real process built for the
//! tests only (`examples/canary_gateway.rs`), is failed on the scenario that
//! matches its bug, by the check that names it, with the evidence.

mod gate;

use callproof_sim::gate::check::{Check, Verdict};

#[test]
fn a_gateway_that_reloads_stale_calls_fails_the_6721_restart_as_a_phantom() {
    let subject = gate::canary_subject("stale-reload");
    let (code, report) = gate::gate("canary-b1", &subject, &["restart-6721"]);
    let result = gate::scenario(&report, "restart-6721");
    let evidence = gate::assert_phantom_without_status_lookup(result);
    assert!(evidence.contains("refused for capacity"), "{evidence}");
    assert!(
        result.replay.contains("--scenario restart-6721"),
        "{}",
        result.replay
    );
    assert_eq!(code, 1, "a failure exits 1");
}

#[test]
fn a_gateway_that_skips_a_record_without_provider_id_fails_the_crash_during_create() {
    let subject = gate::canary_subject("no-id-skipped");
    let (code, report) = gate::gate("canary-b5w2", &subject, &["crash-during-create"]);
    let result = gate::scenario(&report, "crash-during-create");
    assert_eq!(result.verdict, Verdict::Fail, "{result:#?}");
    // Skipping the record frees its slot while the call is live at the
    // provider: the next call is admitted beside it, or the live call is
    // never hung up.
    let capacity = gate::check(result, Check::Capacity);
    let orphan = gate::check(result, Check::Orphan);
    assert!(
        capacity == Verdict::Fail || orphan == Verdict::Fail,
        "capacity {capacity:?}, orphan {orphan:?}: {result:#?}"
    );
    assert_eq!(
        gate::check(result, Check::Phantom),
        Verdict::Pass,
        "{result:#?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn the_reference_gateway_built_the_same_way_passes_those_scenarios() {
    // The example binary without a working canary would be the reference:
    // the shipped `callproof gateway` on the same two scenarios passes, so
    // the failures above are the canaries', not the harness's.
    let (code, report) = gate::gate(
        "canary-control",
        "reference",
        &["restart-6721", "crash-during-create"],
    );
    for name in ["restart-6721", "crash-during-create"] {
        let result = gate::scenario(&report, name);
        assert_eq!(result.verdict, Verdict::Pass, "{result:#?}");
    }
    assert_eq!(code, 0);
}
