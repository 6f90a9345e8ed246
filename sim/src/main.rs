//! The `callproof` command line.

mod cli;

/// A restart parses one record per call, each a few dozen small strings;
/// glibc's allocator spends a third of that parse allocating and freeing
/// them (measured with `callproof bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main(init_logs)
}

/// Logs go to stderr through `tracing`, filtered by `RUST_LOG` (for example
/// `RUST_LOG=callproof_sim=debug`). Without it, the command's own progress
/// notes (`info` of this binary) and every warning are shown; the
/// simulated gateway's own call-event lines (`info` of `callproof_sim`) are
/// not, since a campaign would print millions of them. `callproof
/// gateway` sets up its own (timestamps, one line per call event), so this
/// is called for every other command only: a second global subscriber
/// would make the gateway panic at start.
fn init_logs() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,callproof=info,callproof_sim=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .init();
}
