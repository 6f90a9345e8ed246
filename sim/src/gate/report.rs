//! The gate's results: one row per scenario with its verdict, the checks
//! behind it, the evidence of a failure and the one command that replays it;
//! as a table for people, JSON for tools and JUnit for CI.

use super::check::{Check, Outcome, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::time::Duration;

/// The JSON schema's name and version: readers check both.
pub const SCHEMA: &str = "callproof.gate";
/// Bumped on any incompatible change of the JSON.
pub const SCHEMA_VERSION: u32 = 1;

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// The scenario.
    pub name: String,
    /// What it shows.
    pub about: String,
    /// Its verdict: fail if any check failed; else unknown if the script
    /// stopped early or a check could not establish a fact; else pass.
    pub verdict: Verdict,
    /// Every check's answer.
    pub checks: Vec<Outcome>,
    /// The evidence of a failure or of an unknown.
    pub evidence: Vec<String>,
    /// Why the script stopped early, if it did.
    pub aborted: Option<String>,
    /// The command that runs this scenario again.
    pub replay: String,
    /// Wall time.
    pub wall_ms: u64,
    /// Where its logs, store and truth were kept, if they were.
    pub kept: Option<String>,
}

impl ScenarioResult {
    /// The verdict of a set of checks and an optional early stop.
    pub fn verdict_of(checks: &[Outcome], aborted: bool) -> Verdict {
        if checks.iter().any(|c| c.verdict == Verdict::Fail) {
            Verdict::Fail
        } else if aborted || checks.iter().any(|c| c.verdict == Verdict::Unknown) {
            Verdict::Unknown
        } else {
            Verdict::Pass
        }
    }
}

/// A whole gate run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateReport {
    /// [`SCHEMA`].
    pub schema: String,
    /// [`SCHEMA_VERSION`].
    pub version: u32,
    /// The subject, as given.
    pub subject: String,
    /// The provider it was run against.
    pub provider: String,
    /// The seed of the emulator's ids (and of a random schedule).
    pub seed: u64,
    /// One result per scenario, in run order.
    pub scenarios: Vec<ScenarioResult>,
    /// Wall time of preparing the subject (fetching OpenClaw, say).
    pub prepare_ms: u64,
    /// Wall time of the whole run.
    pub wall_ms: u64,
}

impl GateReport {
    /// Fail if any scenario failed, else unknown if any is unknown, else pass.
    pub fn verdict(&self) -> Verdict {
        self.scenarios
            .iter()
            .map(|s| s.verdict)
            .max()
            .unwrap_or(Verdict::Unknown)
    }

    /// The result of scenario `name`.
    pub fn scenario(&self, name: &str) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// The table, the evidence of every failure, and the replay commands.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let width = self
            .scenarios
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(8)
            .max(8);
        let _ = write!(out, "{:<width$}  {:<8}", "SCENARIO", "VERDICT");
        for c in Check::ALL {
            let _ = write!(out, " {:<11}", c.name());
        }
        let _ = writeln!(out, " {:>7}", "TIME");
        for s in &self.scenarios {
            let _ = write!(out, "{:<width$}  {:<8}", s.name, s.verdict.as_str());
            for c in Check::ALL {
                let v = s
                    .checks
                    .iter()
                    .find(|o| o.check == c)
                    .map_or("-", |o| o.verdict.as_str());
                let _ = write!(out, " {v:<11}");
            }
            let _ = writeln!(out, " {:>6.1}s", s.wall_ms as f64 / 1000.0);
        }
        for s in self.scenarios.iter().filter(|s| s.verdict != Verdict::Pass) {
            let _ = writeln!(out);
            let _ = writeln!(out, "{} {}: {}", s.verdict.as_str(), s.name, s.about);
            for line in &s.evidence {
                let _ = writeln!(out, "  {line}");
            }
            if let Some(k) = &s.kept {
                let _ = writeln!(out, "  kept: {k}");
            }
            let _ = writeln!(out, "  replay: {}", s.replay);
        }
        let count = |v: Verdict| self.scenarios.iter().filter(|s| s.verdict == v).count();
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} passed, {} failed, {} unknown: subject {} on {}, seed {} ({:.1} s)",
            count(Verdict::Pass),
            count(Verdict::Fail),
            count(Verdict::Unknown),
            self.subject,
            self.provider,
            self.seed,
            self.wall_ms as f64 / 1000.0
        );
        out
    }

    /// The JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The JUnit XML: one test case per scenario; a failure carries the
    /// failing checks, the evidence and the replay command; an unknown is
    /// an error (the gate could not establish a fact), not a pass.
    pub fn to_junit(&self) -> Result<String, String> {
        use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
        let mut report = Report::new("callproof gate");
        let mut suite = TestSuite::new(format!("gate {} ({})", self.subject, self.provider));
        for s in &self.scenarios {
            let status = match s.verdict {
                Verdict::Pass => TestCaseStatus::success(),
                v => {
                    let kind = if v == Verdict::Fail {
                        NonSuccessKind::Failure
                    } else {
                        NonSuccessKind::Error
                    };
                    let mut st = TestCaseStatus::non_success(kind);
                    let failed: Vec<&str> = s
                        .checks
                        .iter()
                        .filter(|c| c.verdict == v)
                        .map(|c| c.check.name())
                        .collect();
                    st.set_message(format!("{} ({})", v.as_str(), failed.join(", ")));
                    st.set_type(failed.first().copied().unwrap_or("gate"));
                    st.set_description(format!("{}\nreplay: {}", s.evidence.join("\n"), s.replay));
                    st
                }
            };
            let mut case = TestCase::new(s.name.clone(), status);
            case.set_classname(format!("gate.{}", self.subject));
            case.set_time(Duration::from_millis(s.wall_ms));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
        report.set_time(Duration::from_millis(self.wall_ms));
        report.to_string().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::check::Finding;

    fn report() -> GateReport {
        let pass = |check| Outcome {
            check,
            verdict: Verdict::Pass,
            findings: vec![],
        };
        let mut checks: Vec<Outcome> = Check::ALL.iter().map(|&c| pass(c)).collect();
        checks[0] = Outcome {
            check: Check::Phantom,
            verdict: Verdict::Fail,
            findings: vec![Finding {
                summary: "refused".into(),
                calls: vec!["CA1".into()],
                at_ms: 1,
            }],
        };
        GateReport {
            schema: SCHEMA.into(),
            version: SCHEMA_VERSION,
            subject: "openclaw@2026.1.24".into(),
            provider: "twilio".into(),
            seed: 1,
            scenarios: vec![
                ScenarioResult {
                    name: "restart-6721".into(),
                    about: "the #6721 restart".into(),
                    verdict: ScenarioResult::verdict_of(&checks, false),
                    checks,
                    evidence: vec!["[phantom] refused".into(), "no status lookup".into()],
                    aborted: None,
                    replay: "callproof gate --subject openclaw@2026.1.24 --scenario restart-6721"
                        .into(),
                    wall_ms: 4_200,
                    kept: None,
                },
                ScenarioResult {
                    name: "inbound-callers".into(),
                    about: String::new(),
                    verdict: Verdict::Pass,
                    checks: Check::ALL.iter().map(|&c| pass(c)).collect(),
                    evidence: vec![],
                    aborted: None,
                    replay: String::new(),
                    wall_ms: 1_000,
                    kept: None,
                },
            ],
            prepare_ms: 0,
            wall_ms: 6_000,
        }
    }

    #[test]
    fn one_failed_check_fails_the_scenario_and_an_early_stop_is_unknown() {
        let r = report();
        assert_eq!(r.scenarios[0].verdict, Verdict::Fail);
        assert_eq!(r.verdict(), Verdict::Fail);
        let passes: Vec<Outcome> = Check::ALL
            .iter()
            .map(|&c| Outcome {
                check: c,
                verdict: Verdict::Pass,
                findings: vec![],
            })
            .collect();
        assert_eq!(ScenarioResult::verdict_of(&passes, true), Verdict::Unknown);
        assert_eq!(ScenarioResult::verdict_of(&passes, false), Verdict::Pass);
    }

    #[test]
    fn the_table_shows_each_verdict_and_the_failures_evidence_and_replay() {
        let text = report().render();
        assert!(text.contains("restart-6721"), "{text}");
        assert!(text.contains("FAIL restart-6721"), "{text}");
        assert!(text.contains("  no status lookup"), "{text}");
        assert!(text.contains(
            "replay: callproof gate --subject openclaw@2026.1.24 --scenario restart-6721"
        ));
        assert!(text.contains("1 passed, 1 failed, 0 unknown"), "{text}");
    }

    #[test]
    fn the_json_round_trips_with_its_schema_and_version() {
        let r = report();
        let back: GateReport = serde_json::from_str(&r.to_json()).expect("parses");
        assert_eq!(back, r);
        assert!(r.to_json().contains("\"schema\": \"callproof.gate\""));
    }

    #[test]
    fn the_junit_file_has_one_case_per_scenario_and_the_failure_carries_its_replay() {
        let xml = report().to_junit().expect("serializes");
        assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
        assert!(xml.contains("<failure message=\"FAIL (phantom)\""), "{xml}");
        assert!(
            xml.contains("replay: callproof gate --subject openclaw@2026.1.24"),
            "{xml}"
        );
    }
}
