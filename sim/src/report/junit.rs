//! [`Results`] as JUnit XML, through `quick-junit` (the serializer nextest
//! uses), so escaping and the element layout are the crate's, not ours.

use super::{Outcome, ReportError, Results};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The JUnit document of `results`. Skipped cases carry their reason as the
/// skip message; failed ones their kind as `type`, `kind: message` as
/// `message`, and the reproducer and the timeline as the element's text.
pub(super) fn render(results: &Results) -> Result<String, ReportError> {
    let mut report = Report::new(format!("callproof {}", results.command));
    for suite in &results.suites {
        let mut junit_suite = TestSuite::new(suite.name.as_str());
        for case in &suite.cases {
            let status = match &case.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Failed(failure) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status
                        .set_type(failure.kind.as_str())
                        .set_message(format!("{}: {}", failure.kind, failure.message))
                        .set_description(description(failure));
                    status
                }
                Outcome::Skipped { reason } => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(reason.as_str());
                    status
                }
            };
            let mut test_case = TestCase::new(case.name.as_str(), status);
            test_case.set_classname(format!("{}.{}", results.command, suite.name));
            if let Some(ms) = case.duration_ms {
                test_case.set_time(Duration::from_millis(ms));
            }
            test_case.add_properties(
                case.properties
                    .iter()
                    .map(|(k, v)| Property::new(k.as_str(), v.as_str())),
            );
            junit_suite.add_test_case(test_case);
        }
        report.add_test_suite(junit_suite);
    }
    report
        .to_string()
        .map_err(|e| ReportError::Junit(e.to_string()))
}

/// The text of a `<failure>`: what a reader copies to see it again, then
/// what happened.
fn description(failure: &super::Failure) -> String {
    let mut text = String::new();
    if let Some(command) = &failure.reproducer {
        text.push_str("reproduce: ");
        text.push_str(command);
        text.push('\n');
    }
    if !failure.timeline.is_empty() {
        text.push_str("timeline:\n");
        for line in &failure.timeline {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}
