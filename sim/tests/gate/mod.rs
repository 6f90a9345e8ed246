//! Shared by the gate's tests: run the built `callproof gate` as a process,
//! the way a user or CI does, and read its JSON report.

#![allow(dead_code)] // each test file uses a part of it

use callproof_sim::gate::check::{Check, Verdict};
use callproof_sim::gate::report::{GateReport, ScenarioResult};
use std::path::PathBuf;
use std::process::Command;

/// A scratch directory of this test's own.
pub fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("callproof-gate-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Runs `callproof gate --subject SUBJECT [--scenario S]… --json …` and
/// returns its exit code and report.
pub fn gate(name: &str, subject: &str, scenarios: &[&str]) -> (i32, GateReport) {
    let dir = scratch(name);
    let json = dir.join("report.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_callproof"));
    cmd.args(["gate", "--subject", subject, "--json"])
        .arg(&json);
    cmd.arg("--keep").arg(dir.join("kept"));
    for s in scenarios {
        cmd.args(["--scenario", s]);
    }
    let out = cmd.output().expect("callproof gate runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = std::fs::read_to_string(&json)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); stdout:\n{stdout}\nstderr:\n{stderr}"));
    let results = callproof_sim::report::Results::from_json(&text).expect("the results parse");
    assert_eq!(results.command, "gate");
    let report: GateReport = serde_json::from_value(results.details["runs"][0]["report"].clone())
        .expect("the results carry the gate's report");
    println!("{stdout}");
    (out.status.code().unwrap_or(-1), report)
}

/// The scenario's result, which must be there.
pub fn scenario<'a>(report: &'a GateReport, name: &str) -> &'a ScenarioResult {
    report
        .scenario(name)
        .unwrap_or_else(|| panic!("no result for {name}: {:#?}", report.scenarios))
}

/// The verdict of one check of a scenario.
pub fn check(result: &ScenarioResult, check: Check) -> Verdict {
    result
        .checks
        .iter()
        .find(|o| o.check == check)
        .map(|o| o.verdict)
        .unwrap_or_else(|| panic!("{} has no {} check: {result:#?}", result.name, check.name()))
}

/// The test-only gateway with `canary` inside, as a `command:` subject.
pub fn canary_subject(canary: &str) -> String {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_callproof"));
    let example = exe
        .parent()
        .expect("the binary's directory")
        .join("examples")
        .join("canary_gateway");
    assert!(
        example.is_file(),
        "{} is missing: `cargo test` builds the examples",
        example.display()
    );
    format!("command:{} {canary}", example.display())
}

/// The #6721 verdict: the scenario fails, its phantom check fails, and the
/// evidence says the restart sent no status lookup. Returns the evidence.
pub fn assert_phantom_without_status_lookup(result: &ScenarioResult) -> String {
    assert_eq!(result.verdict, Verdict::Fail, "{result:#?}");
    assert_eq!(check(result, Check::Phantom), Verdict::Fail, "{result:#?}");
    let evidence = result.evidence.join("\n");
    assert!(
        evidence.contains("no status lookup"),
        "the evidence shows no status lookup was sent at restart:\n{evidence}"
    );
    evidence
}
