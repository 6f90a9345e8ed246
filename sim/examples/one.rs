fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let scenario = callproof_sim::scenario::Scenario::draw(
        seed,
        callproof_core::provider::ProviderName::Mock,
        &callproof_sim::scenario::Profile::standard(),
    );
    let out = callproof_sim::run::run(&scenario);
    for l in out.trace.iter().take(60) {
        println!("{l}");
    }
    println!(
        "... {} lines; placed {} crashes {} faults {:?} wall {:?} hash {:x}",
        out.trace.len(),
        out.calls_placed,
        out.crashes,
        out.faults,
        out.wall,
        out.trace_hash
    );
    println!(
        "situations {:?}\nemulator {:?}",
        out.situations, out.emulator
    );
    for v in &out.violations {
        println!("VIOLATION {v}");
    }
}
