//! OpenClaw's published voice-call extension as a subject (fetched from the
//! npm registry into the cache at test time, never committed): the version
//! of the seed issue fails the #6721 restart with a phantom whose evidence
//! shows no status lookup was sent at restart, and a version with the fix
//! passes it. The full version matrix is a separate command (README).

mod gate;

use callproof_sim::gate::check::Verdict;

#[test]
fn openclaw_2026_1_24_fails_the_6721_restart_with_a_phantom_and_no_status_lookup() {
    let (code, report) = gate::gate(
        "openclaw-2026.1.24",
        "openclaw@2026.1.24",
        &["restart-6721"],
    );
    let result = gate::scenario(&report, "restart-6721");
    let evidence = gate::assert_phantom_without_status_lookup(result);
    assert!(
        evidence.contains("would count after a restart"),
        "its calls.jsonl, read by journal check, still counts the call:\n{evidence}"
    );
    assert_eq!(code, 1);
}

#[test]
fn openclaw_2026_3_2_passes_the_6721_restart() {
    let (code, report) = gate::gate("openclaw-2026.3.2", "openclaw@2026.3.2", &["restart-6721"]);
    let result = gate::scenario(&report, "restart-6721");
    assert_eq!(
        result.verdict,
        Verdict::Pass,
        "{result:#?}\n{}",
        result.evidence.join("\n")
    );
    assert_eq!(code, 0);
}
