//! The one result format of every callproof command that judges something
//! (`sim`, `selftest`, `conform`, `gate`): a list of test suites, each a list
//! of cases that passed, failed or were skipped, written as JSON (`--json`)
//! and as JUnit XML (`--junit`) from the same value, so the two never
//! disagree and CI systems read either.
//!
//! The JSON shape is versioned by [`SCHEMA_VERSION`] and documented in the
//! README ("CI output"). Readers must ignore fields they do not know; a
//! change that removes or renames a field bumps the version.
//!
//! A run that executed no case is not a pass: [`Results::verdict`] says
//! [`Verdict::NothingRan`] and the commands exit 2 on it.

mod commands;
mod junit;

pub use commands::{from_campaign, from_conformance, from_gate, from_selftest};

use serde::{Deserialize, Serialize};
use std::path::Path;

/// The version of the JSON result schema written by [`Results::to_json`].
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one command run found, in the order it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Always [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// The command that produced the results: `sim`, `selftest`, `conform`, `gate`.
    pub command: String,
    /// Counts over every case of every suite (kept in step by [`Results::push`]).
    pub totals: Totals,
    /// The suites, in run order.
    pub suites: Vec<Suite>,
    /// Command-specific figures that are not pass/fail (per-provider
    /// summaries of `sim`, for example); `null` when the command has none.
    #[serde(default)]
    pub details: serde_json::Value,
}

/// Case counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Every case.
    pub cases: u64,
    /// Cases that passed.
    pub passed: u64,
    /// Cases that failed.
    pub failed: u64,
    /// Cases that did not run, each with its reason.
    pub skipped: u64,
}

/// A group of cases: one provider of `sim`, the canaries of `selftest`, one
/// adapter of `conform`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suite {
    /// Its name, also the JUnit `classname` of its cases.
    pub name: String,
    /// Its cases, in run order.
    pub cases: Vec<Case>,
}

/// One judged unit: a seed of one provider, a canary, a check family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Its name, unique within its suite (`seed 17`, `twilio-dedupe-by-sid`).
    pub name: String,
    /// What happened.
    pub outcome: Outcome,
    /// Wall time it took, when measured (not part of any verdict).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Facts about the case that are not its verdict, such as a seed's
    /// trace hash; sorted by key so output is reproducible.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub properties: std::collections::BTreeMap<String, String>,
}

/// Whether a case passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed, and this says why and how to see it again.
    Failed(Failure),
    /// It did not run.
    Skipped {
        /// Why not.
        reason: String,
    },
}

/// Why a case failed: enough to act on from a CI log alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// What was broken: an oracle invariant (`call_lost`), a check family, or
    /// `survived` for a canary nothing caught.
    pub kind: String,
    /// One line saying what went wrong.
    pub message: String,
    /// The command that shows this failure again, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducer: Option<String>,
    /// The events that led to it, oldest first (may be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<String>,
}

/// The verdict over a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// At least one case ran and none failed.
    Passed,
    /// At least one case failed.
    Failed,
    /// No case ran (all skipped, or none at all): not a pass.
    NothingRan,
}

impl Verdict {
    /// The exit status a command reports for this verdict: 0, 1, or 2 (the
    /// same as for a usage error, because a run that tested nothing was
    /// asked for wrongly).
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Passed => 0,
            Verdict::Failed => 1,
            Verdict::NothingRan => 2,
        }
    }
}

/// Why results could not be written or read.
#[derive(Debug)]
pub enum ReportError {
    /// The JUnit serializer refused the report.
    Junit(String),
    /// The JSON was not results of this schema.
    Json(serde_json::Error),
    /// The JSON is of a schema version this build does not read.
    Version(u32),
    /// The file could not be written.
    Io(std::io::Error),
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::Junit(e) => write!(f, "cannot write JUnit XML: {e}"),
            ReportError::Json(e) => write!(f, "not callproof results: {e}"),
            ReportError::Version(v) => write!(
                f,
                "results of schema version {v}; this build reads version {SCHEMA_VERSION}"
            ),
            ReportError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReportError {}

impl Results {
    /// Empty results of `command`.
    pub fn new(command: &str) -> Self {
        Results {
            schema_version: SCHEMA_VERSION,
            command: command.to_owned(),
            totals: Totals::default(),
            suites: Vec::new(),
            details: serde_json::Value::Null,
        }
    }

    /// Adds `case` to the suite `suite` (created at the end if new) and
    /// counts it.
    pub fn push(&mut self, suite: &str, case: Case) {
        self.totals.cases += 1;
        match case.outcome {
            Outcome::Passed => self.totals.passed += 1,
            Outcome::Failed(_) => self.totals.failed += 1,
            Outcome::Skipped { .. } => self.totals.skipped += 1,
        }
        match self.suites.iter_mut().find(|s| s.name == suite) {
            Some(s) => s.cases.push(case),
            None => self.suites.push(Suite {
                name: suite.to_owned(),
                cases: vec![case],
            }),
        }
    }

    /// Passed if something ran and nothing failed.
    pub fn verdict(&self) -> Verdict {
        if self.totals.failed > 0 {
            Verdict::Failed
        } else if self.totals.passed == 0 {
            Verdict::NothingRan
        } else {
            Verdict::Passed
        }
    }

    /// Every failing case with its suite's name, in run order.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &Case, &Failure)> {
        self.suites.iter().flat_map(|s| {
            s.cases.iter().filter_map(move |c| match &c.outcome {
                Outcome::Failed(f) => Some((s.name.as_str(), c, f)),
                _ => None,
            })
        })
    }

    /// The results as pretty-printed JSON of schema [`SCHEMA_VERSION`].
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Reads results written by [`Results::to_json`]; refuses other schema versions.
    pub fn from_json(text: &str) -> Result<Self, ReportError> {
        let results: Results = serde_json::from_str(text).map_err(ReportError::Json)?;
        if results.schema_version != SCHEMA_VERSION {
            return Err(ReportError::Version(results.schema_version));
        }
        Ok(results)
    }

    /// The results as a JUnit XML document: one `<testsuite>` per suite, one
    /// `<testcase>` per case; a failure's message is its kind and message,
    /// its text the reproducer and the timeline.
    pub fn to_junit(&self) -> Result<String, ReportError> {
        junit::render(self)
    }

    /// Writes [`Results::to_json`] to `path`, flushed to disk.
    pub fn write_json(&self, path: &Path) -> Result<(), ReportError> {
        write_synced(path, self.to_json().as_bytes())
    }

    /// Writes [`Results::to_junit`] to `path`, flushed to disk.
    pub fn write_junit(&self, path: &Path) -> Result<(), ReportError> {
        write_synced(path, self.to_junit()?.as_bytes())
    }
}

impl Case {
    fn new(name: impl Into<String>, outcome: Outcome) -> Self {
        Case {
            name: name.into(),
            outcome,
            duration_ms: None,
            properties: Default::default(),
        }
    }

    /// A case that passed.
    pub fn passed(name: impl Into<String>) -> Self {
        Case::new(name, Outcome::Passed)
    }

    /// A case that failed.
    pub fn failed(name: impl Into<String>, failure: Failure) -> Self {
        Case::new(name, Outcome::Failed(failure))
    }

    /// A case that did not run, and why.
    pub fn skipped(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Case::new(
            name,
            Outcome::Skipped {
                reason: reason.into(),
            },
        )
    }

    /// The same case with its wall time.
    pub fn with_duration(mut self, wall: std::time::Duration) -> Self {
        self.duration_ms = Some(u64::try_from(wall.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// The same case with one more property.
    pub fn with_property(mut self, key: &str, value: impl Into<String>) -> Self {
        self.properties.insert(key.to_owned(), value.into());
        self
    }
}

impl Failure {
    /// A failure of `kind` saying `message`, without reproducer or timeline.
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            kind: kind.into(),
            message: message.into(),
            reproducer: None,
            timeline: Vec::new(),
        }
    }

    /// The same failure with the command that replays it.
    pub fn with_reproducer(mut self, command: impl Into<String>) -> Self {
        self.reproducer = Some(command.into());
        self
    }

    /// The same failure with the events that led to it.
    pub fn with_timeline(mut self, timeline: Vec<String>) -> Self {
        self.timeline = timeline;
        self
    }
}

/// Writes `bytes` to `path` and fsyncs it, so a CI step that reads the file
/// right after the command exits sees all of it.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    use std::io::Write as _;
    let mut file = std::fs::File::create(path).map_err(ReportError::Io)?;
    file.write_all(bytes).map_err(ReportError::Io)?;
    file.sync_all().map_err(ReportError::Io)
}

#[cfg(test)]
mod tests;
