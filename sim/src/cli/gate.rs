//! `callproof gate`: run named (or random) crash scenarios against a real
//! gateway process and judge it from the provider's ground truth.

use callproof_sim::gate::check::Verdict;
use callproof_sim::gate::report::GateReport;
use callproof_sim::gate::scenario::Scenario;
use callproof_sim::gate::session::{self, GateConfig};
use callproof_sim::gate::subject::{SubjectSpec, Toolbox};
use callproof_sim::gate::{catalogue, random};
use std::path::PathBuf;
use std::process::ExitCode;

/// The scenario the version matrix runs by default.
const MATRIX_SCENARIO: &str = "restart-6721";

#[derive(clap::Args)]
pub struct GateArgs {
    /// The gateway to judge: `reference` (callproof gateway),
    /// `openclaw@VERSION` (OpenClaw's published voice-call extension), or
    /// `command:PROGRAM ARG…` (any gateway speaking the subject contract).
    #[arg(long)]
    subject: Option<String>,
    /// Run only this scenario (repeatable; default: every named scenario).
    #[arg(long = "scenario")]
    scenarios: Vec<String>,
    /// Seed of the emulator's ids, and of the schedule with --random.
    #[arg(long)]
    seed: Option<u64>,
    /// Run a schedule drawn from the seed instead of the named scenarios.
    #[arg(long)]
    random: bool,
    /// With --random: how many schedules (seeds seed, seed+1, …).
    #[arg(long, default_value_t = 1)]
    count: u64,
    /// The provider the subject talks to.
    #[arg(long, default_value = "twilio", value_parser = ["twilio", "plivo", "telnyx"])]
    provider: String,
    /// The version matrix: run `openclaw@V` for each comma-separated version
    /// (default scenario restart-6721) and print one row per version.
    #[arg(long, value_delimiter = ',')]
    versions: Vec<String>,
    /// Write the results as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the results as JUnit XML.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Keep every scenario's log, store and observations in this directory.
    #[arg(long)]
    keep: Option<PathBuf>,
    /// List the named scenarios and exit.
    #[arg(long)]
    list: bool,
}

/// Where the gate finds the binary it starts, the OpenClaw driver, and the
/// package cache (`$CALLPROOF_CACHE`, else `callproof-cache` in the target
/// directory this binary was built into).
fn toolbox() -> Result<Toolbox, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let openclaw_dir = std::env::var_os("CALLPROOF_OPENCLAW_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/gate/openclaw"))
        });
    let cache_dir = match std::env::var_os("CALLPROOF_CACHE") {
        Some(c) => PathBuf::from(c),
        None => {
            // target/<profile>/callproof (or …/deps, …/examples one deeper).
            let mut dir = exe.parent().map(PathBuf::from).unwrap_or_default();
            if dir
                .file_name()
                .is_some_and(|n| n == "deps" || n == "examples")
            {
                dir.pop();
            }
            dir.pop();
            dir.join("callproof-cache")
        }
    };
    Ok(Toolbox {
        callproof: exe,
        openclaw_dir,
        cache_dir,
    })
}

fn scenarios(args: &GateArgs, seed: u64) -> Result<Vec<Scenario>, String> {
    if args.random {
        return Ok((0..args.count.max(1))
            .map(|i| random::schedule(seed + i))
            .collect());
    }
    if args.scenarios.is_empty() {
        return Ok(catalogue::all());
    }
    args.scenarios
        .iter()
        .map(|name| {
            catalogue::named(name).ok_or_else(|| {
                format!(
                    "no scenario {name:?}; the scenarios are: {}",
                    catalogue::names().join(", ")
                )
            })
        })
        .collect()
}

fn exit_for(verdict: Verdict) -> ExitCode {
    match verdict {
        Verdict::Pass => ExitCode::SUCCESS,
        Verdict::Fail => ExitCode::from(1),
        Verdict::Unknown => ExitCode::from(2),
    }
}

pub fn main(args: GateArgs) -> ExitCode {
    if args.list {
        for s in catalogue::all() {
            println!("{:<30} {}", s.name, s.about);
        }
        return ExitCode::SUCCESS;
    }
    let tools = match toolbox() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("callproof gate: {e}");
            return ExitCode::from(2);
        }
    };
    let seed = args.seed.unwrap_or_else(|| {
        if args.random {
            super::wall_clock_ms() % 1_000_000
        } else {
            1
        }
    });
    if args.random {
        eprintln!("gate: random schedules from seed {seed}");
    }
    let mut scenarios = match scenarios(&args, seed) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("callproof gate: {e}");
            return ExitCode::from(2);
        }
    };
    let subjects: Vec<SubjectSpec> = if args.versions.is_empty() {
        let Some(text) = &args.subject else {
            eprintln!("callproof gate: give --subject (reference, openclaw@VERSION, command:…) or --versions");
            return ExitCode::from(2);
        };
        match SubjectSpec::parse(text) {
            Ok(s) => vec![s],
            Err(e) => {
                eprintln!("callproof gate: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        if args.scenarios.is_empty() && !args.random {
            scenarios.retain(|s| s.name == MATRIX_SCENARIO);
        }
        args.versions
            .iter()
            .map(|v| SubjectSpec::OpenClaw(v.trim().to_owned()))
            .collect()
    };
    let mut reports: Vec<GateReport> = Vec::new();
    let mut could_not_run = false;
    for subject in subjects {
        let config = GateConfig {
            subject: subject.clone(),
            scenarios: scenarios.clone(),
            provider: args.provider.clone(),
            seed,
            tools: tools.clone(),
            keep: args.keep.as_ref().map(|k| {
                if args.versions.is_empty() {
                    k.clone()
                } else {
                    k.join(subject.name())
                }
            }),
        };
        match session::run(&config, &mut |line| eprintln!("{line}")) {
            Ok(report) => {
                print!("{}", report.render());
                reports.push(report);
            }
            Err(e) => {
                eprintln!("callproof gate: {} could not run: {e}", subject.name());
                could_not_run = true;
            }
        }
    }
    if !args.versions.is_empty() {
        println!();
        print!("{}", matrix(&reports));
    }
    if let Some(path) = &args.json {
        let text = if reports.len() == 1 && args.versions.is_empty() {
            reports[0].to_json()
        } else {
            serde_json::to_string_pretty(&reports).unwrap_or_default()
        };
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("callproof gate: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if let Some(path) = &args.junit {
        for (i, r) in reports.iter().enumerate() {
            let target = if i == 0 {
                path.clone()
            } else {
                path.with_extension(format!("{i}.xml"))
            };
            let written = r
                .to_junit()
                .and_then(|xml| std::fs::write(&target, xml).map_err(|e| e.to_string()));
            if let Err(e) = written {
                eprintln!("callproof gate: cannot write {}: {e}", target.display());
                return ExitCode::from(2);
            }
        }
    }
    let verdict = reports
        .iter()
        .map(GateReport::verdict)
        .max()
        .unwrap_or(Verdict::Unknown);
    if verdict == Verdict::Fail {
        ExitCode::from(1)
    } else if could_not_run {
        ExitCode::from(2)
    } else {
        exit_for(verdict)
    }
}

/// One row per subject, one column per scenario.
fn matrix(reports: &[GateReport]) -> String {
    let mut names: Vec<String> = Vec::new();
    for r in reports {
        for s in &r.scenarios {
            if !names.contains(&s.name) {
                names.push(s.name.clone());
            }
        }
    }
    let mut out = format!(
        "| subject | {} | start (prepare) |\n|---|",
        names.join(" | ")
    );
    out.push_str(&"---|".repeat(names.len() + 1));
    out.push('\n');
    for r in reports {
        let cells: Vec<String> = names
            .iter()
            .map(|n| {
                r.scenario(n).map_or("-".into(), |s| {
                    let failed: Vec<&str> = s
                        .checks
                        .iter()
                        .filter(|c| c.verdict == s.verdict && s.verdict != Verdict::Pass)
                        .map(|c| c.check.name())
                        .collect();
                    if failed.is_empty() {
                        s.verdict.as_str().to_owned()
                    } else {
                        format!("{} ({})", s.verdict.as_str(), failed.join(", "))
                    }
                })
            })
            .collect();
        out.push_str(&format!(
            "| {} | {} | {:.1} s |\n",
            r.subject,
            cells.join(" | "),
            r.prepare_ms as f64 / 1000.0
        ));
    }
    out
}
