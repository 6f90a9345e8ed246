//! Classifying Plivo REST responses.
//!
//! Status codes (plivo.com/docs/voice/api/response, and the SDKs' exception
//! mapping): 2xx success; 400 invalid parameter, 405, 409 and 422 refused
//! requests (permanent: `Rejected`); 401 and 403 refused credentials or
//! permissions (`Unauthorized`); 404 not found (an ended call; plivo-go also
//! gets a bare `{}` body); 408, 429 and 5xx leave the outcome unknown
//! (`Transient`). Error bodies are `{"api_id": …, "error": …}`, and their text
//! is carried in the error's detail.

use super::status::PlivoStatus;
use crate::provider::{CallRef, OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use serde_json::Value;

/// How much of an unreadable body is quoted in an error.
const DETAIL_LIMIT: usize = 200;

pub(crate) fn parse_response(
    op: &ProviderOp,
    response: &http::Response<Vec<u8>>,
) -> Result<OpOutcome, ProviderError> {
    let code = response.status().as_u16();
    let body = response.body();
    match code {
        200..=299 => success(op, body),
        404 => not_found(op, error_detail(code, body)),
        401 | 403 => Err(ProviderError::Unauthorized {
            detail: error_detail(code, body),
        }),
        408 | 429 | 500..=599 => Err(ProviderError::Transient {
            detail: error_detail(code, body),
        }),
        400..=499 => Err(ProviderError::Rejected {
            status: code,
            detail: error_detail(code, body),
        }),
        _ => Err(ProviderError::Malformed {
            detail: format!("unexpected {}", error_detail(code, body)),
        }),
    }
}

fn success(op: &ProviderOp, body: &[u8]) -> Result<OpOutcome, ProviderError> {
    match op {
        ProviderOp::Create(_) => {
            let request_uuid = json_object(body)
                .and_then(|v| single_request_uuid(v.get("request_uuid")))
                .ok_or_else(|| ProviderError::Malformed {
                    detail: format!("create answered without one request_uuid: {}", quote(body)),
                })?;
            Ok(OpOutcome::Created {
                provider_call_id: None,
                request_id: Some(request_uuid),
            })
        }
        ProviderOp::Status { .. } => {
            let raw = json_object(body)
                .and_then(|v| {
                    v.get("call_status")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .ok_or_else(|| ProviderError::Malformed {
                    detail: format!("status answered without call_status: {}", quote(body)),
                })?;
            Ok(OpOutcome::Status(classify(&raw)))
        }
        ProviderOp::Hangup { .. }
        | ProviderOp::Speak { .. }
        | ProviderOp::StartListening { .. }
        | ProviderOp::StopListening { .. } => Ok(OpOutcome::Done),
    }
}

/// A status word as the manager sees it; anything unrecognised stays
/// `Unknown`, so it can never end a call.
pub(crate) fn classify(raw: &str) -> ProviderCallStatus {
    match PlivoStatus::parse(raw) {
        Some(PlivoStatus::Queued | PlivoStatus::Ringing) => {
            ProviderCallStatus::Live { answered: false }
        }
        Some(PlivoStatus::InProgress) => ProviderCallStatus::Live { answered: true },
        Some(PlivoStatus::Ended(reason)) => ProviderCallStatus::Ended { reason },
        None => ProviderCallStatus::Unknown {
            raw: raw.to_owned(),
        },
    }
}

/// A 404 proves a call ended only when the call uuid was asked about; see
/// the module docs of `plivo` for why a request uuid proves nothing.
fn not_found(op: &ProviderOp, detail: String) -> Result<OpOutcome, ProviderError> {
    match op {
        ProviderOp::Hangup { call, .. } if only_request_known(call) => {
            Err(ProviderError::Transient {
                detail: format!(
                    "request is no longer queued, so it could not be cancelled; the call may be \
                     ringing under a CallUUID not yet reported: retry once it is known ({detail})"
                ),
            })
        }
        ProviderOp::Status { call } if only_request_known(call) => {
            Ok(OpOutcome::Status(ProviderCallStatus::Unknown {
                raw: format!("not queued ({detail})"),
            }))
        }
        _ => Err(ProviderError::NotFound { detail }),
    }
}

fn only_request_known(call: &CallRef) -> bool {
    call.provider_call_id.is_none()
}

fn json_object(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
}

/// `request_uuid` is a string, or a list for a bulk `to`; we never dial bulk,
/// so a list must hold exactly one.
fn single_request_uuid(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(items) => match items.as_slice() {
            [Value::String(s)] if !s.is_empty() => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `HTTP 400: <error> (api_id …)`, from Plivo's error body when it has one.
fn error_detail(code: u16, body: &[u8]) -> String {
    let Some(object) = json_object(body) else {
        return if body.is_empty() {
            format!("HTTP {code} with an empty body")
        } else {
            format!("HTTP {code}: {}", quote(body))
        };
    };
    let message = match object.get("error") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => match object.get("message").and_then(Value::as_str) {
            Some(m) => m.to_owned(),
            None => object.to_string(),
        },
    };
    match object.get("api_id").and_then(Value::as_str) {
        Some(api_id) => format!("HTTP {code}: {message} (api_id {api_id})"),
        None => format!("HTTP {code}: {message}"),
    }
}

/// At most [`DETAIL_LIMIT`] characters of a body, for error messages.
fn quote(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(DETAIL_LIMIT).collect();
    if text.chars().nth(DETAIL_LIMIT).is_some() {
        out.push('…');
    }
    format!("{out:?}")
}
