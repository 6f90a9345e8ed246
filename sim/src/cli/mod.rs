//! Argument parsing and the subcommands. Only this module touches the file
//! system and the wall clock; the library stays deterministic.

mod emulate;
mod gate;
mod gateway;
mod selftest;
mod sim;

use callproof_sim::journal_check::{CheckSettings, JournalCheck};
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
    Conform,
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
    /// Serve the Twilio, Plivo and Telnyx emulators on one port, with a
    /// control API under /_callproof/, for any gateway to be tested against.
    Emulate(emulate::EmulateArgs),
    /// Inspect a call journal (OpenClaw's calls.jsonl or callproof's).
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
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
        Command::Emulate(args) => emulate::main(args),
        Command::Conform => {
            let report = callproof_conformance::run_all();
            print!("{}", report.render_table());
            if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
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
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("callproof: cannot read {}: {e}", file.display());
                    return ExitCode::from(2);
                }
            };
            let now_ms = now_ms.unwrap_or_else(wall_clock_ms);
            let settings = CheckSettings {
                now_ms,
                max_duration_ms: max_duration_secs * 1000,
                max_concurrent_calls,
            };
            let check = JournalCheck::run(&bytes, settings);
            print!("{}", check.render(&file.display().to_string()));
            if check.blocks_capacity() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
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
