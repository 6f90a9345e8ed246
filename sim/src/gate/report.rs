//! The gate's results: one row per scenario with its verdict, the checks
//! behind it, the evidence of a failure and the one command that replays it;
//! as a table for people; JSON and JUnit come from the one result format of
//! every command (`crate::report::from_gate`).

use super::check::{Check, Outcome, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

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
    fn the_shared_results_keep_one_case_per_scenario_and_the_failure_its_replay() {
        let results = crate::report::from_gate(&[report()]);
        let back = crate::report::Results::from_json(&results.to_json()).expect("parses");
        assert_eq!(back, results);
        let xml = results.to_junit().expect("serializes");
        let junit =
            quick_junit::Report::deserialize_from_str(&xml).expect("a JUnit reader parses it");
        assert_eq!((junit.tests, junit.failures), (2, 1));
        let failed = junit.test_suites[0]
            .test_cases
            .iter()
            .find(|c| !matches!(c.status, quick_junit::TestCaseStatus::Success { .. }))
            .expect("one scenario failed");
        let quick_junit::TestCaseStatus::NonSuccess {
            ty, description, ..
        } = &failed.status
        else {
            panic!("{:?}", failed.status);
        };
        assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("phantom"));
        let text = description.as_ref().map(|d| d.as_str()).unwrap_or("");
        assert!(
            text.contains("callproof gate --subject openclaw@2026.1.24 --scenario restart-6721"),
            "{text}"
        );
    }
}
