//! The mock provider from its own side (the wire format is specified in
//! `callproof_core::adapters::mock`).

use super::{ApiCall, ApiResult, CallbackKind, CreateParams, Dialect, IdRef};
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::adapters::mock::{
    webhook_signature, MockAdapter, MockConfig, SIGNATURE_HEADER,
};
use callproof_core::adapters::Adapter;
use callproof_core::provider::ProviderName;
use callproof_core::record::Direction;
use callproof_core::state::{CallState, EndReason};
use serde_json::{json, Value};

/// The shared secret of the simulated mock account.
pub const TOKEN: &str = "mock-secret-token";

/// The mock provider's dialect.
#[derive(Debug, Default, Clone)]
pub struct MockDialect;

fn response(status: u16, body: Value) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(serde_json::to_vec(&body).unwrap_or_default());
    *r.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

fn status_word(phase: Phase) -> &'static str {
    match phase {
        Phase::Queued => "queued",
        Phase::Ringing => "ringing",
        Phase::Answered => "in-progress",
        Phase::Ended(reason) => ended_word(reason),
    }
}

fn ended_word(reason: EndReason) -> &'static str {
    match reason {
        CallState::Busy => "busy",
        CallState::Failed | CallState::Error => "failed",
        CallState::NoAnswer => "no-answer",
        CallState::HangupBot => "canceled",
        _ => "completed",
    }
}

impl Dialect for MockDialect {
    fn end_vocabulary(&self) -> &'static [&'static str] {
        &["completed", "busy", "failed", "no-answer", "canceled"]
    }

    fn end_word(&self, _call: &TruthCall, reason: EndReason) -> &'static str {
        ended_word(reason)
    }

    fn name(&self) -> ProviderName {
        ProviderName::Mock
    }

    fn adapter(&self, api_base: &str, webhook_url: &str) -> Box<dyn Adapter> {
        Box::new(MockAdapter::new(MockConfig {
            api_base: api_base.to_owned(),
            token: TOKEN.to_owned(),
            webhook_url: webhook_url.to_owned(),
        }))
    }

    fn parse(&self, request: &http::Request<Vec<u8>>) -> Result<ApiCall, http::Response<Vec<u8>>> {
        let auth = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if auth != Some(&format!("Bearer {TOKEN}")) {
            return Err(response(401, json!({"error": "unauthorized"})));
        }
        let path: Vec<&str> = request.uri().path().trim_matches('/').split('/').collect();
        let method = request.method().clone();
        match (method, path.as_slice()) {
            (http::Method::POST, ["mock", "calls"]) => {
                let body: Value = serde_json::from_slice(request.body())
                    .map_err(|_| response(400, json!({"error": "bad_json"})))?;
                let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
                let (Some(from), Some(to), Some(webhook_url)) =
                    (text("from"), text("to"), text("webhook_url"))
                else {
                    return Err(response(400, json!({"error": "missing_field"})));
                };
                let secs = |k: &str| {
                    body.get(k)
                        .and_then(Value::as_u64)
                        .map(|v| v.min(u64::from(u32::MAX)) as u32)
                };
                Ok(ApiCall::Create(CreateParams {
                    call_id: text("call_id"),
                    from,
                    to,
                    webhook_url,
                    time_limit_secs: secs("time_limit_secs"),
                    ring_timeout_secs: secs("ring_timeout_secs"),
                }))
            }
            (http::Method::GET, ["mock", "calls", id]) => {
                Ok(ApiCall::Status(IdRef::Call((*id).to_owned())))
            }
            (http::Method::POST, ["mock", "calls", id, "hangup"]) => {
                Ok(ApiCall::Hangup(IdRef::Call((*id).to_owned())))
            }
            (http::Method::POST, ["mock", "calls", id, "speak"]) => {
                Ok(ApiCall::Speak(IdRef::Call((*id).to_owned())))
            }
            (http::Method::POST, ["mock", "calls", id, "listen", "start"]) => {
                Ok(ApiCall::StartListening(IdRef::Call((*id).to_owned())))
            }
            (http::Method::POST, ["mock", "calls", id, "listen", "stop"]) => {
                Ok(ApiCall::StopListening(IdRef::Call((*id).to_owned())))
            }
            _ => Err(response(404, json!({"error": "no_route"}))),
        }
    }

    fn respond(&self, _: &ApiCall, result: ApiResult<'_>) -> http::Response<Vec<u8>> {
        match result {
            ApiResult::Created(call) => response(201, json!({"id": call.provider_call_id})),
            ApiResult::Status(call) => response(
                200,
                json!({"id": call.provider_call_id, "status": status_word(call.phase)}),
            ),
            ApiResult::Done(_) => response(200, json!({"ok": true})),
            ApiResult::NotFound => response(404, json!({"error": "not_found"})),
            ApiResult::RateLimited => response(429, json!({"error": "rate_limited"})),
            ApiResult::ServerError => response(503, json!({"error": "unavailable"})),
        }
    }

    fn speech_to_webhook(&self) -> bool {
        true
    }

    fn new_ids(&self, n: u64) -> (String, Option<String>) {
        (format!("mc{n:06}"), None)
    }

    fn callback(
        &self,
        call: &TruthCall,
        kind: CallbackKind,
        sequence: u32,
        now: u64,
    ) -> http::Request<Vec<u8>> {
        let status = match kind {
            CallbackKind::Initiated => "queued",
            CallbackKind::Ringing => "ringing",
            CallbackKind::Answered => "in-progress",
            CallbackKind::Unrecognised => super::UNRECOGNISED_STATUS,
            // A live call's status, with the words in `transcript`.
            CallbackKind::Speech { .. } => "in-progress",
            CallbackKind::Ended(reason) => ended_word(reason),
        };
        let mut event = json!({
            "id": format!("{}-{sequence}", call.provider_call_id),
            "call_id": call.call_id,
            "provider_call_id": call.provider_call_id,
            "status": status,
            "direction": if call.direction == Direction::Inbound { "inbound" } else { "outbound" },
            "from": call.from,
            "to": call.to,
            "occurred_at_ms": now,
        });
        if let CallbackKind::Speech { index, is_final } = kind {
            let text = crate::emulator::speech::utterance(call, index).map(|u| u.text.clone());
            event["transcript"] = json!({"text": text.unwrap_or_default(), "is_final": is_final});
        }
        let body = serde_json::to_vec(&event).unwrap_or_default();
        let signature = webhook_signature(TOKEN, &call.webhook_url, &body).unwrap_or_default();
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = call.webhook_url.parse().unwrap_or_default();
        let headers = request.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        if let Ok(v) = http::HeaderValue::from_str(&signature) {
            headers.insert(SIGNATURE_HEADER, v);
        }
        request
    }
}
