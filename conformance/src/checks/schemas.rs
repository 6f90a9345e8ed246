//! Built requests match the provider's published request schemas (OpenAPI).
//! This is the hook for the real providers' documents; a subject without
//! schemas is listed as skipped with its reason, never as passed.

use super::{CheckFamily, CheckResult, Tally};
use crate::subject::{Subject, COMMAND_ID};
use callproof_core::adapters::Adapter;
use serde_json::{Map, Value};

/// Builds the request for each [`crate::subject::SchemaCheck`] and validates
/// its body against the schema.
pub async fn request_schemas<S: Subject>() -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::RequestSchemas);
    let checks = S::schema_checks();
    if checks.is_empty() {
        tally.skip("openapi", S::no_schema_reason());
    }
    let adapter = S::adapter("http://127.0.0.1:9");
    let ids = S::sample_ids();
    for check in checks {
        let label = format!("{}/{}", check.name, check.case.name());
        let outcome = adapter
            .build_request(&check.case.op(&ids), COMMAND_ID)
            .map_err(|e| format!("cannot build: {e}"))
            .and_then(|request| body_document(&request))
            .and_then(|doc| {
                let validator = jsonschema::validator_for(&check.schema)
                    .map_err(|e| format!("schema from {} does not compile: {e}", check.source))?;
                let errors: Vec<String> = validator
                    .iter_errors(&doc)
                    .map(|e| format!("{} at {}", e, e.instance_path))
                    .collect();
                if errors.is_empty() {
                    Ok(())
                } else {
                    Err(format!("violates {}: {}", check.source, errors.join("; ")))
                }
            });
        tally.case(label, outcome);
    }
    tally.finish()
}

/// The body as a JSON document: JSON as it is; a form as an object of
/// strings, with repeated fields as arrays.
fn body_document(request: &http::Request<Vec<u8>>) -> Result<Value, String> {
    let content_type = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut map: Map<String, Value> = Map::new();
        for (k, v) in form_urlencoded::parse(request.body()) {
            let v = Value::from(v.into_owned());
            match map.get_mut(k.as_ref()) {
                Some(Value::Array(items)) => items.push(v),
                Some(first) => *first = Value::Array(vec![first.clone(), v]),
                None => {
                    map.insert(k.into_owned(), v);
                }
            }
        }
        return Ok(Value::Object(map));
    }
    if request.body().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(request.body())
        .map_err(|e| format!("body is neither a form nor JSON: {e}"))
}
