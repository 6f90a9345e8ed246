//! The adapter against Twilio's published OpenAPI document
//! (`fixtures/openapi/twilio_api_v2010_calls.json`, provenance beside it): what
//! we send must be what the operations accept, and every status the call
//! resource can report must have a classification.

use super::super::{form, response};
use super::adapter;
use crate::adapters::Adapter;
use crate::provider::{CallRef, CreateCall, ProviderCallStatus, ProviderOp};
use crate::record::CallMode;
use serde_json::Value;
use std::collections::BTreeSet;

const OAS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/openapi/twilio_api_v2010_calls.json"
));
const CALLS: &str = "/2010-04-01/Accounts/{AccountSid}/Calls.json";
const CALL: &str = "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json";
const SID: &str = "CAa1b2c3d4e5f60718293a4b5c6d7e8f90";

fn oas() -> Value {
    serde_json::from_str(OAS).unwrap()
}

fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not in the document");
    op
}

fn form_properties(op: &Value) -> BTreeSet<String> {
    op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn enum_values(doc: &Value, schema: &str) -> Vec<String> {
    doc["components"]["schemas"][schema]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn call() -> CallRef {
    CallRef {
        call_id: "call-1".to_owned(),
        provider_call_id: Some(SID.to_owned()),
        request_id: None,
    }
}

fn sent_fields(op: &ProviderOp) -> Vec<(String, String)> {
    let request = adapter().build_request(op, "cmd-1").unwrap();
    form::decode(request.body()).unwrap()
}

#[test]
fn every_create_field_we_send_is_a_create_call_parameter() {
    let doc = oas();
    let accepted = form_properties(operation(&doc, CALLS, "post"));
    for (mode, message) in [
        (CallMode::Conversation, None),
        (CallMode::Notify, Some("hi")),
    ] {
        let op = ProviderOp::Create(CreateCall {
            call_id: "call-1".to_owned(),
            from: "+15557654321".to_owned(),
            to: "+15550100001".to_owned(),
            mode,
            message: message.map(str::to_owned),
            time_limit_secs: 300,
            ring_timeout_secs: 30,
        });
        let fields = sent_fields(&op);
        for (name, _) in &fields {
            assert!(
                accepted.contains(name),
                "CreateCall has no parameter {name}"
            );
        }
        let required = operation(&doc, CALLS, "post")["requestBody"]["content"]
            ["application/x-www-form-urlencoded"]["schema"]["required"]
            .as_array()
            .unwrap();
        for name in required {
            let name = name.as_str().unwrap();
            assert!(
                fields.iter().any(|(n, _)| n == name),
                "required {name} not sent"
            );
        }
    }
}

#[test]
fn every_update_field_we_send_is_an_update_call_parameter() {
    let doc = oas();
    let accepted = form_properties(operation(&doc, CALL, "post"));
    let statuses = enum_values(&doc, "call_enum_update_status");
    let ops = [
        ProviderOp::Hangup {
            call: call(),
            answered: true,
        },
        ProviderOp::Hangup {
            call: call(),
            answered: false,
        },
        ProviderOp::Speak {
            call: call(),
            text: "hi".to_owned(),
        },
        ProviderOp::StartListening { call: call() },
        ProviderOp::StopListening { call: call() },
    ];
    for op in ops {
        for (name, value) in sent_fields(&op) {
            assert!(
                accepted.contains(&name),
                "UpdateCall has no parameter {name}"
            );
            if name == "Status" {
                assert!(
                    statuses.contains(&value),
                    "Status={value} is not in the enum"
                );
            }
        }
    }
}

#[test]
fn every_path_and_method_we_use_is_in_the_document() {
    let doc = oas();
    let requests = [
        (ProviderOp::Status { call: call() }, CALL, "get"),
        (
            ProviderOp::Hangup {
                call: call(),
                answered: true,
            },
            CALL,
            "post",
        ),
    ];
    for (op, template, method) in requests {
        operation(&doc, template, method);
        let request = adapter().build_request(&op, "cmd-1").unwrap();
        assert_eq!(request.method().as_str().to_ascii_lowercase(), method);
        let expected = template
            .replace("{AccountSid}", "AC0123456789abcdef0123456789abcdef")
            .replace("{Sid}", SID);
        assert_eq!(request.uri().path(), expected);
    }
}

#[test]
fn every_status_in_the_call_status_enum_is_classified_and_the_enum_has_no_surprises() {
    let doc = oas();
    let values = enum_values(&doc, "call_enum_status");
    for value in &values {
        assert!(
            !matches!(
                response::call_status(value),
                ProviderCallStatus::Unknown { .. }
            ),
            "{value} is unclassified"
        );
    }
    let known = [
        "queued",
        "ringing",
        "in-progress",
        "completed",
        "busy",
        "failed",
        "no-answer",
        "canceled",
    ];
    let published: BTreeSet<&str> = values.iter().map(String::as_str).collect();
    assert_eq!(published, BTreeSet::from(known));
}
