//! HTTP/1 over real TCP for the standalone server: serving connections with
//! the ability to reset one instead of answering (the `drop` and
//! `reply_lost` faults), and a client that delivers callbacks with a
//! connect timeout and a total timeout, as the providers do.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::time::Duration;

/// The largest request body read; anything bigger is answered 413.
pub use crate::net::BODY_LIMIT;

pub use crate::net::Reply;

/// Answers the requests of one connection with `handler`, keeping it alive
/// between requests; a `None` reply closes it.
pub async fn serve_connection<H, F>(stream: tokio::net::TcpStream, handler: H)
where
    H: Fn(http::Request<Vec<u8>>) -> F + Clone + 'static,
    F: Future<Output = Reply> + 'static,
{
    let _ = stream.set_nodelay(true);
    crate::net::serve_connection_or_reset(stream, handler).await
}

/// Why a callback got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// No connection (refused, unreachable, bad URL, or not within the
    /// connect timeout).
    Connect,
    /// No whole answer within the total timeout.
    Timeout,
    /// The connection broke mid-exchange.
    Broken,
}

/// Sends `request` (an absolute `http://` URI) and waits for the whole
/// answer, giving up on connecting after `connect` and on everything after
/// `total`.
pub async fn send(
    request: http::Request<Vec<u8>>,
    connect: Duration,
    total: Duration,
) -> Result<http::Response<Vec<u8>>, SendError> {
    match tokio::time::timeout(total, exchange(request, connect)).await {
        Ok(result) => result,
        Err(_) => Err(SendError::Timeout),
    }
}

async fn exchange(
    request: http::Request<Vec<u8>>,
    connect: Duration,
) -> Result<http::Response<Vec<u8>>, SendError> {
    let uri = request.uri().clone();
    if uri.scheme_str() != Some("http") {
        return Err(SendError::Connect);
    }
    let host = uri.host().ok_or(SendError::Connect)?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::time::timeout(
        connect,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    .map_err(|_| SendError::Connect)?
    .map_err(|_| SendError::Connect)?;
    let _ = stream.set_nodelay(true);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| SendError::Broken)?;
    tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    let (mut parts, body) = request.into_parts();
    let authority = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .unwrap_or(host);
    if let Ok(v) = http::HeaderValue::from_str(&authority) {
        parts.headers.insert(http::header::HOST, v);
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    parts.uri = path.parse().map_err(|_| SendError::Connect)?;
    let response = sender
        .send_request(http::Request::from_parts(
            parts,
            Full::new(Bytes::from(body)),
        ))
        .await
        .map_err(|_| SendError::Broken)?;
    let (parts, body) = response.into_parts();
    let bytes = Limited::new(body, BODY_LIMIT)
        .collect()
        .await
        .map_err(|_| SendError::Broken)?
        .to_bytes();
    Ok(http::Response::from_parts(parts, bytes.to_vec()))
}
