//! The published request schemas the adapter's JSON bodies must satisfy,
//! from `fixtures/openapi/telnyx_call_control_calls.json` (team-telnyx/openapi
//! `openapi/spec3.json` at 354b744; see its PROVENANCE note).
//!
//! Each check is the published component schema with one addition of ours:
//! `unevaluatedProperties: false` around it. The published schemas leave
//! extra properties open and Telnyx ignores a field it does not know, so
//! without it a misspelt `time_limit_sec` would pass here and silently give
//! the call no provider-side limit.

use crate::subject::{OpCase, SchemaCheck};
use serde_json::{json, Value};

/// The excerpt, compiled in so the check does not depend on the working
/// directory.
const DOCUMENT: &str = include_str!("../../../../fixtures/openapi/telnyx_call_control_calls.json");

const SOURCE_DIAL: &str =
    "team-telnyx/openapi spec3.json@354b744 #/components/schemas/CallRequest (DialCall, POST /calls), closed";
const SOURCE_HANGUP: &str =
    "team-telnyx/openapi spec3.json@354b744 #/components/schemas/HangupRequest (HangupCall), closed";
const SOURCE_SPEAK: &str =
    "team-telnyx/openapi spec3.json@354b744 #/components/schemas/SpeakRequest (SpeakCall), closed";
const SOURCE_TRANSCRIPTION: &str =
    "team-telnyx/openapi spec3.json@354b744 #/components/schemas/TranscriptionStartRequest, closed";

/// `#/components/schemas/<name>` of the excerpt as a standalone JSON Schema
/// (draft 2020-12, OpenAPI 3.1's dialect), its references resolved within the
/// excerpt's components.
fn closed(components: &Value, name: &str) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "unevaluatedProperties": false,
        "components": components,
    })
}

pub(super) fn all() -> Vec<SchemaCheck> {
    // An unreadable excerpt still yields the checks, with a schema that does
    // not compile and says why, so the failure shows instead of a skip.
    let components = match serde_json::from_str::<Value>(DOCUMENT) {
        Ok(doc) => doc.get("components").cloned().unwrap_or(Value::Null),
        Err(e) => json!({ "unreadable excerpt": e.to_string() }),
    };
    let check = |name, source, case, schema: &str| SchemaCheck {
        name,
        source,
        case,
        schema: closed(&components, schema),
    };
    vec![
        check("CallRequest", SOURCE_DIAL, OpCase::Create, "CallRequest"),
        check(
            "CallRequest",
            SOURCE_DIAL,
            OpCase::CreateConversation,
            "CallRequest",
        ),
        check(
            "HangupRequest",
            SOURCE_HANGUP,
            OpCase::HangupAnswered,
            "HangupRequest",
        ),
        check(
            "HangupRequest",
            SOURCE_HANGUP,
            OpCase::HangupUnanswered,
            "HangupRequest",
        ),
        check("SpeakRequest", SOURCE_SPEAK, OpCase::Speak, "SpeakRequest"),
        check(
            "TranscriptionStartRequest",
            SOURCE_TRANSCRIPTION,
            OpCase::StartListening,
            "TranscriptionStartRequest",
        ),
    ]
}
