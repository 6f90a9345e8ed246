//! `callproof sim`: the campaign, with progress, a table and reproducers.

use callproof_core::provider::ProviderName;
use callproof_sim::campaign::{required_situations, run_campaign, Plan, Report};
use callproof_sim::emulator::dialect::for_provider;
use callproof_sim::oracle::Invariant;
use callproof_sim::report::from_campaign;
use callproof_sim::scenario::{Profile, Scenario};
use std::fmt::Write as _;
use std::process::ExitCode;

/// Options of `callproof sim`.
#[derive(clap::Args, Debug)]
pub struct SimArgs {
    /// Providers to simulate (repeatable); default: twilio, plivo and telnyx.
    #[arg(long = "provider")]
    providers: Vec<String>,
    /// Seeds per provider.
    #[arg(long, default_value_t = 100)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Run exactly this seed (with --trace, print its timeline).
    #[arg(long)]
    seed: Option<u64>,
    /// Only the seeds of shard i of n (`i/n`, 0-based), for CI matrices.
    #[arg(long)]
    shard: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Write the results to this file as JSON (the versioned schema of the README's "CI output").
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Write the results to this file as JUnit XML: one test case per seed x provider.
    #[arg(long)]
    junit: Option<std::path::PathBuf>,
    /// Print the full timeline of the seed (with --seed).
    #[arg(long)]
    trace: bool,
    /// Keep only these faults of the seed's schedule (`0,2`, or `none`): replays a shrunk failure.
    #[arg(long)]
    faults: Option<String>,
    /// Do not shrink failing seeds.
    #[arg(long)]
    no_shrink: bool,
}

fn parse_providers(names: &[String]) -> Result<Vec<ProviderName>, String> {
    if names.is_empty() {
        return Ok(vec![
            ProviderName::Twilio,
            ProviderName::Plivo,
            ProviderName::Telnyx,
        ]);
    }
    names
        .iter()
        .map(|n| {
            ProviderName::parse(n)
                .ok_or_else(|| format!("unknown provider {n:?}: use twilio, plivo, telnyx or mock"))
        })
        .collect()
}

/// Runs the subcommand.
pub fn main(args: SimArgs) -> ExitCode {
    let providers = match parse_providers(&args.providers) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("callproof sim: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(missing) = providers.iter().find(|p| for_provider(**p).is_none()) {
        eprintln!("callproof sim: the simulator has no emulator for {missing} yet; use --provider with one of those it has");
        return ExitCode::from(2);
    }
    let profile = Profile::standard();
    if let (Some(seed), true) = (args.seed, args.trace || args.faults.is_some()) {
        return single(seed, &providers, &profile, args.faults.as_deref());
    }
    let shard = match args.shard.as_deref().map(parse_shard).transpose() {
        Ok(s) => s.unwrap_or((0, 1)),
        Err(e) => {
            eprintln!("callproof sim: {e}");
            return ExitCode::from(2);
        }
    };
    let seeds = match args.seed {
        Some(s) => vec![s],
        None => Plan::seeds(args.first_seed, args.seeds, shard),
    };
    if seeds.is_empty() {
        eprintln!(
            "callproof sim: nothing to run ({} seed(s) from {}, shard {}/{}): a run that tests nothing is not a pass",
            args.seeds, args.first_seed, shard.0, shard.1
        );
        return ExitCode::from(2);
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let plan = Plan {
        providers,
        seeds,
        profile,
        threads,
        shrink: !args.no_shrink,
    };
    tracing::info!(
        "{} seed(s) x {} provider(s), profile {}, {} thread(s)",
        plan.seeds.len(),
        plan.providers.len(),
        plan.profile.name,
        plan.threads
    );
    let bar = super::progress_bar(
        (plan.seeds.len() * plan.providers.len()) as u64,
        "{bar:30} {pos}/{len} runs, {msg} [{elapsed}]",
    );
    let progress = |done: usize, _total: usize, failed: usize| {
        bar.set_position(done as u64);
        bar.set_message(format!("{failed} failing"));
    };
    let report = run_campaign(&plan, &progress);
    bar.finish_and_clear();
    print!("{}", render(&report));
    super::finish(
        &from_campaign(&report),
        args.json.as_deref(),
        args.junit.as_deref(),
    )
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (i, n) = s.split_once('/').ok_or("--shard takes i/n, e.g. 0/4")?;
    let (i, n): (u64, u64) = (
        i.parse().map_err(|_| "bad shard index")?,
        n.parse().map_err(|_| "bad shard count")?,
    );
    if n == 0 || i >= n {
        return Err(format!("--shard {s}: need 0 <= i < n"));
    }
    Ok((i, n))
}

fn single(
    seed: u64,
    providers: &[ProviderName],
    profile: &Profile,
    faults: Option<&str>,
) -> ExitCode {
    let mut failed = false;
    for provider in providers {
        let mut scenario = Scenario::draw(seed, *provider, profile);
        if let Some(list) = faults {
            let keep: Vec<usize> = if list == "none" {
                Vec::new()
            } else {
                list.split(',')
                    .filter_map(|i| i.trim().parse().ok())
                    .collect()
            };
            scenario = scenario.with_faults(&keep);
        }
        let outcome = callproof_sim::run::run(&scenario);
        println!("# seed {seed}, provider {provider}, maxConcurrentCalls {}, max duration {} s, inbound {:?}", scenario.config.max_concurrent_calls, scenario.config.max_duration_ms / 1000, scenario.config.inbound);
        for (i, f) in scenario.faults.iter().enumerate() {
            println!(
                "# fault {i}: at {:.3}s {:?}",
                f.at_ms as f64 / 1000.0,
                f.kind
            );
        }
        if !super::print_lines(&outcome.trace) {
            return ExitCode::SUCCESS;
        }
        println!(
            "# trace hash {:016x}; {} calls placed, {} answered, {} crashes",
            outcome.trace_hash, outcome.calls_placed, outcome.calls_answered, outcome.crashes
        );
        for v in &outcome.violations {
            failed = true;
            println!("# VIOLATION {v}");
        }
        if outcome.violations.is_empty() {
            println!("# no violations");
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn render(report: &Report) -> String {
    let mut out = String::new();
    for (provider, s) in &report.summaries {
        let _ = writeln!(out, "\n== {provider}: {} seeds", s.seeds);
        let ratio = s.sim_ms as f64 / s.wall.as_millis().max(1) as f64;
        let _ = writeln!(
            out,
            "  simulated {:.1} h, wall {:.1} s (summed over threads), {:.0}x real time",
            s.sim_ms as f64 / 3.6e6,
            s.wall.as_secs_f64(),
            ratio
        );
        let _ = writeln!(
            out,
            "  calls {:>6} placed + {} answered (at least {} per seed)   gateway crashes {:>5} (at least {} per seed)",
            s.calls,
            s.answered,
            s.min_calls.unwrap_or(0),
            s.crashes,
            s.min_crashes.unwrap_or(0)
        );
        let faults: Vec<String> = s.faults.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(out, "  faults        {}", faults.join(", "));
        let _ = writeln!(out, "  situations:");
        for name in required_situations(*provider) {
            let n = s.situations.get(&name).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "    {name:<34} {n:>7}{}",
                if n == 0 {
                    "   <- never happened: this campaign did not test it"
                } else {
                    ""
                }
            );
        }
        let _ = writeln!(out, "  violations:");
        for inv in Invariant::ALL {
            let _ = writeln!(
                out,
                "    {:<34} {:>7}",
                inv.name(),
                s.violations.get(&inv).copied().unwrap_or(0)
            );
        }
    }
    for f in &report.failures {
        let _ = writeln!(
            out,
            "\nFAILED {} seed {}: {}",
            f.provider, f.seed, f.violation
        );
        let _ = writeln!(out, "  timeline (last lines before the violation):");
        for line in &f.timeline {
            let _ = writeln!(out, "    {line}");
        }
        let _ = writeln!(out, "  replay: {}", f.replay_command());
        if let (Some(keep), Some(cmd)) = (&f.shrunk, f.shrunk_command()) {
            let _ = writeln!(
                out,
                "  shrunk to {} of {} faults: {:?}",
                keep.len(),
                f.faults.len(),
                keep.iter()
                    .filter_map(|i| f.faults.get(*i))
                    .collect::<Vec<_>>()
            );
            let _ = writeln!(out, "  replay shrunk: {cmd}");
        }
    }
    let total: u64 = report.summaries.iter().map(|(_, s)| s.seeds).sum();
    let _ = writeln!(
        out,
        "\n{} runs, {} failing, wall {:.1} s",
        total,
        report.failures.len(),
        report.wall.as_secs_f64()
    );
    out
}
