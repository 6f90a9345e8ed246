//! The gate's verdict over every adapter and check family.

use crate::checks::{CheckResult, Failure};
use std::fmt::Write as _;

/// Every check family's result for every subject, in run order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// One entry per adapter × check family.
    pub results: Vec<CheckResult>,
}

impl Report {
    /// Whether every check of every adapter passed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(CheckResult::ok)
    }

    /// Whether any case ran at all (passed or failed): a gate whose every
    /// case was skipped, or that has no results, proved nothing and must
    /// not be read as a pass.
    pub fn ran_anything(&self) -> bool {
        self.results
            .iter()
            .any(|r| r.passed > 0 || !r.failures.is_empty())
    }

    /// Every failure, in run order.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        self.results.iter().flat_map(|r| &r.failures)
    }

    /// A plain-text table (one row per adapter × check family), then every
    /// failure and every skip with its reason, then the verdict.
    pub fn render_table(&self) -> String {
        let adapter_w = self
            .results
            .iter()
            .map(|r| r.adapter.len())
            .chain([7])
            .max()
            .unwrap_or(7);
        let check_w = self
            .results
            .iter()
            .map(|r| r.family.as_str().len())
            .chain([5])
            .max()
            .unwrap_or(5);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:adapter_w$}  {:check_w$}  {:>6}  {:>6}  {:>7}",
            "adapter", "check", "passed", "failed", "skipped"
        );
        let _ = writeln!(out, "{}", "-".repeat(adapter_w + check_w + 29));
        for r in &self.results {
            let mark = if r.ok() { "" } else { "  FAIL" };
            let _ = writeln!(
                out,
                "{:adapter_w$}  {:check_w$}  {:>6}  {:>6}  {:>7}{mark}",
                r.adapter,
                r.family.as_str(),
                r.passed,
                r.failures.len(),
                r.skipped.len()
            );
        }
        let failures: Vec<&Failure> = self.failures().collect();
        if !failures.is_empty() {
            let _ = writeln!(out, "\nFailures:");
            for f in &failures {
                let _ = writeln!(out, "  {f}");
            }
        }
        let skips: Vec<String> = self
            .results
            .iter()
            .flat_map(|r| {
                r.skipped.iter().map(move |s| {
                    format!("  {} {} [{}]: {}", r.adapter, r.family, s.case, s.reason)
                })
            })
            .collect();
        if !skips.is_empty() {
            let _ = writeln!(out, "\nSkipped (with reasons):");
            for s in &skips {
                let _ = writeln!(out, "{s}");
            }
        }
        let passed: usize = self.results.iter().map(|r| r.passed).sum();
        let verdict = if self.passed() { "PASS" } else { "FAIL" };
        let _ = writeln!(
            out,
            "\n{verdict}: {passed} cases passed, {} failed, {} skipped",
            failures.len(),
            skips.len()
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{CheckFamily, Skip};

    fn result(adapter: &'static str, family: CheckFamily, failed: bool) -> CheckResult {
        CheckResult {
            adapter,
            family,
            passed: 3,
            failures: if failed {
                vec![Failure {
                    adapter,
                    family,
                    case: "hangup/not-found".to_owned(),
                    message: "expected NotFound".to_owned(),
                }]
            } else {
                Vec::new()
            },
            skipped: vec![Skip {
                case: "openapi".to_owned(),
                reason: "none published".to_owned(),
            }],
        }
    }

    #[test]
    fn a_failing_row_is_marked_and_its_failure_names_adapter_check_and_case() {
        let report = Report {
            results: vec![
                result("mock", CheckFamily::RequestShapes, false),
                result("twilio", CheckFamily::ResponseClasses, true),
            ],
        };
        let table = report.render_table();
        assert!(!report.passed());
        assert!(
            table.contains("twilio   response_classes       3       1        1  FAIL"),
            "{table}"
        );
        assert!(
            table.contains(
                "twilio adapter failed response_classes [hangup/not-found]: expected NotFound"
            ),
            "{table}"
        );
        assert!(
            table.contains("mock request_shapes [openapi]: none published"),
            "{table}"
        );
        assert!(
            table.ends_with("FAIL: 6 cases passed, 1 failed, 2 skipped\n"),
            "{table}"
        );
    }

    #[test]
    fn a_report_that_ran_no_case_ran_nothing_even_though_nothing_failed() {
        assert!(!Report::default().ran_anything());
        let mut only_skips = result("mock", CheckFamily::StatusTable, false);
        only_skips.passed = 0;
        let report = Report {
            results: vec![only_skips],
        };
        assert!(report.passed() && !report.ran_anything());
        let ran = Report {
            results: vec![result("mock", CheckFamily::StatusTable, false)],
        };
        assert!(ran.ran_anything());
    }

    #[test]
    fn a_report_without_failures_passes() {
        let report = Report {
            results: vec![result("mock", CheckFamily::StatusTable, false)],
        };
        assert!(report.passed());
        assert!(report
            .render_table()
            .contains("PASS: 3 cases passed, 0 failed, 1 skipped"));
    }
}
