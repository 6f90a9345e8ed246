//! A small blocking HTTP/1.1 client for loopback: the gate talks to the
//! emulator's control API and the subject's control API, both on 127.0.0.1.
//!
//! Blocking on purpose: the gate is a sequential script (start, call, kill,
//! restart, look), and a thread per in-flight request is simpler to reason
//! about than a runtime. Every request carries a timeout, so a subject that
//! hangs can only cost the gate that timeout, never the run.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The largest response body the gate reads (the request journal of a long
/// random schedule is the biggest thing it fetches).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Why a request got no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The URL is not `http://host:port/path`.
    BadUrl(String),
    /// Nobody listens, or the connection was refused.
    Connect(String),
    /// No complete response within the timeout.
    Timeout,
    /// The peer closed or reset the connection mid-exchange, or sent
    /// something that is not HTTP/1.
    Broken(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::BadUrl(u) => write!(f, "not an http:// URL: {u}"),
            HttpError::Connect(e) => write!(f, "connect failed: {e}"),
            HttpError::Timeout => write!(f, "timed out"),
            HttpError::Broken(e) => write!(f, "connection broken: {e}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// A response: status and body (headers are not needed by the gate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The decoded body (chunked transfer decoded).
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text, lossily.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends one request with an optional JSON body and reads the whole
/// response, within `timeout` for connect and for each read.
pub fn request(
    method: &str,
    url: &str,
    json_body: Option<&str>,
    timeout: Duration,
) -> Result<Response, HttpError> {
    let (authority, path) = split_url(url)?;
    let addr: SocketAddr = authority
        .to_socket_addrs()
        .map_err(|e| HttpError::BadUrl(format!("{url}: {e}")))?
        .next()
        .ok_or_else(|| HttpError::BadUrl(url.to_owned()))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| HttpError::Connect(e.to_string()))?;
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let body = json_body.unwrap_or("");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if json_body.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    head.push_str(body);
    stream
        .write_all(head.as_bytes())
        .map_err(|e| HttpError::Broken(e.to_string()))?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(&chunk[..n]);
                if raw.len() > BODY_LIMIT {
                    return Err(HttpError::Broken("response too large".into()));
                }
                if let Some(done) = complete(&raw) {
                    return done;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(HttpError::Timeout)
            }
            Err(e) => return Err(HttpError::Broken(e.to_string())),
        }
    }
    match complete(&raw) {
        Some(done) => done,
        None => parse(&raw, true),
    }
}

/// `GET url`.
pub fn get(url: &str, timeout: Duration) -> Result<Response, HttpError> {
    request("GET", url, None, timeout)
}

/// `POST url` with a JSON body.
pub fn post(url: &str, json: &str, timeout: Duration) -> Result<Response, HttpError> {
    request("POST", url, Some(json), timeout)
}

fn split_url(url: &str) -> Result<(&str, &str), HttpError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| HttpError::BadUrl(url.to_owned()))?;
    Ok(match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    })
}

/// `Some` once `raw` holds a whole response (by Content-Length or the end
/// of the chunked body).
fn complete(raw: &[u8]) -> Option<Result<Response, HttpError>> {
    let head_end = find(raw, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let body = &raw[head_end + 4..];
    if head.contains("transfer-encoding: chunked") {
        return dechunk(body).map(|_| parse(raw, false));
    }
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())?;
    (body.len() >= length).then(|| parse(raw, false))
}

fn parse(raw: &[u8], at_eof: bool) -> Result<Response, HttpError> {
    let head_end = find(raw, b"\r\n\r\n")
        .ok_or_else(|| HttpError::Broken("no complete response head".into()))?;
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let status_line = head.lines().next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| status_line.starts_with("HTTP/1."))
        .ok_or_else(|| HttpError::Broken(format!("not an HTTP/1 status line: {status_line:?}")))?;
    let lower = head.to_ascii_lowercase();
    let rest = &raw[head_end + 4..];
    let body = if lower.contains("transfer-encoding: chunked") {
        dechunk(rest).ok_or_else(|| HttpError::Broken("truncated chunked body".into()))?
    } else if let Some(len) = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        if rest.len() < len {
            return Err(HttpError::Broken("truncated body".into()));
        }
        rest[..len].to_vec()
    } else if at_eof {
        rest.to_vec()
    } else {
        return Err(HttpError::Broken("incomplete".into()));
    };
    Ok(Response { status, body })
}

/// The decoded body of a complete chunked encoding, `None` if incomplete.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if rest.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_length_response_is_complete_once_its_body_arrived() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel";
        assert!(complete(raw).is_none());
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let r = complete(raw).expect("complete").expect("parses");
        assert_eq!(
            r,
            Response {
                status: 200,
                body: b"hello".to_vec()
            }
        );
    }

    #[test]
    fn a_chunked_body_is_decoded() {
        let raw = b"HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let r = complete(raw).expect("complete").expect("parses");
        assert_eq!(r.status, 409);
        assert_eq!(r.text(), "abcde");
    }

    #[test]
    fn garbage_is_a_typed_error_not_a_panic() {
        assert!(matches!(
            parse(b"SSH-2.0\r\n\r\n", true),
            Err(HttpError::Broken(_))
        ));
        assert!(matches!(split_url("ftp://x"), Err(HttpError::BadUrl(_))));
    }

    #[test]
    fn nobody_listening_is_a_connect_error() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let r = get(
            &format!("http://127.0.0.1:{port}/health"),
            Duration::from_secs(1),
        );
        assert!(matches!(r, Err(HttpError::Connect(_))), "{r:?}");
    }

    #[test]
    fn a_real_server_answer_is_read_over_loopback() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.ends_with(br#"{"to":"+1"}"#) {
                let n = s.read(&mut buf).expect("read");
                assert!(n > 0, "client closed early");
                req.extend_from_slice(&buf[..n]);
            }
            let req = String::from_utf8_lossy(&req).into_owned();
            s.write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")
                .expect("write");
            req
        });
        let r = post(
            &format!("http://127.0.0.1:{port}/calls"),
            r#"{"to":"+1"}"#,
            Duration::from_secs(5),
        )
        .expect("answer");
        assert_eq!(r.status, 201);
        let req = server.join().expect("server thread");
        assert!(req.starts_with("POST /calls HTTP/1.1\r\n"), "{req}");
        assert!(req.ends_with(r#"{"to":"+1"}"#), "{req}");
    }
}
