//! The mock's REST side: requests out, responses classified.

use super::{MockConfig, MockStatus};
use crate::adapters::BuildError;
use crate::provider::{CallRef, OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use crate::record::CallMode;
use serde::Deserialize;

/// How much of an unreadable error body is quoted back in a detail.
const DETAIL_LIMIT: usize = 200;

pub(super) fn build_request(
    config: &MockConfig,
    op: &ProviderOp,
    command_id: &str,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let (method, url, body) = match op {
        ProviderOp::Create(c) => {
            let mode = match c.mode {
                CallMode::Notify => "notify",
                CallMode::Conversation => "conversation",
            };
            let body = serde_json::json!({
                "call_id": c.call_id,
                "from": c.from,
                "to": c.to,
                "mode": mode,
                "message": c.message,
                "time_limit_secs": c.time_limit_secs,
                "ring_timeout_secs": c.ring_timeout_secs,
                "webhook_url": config.webhook_url,
            });
            (
                http::Method::POST,
                endpoint(config, &["mock", "calls"])?,
                Some(body),
            )
        }
        ProviderOp::Status { call } => {
            let id = provider_id(call, op)?;
            (
                http::Method::GET,
                endpoint(config, &["mock", "calls", id])?,
                None,
            )
        }
        ProviderOp::Hangup { call, .. } => {
            let id = provider_id(call, op)?;
            let url = endpoint(config, &["mock", "calls", id, "hangup"])?;
            (http::Method::POST, url, None)
        }
        ProviderOp::Speak { call, text } => {
            let id = provider_id(call, op)?;
            let url = endpoint(config, &["mock", "calls", id, "speak"])?;
            (
                http::Method::POST,
                url,
                Some(serde_json::json!({ "text": text })),
            )
        }
        ProviderOp::StartListening { call } => {
            let id = provider_id(call, op)?;
            let url = endpoint(config, &["mock", "calls", id, "listen", "start"])?;
            (http::Method::POST, url, None)
        }
        ProviderOp::StopListening { call } => {
            let id = provider_id(call, op)?;
            let url = endpoint(config, &["mock", "calls", id, "listen", "stop"])?;
            (http::Method::POST, url, None)
        }
    };

    let mut builder = http::Request::builder()
        .method(method.clone())
        .uri(url)
        .header(
            http::header::AUTHORIZATION,
            format!("Bearer {}", config.token),
        )
        .header(http::header::ACCEPT, "application/json");
    if method == http::Method::POST {
        builder = builder.header("idempotency-key", command_id);
    }
    let bytes = match body {
        Some(json) => {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
            serde_json::to_vec(&json).map_err(|e| BuildError {
                detail: format!("mock request body: {e}"),
            })?
        }
        None => Vec::new(),
    };
    builder.body(bytes).map_err(|e| BuildError {
        detail: format!("mock request (check the token and api_base): {e}"),
    })
}

/// The mock only knows calls by its own id: there is no lookup by ours.
fn provider_id<'a>(call: &'a CallRef, op: &ProviderOp) -> Result<&'a str, BuildError> {
    match call.provider_call_id.as_deref() {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(BuildError {
            detail: format!(
                "mock {} of call {} needs the provider call id, which is not known yet",
                op.kind(),
                call.call_id
            ),
        }),
    }
}

/// `api_base` plus path segments, each percent-encoded as one segment so an
/// id can never add path components.
fn endpoint(config: &MockConfig, segments: &[&str]) -> Result<String, BuildError> {
    let mut url = url::Url::parse(&config.api_base).map_err(|e| BuildError {
        detail: format!("mock api_base {:?} is not a URL: {e}", config.api_base),
    })?;
    url.path_segments_mut()
        .map_err(|()| BuildError {
            detail: format!("mock api_base {:?} cannot take a path", config.api_base),
        })?
        .pop_if_empty()
        .extend(segments);
    Ok(url.into())
}

#[derive(Deserialize)]
struct CreatedBody {
    id: String,
}

#[derive(Deserialize)]
struct StatusBody {
    status: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

pub(super) fn parse_response(
    op: &ProviderOp,
    response: &http::Response<Vec<u8>>,
) -> Result<OpOutcome, ProviderError> {
    let status = response.status();
    let body = response.body();
    if !status.is_success() {
        return Err(classify_failure(status.as_u16(), body));
    }
    match op {
        ProviderOp::Create(_) => {
            let created: CreatedBody = read(op, body)?;
            if created.id.is_empty() {
                return Err(ProviderError::Malformed {
                    detail: "mock create answered an empty call id".to_owned(),
                });
            }
            Ok(OpOutcome::Created {
                provider_call_id: Some(created.id),
                request_id: None,
            })
        }
        ProviderOp::Status { .. } => {
            let reported: StatusBody = read(op, body)?;
            Ok(OpOutcome::Status(call_status(reported.status)))
        }
        ProviderOp::Hangup { .. }
        | ProviderOp::Speak { .. }
        | ProviderOp::StartListening { .. }
        | ProviderOp::StopListening { .. } => Ok(OpOutcome::Done),
    }
}

/// A status word as the manager sees it; unknown words stay `Unknown`.
pub(super) fn call_status(raw: String) -> ProviderCallStatus {
    match MockStatus::parse(&raw) {
        None => ProviderCallStatus::Unknown { raw },
        Some(s) => match s.end_reason() {
            Some(reason) => ProviderCallStatus::Ended { reason },
            None => ProviderCallStatus::Live {
                answered: s == MockStatus::InProgress,
            },
        },
    }
}

fn read<'de, T: Deserialize<'de>>(op: &ProviderOp, body: &'de [u8]) -> Result<T, ProviderError> {
    serde_json::from_slice(body).map_err(|e| ProviderError::Malformed {
        detail: format!(
            "mock {} answered 2xx with an unreadable body: {e}",
            op.kind()
        ),
    })
}

/// The shared rules: who is at fault, and whether the outcome is known.
fn classify_failure(status: u16, body: &[u8]) -> ProviderError {
    let detail = error_detail(status, body);
    match status {
        404 => ProviderError::NotFound { detail },
        401 | 403 => ProviderError::Unauthorized { detail },
        408 | 429 | 500..=599 => ProviderError::Transient { detail },
        400..=499 => ProviderError::Rejected { status, detail },
        _ => ProviderError::Malformed {
            detail: format!("unexpected HTTP status: {detail}"),
        },
    }
}

fn error_detail(status: u16, body: &[u8]) -> String {
    if let Ok(e) = serde_json::from_slice::<ErrorBody>(body) {
        return format!("HTTP {status}: {}", e.error);
    }
    let text = String::from_utf8_lossy(body);
    let quoted: String = text.chars().take(DETAIL_LIMIT).collect();
    if quoted.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {quoted}")
    }
}
