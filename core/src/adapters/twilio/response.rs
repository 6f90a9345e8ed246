//! Classifying Twilio's answers. Total: every status code and body lands in
//! an outcome or a typed error.
//!
//! Twilio's OAS models only successes; the error shapes are from its SDKs
//! (`RestException`: `code`, `message`, `more_info`, `status`) and observed
//! traffic: 404/20404 for a call that does not exist or has ended, 401/20003,
//! 429/20429.

use super::address;
use crate::provider::{OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use crate::state::EndReason;
use serde::Deserialize;

/// Twilio's error code for "the requested resource was not found".
pub(super) const NOT_FOUND_CODE: i64 = 20404;

/// How much of an unreadable body is quoted back in an error.
const DETAIL_LIMIT: usize = 200;

pub(super) fn classify(
    op: &ProviderOp,
    response: &http::Response<Vec<u8>>,
) -> Result<OpOutcome, ProviderError> {
    let status = response.status().as_u16();
    let body = response.body();
    match status {
        200..=299 => success(op, body),
        401 | 403 => Err(ProviderError::Unauthorized {
            detail: detail(status, body),
        }),
        404 if is_call_op(op) && error_code(body) == Some(NOT_FOUND_CODE) => {
            Err(ProviderError::NotFound {
                detail: detail(status, body),
            })
        }
        408 | 429 | 500..=599 => Err(ProviderError::Transient {
            detail: detail(status, body),
        }),
        400..=499 => Err(ProviderError::Rejected {
            status,
            detail: detail(status, body),
        }),
        _ => Err(ProviderError::Malformed {
            detail: format!("unexpected HTTP status: {}", detail(status, body)),
        }),
    }
}

/// A 404/20404 proves a *call* is gone only when the path named a call; on a
/// create it means the account path is wrong, which is ours to fix.
fn is_call_op(op: &ProviderOp) -> bool {
    !matches!(op, ProviderOp::Create(_))
}

#[derive(Deserialize)]
struct CallResource {
    sid: Option<String>,
    status: Option<String>,
}

fn success(op: &ProviderOp, body: &[u8]) -> Result<OpOutcome, ProviderError> {
    let read = || {
        serde_json::from_slice::<CallResource>(body).map_err(|e| ProviderError::Malformed {
            detail: format!("call resource is not readable JSON: {e}"),
        })
    };
    match op {
        ProviderOp::Create(_) => match read()?.sid {
            Some(sid) if address::is_sid(&sid) => Ok(OpOutcome::Created {
                provider_call_id: Some(sid),
                request_id: None,
            }),
            Some(_) => Err(ProviderError::Malformed {
                detail: "created call's sid is not letters and digits".to_owned(),
            }),
            None => Err(ProviderError::Malformed {
                detail: "created call has no sid".to_owned(),
            }),
        },
        ProviderOp::Status { .. } => match read()?.status {
            Some(raw) => Ok(OpOutcome::Status(call_status(&raw))),
            None => Err(ProviderError::Malformed {
                detail: "call resource has no status".to_owned(),
            }),
        },
        // An update's answer is the call resource, but nothing in it changes
        // what we know: the request was accepted.
        ProviderOp::Hangup { .. }
        | ProviderOp::Speak { .. }
        | ProviderOp::StartListening { .. }
        | ProviderOp::StopListening { .. } => Ok(OpOutcome::Done),
    }
}

/// The call resource's `status` (OAS `call_enum_status`). `canceled` means we
/// hung up before the callee answered (Twilio sets it only for
/// `Status=canceled` on a queued or ringing call), hence `HangupBot`.
/// Anything else, `initiated` included (a callback value, not in the enum), is
/// `Unknown` and keeps the call.
pub(super) fn call_status(raw: &str) -> ProviderCallStatus {
    match raw {
        "queued" | "ringing" => ProviderCallStatus::Live { answered: false },
        "in-progress" => ProviderCallStatus::Live { answered: true },
        _ => match end_reason(raw) {
            Some(reason) => ProviderCallStatus::Ended { reason },
            None => ProviderCallStatus::Unknown {
                raw: raw.to_owned(),
            },
        },
    }
}

/// Twilio's five terminal statuses, shared by the call resource and the
/// status callback's `CallStatus`.
pub(super) fn end_reason(raw: &str) -> Option<EndReason> {
    Some(match raw {
        "completed" => EndReason::Completed,
        "busy" => EndReason::Busy,
        "failed" => EndReason::Failed,
        "no-answer" => EndReason::NoAnswer,
        "canceled" => EndReason::HangupBot,
        _ => return None,
    })
}

#[derive(Deserialize)]
struct RestError {
    code: Option<i64>,
    message: Option<String>,
}

fn error_code(body: &[u8]) -> Option<i64> {
    serde_json::from_slice::<RestError>(body).ok()?.code
}

/// What Twilio said, for a human: `HTTP 404, Twilio error 20404: The
/// requested resource … was not found`, or the start of an unreadable body.
fn detail(status: u16, body: &[u8]) -> String {
    match serde_json::from_slice::<RestError>(body) {
        Ok(RestError {
            code: Some(code),
            message,
        }) => format!(
            "HTTP {status}, Twilio error {code}: {}",
            clip(message.as_deref().unwrap_or(""))
        ),
        _ => format!("HTTP {status}: {}", clip(&String::from_utf8_lossy(body))),
    }
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(DETAIL_LIMIT) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or(text)),
        None => text.to_owned(),
    }
}
