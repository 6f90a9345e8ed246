//! `callproof selftest`: every canary against the oracle and the checks, a
//! table, and the reference gateway on the same seeds.

use callproof_sim::report::from_selftest;
use callproof_sim::selftest::{
    finding, provider_of, run_canary, scenario_of, selftest, CanaryReport, Plan, Report,
};
use callproof_sim::Canary;
use std::fmt::Write as _;
use std::process::ExitCode;

/// Options of `callproof selftest`.
#[derive(clap::Args, Debug)]
pub struct SelftestArgs {
    /// Only these canaries (repeatable); default: all of them.
    #[arg(long = "canary")]
    canaries: Vec<String>,
    /// Most seeds tried per canary before it counts as surviving.
    #[arg(long, default_value_t = 200)]
    budget: u64,
    /// Run exactly this seed of the canary (with --trace, print its timeline).
    #[arg(long)]
    seed: Option<u64>,
    /// Print the full timeline (with --canary and --seed).
    #[arg(long)]
    trace: bool,
    /// Keep only these faults of the seed's schedule (`0,2`, or `none`).
    #[arg(long)]
    faults: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Do not shrink the first failing seed of each canary.
    #[arg(long)]
    no_shrink: bool,
    /// List the canaries with the behaviour each reproduces, and exit.
    #[arg(long)]
    list: bool,
    /// Write the results to this file as JSON (the versioned schema of the README's "CI output").
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Write the results to this file as JUnit XML: one test case per canary, then the reference's seeds.
    #[arg(long)]
    junit: Option<std::path::PathBuf>,
}

/// Runs the subcommand.
pub fn main(args: SelftestArgs) -> ExitCode {
    if args.list {
        for c in Canary::ALL {
            println!("{:<28} {:<9} {}", c.name(), c.class(), c.history());
        }
        return ExitCode::SUCCESS;
    }
    let mut canaries = Vec::new();
    for name in &args.canaries {
        match Canary::parse(name) {
            Some(c) => canaries.push(c),
            None => {
                let names: Vec<&str> = Canary::ALL.iter().map(|c| c.name()).collect();
                eprintln!(
                    "callproof selftest: unknown canary {name:?}; the canaries are: {}",
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        }
    }
    if let Some(seed) = args.seed {
        let [canary] = canaries[..] else {
            eprintln!("callproof selftest: --seed replays one canary: give exactly one --canary");
            return ExitCode::from(2);
        };
        return single(canary, seed, args.faults.as_deref());
    }
    if canaries.is_empty() {
        canaries = Canary::ALL.to_vec();
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    if args.budget == 0 {
        eprintln!(
            "callproof selftest: --budget 0 runs no seed: a run that tests nothing is not a pass"
        );
        return ExitCode::from(2);
    }
    let plan = Plan {
        canaries,
        budget: args.budget,
        threads,
        shrink: !args.no_shrink,
    };
    tracing::info!(
        "{} canaries, up to {} seeds each, {threads} thread(s)",
        plan.canaries.len(),
        plan.budget
    );
    let bar = super::progress_bar(
        plan.canaries.len() as u64,
        "{bar:30} {pos}/{len} canaries [{elapsed}]",
    );
    let report = selftest(&plan, &|c: &CanaryReport| {
        let verdict = if c.caught() { "caught" } else { "SURVIVED" };
        bar.suspend(|| {
            tracing::info!(
                "{:<28} {verdict:<8} after {} seed(s), {:.1} s",
                c.canary.name(),
                c.seeds_run,
                c.wall.as_secs_f64()
            );
        });
        bar.inc(1);
    });
    bar.finish_and_clear();
    print!("{}", render(&report));
    super::finish(
        &from_selftest(&report),
        args.json.as_deref(),
        args.junit.as_deref(),
    )
}

fn single(canary: Canary, seed: u64, faults: Option<&str>) -> ExitCode {
    let keep: Option<Vec<usize>> = faults.map(|list| {
        if list == "none" {
            Vec::new()
        } else {
            list.split(',')
                .filter_map(|i| i.trim().parse().ok())
                .collect()
        }
    });
    let scenario = scenario_of(seed);
    println!(
        "# canary {} ({}): {}",
        canary.name(),
        canary.class(),
        canary.history()
    );
    println!("# seed {seed}, provider {}", provider_of(seed));
    for (i, f) in scenario.faults.iter().enumerate() {
        let kept = keep.as_ref().is_none_or(|k| k.contains(&i));
        let mark = if kept { "" } else { " (dropped)" };
        println!(
            "# fault {i}: at {:.3}s {:?}{mark}",
            f.at_ms as f64 / 1000.0,
            f.kind
        );
    }
    let outcome = run_canary(canary, seed, keep.as_deref());
    if !super::print_lines(&outcome.trace) {
        return ExitCode::SUCCESS;
    }
    for v in &outcome.violations {
        println!("# VIOLATION {v}");
    }
    if outcome.violations.is_empty() {
        println!("# no violations: the canary survived this seed");
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<28} {:<9} {:<7} {:<44} {:>6}  {:>6}  reproducer",
        "canary", "class", "caught", "by", "seeds", "wall"
    );
    for c in &report.canaries {
        let seeds = c
            .sim
            .as_ref()
            .map_or(format!("-/{}", c.seeds_run), |s| s.seed.to_string());
        let _ = writeln!(
            out,
            "{:<28} {:<9} {:<7} {:<44} {:>6}  {:>5.1}s  {}",
            c.canary.name(),
            c.canary.class(),
            if c.caught() { "yes" } else { "NO" },
            c.caught_by(),
            seeds,
            c.wall.as_secs_f64(),
            c.reproducer()
        );
    }
    let _ = writeln!(out);
    for c in &report.canaries {
        if let Some(s) = &c.sim {
            let _ = writeln!(
                out,
                "{} ({} seed {}): {}",
                c.canary.name(),
                s.provider,
                s.seed,
                s.violation
            );
        }
        for finding in c.checks.iter().take(2).map(finding) {
            let _ = writeln!(out, "{}: {finding}", c.canary.name());
        }
        if !c.caught() {
            let _ = writeln!(
                out,
                "{} SURVIVED {} seeds and its checks: the suite cannot see bug {} yet",
                c.canary.name(),
                c.seeds_run,
                c.canary.class()
            );
        }
    }
    let caught = report.canaries.iter().filter(|c| c.caught()).count();
    let _ = writeln!(
        out,
        "\n{caught}/{} canaries caught; median seeds to a catch: {}",
        report.canaries.len(),
        report
            .median_seeds()
            .map_or("-".to_owned(), |m| m.to_string())
    );
    if report.reference_failures.is_empty() && report.reference_checks.is_empty() {
        let _ = writeln!(
            out,
            "reference gateway: clean on the same {} seeds and the same checks",
            report.reference_seeds
        );
    } else {
        for (provider, seed, v) in &report.reference_failures {
            let _ = writeln!(
                out,
                "REFERENCE FAILED {provider} seed {seed}: {v}\n  replay: cargo run --release -- sim --provider {provider} --seed {seed} --trace"
            );
        }
        for finding in report.reference_checks.iter().map(finding) {
            let _ = writeln!(out, "REFERENCE FAILED check {finding}");
        }
    }
    let _ = writeln!(out, "wall {:.1} s", report.wall.as_secs_f64());
    out
}
