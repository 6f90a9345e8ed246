//! `callproof gate --subject reference`: the reference gateway, as a real
//! process against `callproof emulate`, passes every named scenario.

mod gate;

use callproof_sim::gate::catalogue;
use callproof_sim::gate::check::Verdict;

#[test]
fn the_reference_gateway_passes_every_scenario() {
    let (code, report) = gate::gate("reference", "reference", &[]);
    let names = catalogue::names();
    assert_eq!(report.scenarios.len(), names.len(), "{report:#?}");
    for name in &names {
        let result = gate::scenario(&report, name);
        assert_eq!(
            result.verdict,
            Verdict::Pass,
            "{name}: {:#?}\n{}",
            result.checks,
            result.evidence.join("\n")
        );
        assert!(
            result.aborted.is_none(),
            "{name} stopped early: {:?}",
            result.aborted
        );
    }
    assert_eq!(code, 0, "every scenario passed, so the exit status is 0");
}
