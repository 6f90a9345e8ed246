//! `callproof-conform`: runs the whole adapter gate and prints one row per
//! adapter × check family; exits 1 if anything failed.

fn main() {
    let report = callproof_conformance::run_all();
    print!("{}", report.render_table());
    if !report.passed() {
        std::process::exit(1);
    }
}
