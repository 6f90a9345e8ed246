//! Argument parsing and the subcommands. Only this module touches the file
//! system and the wall clock; the library stays deterministic.

mod bench;
mod emulate;
mod gate;
mod gateway;
mod selftest;
mod sim;

use callproof_sim::journal_check::{CheckSettings, JournalCheck};
use callproof_sim::report::{ReportError, Results, Verdict};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "callproof",
    version,
    about = "Proves a voice-call manager never loses track of a call."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the simulation campaign: seeds x providers with crashes, partitions,
    /// API outages and webhook faults, judged by the oracle.
    Sim(sim::SimArgs),
    /// Run the adapter conformance gate and print one row per adapter x check.
    Conform(ConformArgs),
    /// Prove the suite catches every known way to lose a call: run each
    /// canary (one historical bug) until the oracle or a check flags it, and
    /// the reference gateway on the same seeds.
    Selftest(selftest::SelftestArgs),
    /// Judge a real gateway process: start it against `callproof emulate`,
    /// run crash scenarios (SIGKILL, restart, faults, callers), and give
    /// each a verdict from the provider's ground truth.
    Gate(gate::GateArgs),
    /// Run the reference call manager as a real process: provider webhooks,
    /// the control API (POST /calls, GET /calls, GET /health), a journal that
    /// compacts itself. Settings from flags, CALLPROOF_* variables or --config.
    Gateway(Box<gateway::GatewayArgs>),
    /// Measure restart time, peak memory and journal size against history
    /// length, beside a naive node replay of the same files.
    Bench(bench::BenchArgs),
    /// Serve the Twilio, Plivo and Telnyx emulators on one port, with a
    /// control API under /_callproof/, for any gateway to be tested against.
    Emulate(emulate::EmulateArgs),
    /// Inspect a call journal (OpenClaw's calls.jsonl or callproof's).
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
}

/// Options of `callproof conform`.
#[derive(clap::Args, Debug)]
struct ConformArgs {
    /// Write the results to this file as JSON (the versioned schema of the README's "CI output").
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Write the results to this file as JUnit XML: one test case per adapter x check family.
    #[arg(long)]
    junit: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum JournalCommand {
    /// Show the calls that would count against capacity after a restart.
    /// Exit status 1 when stale calls would block capacity.
    Check {
        /// The journal file.
        file: std::path::PathBuf,
        /// The gateway's maxDurationSeconds.
        #[arg(long, default_value_t = 300)]
        max_duration_secs: u64,
        /// The gateway's maxConcurrentCalls.
        #[arg(long, default_value_t = 1)]
        max_concurrent_calls: usize,
        /// Judge ages as of this time (ms since the Unix epoch) instead of now.
        #[arg(long)]
        now_ms: Option<u64>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sim(args) => sim::main(args),
        Command::Selftest(args) => selftest::main(args),
        Command::Gate(args) => gate::main(args),
        Command::Gateway(args) => gateway::main(*args),
        Command::Bench(args) => bench::main(args),
        Command::Emulate(args) => emulate::main(args),
        Command::Conform(args) => {
            let report = callproof_conformance::run_all();
            print!("{}", report.render_table());
            let results = callproof_sim::report::from_conformance(&report);
            finish(&results, args.json.as_deref(), args.junit.as_deref())
        }
        Command::Journal {
            command:
                JournalCommand::Check {
                    file,
                    max_duration_secs,
                    max_concurrent_calls,
                    now_ms,
                },
        } => {
            let now_ms = now_ms.unwrap_or_else(wall_clock_ms);
            let settings = CheckSettings {
                now_ms,
                max_duration_ms: max_duration_secs * 1000,
                max_concurrent_calls,
            };
            let check = match JournalCheck::read(&file, settings) {
                Ok(check) => check,
                Err(e) => {
                    eprintln!("callproof: cannot read {}: {e}", file.display());
                    return ExitCode::from(2);
                }
            };
            print!("{}", check.render(&file.display().to_string()));
            if check.not_a_journal() {
                return ExitCode::from(2);
            }
            if check.blocks_capacity() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// Writes `results` as JSON and JUnit where asked and turns its verdict
/// into the exit status: 2 (after saying why) if a file could not be written
/// or nothing ran, 1 if a case failed, 0 otherwise.
fn finish(
    results: &Results,
    json: Option<&std::path::Path>,
    junit: Option<&std::path::Path>,
) -> ExitCode {
    type Writer = fn(&Results, &std::path::Path) -> Result<(), ReportError>;
    let outputs: [(Option<&std::path::Path>, Writer); 2] =
        [(json, Results::write_json), (junit, Results::write_junit)];
    for (path, write) in outputs {
        if let Some(path) = path {
            if let Err(e) = write(results, path) {
                let command = &results.command;
                eprintln!("callproof {command}: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    if results.verdict() == Verdict::NothingRan {
        eprintln!(
            "callproof {}: no case ran: a run that tests nothing is not a pass",
            results.command
        );
    }
    ExitCode::from(results.verdict().exit_code())
}

/// A progress bar on stderr, drawn by indicatif only when stderr is a
/// terminal (CI logs get no carriage-return noise).
fn progress_bar(len: u64, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Prints `lines` to stdout; false once the reader has gone (`| head`), so a
/// long trace piped into a pager stops quietly instead of panicking.
fn print_lines(lines: &[String]) -> bool {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    lines.iter().all(|line| writeln!(out, "{line}").is_ok())
}

/// The operator's wall clock, used only to report ages.
fn wall_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
