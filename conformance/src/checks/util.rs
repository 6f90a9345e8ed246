//! Small utilities the checks share.

use crate::subject::{CannedResponse, ExpectedClass, OpCase, Subject};
use callproof_core::provider::{OpOutcome, ProviderError, ProviderOp};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The cases the subject says can be built, with their operations.
pub(crate) fn buildable<S: Subject>() -> Vec<(OpCase, ProviderOp)> {
    let ids = S::sample_ids();
    OpCase::ALL
        .into_iter()
        .filter(|case| {
            matches!(
                S::expected_request(*case),
                crate::subject::Expected::Request(_)
            )
        })
        .map(|case| (case, case.op(&ids)))
        .collect()
}

/// Makes `server` answer every request with `canned`, replacing what it did.
pub(crate) async fn serve(server: &MockServer, canned: &CannedResponse) {
    server.reset().await;
    let template = match canned.content_type {
        Some(ct) => ResponseTemplate::new(canned.status).set_body_raw(canned.body.clone(), ct),
        None => ResponseTemplate::new(canned.status).set_body_bytes(canned.body.clone()),
    };
    Mock::given(any())
        .respond_with(template)
        .mount(server)
        .await;
}

/// Whether `got` is what `expected` demands; the message says both.
pub(crate) fn judge(
    expected: ExpectedClass,
    status: u16,
    success: &OpOutcome,
    got: &Result<OpOutcome, ProviderError>,
) -> Result<(), String> {
    let ok = match (expected, got) {
        (ExpectedClass::Success, Ok(outcome)) => outcome == success,
        (ExpectedClass::NotFound, Err(ProviderError::NotFound { .. }))
        | (ExpectedClass::Transient, Err(ProviderError::Transient { .. }))
        | (ExpectedClass::Unauthorized, Err(ProviderError::Unauthorized { .. }))
        | (ExpectedClass::Malformed, Err(ProviderError::Malformed { .. })) => true,
        (ExpectedClass::Rejected, Err(ProviderError::Rejected { status: s, .. })) => *s == status,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let want = match expected {
        ExpectedClass::Success => format!("Ok({success:?})"),
        ExpectedClass::Rejected => format!("Err(Rejected {{ status: {status}, .. }})"),
        other => format!("Err({other:?})"),
    };
    Err(format!("HTTP {status}: expected {want}, got {got:?}"))
}

/// Text for a body in a message: lossy and bounded.
pub(crate) fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(160).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// A proptest runner that replays the same inputs on every run (a gate must
/// be reproducible) and writes no regression files. `PROPTEST_CASES` raises
/// the case count for a deeper run.
pub(crate) fn runner(default_cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// Turns a proptest run into a case result, with the shrunk input on failure.
pub(crate) fn proptest_outcome<T: std::fmt::Debug>(
    result: Result<(), proptest::test_runner::TestError<T>>,
) -> Result<(), String> {
    use proptest::test_runner::TestError;
    match result {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, input)) => {
            Err(format!("{reason}; smallest failing input: {input:?}"))
        }
        Err(TestError::Abort(reason)) => Err(format!("fuzzing aborted: {reason}")),
    }
}
