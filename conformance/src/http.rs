//! Real HTTP for adapter-built requests: the checks send every request over a
//! loopback TCP connection, so what is tested is what a provider would receive
//! (serialisation, headers, framing), not an in-memory shortcut.
//!
//! Transport failures (refused, reset, cut short, timed out) all mean the same
//! thing to the manager: the request may or may not have taken effect. They map
//! to [`ProviderError::Transient`].

use bytes::Bytes;
use callproof_core::adapters::Adapter;
use callproof_core::provider::{OpOutcome, ProviderError, ProviderOp};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// How long a check waits for a whole exchange before calling it lost.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// No provider answer for a call operation is anywhere near this; a bigger one
/// is the provider's fault.
pub const MAX_RESPONSE_BODY: usize = 1024 * 1024;

/// Sends `request` over HTTP/1.1 and reads the whole response, or says why the
/// exchange was lost.
pub async fn send(
    request: http::Request<Vec<u8>>,
    timeout: Duration,
) -> Result<http::Response<Vec<u8>>, ProviderError> {
    match tokio::time::timeout(timeout, exchange(request)).await {
        Ok(result) => result,
        Err(_) => Err(ProviderError::Transient {
            detail: format!("no complete response within {} ms", timeout.as_millis()),
        }),
    }
}

async fn exchange(
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, ProviderError> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
    let response = client
        .request(request)
        .await
        .map_err(|e| ProviderError::Transient {
            detail: format!("request lost: {}", error_chain(&e)),
        })?;
    let (parts, body) = response.into_parts();
    let collected = Limited::new(body, MAX_RESPONSE_BODY)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                ProviderError::Malformed {
                    detail: format!("response body exceeds {MAX_RESPONSE_BODY} bytes"),
                }
            } else {
                ProviderError::Transient {
                    detail: format!("response cut short: {}", error_chain(e.as_ref())),
                }
            }
        })?;
    Ok(http::Response::from_parts(
        parts,
        collected.to_bytes().to_vec(),
    ))
}

/// Builds, sends and classifies one operation: the whole path a driver takes.
pub async fn execute<A: Adapter>(
    adapter: &A,
    op: &ProviderOp,
    command_id: &str,
    timeout: Duration,
) -> Result<OpOutcome, ProviderError> {
    let request = adapter.build_request(op, command_id)?;
    let response = send(request, timeout).await?;
    adapter.parse_response(op, &response)
}

/// hyper's top-level errors say little ("client error (SendRequest)"); the
/// cause chain says what happened.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
