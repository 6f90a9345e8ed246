//! HTTP/1 over the gateway's I/O seam (turmoil's simulated TCP or tokio's
//! real TCP): a client with a timeout on every request (turmoil never
//! retransmits, so a dropped segment would otherwise hang forever) and a
//! server that hands each request to a local handler.

use crate::gateway::io::Io;
use crate::gateway::sim_io::{Disk, SimIo};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::time::Duration;

/// The largest body either side reads.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// Connection refused or reset (partition, crashed peer).
    Connect(String),
    /// No response within the timeout.
    Timeout,
    /// The connection broke mid-exchange.
    Broken(String),
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetError::Connect(e) => write!(f, "connect failed: {e}"),
            NetError::Timeout => write!(f, "timed out"),
            NetError::Broken(e) => write!(f, "connection broken: {e}"),
        }
    }
}

/// Sends `request` to `host:port` over turmoil and waits at most `timeout`
/// for the whole response.
pub async fn send(
    host: &str,
    port: u16,
    request: http::Request<Vec<u8>>,
    timeout: Duration,
) -> Result<http::Response<Vec<u8>>, NetError> {
    let io = SimIo {
        disk: std::rc::Rc::new(Disk::default()),
    };
    send_via(&io, host, port, request, timeout).await
}

/// Sends `request` to `host:port` through `io` and waits at most `timeout`
/// for the whole response.
pub async fn send_via<I: Io>(
    io: &I,
    host: &str,
    port: u16,
    request: http::Request<Vec<u8>>,
    timeout: Duration,
) -> Result<http::Response<Vec<u8>>, NetError> {
    match tokio::time::timeout(timeout, exchange(io, host, port, request)).await {
        Ok(result) => result,
        Err(_) => Err(NetError::Timeout),
    }
}

async fn exchange<I: Io>(
    io: &I,
    host: &str,
    port: u16,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, NetError> {
    let stream = io
        .connect(host, port)
        .await
        .map_err(|e| NetError::Connect(e.to_string()))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| NetError::Broken(e.to_string()))?;
    tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    let (mut parts, body) = request.into_parts();
    // HTTP/1 needs a Host header; the URI may be absolute (proxy form) or not.
    if !parts.headers.contains_key(http::header::HOST) {
        if let Ok(v) = http::HeaderValue::from_str(&format!("{host}:{port}")) {
            parts.headers.insert(http::header::HOST, v);
        }
    }
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    parts.uri = path
        .parse()
        .map_err(|e: http::uri::InvalidUri| NetError::Broken(e.to_string()))?;
    let response = sender
        .send_request(http::Request::from_parts(
            parts,
            Full::new(Bytes::from(body)),
        ))
        .await
        .map_err(|e| NetError::Broken(e.to_string()))?;
    let (parts, body) = response.into_parts();
    let bytes = Limited::new(body, BODY_LIMIT)
        .collect()
        .await
        .map_err(|e| NetError::Broken(e.to_string()))?
        .to_bytes();
    Ok(http::Response::from_parts(parts, bytes.to_vec()))
}

/// Serves HTTP/1 on turmoil's `port`, handing each request to `handler`
/// (the body collected). Accept errors are retried, never fatal.
pub async fn serve<H, F>(port: u16, handler: H) -> std::io::Result<()>
where
    H: Fn(http::Request<Vec<u8>>) -> F + Clone + 'static,
    F: Future<Output = http::Response<Vec<u8>>> + 'static,
{
    let listener = turmoil::net::TcpListener::bind(("0.0.0.0", port)).await?;
    serve_on::<SimIo, H, F>(listener, handler).await;
    Ok(())
}

/// Serves HTTP/1 on a listener of the seam `I` forever, handing each
/// request to `handler`. Accept errors are retried, never fatal.
pub async fn serve_on<I: Io, H, F>(listener: I::Listener, handler: H)
where
    H: Fn(http::Request<Vec<u8>>) -> F + Clone + 'static,
    F: Future<Output = http::Response<Vec<u8>>> + 'static,
{
    loop {
        let Ok(stream) = I::accept(&listener).await else {
            // Out of descriptors and the like: do not spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        tokio::task::spawn_local(serve_connection(stream, handler.clone()));
    }
}

/// Answers the HTTP/1 requests of one connection (simulated or real TCP)
/// with `handler`; a body over [`BODY_LIMIT`] is answered 413.
pub async fn serve_connection<S, H, F>(stream: S, handler: H)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + 'static,
    H: Fn(http::Request<Vec<u8>>) -> F + Clone + 'static,
    F: Future<Output = http::Response<Vec<u8>>> + 'static,
{
    let service = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let handler = handler.clone();
        async move {
            let (parts, body) = req.into_parts();
            let response = match Limited::new(body, BODY_LIMIT).collect().await {
                Ok(b) => handler(http::Request::from_parts(parts, b.to_bytes().to_vec())).await,
                Err(_) => status(413),
            };
            Ok::<_, std::convert::Infallible>(response.map(|b| Full::new(Bytes::from(b))))
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// What a handler that may refuse to answer gives back: a reply, or `None`
/// to close the connection without one (the client sees it reset before a
/// response: the emulators' `drop`, `reply_lost` and `reply_cut` faults).
pub type Reply = Option<http::Response<Vec<u8>>>;

/// The error by which a connection is closed instead of answered.
#[derive(Debug)]
struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by a fault rule")
    }
}

impl std::error::Error for Reset {}

/// Answers the HTTP/1 requests of one connection (simulated or real TCP)
/// with `handler`, keeping it alive between requests; a `None` reply closes
/// it, so a provider emulator can apply a request and lose its reply.
pub async fn serve_connection_or_reset<S, H, F>(stream: S, handler: H)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + 'static,
    H: Fn(http::Request<Vec<u8>>) -> F + Clone + 'static,
    F: Future<Output = Reply> + 'static,
{
    let service = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let handler = handler.clone();
        async move {
            let (parts, body) = req.into_parts();
            let reply = match Limited::new(body, BODY_LIMIT).collect().await {
                Ok(b) => handler(http::Request::from_parts(parts, b.to_bytes().to_vec())).await,
                Err(_) => Some(status(413)),
            };
            match reply {
                Some(response) => Ok(response.map(|b| Full::new(Bytes::from(b)))),
                None => Err(Reset),
            }
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Serves HTTP/1 on turmoil's `port` with a handler that may close a
/// connection instead of answering ([`serve_connection_or_reset`]).
pub async fn serve_or_reset<H, F>(port: u16, handler: H) -> std::io::Result<()>
where
    H: Fn(http::Request<Vec<u8>>) -> F + Clone + 'static,
    F: Future<Output = Reply> + 'static,
{
    let listener = turmoil::net::TcpListener::bind(("0.0.0.0", port)).await?;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        tokio::task::spawn_local(serve_connection_or_reset(stream, handler.clone()));
    }
}

/// An empty response with `code`.
pub fn status(code: u16) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(Vec::new());
    *r.status_mut() =
        http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    r
}
