//! A `callproof emulate` process on a free loopback port, a blocking HTTP
//! client for its REST and control routes, and a webhook receiver that
//! records every callback and answers as a test tells it.

#![allow(dead_code)]

use base64::Engine as _;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The emulator's Twilio account, as `callproof emulate` prints it.
pub const TWILIO_SID: &str = "AC5ea872f6da5a21de157d80997a64bd33";
/// Its auth token.
pub const TWILIO_TOKEN: &str = "0d8e8c3bb1b1c0a6f8f1e2d3c4b5a697";
/// Plivo's auth id and token.
pub const PLIVO_ID: &str = "MASIMULATEDACCOUNT01";
/// Plivo's auth token.
pub const PLIVO_TOKEN: &str = "c2ltdWxhdGVkLXBsaXZvLWF1dGgtdG9rZW4tMDAx";
/// Telnyx's API key.
pub const TELNYX_KEY: &str = "KEY0190A1C2E3F4CALLPROOF_EmulatedAccountKey01";
/// Telnyx's connection id.
pub const TELNYX_CONNECTION: &str = "2398173125630617426";

/// A running `callproof emulate`; killed when dropped.
pub struct Emulate {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Every line it printed at start.
    pub banner: Vec<String>,
}

impl Emulate {
    /// Starts `callproof emulate --listen 127.0.0.1:0` with `args`.
    pub fn start(args: &[&str]) -> Emulate {
        let mut child = Command::new(env!("CARGO_BIN_EXE_callproof"))
            .args(["emulate", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start callproof emulate");
        let stdout = child.stdout.take().expect("its stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("a first line").expect("readable");
        let addr = first
            .strip_prefix("callproof-emulate listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        let mut banner = vec![first];
        for line in lines.by_ref() {
            let line = line.expect("readable");
            let last = line.starts_with("control ");
            banner.push(line);
            if last {
                break;
            }
        }
        Emulate {
            child,
            addr,
            banner,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// A control GET, as JSON.
    pub fn get(&self, path: &str) -> (u16, Value) {
        let r = self.send("GET", path, &[], b"").expect("an answer");
        (r.status, json(&r.body))
    }

    /// A control POST of `body`, as JSON.
    pub fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let bytes = serde_json::to_vec(&body).expect("JSON");
        let r = self
            .send(
                "POST",
                path,
                &[("content-type", "application/json")],
                &bytes,
            )
            .expect("an answer");
        (r.status, json(&r.body))
    }

    /// A control DELETE.
    pub fn delete(&self, path: &str) -> (u16, Value) {
        let r = self.send("DELETE", path, &[], b"").expect("an answer");
        (r.status, json(&r.body))
    }

    /// Moves a manual clock `ms` on.
    pub fn advance(&self, ms: u64) -> u64 {
        let (status, body) =
            self.post("/_callproof/clock/advance", serde_json::json!({ "ms": ms }));
        assert_eq!(status, 200, "advance: {body}");
        body["now_ms"].as_u64().expect("now_ms")
    }

    /// The ground truth's calls.
    pub fn calls(&self) -> Vec<Value> {
        let (_, body) = self.get("/_callproof/calls");
        body["calls"].as_array().cloned().unwrap_or_default()
    }

    /// One call of the ground truth.
    pub fn call(&self, pid: &str) -> Value {
        self.calls()
            .into_iter()
            .find(|c| c["provider_call_id"] == pid)
            .unwrap_or_else(|| panic!("no call {pid} in the ground truth"))
    }

    /// The webhook journal.
    pub fn webhooks(&self) -> Vec<Value> {
        let (_, body) = self.get("/_callproof/webhooks");
        body["webhooks"].as_array().cloned().unwrap_or_default()
    }

    /// The request journal.
    pub fn requests(&self) -> Vec<Value> {
        let (_, body) = self.get("/_callproof/requests");
        body["requests"].as_array().cloned().unwrap_or_default()
    }

    /// Any request; `Err` when the connection closed without an answer.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Answer> {
        raw_request(&self.addr, method, path, headers, body)
    }

    /// A Twilio create to `to`, callbacks to `callback` (as the status callback).
    pub fn twilio_create(&self, to: &str, callback: &str) -> std::io::Result<Answer> {
        let form = form(&[
            ("To", to),
            ("From", "+15550001111"),
            ("Url", callback),
            ("StatusCallback", callback),
        ]);
        let path = format!("/2010-04-01/Accounts/{TWILIO_SID}/Calls.json");
        let auth = basic(TWILIO_SID, TWILIO_TOKEN);
        self.send(
            "POST",
            &path,
            &[
                ("authorization", &auth),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        )
    }

    /// A Twilio hangup (`Status=completed`).
    pub fn twilio_hangup(&self, sid: &str) -> std::io::Result<Answer> {
        let path = format!("/2010-04-01/Accounts/{TWILIO_SID}/Calls/{sid}.json");
        let auth = basic(TWILIO_SID, TWILIO_TOKEN);
        self.send(
            "POST",
            &path,
            &[
                ("authorization", &auth),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            b"Status=completed",
        )
    }
}

impl Drop for Emulate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (`Null` if it is not).
    pub fn json(&self) -> Value {
        json(&self.body)
    }
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// A form body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn raw_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_answer(&raw).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the connection closed without an answer",
        )
    })
}

fn parse_answer(raw: &[u8]) -> Option<Answer> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &raw[split + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else {
        rest.to_vec()
    };
    Some(Answer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).ok()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// A callback as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    /// Path and query.
    pub path: String,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Received {
    /// The form field `name` of a form body.
    pub fn field(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(&self.body)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// What the receiver answers: status, content type, body.
pub type Responder = fn(&Received) -> (u16, &'static str, String);

/// A webhook receiver on a loopback port.
pub struct Hooks {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Hooks {
    /// Starts receiving; every callback is answered by `respond`.
    pub fn start(respond: Responder) -> Hooks {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let inbox = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let inbox = inbox.clone();
                std::thread::spawn(move || serve_hook(stream, respond, &inbox));
            }
        });
        Hooks { base, received }
    }

    /// Every callback so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("not poisoned").clone()
    }
}

fn serve_hook(stream: TcpStream, respond: Responder, inbox: &Mutex<Vec<Received>>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let got = Received {
            path,
            headers,
            body,
        };
        let (status, content_type, text) = respond(&got);
        inbox.lock().expect("not poisoned").push(got);
        let reply = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        if reader.get_mut().write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// Answers every callback 200 with an empty body.
pub fn ok_empty(_: &Received) -> (u16, &'static str, String) {
    (200, "text/plain", String::new())
}
