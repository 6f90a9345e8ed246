//! `callproof emulate` as the gate runs it: a process started once per gate
//! run on an ephemeral port, its bound address read from its first stdout
//! line, the subject's public webhook URL mapped to its local port as a
//! tunnel would, and its control API (`sim/CONTRACTS.md` section 1) as
//! typed calls.

use super::http::{self, HttpError};
use super::subject::Credentials;
use super::truth::{CallsPage, RequestsPage, Truth, WebhooksPage};
use crate::emulator::dialect::credentials as c;
use serde_json::{json, Value};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long one control request may take.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {
    child: Child,
    base: String,
}

/// The emulator could not be started or does not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorError(pub String);

impl std::fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "emulator: {}", self.0)
    }
}

impl std::error::Error for EmulatorError {}

impl From<HttpError> for EmulatorError {
    fn from(e: HttpError) -> EmulatorError {
        EmulatorError(e.to_string())
    }
}

/// Finds the `http://…` address in the emulator's first stdout line
/// (`callproof-emulate listening on http://127.0.0.1:PORT`).
pub fn listening_url(line: &str) -> Option<String> {
    let start = line.find("http://")?;
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let url = url.trim_end_matches('/').to_owned();
    (url.len() > "http://".len()).then_some(url)
}

impl Emulator {
    /// Starts `callproof emulate --listen 127.0.0.1:0` with the URL map
    /// (`public_prefix` is delivered to `local_prefix`) and `provider`'s
    /// inbound webhook URL, its output kept in `log`.
    pub fn start(
        callproof: &Path,
        provider: &str,
        (public_prefix, local_prefix): (&str, &str),
        inbound_url: &str,
        log: &Path,
    ) -> Result<Emulator, EmulatorError> {
        let mut child = Command::new(callproof)
            .args(["emulate", "--listen", "127.0.0.1:0", "--provider", provider])
            .arg("--map-url")
            .arg(format!("{public_prefix}={local_prefix}"))
            .arg("--webhook")
            .arg(format!("{provider}={inbound_url}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| EmulatorError(format!("cannot start {}: {e}", callproof.display())))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| EmulatorError("no stdout".into()))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| EmulatorError("no stderr".into()))?;
        let (first_tx, first_rx) = mpsc::channel();
        for (stream, is_stdout) in [
            (Box::new(stdout) as Box<dyn std::io::Read + Send>, true),
            (Box::new(stderr), false),
        ] {
            let log = log.to_path_buf();
            let tx = first_tx.clone();
            std::thread::spawn(move || {
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&log)
                    .ok();
                let mut first = is_stdout;
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if first {
                        let _ = tx.send(line.clone());
                        first = false;
                    }
                    if let Some(f) = file.as_mut() {
                        let _ = writeln!(f, "{line}");
                    }
                }
            });
        }
        drop(first_tx);
        let line = match first_rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(EmulatorError(format!(
                    "printed no first line within 20 s (see {})",
                    log.display()
                )));
            }
        };
        let Some(base) = listening_url(&line) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(EmulatorError(format!(
                "first line names no address: {line:?}"
            )));
        };
        let emulator = Emulator { child, base };
        emulator.health()?;
        Ok(emulator)
    }

    /// Its base URL, which the subject uses as the provider's.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}/_callproof{path}", self.base)
    }

    fn get(&self, path: &str) -> Result<Vec<u8>, EmulatorError> {
        let r = http::get(&self.url(path), CONTROL_TIMEOUT)?;
        if !r.is_success() {
            return Err(EmulatorError(format!(
                "GET {path}: {} {}",
                r.status,
                r.text()
            )));
        }
        Ok(r.body)
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value, EmulatorError> {
        let r = http::post(&self.url(path), &body.to_string(), CONTROL_TIMEOUT)?;
        if !r.is_success() {
            return Err(EmulatorError(format!(
                "POST {path}: {} {}",
                r.status,
                r.text()
            )));
        }
        Ok(serde_json::from_slice(&r.body).unwrap_or(Value::Null))
    }

    fn delete(&self, path: &str) -> Result<(), EmulatorError> {
        let r = http::request("DELETE", &self.url(path), None, CONTROL_TIMEOUT)?;
        if !r.is_success() {
            return Err(EmulatorError(format!(
                "DELETE {path}: {} {}",
                r.status,
                r.text()
            )));
        }
        Ok(())
    }

    /// `GET /_callproof/health`: the emulator's clock.
    pub fn health(&self) -> Result<u64, EmulatorError> {
        let v: Value = serde_json::from_slice(&self.get("/health")?)
            .map_err(|e| EmulatorError(format!("health: {e}")))?;
        Ok(v.get("now_ms").and_then(Value::as_u64).unwrap_or(0))
    }

    /// Forgets every call, journal entry, rule and script.
    pub fn reset(&self, seed: u64) -> Result<(), EmulatorError> {
        self.post("/reset", &json!({ "seed": seed })).map(|_| ())
    }

    /// Scripts the callee `number` (or the default with `None`).
    pub fn callee(&self, number: Option<&str>, behaviour: &Value) -> Result<(), EmulatorError> {
        self.post(
            "/callees",
            &json!({"number": number, "behaviour": behaviour}),
        )
        .map(|_| ())
    }

    /// The far end hangs up now.
    pub fn end(&self, provider_call_id: &str) -> Result<(), EmulatorError> {
        self.post(&format!("/calls/{provider_call_id}/end"), &json!({}))
            .map(|_| ())
    }

    /// A caller rings the subject; the provider's id of the new call.
    pub fn inbound(&self, provider: &str, from: &str, to: &str) -> Result<String, EmulatorError> {
        let v = self.post(
            "/inbound",
            &json!({"provider": provider, "from": from, "to": to}),
        )?;
        v.get("provider_call_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| EmulatorError(format!("inbound answered {v}")))
    }

    /// Adds a REST fault rule.
    pub fn fault(&self, rule: &Value) -> Result<(), EmulatorError> {
        self.post("/faults", rule).map(|_| ())
    }

    /// Removes every REST fault rule.
    pub fn clear_faults(&self) -> Result<(), EmulatorError> {
        self.delete("/faults")
    }

    /// Adds a callback fault rule.
    pub fn webhook_fault(&self, rule: &Value) -> Result<(), EmulatorError> {
        self.post("/webhook-faults", rule).map(|_| ())
    }

    /// Removes every callback fault rule.
    pub fn clear_webhook_faults(&self) -> Result<(), EmulatorError> {
        self.delete("/webhook-faults")
    }

    /// Delivers every callback of the last `window_ms` again.
    pub fn redeliver(&self, provider: &str, window_ms: u64) -> Result<(), EmulatorError> {
        self.post(
            "/redeliver",
            &json!({"provider": provider, "window_ms": window_ms}),
        )
        .map(|_| ())
    }

    /// The calls and the emulator's clock.
    pub fn calls(&self) -> Result<CallsPage, EmulatorError> {
        serde_json::from_slice(&self.get("/calls")?)
            .map_err(|e| EmulatorError(format!("calls: {e}")))
    }

    /// Everything: calls, requests, callbacks.
    pub fn truth(&self) -> Result<Truth, EmulatorError> {
        let calls = self.calls()?;
        let requests: RequestsPage = serde_json::from_slice(&self.get("/requests")?)
            .map_err(|e| EmulatorError(format!("requests: {e}")))?;
        let webhooks: WebhooksPage = serde_json::from_slice(&self.get("/webhooks")?)
            .map_err(|e| EmulatorError(format!("webhooks: {e}")))?;
        Ok(Truth {
            now_ms: calls.now_ms,
            calls: calls.calls,
            requests: requests.requests,
            webhooks: webhooks.webhooks,
        })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The emulator's default credentials for `provider`, as the subject
/// contract names them.
pub fn credentials(provider: &str) -> Credentials {
    let pairs: Vec<(&str, String)> = match provider {
        "plivo" => vec![
            ("PLIVO_AUTH_ID", c::PLIVO_AUTH_ID.to_owned()),
            ("PLIVO_AUTH_TOKEN", c::PLIVO_AUTH_TOKEN.to_owned()),
        ],
        "telnyx" => vec![
            ("TELNYX_API_KEY", c::TELNYX_API_KEY.to_owned()),
            ("TELNYX_PUBLIC_KEY", c::TELNYX_PUBLIC_KEY.to_owned()),
            ("TELNYX_CONNECTION_ID", c::TELNYX_CONNECTION_ID.to_owned()),
        ],
        _ => vec![
            ("TWILIO_ACCOUNT_SID", c::TWILIO_ACCOUNT_SID.to_owned()),
            ("TWILIO_AUTH_TOKEN", c::TWILIO_AUTH_TOKEN.to_owned()),
        ],
    };
    Credentials {
        vars: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_address_is_read_from_the_first_line() {
        assert_eq!(
            listening_url("callproof-emulate listening on http://127.0.0.1:40123"),
            Some("http://127.0.0.1:40123".into())
        );
        assert_eq!(
            listening_url("listening on http://127.0.0.1:40123/ (twilio, plivo)"),
            Some("http://127.0.0.1:40123".into())
        );
        assert_eq!(listening_url("starting"), None);
        assert_eq!(listening_url("at http:// nothing"), None);
    }

    #[test]
    fn each_provider_gets_the_credentials_the_contract_names() {
        let names =
            |p: &str| -> Vec<String> { credentials(p).vars.into_iter().map(|(k, _)| k).collect() };
        assert_eq!(names("twilio"), ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]);
        assert_eq!(names("plivo"), ["PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN"]);
        assert_eq!(
            names("telnyx"),
            [
                "TELNYX_API_KEY",
                "TELNYX_PUBLIC_KEY",
                "TELNYX_CONNECTION_ID"
            ]
        );
    }
}
