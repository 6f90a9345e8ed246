//! Real processes on loopback for the gateway's process tests: `callproof
//! emulate` as the provider, `callproof gateway` as the subject, and a
//! minimal blocking HTTP/1 client to talk to both.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_callproof");
/// The emulator's Twilio test credentials (the simulator's dialect constants).
pub const TWILIO_SID: &str = "AC5ea872f6da5a21de157d80997a64bd33";
/// Its auth token.
pub const TWILIO_TOKEN: &str = "0d8e8c3bb1b1c0a6f8f1e2d3c4b5a697";

/// A child process killed (SIGKILL) when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `callproof emulate` on a free port, serving Twilio.
pub struct Emulator {
    _proc: Proc,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its port.
    pub port: u16,
}

impl Emulator {
    /// Starts it and reads the port from its first line.
    pub fn start() -> Emulator {
        let mut child = Command::new(BIN)
            .args(["emulate", "--provider", "twilio", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("callproof emulate starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("emulate prints its address");
        let port: u16 = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        Emulator {
            _proc: Proc(child),
            base: format!("http://127.0.0.1:{port}"),
            port,
        }
    }

    /// A control API call on the emulator.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        http(self.port, method, &format!("/_callproof{path}"), body)
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One gateway process's settings.
pub struct GatewaySetup {
    /// The store directory.
    pub store: PathBuf,
    /// Webhook port.
    pub webhook_port: u16,
    /// Control port.
    pub control_port: u16,
    /// Where its stderr (the log) goes.
    pub log: PathBuf,
}

impl GatewaySetup {
    /// Fresh ports, the store and log inside `dir`.
    pub fn new(dir: &Path) -> GatewaySetup {
        GatewaySetup {
            store: dir.join("store"),
            webhook_port: free_port(),
            control_port: free_port(),
            log: dir.join("gateway.log"),
        }
    }

    /// Starts `callproof gateway` with the subject contract's variables,
    /// appending its log to `self.log`.
    pub fn start(&self, emulator: &Emulator, max_calls: usize) -> Proc {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log file");
        let child = Command::new(BIN)
            .arg("gateway")
            .env("CALLPROOF_PROVIDER", "twilio")
            .env("CALLPROOF_API_BASE", &emulator.base)
            .env("TWILIO_ACCOUNT_SID", TWILIO_SID)
            .env("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
            .env("CALLPROOF_FROM_NUMBER", "+15550001111")
            .env("CALLPROOF_WEBHOOK_PORT", self.webhook_port.to_string())
            .env(
                "CALLPROOF_PUBLIC_URL",
                format!("http://127.0.0.1:{}/voice/webhook", self.webhook_port),
            )
            .env("CALLPROOF_CONTROL_PORT", self.control_port.to_string())
            .env("CALLPROOF_STORE", &self.store)
            .env("CALLPROOF_MAX_CONCURRENT_CALLS", max_calls.to_string())
            .env("CALLPROOF_MAX_DURATION_SECONDS", "300")
            .env("RUST_LOG", "debug")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("callproof gateway starts");
        Proc(child)
    }

    /// A control API call on the gateway.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        http(self.control_port, method, path, body)
    }

    /// Waits until `GET /health` answers 200.
    pub fn wait_ready(&self) {
        wait_for("the gateway to be ready", || {
            try_http(self.control_port, "GET", "/health", None).is_some_and(|(s, _)| s == 200)
        });
    }

    /// What the gateway logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Polls `done` every 50 ms for up to 20 s.
pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One HTTP/1.1 exchange on 127.0.0.1:`port`; panics if there is no answer.
pub fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    try_http(port, method, path, body)
        .unwrap_or_else(|| panic!("no answer to {method} {path} on port {port}"))
}

/// One HTTP/1.1 exchange, `None` if the connection fails.
pub fn try_http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Option<(u16, Value)> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let payload = text.split("\r\n\r\n").nth(1).unwrap_or("");
    Some((status, serde_json::from_str(payload).unwrap_or(Value::Null)))
}
