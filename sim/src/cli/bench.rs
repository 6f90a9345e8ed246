//! `callproof bench`: restart time, peak memory and journal size against
//! history length, beside a naive node replay of the same file in the same
//! run. A benchmark, not a test: it prints what it measures.
//!
//! Each restart runs in a child process (`callproof bench --restart FILE`)
//! so its peak memory (VmHWM) is its own: read the journal, replay it,
//! rebuild the manager, as `callproof gateway` does at boot (which reads
//! its journal whole: compaction keeps it to a few MB), reading the file
//! on two threads in stripes as `callproof journal check` does.

use callproof_core::manager::{Config, Manager};
use callproof_core::provider::ProviderName;
use serde_json::{json, Value};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Flags of `callproof bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// OpenClaw-style history lengths to measure (calls).
    #[arg(long, value_delimiter = ',', default_value = "1000,20000,200000")]
    calls: Vec<u64>,
    /// Calls run through a compacting journal (0: skip).
    #[arg(long, default_value_t = 1_000_000)]
    compacted: u64,
    /// Restarts per file (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Where the generated files go (default: a directory under the temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The node binary for the naive replay.
    #[arg(long, default_value = "node")]
    node: String,
    /// Internal: measure one restart from FILE and print it as JSON.
    #[arg(long, hide = true)]
    restart: Option<PathBuf>,
}

/// The compaction bound `callproof gateway` uses by default.
const COMPACT_AFTER: u64 = callproof_sim::gateway::DEFAULT_COMPACT_AFTER_BYTES;

/// Runs the benchmark (or, with `--restart`, one measured restart).
pub fn main(args: BenchArgs) -> ExitCode {
    if let Some(file) = &args.restart {
        return match restart(file) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("callproof bench: {e}");
                ExitCode::from(1)
            }
        };
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("callproof bench: {e}");
            ExitCode::from(1)
        }
    }
}

fn restart(file: &Path) -> std::io::Result<Value> {
    let start = Instant::now();
    let replay = callproof_sim::journal_read::replay_file(file)?;
    let replay_ms = start.elapsed().as_secs_f64() * 1000.0;
    let now = replay
        .records
        .values()
        .map(|r| r.started_at)
        .max()
        .unwrap_or(0);
    let mut manager = Manager::recover(
        Config::openclaw_defaults(ProviderName::Twilio),
        &replay,
        now,
    );
    let mut outputs = 0u64;
    while manager.poll_output().is_some() {
        outputs += 1;
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(json!({
        "ms": ms,
        "replay_ms": replay_ms,
        "calls": replay.records.len(),
        "live": replay.live().count(),
        "outputs": outputs,
        "peak_kib": peak_kib(),
    }))
}

/// This process's peak resident memory, from /proc (0 where there is none).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn run(args: &BenchArgs) -> std::io::Result<()> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("callproof-bench"));
    std::fs::create_dir_all(&dir)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/replay_naive.js");
    println!(
        "{:>9} {:>9} {:>11} {:>10} {:>11} {:>11} {:>11} {:>8}",
        "calls", "MB", "bytes/call", "restart", "peak MiB", "node", "node MiB", "ratio"
    );
    for &calls in &args.calls {
        let file = dir.join(format!("openclaw-{calls}.jsonl"));
        let bytes = generate_openclaw(&file, calls)?;
        let ours = median_runs(args.runs, || child_restart(&file))?;
        let node = median_runs(args.runs, || node_replay(&args.node, &script, &file)).ok();
        print_row(calls, bytes, &ours, node.as_ref());
        std::fs::remove_file(&file)?;
    }
    if args.compacted > 0 {
        let store = dir.join("compacted");
        let _ = std::fs::remove_dir_all(&store);
        std::fs::create_dir_all(&store)?;
        let started = Instant::now();
        let sizes = generate_compacted(&store, args.compacted)?;
        let file = store.join("calls.jsonl");
        let ours = median_runs(args.runs, || child_restart(&file))?;
        println!(
            "compaction on: {} calls written in {:.1} s, {} compactions; journal {} bytes ({:.3} % of the {} bytes the OpenClaw-style history takes, {:.1} bytes per call); restart {:.1} ms median, peak {:.1} MiB",
            args.compacted,
            started.elapsed().as_secs_f64(),
            sizes.compactions,
            sizes.journal,
            100.0 * sizes.journal as f64 / sizes.openclaw as f64,
            sizes.openclaw,
            sizes.journal as f64 / args.compacted as f64,
            ours.ms,
            ours.peak_kib as f64 / 1024.0
        );
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
struct Measured {
    ms: f64,
    peak_kib: u64,
}

fn median_runs(
    runs: usize,
    mut once: impl FnMut() -> std::io::Result<Measured>,
) -> std::io::Result<Measured> {
    let mut all = Vec::new();
    for _ in 0..runs.max(1) {
        all.push(once()?);
    }
    all.sort_by(|a, b| a.ms.total_cmp(&b.ms));
    let mid = all[all.len() / 2];
    let peak = all.iter().map(|m| m.peak_kib).max().unwrap_or(0);
    Ok(Measured {
        ms: mid.ms,
        peak_kib: peak,
    })
}

fn measured(output: std::process::Output, what: &str) -> std::io::Result<Measured> {
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let v: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| std::io::Error::other(format!("{what}: unreadable output: {e}")))?;
    Ok(Measured {
        ms: v["ms"].as_f64().unwrap_or(f64::NAN),
        peak_kib: v["peak_kib"].as_u64().unwrap_or(0),
    })
}

fn child_restart(file: &Path) -> std::io::Result<Measured> {
    let output = Command::new(std::env::current_exe()?)
        .args(["bench", "--restart"])
        .arg(file)
        .output()?;
    measured(output, "the restart")
}

fn node_replay(node: &str, script: &Path, file: &Path) -> std::io::Result<Measured> {
    let output = Command::new(node).arg(script).arg(file).output()?;
    measured(output, "node")
}

fn print_row(calls: u64, bytes: u64, ours: &Measured, node: Option<&Measured>) {
    let (node_ms, node_mib, ratio) = match node {
        Some(n) => (
            format!("{:.1} ms", n.ms),
            format!("{:.1}", n.peak_kib as f64 / 1024.0),
            format!("{:.1}x", n.ms / ours.ms),
        ),
        None => ("failed".into(), "-".into(), "-".into()),
    };
    println!(
        "{calls:>9} {:>9.1} {:>11.0} {:>7.1} ms {:>11.1} {node_ms:>11} {node_mib:>11} {ratio:>8}",
        bytes as f64 / 1e6,
        bytes as f64 / calls as f64,
        ours.ms,
        ours.peak_kib as f64 / 1024.0,
    );
}

/// xorshift64*: the generator's only randomness, seeded, so every run
/// writes the same files.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

/// One call's OpenClaw-style history: the full record again on every state
/// change (transcript growing), ~11 lines; 98 % end `completed`, the rest
/// stay non-terminal (a crash before the end was written).
fn call_history(rng: &mut Rng, i: u64, end_all: bool) -> Vec<Value> {
    let started = 1_700_000_000_000u64 + i * 1000;
    let mut rec = json!({
        "callId": rng.uuid(),
        "providerCallId": format!("CA{:016x}{:016x}", rng.next(), rng.next()),
        "provider": "twilio",
        "direction": "outbound",
        "state": "initiated",
        "from": "+15550000000",
        "to": format!("+1555{:07}", rng.next() % 10_000_000),
        "startedAt": started,
        "transcript": [],
        "processedEventIds": [],
        "metadata": {"mode": "conversation"},
    });
    let mut out = Vec::with_capacity(11);
    let states = [
        "initiated",
        "ringing",
        "answered",
        "active",
        "speaking",
        "listening",
        "speaking",
        "listening",
        "speaking",
        "listening",
    ];
    for state in states {
        rec["state"] = Value::from(state);
        let event = rng.uuid();
        if let Some(ids) = rec["processedEventIds"].as_array_mut() {
            ids.push(Value::from(event));
        }
        if state == "speaking" || state == "listening" {
            let speaker = if state == "speaking" { "bot" } else { "user" };
            if let Some(t) = rec["transcript"].as_array_mut() {
                t.push(json!({"timestamp": started + 5000, "speaker": speaker,
                    "text": "some words spoken on the call ".repeat(3), "isFinal": true}));
            }
        }
        out.push(rec.clone());
    }
    let ends = rng.next() % 100 < 98;
    if ends || end_all {
        let reason = if ends { "completed" } else { "timeout" };
        rec["state"] = Value::from(reason);
        rec["endedAt"] = Value::from(started + 60_000);
        rec["endReason"] = Value::from(reason);
        out.push(rec);
    }
    out
}

fn generate_openclaw(path: &Path, calls: u64) -> std::io::Result<u64> {
    let mut rng = Rng(7);
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut bytes = 0u64;
    for i in 0..calls {
        for rec in call_history(&mut rng, i, false) {
            let line = rec.to_string();
            bytes += line.len() as u64 + 1;
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")?;
        }
    }
    w.flush()?;
    Ok(bytes)
}

struct Sizes {
    journal: u64,
    openclaw: u64,
    compactions: u64,
}

/// The same histories written the way `callproof gateway` keeps its journal:
/// lines with `seq`, and past the bound a checkpoint (live calls and the
/// newest `history_limit` ended ones, in `seq` order) written to a new
/// file, fsynced, renamed over the journal, the directory fsynced. The
/// reference gateway ends every call (the 2 % OpenClaw would leave behind
/// end `timeout` at max duration), so only the last call is live. Appends
/// here are buffered, not fsynced one by one: this measures sizes and the
/// restart, not write latency.
fn generate_compacted(store: &Path, calls: u64) -> std::io::Result<Sizes> {
    let limit = Config::openclaw_defaults(ProviderName::Twilio).history_limit;
    let path = store.join("calls.jsonl");
    let tmp = store.join("calls.jsonl.compacting");
    let mut rng = Rng(11);
    let mut seq = 0u64;
    let mut openclaw = 0u64;
    let mut compactions = 0u64;
    let mut ended: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut len = 0u64;
    let mut checkpoint_len = 0u64;
    for i in 0..calls {
        let history = call_history(&mut rng, i, i + 1 < calls);
        let mut last = String::new();
        for mut rec in history {
            openclaw += rec.to_string().len() as u64 + 1;
            seq += 1;
            rec["seq"] = Value::from(seq);
            last = rec.to_string();
            last.push('\n');
            file.write_all(last.as_bytes())?;
            len += last.len() as u64;
        }
        ended.push_back(last);
        if ended.len() > limit {
            ended.pop_front();
        }
        if len > COMPACT_AFTER && len > 2 * checkpoint_len {
            file.flush()?;
            let checkpoint: String = ended.iter().map(String::as_str).collect();
            let mut out = std::fs::File::create(&tmp)?;
            out.write_all(checkpoint.as_bytes())?;
            out.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(store)?.sync_all()?;
            file = std::io::BufWriter::new(std::fs::OpenOptions::new().append(true).open(&path)?);
            len = checkpoint.len() as u64;
            checkpoint_len = len;
            compactions += 1;
        }
    }
    file.flush()?;
    file.get_ref().sync_all()?;
    Ok(Sizes {
        journal: std::fs::metadata(&path)?.len(),
        openclaw,
        compactions,
    })
}
