//! Every kind of provider answer, served over real HTTP, is classified by who
//! is at fault and whether the outcome is known, by the manager's rules.

use super::util::{buildable, judge, serve};
use super::{CheckFamily, CheckResult, Tally};
use crate::http::{execute, DEFAULT_TIMEOUT};
use crate::subject::{
    Canned, CannedResponse, ExpectedClass, OpCase, ResponseClass, Subject, COMMAND_ID,
};
use wiremock::MockServer;

/// Runs each buildable op against the subject's canned answer for each
/// [`ResponseClass`], then against provider-agnostic garbage (HTML error
/// pages, empty bodies, a truncated success).
pub async fn response_classes<S: Subject>() -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::ResponseClasses);
    let server = MockServer::start().await;
    let adapter = S::adapter(&server.uri());
    for (case, op) in buildable::<S>() {
        let success = S::success_outcome(case);
        let mut cases: Vec<(String, CannedResponse, ExpectedClass)> = Vec::new();
        for class in ResponseClass::ALL {
            let label = format!("{}/{}", case.name(), class.name());
            match S::canned_response(case, class) {
                Canned::Respond(canned) => cases.push((label, canned, class.expected())),
                Canned::NotApplicable(why) if required(case, class) => {
                    tally.fail(
                        label,
                        format!(
                            "every provider must answer this class, but the subject says: {why}"
                        ),
                    );
                }
                Canned::NotApplicable(why) => tally.skip(label, why),
            }
        }
        let success_canned = match S::canned_response(case, ResponseClass::Success) {
            Canned::Respond(r) => Some(r),
            Canned::NotApplicable(_) => None,
        };
        cases.extend(garbage(case, success_canned.as_ref()));
        for (label, canned, expected) in cases {
            serve(&server, &canned).await;
            let got = execute(&adapter, &op, COMMAND_ID, DEFAULT_TIMEOUT).await;
            tally.case(label, judge(expected, canned.status, &success, &got));
        }
    }
    tally.finish()
}

/// Classes no provider can lack for the op.
fn required(case: OpCase, class: ResponseClass) -> bool {
    use ResponseClass::*;
    match class {
        Success | RateLimited | ServerError | Unavailable | Unauthorized => true,
        NotFound => matches!(
            case,
            OpCase::HangupAnswered | OpCase::HangupUnanswered | OpCase::Status
        ),
        UnreadableSuccess => reads_body(case),
        Validation => matches!(case, OpCase::Create),
        Forbidden => false,
    }
}

/// Ops whose success answer carries something the manager needs.
fn reads_body(case: OpCase) -> bool {
    matches!(
        case,
        OpCase::Create
            | OpCase::CreateConversation
            | OpCase::Status
            | OpCase::StatusBeforeProviderId
    )
}

/// Answers any provider (or a proxy in front of it) may give, whatever its
/// documented error format.
fn garbage(
    case: OpCase,
    success: Option<&CannedResponse>,
) -> Vec<(String, CannedResponse, ExpectedClass)> {
    let html = "text/html";
    let mut out = vec![
        (
            "html-502",
            CannedResponse::raw(502, html, "<html><body>502 Bad Gateway</body></html>"),
            ExpectedClass::Transient,
        ),
        (
            "empty-503",
            CannedResponse::empty(503),
            ExpectedClass::Transient,
        ),
        (
            "text-500",
            CannedResponse::raw(500, "text/plain", "internal error"),
            ExpectedClass::Transient,
        ),
        (
            "empty-504",
            CannedResponse::empty(504),
            ExpectedClass::Transient,
        ),
        (
            "empty-408",
            CannedResponse::empty(408),
            ExpectedClass::Transient,
        ),
        (
            "empty-429",
            CannedResponse::empty(429),
            ExpectedClass::Transient,
        ),
        (
            "empty-401",
            CannedResponse::empty(401),
            ExpectedClass::Unauthorized,
        ),
        (
            "html-403",
            CannedResponse::raw(403, html, "<html>Forbidden</html>"),
            ExpectedClass::Unauthorized,
        ),
    ];
    if let (true, Some(success)) = (reads_body(case), success) {
        let half = success
            .body
            .get(..success.body.len() / 2)
            .unwrap_or_default();
        out.push((
            "html-success",
            CannedResponse::raw(success.status, html, "<html>OK</html>"),
            ExpectedClass::Malformed,
        ));
        out.push((
            "empty-success",
            CannedResponse::empty(success.status),
            ExpectedClass::Malformed,
        ));
        out.push((
            "truncated-success",
            CannedResponse {
                body: half.to_vec(),
                ..success.clone()
            },
            ExpectedClass::Malformed,
        ));
    }
    out.into_iter()
        .map(|(name, canned, class)| (format!("{}/{name}", case.name()), canned, class))
        .collect()
}
