//! `callproof-conform`: runs the whole adapter gate and prints one row per
//! adapter × check family; exits 1 if anything failed and 2 if no case ran
//! at all. CI output (`--junit`, `--json`) is `callproof conform`'s: the
//! result format lives in the simulator crate, which depends on this one.

use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        eprintln!("callproof-conform takes no options; for --junit/--json use `callproof conform`");
        return ExitCode::from(2);
    }
    let report = callproof_conformance::run_all();
    print!("{}", report.render_table());
    if !report.ran_anything() {
        eprintln!("callproof-conform: no case ran: a gate that tests nothing is not a pass");
        return ExitCode::from(2);
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
