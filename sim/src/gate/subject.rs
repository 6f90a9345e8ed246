//! The subject contract (`sim/CONTRACTS.md`, section 2) as code: which
//! subjects exist, the environment a subject is started with, how it is
//! started, judged ready, SIGKILLed, SIGTERMed and restarted on the same
//! store, and its output kept as evidence.
//!
//! A subject is only a command. The gate promises it the environment of
//! [`SubjectEnv`] and nothing else; it expects `GET /health` on the control
//! port to answer 200 once recovery has finished. Output goes to one log
//! file per scenario, with a marker line the gate writes at every start and
//! kill, so the evidence can quote what the subject said around a crash.

use super::http;
use super::observe::{Answer, Settings, Snapshot};
use serde::Deserialize;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which gateway the gate judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectSpec {
    /// `callproof gateway`, the reference manager as a process.
    Reference,
    /// OpenClaw's published voice-call extension of this version, run by
    /// the project's node driver.
    OpenClaw(String),
    /// Any other gateway: a program and its arguments.
    Command(Vec<String>),
}

impl SubjectSpec {
    /// Parses `reference`, `openclaw@VERSION` or `command:PROGRAM ARG…`.
    pub fn parse(text: &str) -> Result<SubjectSpec, String> {
        if text == "reference" {
            return Ok(SubjectSpec::Reference);
        }
        if let Some(v) = text.strip_prefix("openclaw@") {
            let ok = !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
            return if ok {
                Ok(SubjectSpec::OpenClaw(v.to_owned()))
            } else {
                Err(format!("not a version: {v:?}"))
            };
        }
        if let Some(cmd) = text.strip_prefix("command:") {
            let words: Vec<String> = cmd.split_whitespace().map(str::to_owned).collect();
            return if words.is_empty() {
                Err("command: needs a program".into())
            } else {
                Ok(SubjectSpec::Command(words))
            };
        }
        Err(format!(
            "unknown subject {text:?}: use reference, openclaw@VERSION or command:PROGRAM ARG…"
        ))
    }

    /// Its name as given on the command line.
    pub fn name(&self) -> String {
        match self {
            SubjectSpec::Reference => "reference".into(),
            SubjectSpec::OpenClaw(v) => format!("openclaw@{v}"),
            SubjectSpec::Command(words) => format!("command:{}", words.join(" ")),
        }
    }
}

/// Where the gate finds what it starts.
#[derive(Debug, Clone)]
pub struct Toolbox {
    /// The `callproof` binary (its `gateway` and `emulate` subcommands).
    pub callproof: PathBuf,
    /// The OpenClaw driver's directory (`prepare.mjs`, `driver.mjs`).
    pub openclaw_dir: PathBuf,
    /// Where fetched packages are cached between runs.
    pub cache_dir: PathBuf,
}

/// How to start a subject: what `prepare.mjs` prints, or what the gate
/// knows for the reference and custom commands.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Launch {
    /// The program.
    pub program: String,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Its working directory.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// Extra environment (on top of the subject contract's).
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
}

/// Why the gate could not run a subject at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectError {
    /// Preparing it (fetching OpenClaw) failed.
    Prepare(String),
    /// The program could not be started.
    Spawn(String),
}

impl std::fmt::Display for SubjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubjectError::Prepare(e) => write!(f, "could not prepare the subject: {e}"),
            SubjectError::Spawn(e) => write!(f, "could not start the subject: {e}"),
        }
    }
}

impl std::error::Error for SubjectError {}

/// Resolves a subject to the command that starts it. For OpenClaw this runs
/// `node prepare.mjs VERSION CACHE_DIR` (which fetches the package once).
pub fn prepare(spec: &SubjectSpec, tools: &Toolbox) -> Result<Launch, SubjectError> {
    match spec {
        SubjectSpec::Reference => Ok(Launch {
            program: tools.callproof.to_string_lossy().into_owned(),
            args: vec!["gateway".into()],
            cwd: None,
            env: Default::default(),
        }),
        SubjectSpec::Command(words) => Ok(Launch {
            program: words[0].clone(),
            args: words[1..].to_vec(),
            cwd: None,
            env: Default::default(),
        }),
        SubjectSpec::OpenClaw(version) => {
            let script = tools.openclaw_dir.join("prepare.mjs");
            if !script.is_file() {
                return Err(SubjectError::Prepare(format!(
                    "the OpenClaw driver is missing ({} not found)",
                    script.display()
                )));
            }
            let _ = std::fs::create_dir_all(&tools.cache_dir);
            let out = Command::new("node")
                .arg(&script)
                .arg(version)
                .arg(&tools.cache_dir)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| SubjectError::Prepare(format!("cannot run node: {e}")))?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                return Err(SubjectError::Prepare(format!(
                    "prepare.mjs {version} exited with {}: {}",
                    out.status,
                    stderr.trim()
                )));
            }
            let line = stdout
                .lines()
                .rev()
                .find(|l| l.trim_start().starts_with('{'))
                .ok_or_else(|| {
                    SubjectError::Prepare(format!("prepare.mjs printed no JSON line: {stdout:?}"))
                })?;
            serde_json::from_str(line)
                .map_err(|e| SubjectError::Prepare(format!("prepare.mjs printed {line:?}: {e}")))
        }
    }
}

/// The provider's credentials the subject is given (the emulator's defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `(variable, value)` pairs, e.g. `TWILIO_ACCOUNT_SID`.
    pub vars: Vec<(String, String)>,
}

/// The environment the subject contract promises, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectEnv {
    /// `twilio`, `plivo` or `telnyx`.
    pub provider: String,
    /// The emulator's base URL.
    pub api_base: String,
    /// Credentials.
    pub credentials: Credentials,
    /// The number it calls from and is called on.
    pub from_number: String,
    /// Its webhook port.
    pub webhook_port: u16,
    /// Its public webhook URL.
    pub public_url: String,
    /// Its control port.
    pub control_port: u16,
    /// Its store directory.
    pub store: PathBuf,
    /// Limits and policy.
    pub settings: Settings,
}

impl SubjectEnv {
    /// The variables, in the contract's order.
    pub fn vars(&self) -> Vec<(String, String)> {
        let s = &self.settings;
        let mut v = vec![
            ("CALLPROOF_PROVIDER".to_owned(), self.provider.clone()),
            ("CALLPROOF_API_BASE".to_owned(), self.api_base.clone()),
        ];
        v.extend(self.credentials.vars.iter().cloned());
        v.extend([
            ("CALLPROOF_FROM_NUMBER".to_owned(), self.from_number.clone()),
            (
                "CALLPROOF_WEBHOOK_PORT".to_owned(),
                self.webhook_port.to_string(),
            ),
            ("CALLPROOF_PUBLIC_URL".to_owned(), self.public_url.clone()),
            (
                "CALLPROOF_CONTROL_PORT".to_owned(),
                self.control_port.to_string(),
            ),
            (
                "CALLPROOF_STORE".to_owned(),
                self.store.to_string_lossy().into_owned(),
            ),
            (
                "CALLPROOF_MAX_CONCURRENT_CALLS".to_owned(),
                s.max_concurrent_calls.to_string(),
            ),
            (
                "CALLPROOF_MAX_DURATION_SECONDS".to_owned(),
                s.max_duration_secs.to_string(),
            ),
            (
                "CALLPROOF_INBOUND_POLICY".to_owned(),
                s.inbound_policy.clone(),
            ),
            ("CALLPROOF_ALLOW_FROM".to_owned(), s.allow_from.join(",")),
            (
                "CALLPROOF_NOTIFY_HANGUP_DELAY_SEC".to_owned(),
                s.notify_hangup_delay_secs.to_string(),
            ),
        ]);
        v
    }
}

/// What became of a wait for readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// `GET /health` answered 200.
    Ready,
    /// It did not within the timeout.
    TimedOut,
    /// The process exited first.
    Exited(String),
}

/// A subject process across the boots of one scenario.
#[derive(Debug)]
pub struct Subject {
    launch: Launch,
    env: SubjectEnv,
    log_path: PathBuf,
    child: Option<Child>,
    boot: u32,
}

impl Subject {
    /// A subject that is not started yet; its output will go to `log_path`.
    pub fn new(launch: Launch, env: SubjectEnv, log_path: PathBuf) -> Subject {
        Subject {
            launch,
            env,
            log_path,
            child: None,
            boot: 0,
        }
    }

    /// Its log file.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Its store directory.
    pub fn store(&self) -> &Path {
        &self.env.store
    }

    /// How many times it was started.
    pub fn boots(&self) -> u32 {
        self.boot
    }

    /// The URL of its control API.
    pub fn control_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.env.control_port)
    }

    /// Writes a marker line into its log.
    pub fn mark(&self, text: &str) {
        if let Ok(mut f) = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
        {
            let _ = writeln!(f, "=== callproof gate: {text} ===");
        }
    }

    /// Starts it (again, on the same store): the returned number is the boot.
    pub fn start(&mut self) -> Result<u32, SubjectError> {
        let _ = std::fs::create_dir_all(&self.env.store);
        let boot = self.boot;
        self.mark(&format!("boot {boot} starting"));
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(|e| SubjectError::Spawn(format!("{}: {e}", self.log_path.display())))?;
        let err = log
            .try_clone()
            .map_err(|e| SubjectError::Spawn(e.to_string()))?;
        let mut cmd = Command::new(&self.launch.program);
        cmd.args(&self.launch.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            // Its own process group, so a driver's children die with it.
            .process_group(0);
        if let Some(cwd) = &self.launch.cwd {
            cmd.current_dir(cwd);
        }
        for (k, v) in &self.launch.env {
            cmd.env(k, v);
        }
        for (k, v) in self.env.vars() {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .map_err(|e| SubjectError::Spawn(format!("{}: {e}", self.launch.program)))?;
        self.child = Some(child);
        self.boot += 1;
        Ok(boot)
    }

    /// Polls `GET /health` until it answers 200, the process exits, or
    /// `timeout` passes.
    pub fn wait_ready(&mut self, timeout: Duration) -> Readiness {
        let deadline = Instant::now() + timeout;
        let url = format!("{}/health", self.control_url());
        loop {
            if let Some(status) = self.exited() {
                return Readiness::Exited(status);
            }
            if let Ok(r) = http::get(&url, Duration::from_secs(2)) {
                if r.status == 200 {
                    return Readiness::Ready;
                }
            }
            if Instant::now() >= deadline {
                return Readiness::TimedOut;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether a started process is still running.
    pub fn is_running(&mut self) -> bool {
        self.exited().is_none() && self.child.is_some()
    }

    /// The exit status if the process has exited by itself.
    pub fn exited(&mut self) -> Option<String> {
        let child = self.child.as_mut()?;
        match child.try_wait() {
            Ok(Some(status)) => {
                self.child = None;
                Some(status.to_string())
            }
            _ => None,
        }
    }

    /// SIGKILLs its process group and reaps it.
    pub fn kill(&mut self) {
        self.kill_marked("SIGKILL");
    }

    /// Stops it at the end of a scenario (SIGKILL, marked as the end, so
    /// the evidence does not quote it as a crash).
    pub fn stop(&mut self) {
        self.kill_marked("end of scenario");
    }

    fn kill_marked(&mut self, mark: &str) {
        if let Some(mut child) = self.child.take() {
            signal_group(&child, libc::SIGKILL);
            let _ = child.kill();
            let _ = child.wait();
        }
        self.mark(mark);
    }

    /// SIGTERMs it and waits up to `drain` for it to exit, then SIGKILLs.
    /// Returns whether it exited by itself.
    pub fn terminate(&mut self, drain: Duration) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        self.mark("SIGTERM");
        signal_group(&child, libc::SIGTERM);
        let deadline = Instant::now() + drain;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        signal_group(&child, libc::SIGKILL);
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// `POST /calls`.
    pub fn place(&self, to: &str, mode: &str, message: Option<&str>) -> Answer {
        place_via(&self.control_url(), to, mode, message)
    }

    /// `POST /calls/{id}/end`.
    pub fn end(&self, call_id: &str) -> Answer {
        classify(http::post(
            &format!("{}/calls/{call_id}/end", self.control_url()),
            "{}",
            Duration::from_secs(20),
        ))
    }

    /// `GET /calls`, or `None` when it does not answer with the contract's shape.
    pub fn calls(&self, at_ms: u64) -> Option<Snapshot> {
        #[derive(Deserialize)]
        struct Listed {
            #[serde(rename = "callId")]
            call_id: String,
            #[serde(rename = "providerCallId", default)]
            provider_call_id: Option<String>,
        }
        #[derive(Deserialize)]
        struct Page {
            calls: Vec<Listed>,
        }
        let r = http::get(
            &format!("{}/calls", self.control_url()),
            Duration::from_secs(5),
        )
        .ok()?;
        let page: Page = serde_json::from_slice(&r.body).ok()?;
        Some(Snapshot {
            at_ms,
            calls: page
                .calls
                .into_iter()
                .map(|c| (c.call_id, c.provider_call_id))
                .collect(),
        })
    }
}

impl Drop for Subject {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal_group(&child, libc::SIGKILL);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn signal_group(child: &Child, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on the process group this gate created for the
        // child (process_group(0) makes its pid the group id); no memory is
        // shared.
        unsafe {
            libc::kill(-pid, signal);
        }
    }
}

/// `POST {control_url}/calls`, usable from a thread of its own while the
/// subject is killed under it.
pub fn place_via(control_url: &str, to: &str, mode: &str, message: Option<&str>) -> Answer {
    let mut body = serde_json::json!({"to": to, "mode": mode});
    if let Some(m) = message {
        body["message"] = serde_json::Value::String(m.to_owned());
    }
    classify(http::post(
        &format!("{control_url}/calls"),
        &body.to_string(),
        Duration::from_secs(20),
    ))
}

/// Reads a control API answer as the operator would: an id, a capacity
/// refusal (409, `kind: capacity`, or text saying so), another error, or
/// nothing.
pub fn classify(result: Result<http::Response, http::HttpError>) -> Answer {
    let r = match result {
        Ok(r) => r,
        Err(e) => {
            return Answer::NoAnswer {
                error: e.to_string(),
            }
        }
    };
    let json: Option<serde_json::Value> = serde_json::from_slice(&r.body).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    if r.is_success() {
        return Answer::Accepted {
            call_id: field("callId"),
        };
    }
    let text = field("error").unwrap_or_else(|| r.text());
    let lower = text.to_ascii_lowercase();
    if r.status == 409
        || field("kind").as_deref() == Some("capacity")
        || lower.contains("capacity")
        || lower.contains("maximum concurrent")
    {
        Answer::Capacity {
            status: r.status,
            text,
        }
    } else {
        Answer::Error {
            status: r.status,
            text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_parse_from_their_names() {
        assert_eq!(SubjectSpec::parse("reference"), Ok(SubjectSpec::Reference));
        assert_eq!(
            SubjectSpec::parse("openclaw@2026.4.30-beta.1"),
            Ok(SubjectSpec::OpenClaw("2026.4.30-beta.1".into()))
        );
        assert_eq!(
            SubjectSpec::parse("command:python3 gw.py --x"),
            Ok(SubjectSpec::Command(vec![
                "python3".into(),
                "gw.py".into(),
                "--x".into()
            ]))
        );
        assert!(SubjectSpec::parse("openclaw@../../etc").is_err());
        assert!(SubjectSpec::parse("command:").is_err());
        assert!(SubjectSpec::parse("twilio").is_err());
    }

    fn response(status: u16, body: &str) -> Result<http::Response, http::HttpError> {
        Ok(http::Response {
            status,
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn a_control_answer_is_read_as_the_operator_reads_it() {
        assert_eq!(
            classify(response(200, r#"{"callId":"c-1"}"#)),
            Answer::Accepted {
                call_id: Some("c-1".into())
            }
        );
        assert!(matches!(
            classify(response(
                409,
                r#"{"error":"capacity reached: 1/1","kind":"capacity"}"#
            )),
            Answer::Capacity { status: 409, .. }
        ));
        assert!(matches!(
            classify(response(
                500,
                r#"{"error":"Maximum concurrent calls (1) reached","kind":"internal"}"#
            )),
            Answer::Capacity { status: 500, .. }
        ));
        assert_eq!(
            classify(response(502, "bad gateway")),
            Answer::Error {
                status: 502,
                text: "bad gateway".into()
            }
        );
        assert!(matches!(
            classify(Err(http::HttpError::Timeout)),
            Answer::NoAnswer { .. }
        ));
    }

    #[test]
    fn the_environment_holds_every_variable_of_the_contract() {
        let env = SubjectEnv {
            provider: "twilio".into(),
            api_base: "http://127.0.0.1:4010".into(),
            credentials: Credentials {
                vars: vec![("TWILIO_ACCOUNT_SID".into(), "AC1".into())],
            },
            from_number: "+15550000000".into(),
            webhook_port: 1,
            public_url: "https://gw.example/voice/webhook".into(),
            control_port: 2,
            store: PathBuf::from("store"),
            settings: Settings {
                allow_from: vec!["+1".into(), "+2".into()],
                ..Settings::default()
            },
        };
        let vars = env.vars();
        for name in [
            "CALLPROOF_PROVIDER",
            "CALLPROOF_API_BASE",
            "TWILIO_ACCOUNT_SID",
            "CALLPROOF_FROM_NUMBER",
            "CALLPROOF_WEBHOOK_PORT",
            "CALLPROOF_PUBLIC_URL",
            "CALLPROOF_CONTROL_PORT",
            "CALLPROOF_STORE",
            "CALLPROOF_MAX_CONCURRENT_CALLS",
            "CALLPROOF_MAX_DURATION_SECONDS",
            "CALLPROOF_INBOUND_POLICY",
            "CALLPROOF_ALLOW_FROM",
            "CALLPROOF_NOTIFY_HANGUP_DELAY_SEC",
        ] {
            assert!(vars.iter().any(|(k, _)| k == name), "{name} missing");
        }
        assert!(vars.contains(&("CALLPROOF_ALLOW_FROM".into(), "+1,+2".into())));
    }

    #[test]
    fn a_subject_that_exits_at_once_is_reported_exited_not_ready() {
        let dir =
            std::env::temp_dir().join(format!("callproof-gate-subject-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let env = SubjectEnv {
            provider: "twilio".into(),
            api_base: "http://127.0.0.1:9".into(),
            credentials: Credentials { vars: vec![] },
            from_number: "+15550000000".into(),
            webhook_port: 9,
            public_url: "https://gw.example/".into(),
            control_port: 9,
            store: dir.join("store"),
            settings: Settings::default(),
        };
        let launch = Launch {
            program: "sh".into(),
            args: vec![
                "-c".into(),
                "echo started $CALLPROOF_PROVIDER; exit 3".into(),
            ],
            cwd: None,
            env: Default::default(),
        };
        let mut subject = Subject::new(launch, env, dir.join("subject.log"));
        assert_eq!(subject.start(), Ok(0));
        let r = subject.wait_ready(Duration::from_secs(10));
        assert!(
            matches!(r, Readiness::Exited(ref s) if s.contains('3')),
            "{r:?}"
        );
        let log = std::fs::read_to_string(dir.join("subject.log")).expect("log written");
        assert!(
            log.contains("boot 0 starting") && log.contains("started twilio"),
            "{log}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
