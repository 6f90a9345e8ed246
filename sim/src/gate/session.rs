//! One gate run: prepare the subject, start the emulator once, and run each
//! scenario on a fresh store with the emulator reset, then judge it.

use super::check;
use super::emulator::{self, Emulator};
use super::evidence;
use super::report::{GateReport, ScenarioResult, SCHEMA, SCHEMA_VERSION};
use super::runner::{self, now_ms};
use super::scenario::{Scenario, FROM_NUMBER};
use super::subject::{self, Subject, SubjectEnv, SubjectSpec, Toolbox};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The public host the subject is told it is reachable at; the emulator
/// maps it to the subject's loopback port, as a tunnel would.
pub const PUBLIC_ORIGIN: &str = "https://subject.callproof.invalid";
/// The path of the subject's webhook.
pub const WEBHOOK_PATH: &str = "/voice/webhook";

/// What to run.
#[derive(Debug, Clone)]
pub struct GateConfig {
    /// The subject.
    pub subject: SubjectSpec,
    /// The scenarios, in order.
    pub scenarios: Vec<Scenario>,
    /// `twilio`, `plivo` or `telnyx`.
    pub provider: String,
    /// The seed of the emulator's ids.
    pub seed: u64,
    /// Where the gate finds what it starts.
    pub tools: Toolbox,
    /// Keep every scenario's log, store and truth here (else in a temp
    /// directory, removed when everything passed).
    pub keep: Option<PathBuf>,
}

/// The gate could not run at all (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateError(pub String);

impl std::fmt::Display for GateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GateError {}

fn free_port() -> Result<u16, GateError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| GateError(format!("no free loopback port: {e}")))
}

/// The command that runs one scenario again.
pub fn replay_command(config: &GateConfig, scenario: &Scenario) -> String {
    let subject = config.subject.name();
    let subject = if subject.contains(' ') {
        format!("'{subject}'")
    } else {
        subject
    };
    let provider = if config.provider == "twilio" {
        String::new()
    } else {
        format!(" --provider {}", config.provider)
    };
    match scenario.seed {
        Some(seed) => {
            format!("callproof gate --subject {subject}{provider} --random --seed {seed}")
        }
        None => format!(
            "callproof gate --subject {subject}{provider} --scenario {} --seed {}",
            scenario.name, config.seed
        ),
    }
}

/// Runs every scenario of `config`; `progress` hears one line per step of
/// the run (stderr in the CLI).
pub fn run(config: &GateConfig, progress: &mut dyn FnMut(&str)) -> Result<GateReport, GateError> {
    let started = Instant::now();
    let dir = match &config.keep {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!(
            "callproof-gate-{}-{}",
            std::process::id(),
            now_ms()
        )),
    };
    std::fs::create_dir_all(&dir).map_err(|e| GateError(format!("{}: {e}", dir.display())))?;
    progress(&format!("gate: preparing {}", config.subject.name()));
    let prep = Instant::now();
    let launch =
        subject::prepare(&config.subject, &config.tools).map_err(|e| GateError(e.to_string()))?;
    let prepare_ms = prep.elapsed().as_millis() as u64;
    let webhook_port = free_port()?;
    let control_port = free_port()?;
    let public_url = format!("{PUBLIC_ORIGIN}{WEBHOOK_PATH}");
    let emulator = Emulator::start(
        &config.tools.callproof,
        &config.provider,
        (
            &format!("{PUBLIC_ORIGIN}/"),
            &format!("http://127.0.0.1:{webhook_port}/"),
        ),
        &public_url,
        &dir.join("emulator.log"),
    )
    .map_err(|e| GateError(e.to_string()))?;
    progress(&format!(
        "gate: emulator at {}, subject webhooks on 127.0.0.1:{webhook_port}, control on 127.0.0.1:{control_port}, seed {}",
        emulator.base(),
        config.seed
    ));
    let mut results = Vec::new();
    for scenario in &config.scenarios {
        progress(&format!("gate: {} ...", scenario.name));
        let result = run_one(
            config,
            scenario,
            &emulator,
            &launch,
            &dir,
            webhook_port,
            control_port,
            &public_url,
        );
        progress(&format!(
            "gate: {} {} ({:.1} s)",
            scenario.name,
            result.verdict.as_str(),
            result.wall_ms as f64 / 1000.0
        ));
        results.push(result);
    }
    let report = GateReport {
        schema: SCHEMA.into(),
        version: SCHEMA_VERSION,
        subject: config.subject.name(),
        provider: config.provider.clone(),
        seed: config.seed,
        scenarios: results,
        prepare_ms,
        wall_ms: started.elapsed().as_millis() as u64,
    };
    drop(emulator);
    if config.keep.is_none() && report.verdict() == super::check::Verdict::Pass {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn run_one(
    config: &GateConfig,
    scenario: &Scenario,
    emulator: &Emulator,
    launch: &subject::Launch,
    dir: &Path,
    webhook_port: u16,
    control_port: u16,
    public_url: &str,
) -> ScenarioResult {
    let started = Instant::now();
    let here = dir.join(&scenario.name);
    let _ = std::fs::remove_dir_all(&here);
    let _ = std::fs::create_dir_all(&here);
    let replay = replay_command(config, scenario);
    let unknown = |why: String| ScenarioResult {
        name: scenario.name.clone(),
        about: scenario.about.clone(),
        verdict: super::check::Verdict::Unknown,
        checks: Vec::new(),
        evidence: vec![format!("[gate] {why}")],
        aborted: Some(why),
        replay: replay.clone(),
        wall_ms: started.elapsed().as_millis() as u64,
        kept: Some(here.display().to_string()),
    };
    if let Err(e) = emulator.reset(scenario.seed.unwrap_or(config.seed)) {
        return unknown(format!("the emulator could not be reset: {e}"));
    }
    let env = SubjectEnv {
        provider: config.provider.clone(),
        api_base: emulator.base().to_owned(),
        credentials: emulator::credentials(&config.provider),
        from_number: FROM_NUMBER.into(),
        webhook_port,
        public_url: public_url.to_owned(),
        control_port,
        store: here.join("store"),
        settings: scenario.settings.clone(),
    };
    let subject = Subject::new(launch.clone(), env, here.join("subject.log"));
    let (obs, subject) = runner::run(scenario, emulator, &config.provider, subject);
    let checks = check::run_all(&obs);
    let verdict = ScenarioResult::verdict_of(&checks, obs.aborted.is_some());
    let evidence = if verdict == super::check::Verdict::Pass {
        Vec::new()
    } else {
        evidence::gather(
            &obs,
            &checks,
            Some(subject.log_path()),
            Some(subject.store()),
        )
    };
    let _ = std::fs::write(
        here.join("observation.json"),
        serde_json::to_string_pretty(&obs).unwrap_or_default(),
    );
    ScenarioResult {
        name: scenario.name.clone(),
        about: scenario.about.clone(),
        verdict,
        checks,
        evidence,
        aborted: obs.aborted.clone(),
        replay,
        wall_ms: started.elapsed().as_millis() as u64,
        kept: (verdict != super::check::Verdict::Pass || config.keep.is_some())
            .then(|| here.display().to_string()),
    }
}
