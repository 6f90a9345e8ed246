//! Every operation, sent over real HTTP, arrives at the provider in the
//! provider's documented shape.

use super::util::{serve, shown};
use super::{CheckFamily, CheckResult, Tally};
use crate::http::{send, DEFAULT_TIMEOUT};
use crate::subject::{
    Body, Canned, CannedResponse, Expected, ExpectedRequest, Field, FieldExpect, OpCase,
    ResponseClass, Subject, COMMAND_ID,
};
use callproof_core::adapters::Adapter;
use wiremock::MockServer;

/// Builds each [`OpCase`], sends it to a local server and compares what the
/// server received with the subject's [`ExpectedRequest`].
pub async fn request_shapes<S: Subject>() -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::RequestShapes);
    let server = MockServer::start().await;
    let adapter = S::adapter(&server.uri());
    let ids = S::sample_ids();
    for case in OpCase::ALL {
        let op = case.op(&ids);
        let built = adapter.build_request(&op, COMMAND_ID);
        let expected = match (S::expected_request(case), built) {
            (Expected::CannotBuild { .. }, Err(_)) => {
                tally.case(case.name(), Ok(()));
                continue;
            }
            (Expected::CannotBuild { why }, Ok(request)) => {
                let msg = format!(
                    "expected a BuildError ({why}), but it built {} {}",
                    request.method(),
                    request.uri()
                );
                tally.fail(case.name(), msg);
                continue;
            }
            (Expected::Request(_), Err(e)) => {
                tally.fail(case.name(), format!("expected a request, got {e}"));
                continue;
            }
            (Expected::Request(expected), Ok(request)) => (expected, request),
        };
        let (expected, request) = expected;
        let canned = match S::canned_response(case, ResponseClass::Success) {
            Canned::Respond(r) => r,
            Canned::NotApplicable(_) => CannedResponse::empty(200),
        };
        serve(&server, &canned).await;
        if let Err(e) = send(request, DEFAULT_TIMEOUT).await {
            tally.fail(
                case.name(),
                format!("the request did not complete over HTTP: {e}"),
            );
            continue;
        }
        let received = server.received_requests().await.unwrap_or_default();
        let outcome = match received.last() {
            None => Err("the request never reached the provider's server".to_owned()),
            Some(got) => compare(&expected, got),
        };
        tally.case(case.name(), outcome);
    }
    tally.finish()
}

fn compare(expected: &ExpectedRequest, got: &wiremock::Request) -> Result<(), String> {
    let mut problems = Vec::new();
    if got.method != expected.method {
        problems.push(format!(
            "method {} (expected {})",
            got.method, expected.method
        ));
    }
    if got.url.path() != expected.path {
        problems.push(format!(
            "path {:?} (expected {:?})",
            got.url.path(),
            expected.path
        ));
    }
    let query: Vec<(String, String)> = got
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for pair in &expected.query {
        if !query.contains(pair) {
            problems.push(format!(
                "query lacks {}={:?} (has {query:?})",
                pair.0, pair.1
            ));
        }
    }
    for (name, value) in &expected.headers {
        let all: Vec<&[u8]> = got
            .headers
            .get_all(*name)
            .iter()
            .map(|v| v.as_bytes())
            .collect();
        if !all.contains(&value.as_bytes()) {
            let seen: Vec<String> = all.iter().map(|v| shown(v)).collect();
            problems.push(format!("header {name} is {seen:?} (expected {value:?})"));
        }
    }
    if let Err(e) = check_body(&expected.body, &got.body) {
        problems.push(e);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn check_body(expected: &Body, body: &[u8]) -> Result<(), String> {
    match expected {
        Body::Any => Ok(()),
        Body::Empty if body.is_empty() => Ok(()),
        Body::Empty => Err(format!("body should be empty, is {:?}", shown(body))),
        Body::Json(fields) => {
            let doc: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| format!("body is not JSON ({e}): {:?}", shown(body)))?;
            let problems: Vec<String> = fields
                .iter()
                .filter_map(|f| {
                    let value = doc.pointer(&f.key);
                    let values: Vec<String> = value.iter().map(|v| json_text(v)).collect();
                    judge_field(f, &values, value.is_some_and(|v| v.is_null())).err()
                })
                .collect();
            joined(problems)
        }
        Body::Form(fields) => {
            let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let problems: Vec<String> = fields
                .iter()
                .filter_map(|f| {
                    let values: Vec<String> = pairs
                        .iter()
                        .filter(|(k, _)| *k == f.key)
                        .map(|(_, v)| v.clone())
                        .collect();
                    judge_field(f, &values, false).err()
                })
                .collect();
            joined(problems)
        }
    }
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn judge_field(field: &Field, values: &[String], is_null: bool) -> Result<(), String> {
    let ok = match &field.expect {
        FieldExpect::Equals(want) => !is_null && values.iter().any(|v| v == want),
        FieldExpect::Contains(part) => !is_null && values.iter().any(|v| v.contains(part.as_str())),
        FieldExpect::Null => is_null,
        FieldExpect::Absent => values.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "body field {} is {values:?} (expected {:?})",
            field.key, field.expect
        ))
    }
}

fn joined(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
