//! The result format round-trips and its JUnit form is what CI readers parse.

use super::*;
use quick_junit::{NonSuccessKind, TestCaseStatus};

fn sample() -> Results {
    let mut results = Results::new("sim");
    results.push(
        "twilio",
        Case::passed("seed 1").with_property("trace_hash", "00000000deadbeef"),
    );
    results.push(
        "twilio",
        Case::failed(
            "seed 2",
            Failure::new(
                "call_lost",
                "call c-1 ended at the provider but not here <&>",
            )
            .with_reproducer("callproof sim --provider twilio --seed 2 --trace")
            .with_timeline(vec!["  0.100s create c-1".into(), "  9.000s crash".into()]),
        )
        .with_duration(std::time::Duration::from_millis(1500)),
    );
    results.push("plivo", Case::skipped("seed 3", "no emulator"));
    results
}

#[test]
fn cases_are_counted_into_their_suites_in_run_order() {
    let results = sample();
    assert_eq!(
        results.totals,
        Totals {
            cases: 3,
            passed: 1,
            failed: 1,
            skipped: 1
        }
    );
    let names: Vec<&str> = results.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["twilio", "plivo"]);
    assert_eq!(results.verdict(), Verdict::Failed);
    assert_eq!(results.failures().count(), 1);
}

#[test]
fn a_run_that_executed_nothing_is_not_a_pass() {
    let mut results = Results::new("sim");
    assert_eq!(results.verdict(), Verdict::NothingRan);
    results.push("twilio", Case::skipped("seed 1", "filtered out"));
    assert_eq!(results.verdict(), Verdict::NothingRan);
    assert_eq!(results.verdict().exit_code(), 2);
    results.push("twilio", Case::passed("seed 2"));
    assert_eq!(results.verdict(), Verdict::Passed);
    assert_eq!(results.verdict().exit_code(), 0);
}

#[test]
fn json_results_carry_the_schema_version_and_read_back_equal() {
    let results = sample();
    let json = results.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema_version"], SCHEMA_VERSION);
    assert_eq!(
        value["suites"][0]["cases"][1]["outcome"]["status"],
        "failed"
    );
    assert_eq!(
        value["suites"][0]["cases"][1]["outcome"]["kind"],
        "call_lost"
    );
    assert_eq!(Results::from_json(&json).unwrap(), results);
}

#[test]
fn json_of_another_schema_version_is_refused_with_a_typed_error() {
    let mut value: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
    value["schema_version"] = 99.into();
    assert!(matches!(
        Results::from_json(&value.to_string()),
        Err(ReportError::Version(99))
    ));
    assert!(matches!(
        Results::from_json("{\"not\":1}"),
        Err(ReportError::Json(_))
    ));
}

#[test]
fn junit_output_parses_back_with_the_failure_its_reproducer_and_timeline() {
    let xml = sample().to_junit().unwrap();
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!(report.tests, 3);
    assert_eq!(report.failures, 1);
    let twilio = &report.test_suites[0];
    assert_eq!(twilio.name.as_str(), "twilio");
    let failed = &twilio.test_cases[1];
    assert_eq!(failed.name.as_str(), "seed 2");
    assert_eq!(
        failed.classname.as_ref().map(|c| c.as_str()),
        Some("sim.twilio")
    );
    let TestCaseStatus::NonSuccess {
        kind,
        message,
        ty,
        description,
        ..
    } = &failed.status
    else {
        panic!("seed 2 should fail: {:?}", failed.status);
    };
    assert_eq!(*kind, NonSuccessKind::Failure);
    assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("call_lost"));
    assert!(message
        .as_ref()
        .is_some_and(|m| m.as_str().ends_with("not here <&>")));
    let text = description.as_ref().map(|d| d.as_str()).unwrap_or("");
    assert!(
        text.contains("reproduce: callproof sim --provider twilio --seed 2 --trace"),
        "{text}"
    );
    assert!(text.contains("9.000s crash"), "{text}");
    assert!(matches!(
        report.test_suites[1].test_cases[0].status,
        TestCaseStatus::Skipped { .. }
    ));
}

#[test]
fn results_are_written_to_files_that_read_back() {
    let dir = std::env::temp_dir().join(format!("callproof-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let results = sample();
    results.write_json(&dir.join("r.json")).unwrap();
    results.write_junit(&dir.join("r.xml")).unwrap();
    let json = std::fs::read_to_string(dir.join("r.json")).unwrap();
    assert_eq!(Results::from_json(&json).unwrap(), results);
    let xml = std::fs::read_to_string(dir.join("r.xml")).unwrap();
    assert!(quick_junit::Report::deserialize_from_str(&xml).is_ok());
    let missing = dir.join("no-such-dir").join("r.json");
    assert!(matches!(
        results.write_json(&missing),
        Err(ReportError::Io(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
