//! No parser panics, whatever arrives: response bodies and status codes,
//! webhook bodies (re-signed so they reach the parser), signature headers and
//! URLs. Every input gets a typed result, and the status-code rules hold for
//! any body.

use super::util::{buildable, proptest_outcome, runner};
use super::{CheckFamily, CheckResult, Tally};
use crate::recording::{load_provider, OwnedWebhook};
use crate::subject::{Canned, OpCase, ResponseClass, Subject};
use callproof_core::adapters::Adapter;
use callproof_core::provider::{OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use serde_json::Value;
use std::collections::BTreeSet;

/// Runs the four fuzz properties for the subject.
pub async fn fuzz_parsers<S: Subject>() -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::FuzzParsers);
    responses::<S>(&mut tally);
    match load_provider(S::fixtures_dir()) {
        Ok(recordings) if recordings.is_empty() => {
            tally.fail("recordings", "no recordings to fuzz from")
        }
        Ok(recordings) => {
            let bases: Vec<OwnedWebhook> = recordings.into_iter().map(|r| r.webhook).collect();
            webhook_bodies::<S>(&mut tally, &bases);
            webhook_headers_and_urls::<S>(&mut tally, &bases);
        }
        Err(e) => tally.fail("recordings", e.to_string()),
    }
    tally.finish()
}

fn responses<S: Subject>(tally: &mut Tally) {
    let ops: Vec<(OpCase, ProviderOp)> = buildable::<S>();
    if ops.is_empty() {
        return;
    }
    let seeds: Vec<Vec<u8>> = ops
        .iter()
        .filter_map(
            |(case, _)| match S::canned_response(*case, ResponseClass::Success) {
                Canned::Respond(r) => Some(r.body),
                Canned::NotApplicable(_) => None,
            },
        )
        .collect();
    let adapter = S::adapter("http://127.0.0.1:9");
    let strategy = (0..ops.len(), 100u16..600, bodies(&seeds));
    let result = runner(256).run(&strategy, |(index, status, body)| {
        let Some((case, op)) = ops.get(index) else {
            return Ok(());
        };
        let mut response = http::Response::new(body);
        *response.status_mut() =
            http::StatusCode::from_u16(status).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got = adapter.parse_response(op, &response);
        if status == 404 && not_found_proves_nothing::<S>(*case) && outcome_unknown(&got) {
            return Ok(());
        }
        status_rule(op, status, &got).map_err(TestCaseError::fail)
    });
    tally.case(
        "parse_response: any status, any body",
        proptest_outcome(result),
    );
}

/// Whether the subject says a 404 to `case` is no proof the call ended
/// (its `NotFound` answer is `NotApplicable`, e.g. Plivo's lookups by request
/// uuid): then "outcome unknown" is as acceptable as a verdict.
fn not_found_proves_nothing<S: Subject>(case: OpCase) -> bool {
    let addresses_a_call = !matches!(case, OpCase::Create | OpCase::CreateConversation);
    addresses_a_call
        && matches!(
            S::canned_response(case, ResponseClass::NotFound),
            Canned::NotApplicable(_)
        )
}

/// Transient, or a status that says nothing: the call keeps its place.
fn outcome_unknown(got: &Result<OpOutcome, ProviderError>) -> bool {
    matches!(
        got,
        Err(ProviderError::Transient { .. })
            | Ok(OpOutcome::Status(ProviderCallStatus::Unknown { .. }))
    )
}

/// The classification rules that hold whatever the body says.
fn status_rule(
    op: &ProviderOp,
    status: u16,
    got: &Result<OpOutcome, ProviderError>,
) -> Result<(), String> {
    let ok = match (status, got) {
        (401 | 403, Err(ProviderError::Unauthorized { .. })) => true,
        (408 | 429 | 500..=599, Err(ProviderError::Transient { .. })) => true,
        (200..=299, Err(ProviderError::Malformed { .. })) => true,
        (200..=299, Ok(outcome)) => matches!(
            (op, outcome),
            (ProviderOp::Create(_), OpOutcome::Created { .. })
                | (ProviderOp::Status { .. }, OpOutcome::Status(_))
                | (
                    ProviderOp::Hangup { .. }
                        | ProviderOp::Speak { .. }
                        | ProviderOp::StartListening { .. }
                        | ProviderOp::StopListening { .. },
                    OpOutcome::Done
                )
        ),
        (401 | 403 | 408 | 429 | 500..=599 | 200..=299, _) => false,
        (400..=499, Err(ProviderError::NotFound { .. } | ProviderError::Rejected { .. })) => true,
        (400..=499, _) => false,
        (_, result) => result.is_err(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} answered HTTP {status} was classified {got:?}",
            op.kind()
        ))
    }
}

fn webhook_bodies<S: Subject>(tally: &mut Tally, bases: &[OwnedWebhook]) {
    let adapter = S::recorded_adapter();
    let now = S::recorded_now_unix_secs();
    let prefix = S::provider().as_str();
    let seeds: Vec<Vec<u8>> = bases.iter().map(|w| w.body.clone()).collect();
    let strategy = (0..bases.len(), bodies(&seeds));
    let result = runner(256).run(&strategy, |(index, body)| {
        let Some(base) = bases.get(index) else {
            return Ok(());
        };
        let mut webhook = base.clone();
        webhook.body = body;
        S::sign(&mut webhook, now)
            .map_err(|e| TestCaseError::fail(format!("the subject could not sign: {e}")))?;
        let Ok(verified) = adapter.verify_webhook(&webhook.raw(), now) else {
            return Ok(());
        };
        let first = adapter.parse_webhook(&verified);
        if first != adapter.parse_webhook(&verified) {
            return Err(TestCaseError::fail(
                "parsing the same webhook twice gave different results",
            ));
        }
        for event in first.iter().flatten() {
            if !event.dedupe_key.starts_with(prefix) {
                return Err(TestCaseError::fail(format!(
                    "dedupe key {:?} lacks the provider prefix",
                    event.dedupe_key
                )));
            }
        }
        Ok(())
    });
    tally.case(
        "verify+parse_webhook: any body, validly signed",
        proptest_outcome(result),
    );
}

fn webhook_headers_and_urls<S: Subject>(tally: &mut Tally, bases: &[OwnedWebhook]) {
    let adapter = S::recorded_adapter();
    let now = S::recorded_now_unix_secs();
    let scheme = S::signature_scheme();
    let mut headers: Vec<&'static str> = scheme.signature_headers.clone();
    headers.extend(scheme.timestamp.map(|t| t.header));
    if !headers.is_empty() {
        let strategy = (0..bases.len(), select(headers), vec(any::<u8>(), 0..96));
        let result = runner(256).run(&strategy, |(index, header, value)| {
            let (Some(base), Ok(value)) = (bases.get(index), http::HeaderValue::from_bytes(&value))
            else {
                return Ok(());
            };
            let mut webhook = base.clone();
            webhook.headers.insert(header, value);
            match adapter.verify_webhook(&webhook.raw(), now) {
                Ok(_) => Err(TestCaseError::fail(format!(
                    "a random {header} value was accepted"
                ))),
                Err(_) => Ok(()),
            }
        });
        tally.case(
            "verify_webhook: random signature header values",
            proptest_outcome(result),
        );
    }
    let strategy = (0..bases.len(), any::<String>());
    let result = runner(128).run(&strategy, |(index, url)| {
        let Some(base) = bases.get(index) else {
            return Ok(());
        };
        let mut webhook = base.clone();
        webhook.url = url;
        // Any typed answer will do; reaching here means no panic.
        let _ = adapter.verify_webhook(&webhook.raw(), now);
        Ok(())
    });
    tally.case("verify_webhook: arbitrary URLs", proptest_outcome(result));
}

/// Arbitrary bytes, mutations of real bodies, and JSON or form documents
/// built from the real bodies' own keys and words (to reach type confusion
/// like `{"status": 7}` rather than only syntax errors).
fn bodies(seeds: &[Vec<u8>]) -> BoxedStrategy<Vec<u8>> {
    let (keys, words) = vocabulary(seeds);
    let seeds: Vec<Vec<u8>> = if seeds.is_empty() {
        vec![Vec::new()]
    } else {
        seeds.to_vec()
    };
    let raw = vec(any::<u8>(), 0..256);
    let mutated = (
        select(seeds),
        any::<usize>(),
        vec(any::<u8>(), 0..16),
        0u8..3,
    )
        .prop_map(|(seed, at, bytes, how)| mutate(seed, at, &bytes, how));
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        select(words.clone()).prop_map(Value::from),
    ];
    let object_keys = keys.clone();
    let json = leaf
        .prop_recursive(3, 32, 6, move |inner| {
            prop_oneof![
                vec(inner.clone(), 0..4).prop_map(Value::Array),
                vec((select(object_keys.clone()), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
        .prop_map(|v| v.to_string().into_bytes());
    let form = vec((select(keys), select(words)), 0..10).prop_map(|pairs| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            out.append_pair(&k, &v);
        }
        out.finish().into_bytes()
    });
    prop_oneof![raw, mutated, json, form].boxed()
}

fn mutate(mut seed: Vec<u8>, at: usize, bytes: &[u8], how: u8) -> Vec<u8> {
    let at = at % (seed.len() + 1);
    match how {
        0 => {
            seed.truncate(at);
            seed.extend_from_slice(bytes);
        }
        1 => {
            let end = (at + bytes.len()).min(seed.len());
            seed.splice(at..end, bytes.iter().copied());
        }
        _ => {
            seed.splice(at..at, bytes.iter().copied());
        }
    }
    seed
}

/// Keys and string values found in the seeds (JSON objects at any depth, or
/// form fields), plus a few of our own so neither list is ever empty.
fn vocabulary(seeds: &[Vec<u8>]) -> (Vec<String>, Vec<String>) {
    let mut keys = BTreeSet::from(["id".to_owned(), "status".to_owned()]);
    let mut words = BTreeSet::from(["completed".to_owned(), String::new()]);
    fn walk(v: &Value, keys: &mut BTreeSet<String>, words: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    keys.insert(k.clone());
                    walk(v, keys, words);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, keys, words)),
            Value::String(s) => {
                words.insert(s.clone());
            }
            _ => {}
        }
    }
    for seed in seeds {
        match serde_json::from_slice::<Value>(seed) {
            Ok(doc) => walk(&doc, &mut keys, &mut words),
            Err(_) => {
                for (k, v) in form_urlencoded::parse(seed) {
                    keys.insert(k.into_owned());
                    words.insert(v.into_owned());
                }
            }
        }
    }
    (keys.into_iter().collect(), words.into_iter().collect())
}
