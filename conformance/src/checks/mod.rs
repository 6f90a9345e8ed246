//! The checks: one generic body per family, run for every subject.
//!
//! A check never panics on a finding: it returns a [`CheckResult`] whose
//! failures name the adapter, the check and the case, so the test suite and
//! the `callproof-conform` table report the same thing.

mod fuzz;
mod inbound_rule;
mod recorded;
mod request_shapes;
mod response_classes;
mod schemas;
mod signature_negatives;
mod signature_vectors;
mod status_table;
mod transport;
mod util;

pub use fuzz::fuzz_parsers;
pub use inbound_rule::inbound_rule_cases;
pub use recorded::{
    recorded_events, recorded_events_with, recorded_webhooks_parse, recorded_webhooks_parse_with,
    snapshot_json, RecordedEvents,
};
pub use request_shapes::request_shapes;
pub use response_classes::response_classes;
pub use schemas::request_schemas;
pub use signature_negatives::signature_negatives;
pub use signature_vectors::signature_vectors;
pub use status_table::status_table;
pub use transport::dropped_connection_is_transient;

use crate::subject::Subject;
use std::fmt;

/// The check families, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CheckFamily {
    /// Every operation's method, path, auth, encoding and parameters.
    RequestShapes,
    /// Every response class classified by who is at fault.
    ResponseClasses,
    /// Refused, reset, cut-short and timed-out exchanges are transient.
    DroppedConnection,
    /// Every status word maps; nothing unknown ends a call.
    StatusTable,
    /// Published signature vectors verify (or not) as published.
    SignatureVectors,
    /// Tampered, unsigned, stale and oversized webhooks are refused.
    SignatureNegatives,
    /// Every recorded webhook verifies and parses.
    RecordedWebhooks,
    /// No parser panics on arbitrary input.
    FuzzParsers,
    /// Built requests match the provider's published schemas.
    RequestSchemas,
    /// The inbound policy's matching rule (the manager's, not an adapter's).
    InboundRule,
}

impl CheckFamily {
    /// Every family, in table order.
    pub const ALL: [CheckFamily; 9] = [
        CheckFamily::RequestShapes,
        CheckFamily::ResponseClasses,
        CheckFamily::DroppedConnection,
        CheckFamily::StatusTable,
        CheckFamily::SignatureVectors,
        CheckFamily::SignatureNegatives,
        CheckFamily::RecordedWebhooks,
        CheckFamily::FuzzParsers,
        CheckFamily::RequestSchemas,
    ];

    /// The check's name: the name of its function.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckFamily::RequestShapes => "request_shapes",
            CheckFamily::ResponseClasses => "response_classes",
            CheckFamily::DroppedConnection => "dropped_connection_is_transient",
            CheckFamily::StatusTable => "status_table",
            CheckFamily::SignatureVectors => "signature_vectors",
            CheckFamily::SignatureNegatives => "signature_negatives",
            CheckFamily::RecordedWebhooks => "recorded_webhooks_parse",
            CheckFamily::FuzzParsers => "fuzz_parsers",
            CheckFamily::RequestSchemas => "request_schemas",
            CheckFamily::InboundRule => "inbound_rule_cases",
        }
    }
}

impl fmt::Display for CheckFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: which adapter, which check, which case, what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The adapter's provider name.
    pub adapter: &'static str,
    /// The check family.
    pub family: CheckFamily,
    /// The case within the family.
    pub case: String,
    /// Expected versus got.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} adapter failed {} [{}]: {}",
            self.adapter, self.family, self.case, self.message
        )
    }
}

/// A case deliberately not run, and the written reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The case.
    pub case: String,
    /// Why it does not apply.
    pub reason: String,
}

/// The result of one check family for one adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The adapter's provider name.
    pub adapter: &'static str,
    /// The check family.
    pub family: CheckFamily,
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failures: Vec<Failure>,
    /// Cases skipped with a reason.
    pub skipped: Vec<Skip>,
}

impl CheckResult {
    /// No failures.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// For tests: panics listing every failure, so one run shows them all.
    pub fn assert_passed(&self) {
        if !self.ok() {
            let lines: Vec<String> = self.failures.iter().map(|f| f.to_string()).collect();
            panic!(
                "{} of {} cases failed:\n{}",
                self.failures.len(),
                self.failures.len() + self.passed,
                lines.join("\n")
            );
        }
    }
}

/// Collects one family's case results.
pub(crate) struct Tally {
    result: CheckResult,
}

impl Tally {
    pub(crate) fn new<S: Subject>(family: CheckFamily) -> Tally {
        Tally {
            result: CheckResult {
                adapter: S::provider().as_str(),
                family,
                passed: 0,
                failures: Vec::new(),
                skipped: Vec::new(),
            },
        }
    }

    /// Records one case: `Ok` passes, `Err` is the failure message.
    pub(crate) fn case(&mut self, case: impl Into<String>, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.result.passed += 1,
            Err(message) => self.fail(case, message),
        }
    }

    pub(crate) fn fail(&mut self, case: impl Into<String>, message: impl Into<String>) {
        self.result.failures.push(Failure {
            adapter: self.result.adapter,
            family: self.result.family,
            case: case.into(),
            message: message.into(),
        });
    }

    pub(crate) fn skip(&mut self, case: impl Into<String>, reason: impl Into<String>) {
        self.result.skipped.push(Skip {
            case: case.into(),
            reason: reason.into(),
        });
    }

    /// A family that checked nothing and skipped nothing has proved nothing:
    /// that is a failure, not a pass.
    pub(crate) fn finish(mut self) -> CheckResult {
        if self.result.passed == 0
            && self.result.failures.is_empty()
            && self.result.skipped.is_empty()
        {
            self.fail(
                "coverage",
                "no case was checked: the subject supplies nothing for this check",
            );
        }
        self.result
    }
}

/// Every family for one subject, in table order.
pub async fn run_subject<S: Subject>() -> Vec<CheckResult> {
    let mut results = Vec::new();
    for family in CheckFamily::ALL {
        results.push(run_family::<S>(family).await);
    }
    results
}

/// One family for one subject, with a panic inside the adapter reported as a
/// failure of that family instead of tearing down the whole run.
pub async fn run_family<S: Subject>(family: CheckFamily) -> CheckResult {
    match family {
        CheckFamily::RequestShapes => guarded::<S, _>(family, request_shapes::<S>()).await,
        CheckFamily::ResponseClasses => guarded::<S, _>(family, response_classes::<S>()).await,
        CheckFamily::DroppedConnection => {
            guarded::<S, _>(family, dropped_connection_is_transient::<S>()).await
        }
        CheckFamily::StatusTable => guarded::<S, _>(family, status_table::<S>()).await,
        CheckFamily::SignatureVectors => guarded::<S, _>(family, signature_vectors::<S>()).await,
        CheckFamily::SignatureNegatives => {
            guarded::<S, _>(family, signature_negatives::<S>()).await
        }
        CheckFamily::RecordedWebhooks => {
            guarded::<S, _>(family, recorded_webhooks_parse::<S>()).await
        }
        CheckFamily::FuzzParsers => guarded::<S, _>(family, fuzz_parsers::<S>()).await,
        CheckFamily::RequestSchemas => guarded::<S, _>(family, request_schemas::<S>()).await,
        // Not an adapter check: the rule is the manager's. Run once, as `core`.
        CheckFamily::InboundRule => inbound_rule_cases("core", &callproof_core::manager::ExactE164),
    }
}

/// Runs `check` as a task of its own (a local one: adapters need not be
/// `Send`), so a panic surfaces as a `JoinError` we can report.
async fn guarded<S: Subject, F>(family: CheckFamily, check: F) -> CheckResult
where
    F: std::future::Future<Output = CheckResult> + 'static,
{
    let local = tokio::task::LocalSet::new();
    let task = local.spawn_local(check);
    match local.run_until(task).await {
        Ok(result) => result,
        Err(e) => {
            let why = if e.is_panic() {
                let payload = e.into_panic();
                let text = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<non-text panic>".to_owned());
                format!("the adapter (or the subject) panicked: {text}")
            } else {
                format!("the check was cancelled: {e}")
            };
            let mut tally = Tally::new::<S>(family);
            tally.fail("panic", why);
            tally.finish()
        }
    }
}
