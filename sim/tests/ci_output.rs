//! What CI reads from the real `callproof` binary: `--junit` files that a
//! JUnit reader parses, `--json` files of the versioned schema, a failure
//! with its reproducer when one is forced, and exit 2 for a run that tests
//! nothing.

use callproof_sim::report::{Results, SCHEMA_VERSION};
use quick_junit::{Report, TestCaseStatus};
use std::path::PathBuf;
use std::process::{Command, Output};

fn callproof(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callproof"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the callproof binary runs")
}

/// A fresh file path in the temp directory, unique per test and process.
fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("callproof-ci-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn junit(path: &PathBuf) -> Report {
    let xml = std::fs::read_to_string(path).expect("the JUnit file was written");
    Report::deserialize_from_str(&xml).expect("the JUnit file parses")
}

#[test]
fn sim_with_no_seeds_exits_2_and_says_why() {
    let out = callproof(&["sim", "--seeds", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing to run"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing should be reported as run");
}

#[test]
fn selftest_with_no_budget_exits_2() {
    let out = callproof(&["selftest", "--canary", "stale-reload", "--budget", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sim_writes_one_junit_case_per_seed_and_provider_and_json_of_the_schema() {
    let (xml, json) = (temp_file("sim.xml"), temp_file("sim.json"));
    let out = callproof(&[
        "sim",
        "--provider",
        "twilio",
        "--provider",
        "telnyx",
        "--seeds",
        "2",
        "--junit",
        xml.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = junit(&xml);
    assert_eq!((report.tests, report.failures), (4, 0));
    let names: Vec<String> = report
        .test_suites
        .iter()
        .flat_map(|s| {
            s.test_cases
                .iter()
                .map(move |c| format!("{} {}", s.name.as_str(), c.name.as_str()))
        })
        .collect();
    assert_eq!(
        names,
        [
            "twilio seed 1",
            "twilio seed 2",
            "telnyx seed 1",
            "telnyx seed 2"
        ]
    );
    let results = Results::from_json(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(results.schema_version, SCHEMA_VERSION);
    assert_eq!(results.command, "sim");
    assert_eq!(results.totals.passed, 4);
    assert!(results.suites[0].cases[0]
        .properties
        .contains_key("trace_hash"));
}

#[test]
fn a_surviving_canary_fails_the_selftest_junit_with_its_reproducer() {
    let xml = temp_file("selftest.xml");
    let out = callproof(&[
        "selftest",
        "--canary",
        "no-timers-after-restore",
        "--budget",
        "1",
        "--no-shrink",
        "--junit",
        xml.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = junit(&xml);
    let canary = &report.test_suites[0].test_cases[0];
    assert_eq!(canary.name.as_str(), "no-timers-after-restore");
    let TestCaseStatus::NonSuccess {
        ty, description, ..
    } = &canary.status
    else {
        panic!("the canary survived one seed: {:?}", canary.status);
    };
    assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("survived"));
    let text = description.as_ref().map(|d| d.as_str()).unwrap_or("");
    assert!(
        text.contains(
            "reproduce: cargo run --release -- selftest --canary no-timers-after-restore"
        ),
        "{text}"
    );
}

#[test]
fn conform_writes_a_junit_case_per_adapter_and_check_family() {
    let (xml, json) = (temp_file("conform.xml"), temp_file("conform.json"));
    let out = callproof(&[
        "conform",
        "--junit",
        xml.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = junit(&xml);
    assert_eq!(report.failures, 0);
    let adapters: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    for adapter in ["twilio", "plivo", "telnyx"] {
        assert!(adapters.contains(&adapter), "{adapters:?}");
    }
    let twilio = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "twilio")
        .unwrap();
    assert!(twilio
        .test_cases
        .iter()
        .any(|c| c.name.as_str() == "signature_vectors"));
    let results = Results::from_json(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(results.command, "conform");
    assert_eq!(results.totals.cases as usize, report.tests);
}
