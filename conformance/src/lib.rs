//! callproof-conformance: the gate every provider adapter must pass.
//!
//! Each check family is written once, generic over [`subject::Subject`], and
//! run for every provider: request shapes and response classification over
//! real loopback HTTP, transport failures, status tables, official signature
//! vectors and forged negatives, recorded webhooks, and fuzzing of every
//! parser. A check returns a [`checks::CheckResult`] instead of panicking, so
//! the tests and the `callproof-conform` table report the same findings.
//!
//! Adding a provider: implement `Subject` in `subjects/<provider>.rs`, list it
//! in [`for_each_subject!`], add its recordings under
//! `fixtures/webhooks/<provider>/`.
#![warn(missing_docs)]

pub mod checks;
pub mod http;
pub mod recording;
pub mod report;
pub mod subject;
pub mod subjects;

pub use report::Report;

/// Runs every check family for every subject.
pub async fn run_all_async() -> Report {
    let mut results = Vec::new();
    macro_rules! run {
        ($name:ident, $subject:ty) => {
            results.extend(checks::run_subject::<$subject>().await);
        };
    }
    for_each_subject!(run);
    results.push(checks::inbound_rule_cases(
        "core",
        &callproof_core::manager::ExactE164,
    ));
    Report { results }
}

/// Runs every check family for every subject on a runtime of its own, for
/// callers without one (the `callproof conform` subcommand, the table
/// binary). Must not be called from inside a tokio runtime.
pub fn run_all() -> Report {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run_all_async()),
        Err(e) => Report {
            results: vec![checks::CheckResult {
                adapter: "all",
                family: checks::CheckFamily::RequestShapes,
                passed: 0,
                failures: vec![checks::Failure {
                    adapter: "all",
                    family: checks::CheckFamily::RequestShapes,
                    case: "runtime".to_owned(),
                    message: format!("could not start the async runtime: {e}"),
                }],
                skipped: Vec::new(),
            }],
        },
    }
}
