//! The control API of a real gateway (section 2 of `sim/CONTRACTS.md`): what
//! an operator, or the black-box gate, uses instead of the simulator's
//! scripted workload. JSON in, JSON out; every failure is a typed answer
//! (`{"error": ..., "kind": ...}`), never a panic or a hung connection.

use super::{ControlAnswer, ControlMsg, ControlRequest, GatewayLog};
use callproof_core::manager::{CommandError, CommandOk};
use callproof_core::record::{CallMode, CallRecord, Direction};
use serde::Deserialize;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// How long a control request waits for the manager's result before it is
/// answered 504 (the command goes on: a hangup keeps being retried).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers one control request. `tx` reaches the driver; `log` says whether
/// recovery has finished.
pub async fn handle(
    request: http::Request<Vec<u8>>,
    tx: mpsc::UnboundedSender<ControlMsg>,
    log: Rc<RefCell<GatewayLog>>,
) -> http::Response<Vec<u8>> {
    let path = request.uri().path().trim_end_matches('/').to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = request.method().clone();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["health"]) => {
            let ready = log.borrow().ready;
            respond(if ready { 200 } else { 503 }, json!({ "ready": ready }))
        }
        ("GET", ["calls"]) => match ask(&tx, ControlRequest::List).await {
            Ok(ControlAnswer::Calls(calls)) => respond(
                200,
                json!({ "calls": calls.iter().map(call_json).collect::<Vec<_>>() }),
            ),
            Ok(other) => unexpected(other),
            Err(e) => e,
        },
        ("POST", ["calls"]) => {
            let place = match parse_place(request.body()) {
                Ok(place) => place,
                Err(detail) => return error(400, "invalid", &detail),
            };
            match ask(&tx, place).await {
                Ok(ControlAnswer::Done(Ok(CommandOk::Placed { call_id }))) => {
                    respond(200, json!({ "callId": call_id }))
                }
                Ok(ControlAnswer::Done(Err(e))) => command_error(&e),
                Ok(other) => unexpected(other),
                Err(e) => e,
            }
        }
        ("POST", ["calls", call_id, "end"]) => {
            let end = ControlRequest::End {
                call_id: (*call_id).to_owned(),
            };
            match ask(&tx, end).await {
                Ok(ControlAnswer::Done(Ok(_))) => respond(200, json!({ "ok": true })),
                Ok(ControlAnswer::Done(Err(e))) => command_error(&e),
                Ok(other) => unexpected(other),
                Err(e) => e,
            }
        }
        (_, ["health"] | ["calls"] | ["calls", _, "end"]) => error(
            405,
            "invalid",
            &format!("{method} is not allowed on {path}"),
        ),
        _ => error(404, "not_found", &format!("no route {method} {path}")),
    }
}

#[derive(Deserialize)]
struct PlaceBody {
    to: String,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

fn parse_place(body: &[u8]) -> Result<ControlRequest, String> {
    let body: PlaceBody = serde_json::from_slice(body)
        .map_err(|e| format!("the body must be JSON {{\"to\": \"+1...\"}}: {e}"))?;
    let mode = match body.mode.as_deref() {
        None | Some("conversation") => CallMode::Conversation,
        Some("notify") => CallMode::Notify,
        Some(other) => {
            return Err(format!(
                "mode must be \"notify\" or \"conversation\", not {other:?}"
            ))
        }
    };
    Ok(ControlRequest::Place {
        to: body.to,
        mode,
        message: body.message,
    })
}

async fn ask(
    tx: &mpsc::UnboundedSender<ControlMsg>,
    request: ControlRequest,
) -> Result<ControlAnswer, http::Response<Vec<u8>>> {
    let (answer, wait) = oneshot::channel();
    if tx.send((request, answer)).is_err() {
        return Err(error(503, "internal", "the gateway is stopping"));
    }
    match tokio::time::timeout(ANSWER_TIMEOUT, wait).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(_)) => Err(error(
            503,
            "internal",
            "the gateway restarted its core; try again",
        )),
        Err(_) => Err(error(
            504,
            "provider",
            "no result yet (the provider has not confirmed); the command goes on",
        )),
    }
}

fn command_error(e: &CommandError) -> http::Response<Vec<u8>> {
    match e {
        CommandError::CapacityReached { max } => error(
            409,
            "capacity",
            &format!("capacity reached: {max} concurrent call(s) already counted"),
        ),
        CommandError::InvalidNumber { .. } => error(
            400,
            "invalid",
            "the number is not E.164 (+ and 8 to 15 digits)",
        ),
        CommandError::CallNotFound { call_id } => {
            error(404, "not_found", &format!("no call {call_id}"))
        }
        CommandError::OutcomeUnknown { call_id } => {
            let mut r = error(
                502,
                "provider",
                &format!(
                    "the provider did not answer; call {call_id} keeps its slot until it is known"
                ),
            );
            if let Ok(mut v) = serde_json::from_slice::<Value>(r.body()) {
                v["callId"] = Value::from(call_id.as_str());
                *r.body_mut() = v.to_string().into_bytes();
            }
            r
        }
        CommandError::Provider(p) => error(502, "provider", &format!("provider refused: {p}")),
        CommandError::CallEnded { call_id, reason } => error(
            502,
            "provider",
            &format!("call {call_id} ended ({reason}) before the command completed"),
        ),
        other => error(500, "internal", &format!("{other:?}")),
    }
}

fn unexpected(answer: ControlAnswer) -> http::Response<Vec<u8>> {
    match answer {
        ControlAnswer::ShuttingDown => error(503, "internal", "the gateway is shutting down"),
        other => error(500, "internal", &format!("unexpected answer {other:?}")),
    }
}

fn call_json(r: &CallRecord) -> Value {
    json!({
        "callId": r.call_id,
        "providerCallId": r.provider_call_id,
        "state": r.state.as_str(),
        "direction": match r.direction { Direction::Inbound => "inbound", Direction::Outbound => "outbound" },
        "from": r.from,
        "to": r.to,
    })
}

fn error(code: u16, kind: &str, detail: &str) -> http::Response<Vec<u8>> {
    respond(code, json!({ "error": detail, "kind": kind }))
}

fn respond(code: u16, body: Value) -> http::Response<Vec<u8>> {
    let mut r = crate::net::status(code);
    *r.body_mut() = body.to_string().into_bytes();
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}
