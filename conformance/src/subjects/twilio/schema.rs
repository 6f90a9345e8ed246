//! Twilio's published request schemas (OAS CreateCall and UpdateCall), read
//! the way a form body arrives: as text.
//!
//! The OpenAPI document types `Timeout` as an integer and `StatusCallbackEvent`
//! as an array, but on the wire every form value is a string and an array is
//! a repeated field. So each property is rewritten for that view: integers
//! and numbers become digit patterns, booleans `true`/`false`, arrays one
//! value or several. Two rules the document states only in prose are added
//! (one source of call logic on a create; `Url` and `Twiml` exclusive on an
//! update), and any parameter the operation does not list is refused: Twilio
//! would silently ignore a misspelt `Timelimit`.

use crate::subject::{OpCase, SchemaCheck};
use serde_json::{json, Map, Value};

const OAS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/openapi/twilio_api_v2010_calls.json"
));

const CALLS: &str = "/2010-04-01/Accounts/{AccountSid}/Calls.json";
const CALL: &str = "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json";

const CREATE_SOURCE: &str = "twilio/twilio-oai spec/json/twilio_api_v2010.json at d50069b (fixtures/openapi/twilio_api_v2010_calls.json), POST /2010-04-01/Accounts/{AccountSid}/Calls.json form schema, as form text, unknown parameters refused, exactly one of Url/Twiml/ApplicationSid";
const UPDATE_SOURCE: &str = "twilio/twilio-oai spec/json/twilio_api_v2010.json at d50069b (fixtures/openapi/twilio_api_v2010_calls.json), POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json form schema, as form text, unknown parameters refused, Url and Twiml exclusive";

/// How deep `$ref`s may nest before the excerpt is taken to be broken.
const MAX_DEPTH: usize = 8;

pub(super) fn checks() -> Vec<SchemaCheck> {
    let doc: Result<Value, String> =
        serde_json::from_str(OAS).map_err(|e| format!("the excerpt is not JSON: {e}"));
    let create = doc.as_ref().map_err(Clone::clone).and_then(|d| {
        let one_source = json!({ "oneOf": [
            { "required": ["Url"] },
            { "required": ["Twiml"] },
            { "required": ["ApplicationSid"] },
        ]});
        form_schema(d, CALLS, one_source)
    });
    let update = doc
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|d| form_schema(d, CALL, json!({ "not": { "required": ["Url", "Twiml"] } })));
    let mut out = Vec::new();
    for case in [OpCase::Create, OpCase::CreateConversation] {
        out.push(check("CreateCall", CREATE_SOURCE, case, &create));
    }
    for case in [
        OpCase::HangupAnswered,
        OpCase::HangupUnanswered,
        OpCase::Speak,
        OpCase::StartListening,
        OpCase::StopListening,
    ] {
        out.push(check("UpdateCall", UPDATE_SOURCE, case, &update));
    }
    out
}

/// A schema that could not be derived still yields a check, one that fails
/// naming the reason, so a broken excerpt cannot pass as "no schema".
fn check(
    name: &'static str,
    source: &'static str,
    case: OpCase,
    schema: &Result<Value, String>,
) -> SchemaCheck {
    let schema = match schema {
        Ok(schema) => schema.clone(),
        Err(why) => json!({ "required": [format!("(schema unavailable: {why})")] }),
    };
    SchemaCheck {
        name,
        source,
        case,
        schema,
    }
}

/// The form-encoded request body schema of `POST path`, rewritten as text,
/// closed to unknown parameters, with `extra` added.
fn form_schema(doc: &Value, path: &str, extra: Value) -> Result<Value, String> {
    let escaped = path.replace('~', "~0").replace('/', "~1");
    let pointer = format!(
        "/paths/{escaped}/post/requestBody/content/application~1x-www-form-urlencoded/schema"
    );
    let schema = doc
        .pointer(&pointer)
        .ok_or_else(|| format!("POST {path} has no form request body"))?;
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("POST {path}'s form schema lists no properties"))?;
    let mut rewritten = Map::new();
    for (name, property) in properties {
        let as_text =
            as_form_text(doc, property, 0).map_err(|e| format!("POST {path}, {name}: {e}"))?;
        rewritten.insert(name.clone(), as_text);
    }
    let mut out = Map::new();
    out.insert("type".to_owned(), json!("object"));
    out.insert("properties".to_owned(), Value::Object(rewritten));
    out.insert("additionalProperties".to_owned(), json!(false));
    if let Some(required) = schema.get("required") {
        out.insert("required".to_owned(), required.clone());
    }
    if let Value::Object(extra) = extra {
        out.extend(extra);
    }
    Ok(Value::Object(out))
}

/// One property's schema as the text a form carries.
fn as_form_text(doc: &Value, property: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("$ref nesting too deep".to_owned());
    }
    if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .ok_or_else(|| format!("unresolvable $ref {reference}"))?;
        return as_form_text(doc, target, depth + 1);
    }
    Ok(match property.get("type").and_then(Value::as_str) {
        Some("integer") => json!({ "type": "string", "pattern": "^-?[0-9]+$" }),
        Some("number") => json!({ "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$" }),
        Some("boolean") => json!({ "enum": ["true", "false"] }),
        Some("array") => {
            let item = match property.get("items") {
                Some(items) => as_form_text(doc, items, depth + 1)?,
                None => json!({ "type": "string" }),
            };
            json!({ "anyOf": [item, { "type": "array", "items": item }] })
        }
        Some("string") => {
            let mut kept = Map::new();
            for key in [
                "type",
                "enum",
                "pattern",
                "minLength",
                "maxLength",
                "format",
            ] {
                if let Some(value) = property.get(key) {
                    kept.insert(key.to_owned(), value.clone());
                }
            }
            Value::Object(kept)
        }
        other => return Err(format!("type {other:?} has no form reading")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(case: OpCase) -> jsonschema::Validator {
        let check = checks().into_iter().find(|c| c.case == case).unwrap();
        jsonschema::validator_for(&check.schema).unwrap()
    }

    #[test]
    fn both_operations_schemas_derive_from_the_excerpt() {
        let all = checks();
        assert_eq!(all.len(), 7);
        for check in &all {
            let text = check.schema.to_string();
            assert!(!text.contains("schema unavailable"), "{text}");
            assert!(check.schema["properties"].as_object().unwrap().len() > 5);
        }
    }

    #[test]
    fn a_create_needs_to_and_from_and_exactly_one_source_of_call_logic() {
        let v = validator(OpCase::Create);
        let good = json!({ "To": "+1", "From": "+2", "Url": "https://h/x", "Timeout": "45",
            "StatusCallbackEvent": ["initiated", "completed"] });
        assert!(v.is_valid(&good));
        assert!(
            v.is_valid(&json!({ "To": "+1", "From": "+2", "Twiml": "<Response/>",
            "StatusCallbackEvent": "completed" }))
        );
        assert!(!v.is_valid(&json!({ "To": "+1", "Url": "https://h/x" })));
        assert!(!v.is_valid(&json!({ "To": "+1", "From": "+2" })));
        assert!(!v.is_valid(&json!({ "To": "+1", "From": "+2", "Url": "u", "Twiml": "t" })));
    }

    #[test]
    fn form_text_must_read_as_the_documented_type() {
        let v = validator(OpCase::Create);
        let base = |field: &str, value: &str| json!({ "To": "+1", "From": "+2", "Url": "https://h/x", field: value });
        assert!(!v.is_valid(&base("Timeout", "forty")));
        assert!(!v.is_valid(&base("Record", "yes")));
        assert!(v.is_valid(&base("Record", "true")));
        assert!(!v.is_valid(&base("Method", "PUT")));
        assert!(
            !v.is_valid(&base("Timelimit", "600")),
            "a misspelt parameter"
        );
    }

    #[test]
    fn an_update_takes_one_status_word_and_not_both_url_and_twiml() {
        let v = validator(OpCase::HangupAnswered);
        assert!(v.is_valid(&json!({ "Status": "completed" })));
        assert!(v.is_valid(&json!({ "Status": "canceled" })));
        assert!(!v.is_valid(&json!({ "Status": "ended" })));
        assert!(!v.is_valid(&json!({ "Url": "https://h/x", "Twiml": "<Response/>" })));
        assert!(!v.is_valid(&json!({ "To": "+1" })));
    }
}
