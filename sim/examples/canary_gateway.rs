//! The reference gateway with one self-test canary inside, as a real
//! process: the gate's own self-test (`sim/tests/gate_canaries.rs`) starts it
//! as a `command:` subject to show the gate fails a gateway for the right
//! reason. Built for the test suite only; the shipped `callproof gateway`
//! builds nothing but the reference core.
//!
//! `canary_gateway CANARY [callproof gateway flags…]`, e.g.
//! `canary_gateway stale-reload`; every `CALLPROOF_*` variable of the
//! subject contract is read as `callproof gateway` reads it.

#[path = "../src/cli/gateway.rs"]
#[allow(dead_code)]
mod gateway;

use clap::Parser;
use std::process::ExitCode;

#[derive(Parser)]
struct Args {
    /// The canary's name (`stale-reload`, `no-id-skipped`, …).
    canary: String,
    #[command(flatten)]
    gateway: gateway::GatewayArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(canary) = callproof_sim::Canary::parse(&args.canary) else {
        let names: Vec<&str> = callproof_sim::Canary::ALL
            .iter()
            .map(|c| c.name())
            .collect();
        eprintln!(
            "canary_gateway: no canary {:?}; one of {}",
            args.canary,
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    eprintln!(
        "canary_gateway: the reference gateway with canary {} ({}) inside",
        canary.name(),
        canary.class()
    );
    gateway::main_with(args.gateway, canary.gate_selftest_core())
}
