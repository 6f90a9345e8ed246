//! Unit tests of the mock adapter; shared fixtures here, cases by side.

use super::*;
use crate::provider::{CallRef, CreateCall, EventKind, ProviderCallStatus};
use crate::record::{CallMode, Direction};
use crate::state::CallState;

const TOKEN: &str = "mock-token";
const HOOK_URL: &str = "https://gw.example/hooks/mock";

fn adapter() -> MockAdapter {
    MockAdapter::new(MockConfig {
        api_base: "http://127.0.0.1:4010".to_owned(),
        token: TOKEN.to_owned(),
        webhook_url: HOOK_URL.to_owned(),
    })
}

fn call(provider_call_id: Option<&str>) -> CallRef {
    CallRef {
        call_id: "call-1".to_owned(),
        provider_call_id: provider_call_id.map(str::to_owned),
        request_id: None,
    }
}

fn create() -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: "call-1".to_owned(),
        from: "+15550001111".to_owned(),
        to: "+15550002222".to_owned(),
        mode: CallMode::Notify,
        message: Some("hello".to_owned()),
        time_limit_secs: 300,
        ring_timeout_secs: 30,
    })
}

fn status_op() -> ProviderOp {
    ProviderOp::Status {
        call: call(Some("mc-1")),
    }
}

fn respond(status: u16, body: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body.as_bytes().to_vec());
    *response.status_mut() = http::StatusCode::from_u16(status).expect("test status code");
    response
}

fn json_body(request: &http::Request<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(request.body()).expect("request body is JSON")
}

mod rest;
mod webhook;
