//! The inbound policy's matching rule, case by case: exact E.164, and never a
//! withheld caller (bug class B10: suffix matching on digits let anonymous
//! callers and numbers sharing a suffix in).

use super::{CheckFamily, CheckResult, Failure};
use callproof_core::adapters::plivo::plus_e164;
use callproof_core::manager::{InboundPolicy, InboundRule};

/// The number on the allowlist in every case.
const ALLOWED: &str = "+15551110001";

/// (policy, caller, answered?) with why.
fn cases() -> Vec<(InboundPolicy, String, bool, &'static str)> {
    let list = || InboundPolicy::Allowlist(vec![ALLOWED.to_owned()]);
    // Plivo writes callers without the `+`: what the rule sees is what the
    // Plivo adapter reads back from the wire.
    let plivo = |policy: InboundPolicy, wire: &str, expected: bool, why: &'static str| {
        (policy, plus_e164(wire), expected, why)
    };
    let mut cases: Vec<(InboundPolicy, String, bool, &'static str)> = vec![
        plivo(
            list(),
            "15551110001",
            true,
            "plivo: the listed number as Plivo writes it",
        ),
        plivo(
            list(),
            "4415551110001",
            false,
            "plivo: another number ending in the listed digits",
        ),
        plivo(
            list(),
            "5551110001",
            false,
            "plivo: the listed number's tail",
        ),
        plivo(
            list(),
            "015551110001",
            false,
            "plivo: digits with a leading zero",
        ),
        plivo(
            InboundPolicy::Open,
            "anonymous",
            false,
            "plivo: a withheld caller",
        ),
        plivo(
            InboundPolicy::Open,
            "Anonymous",
            false,
            "plivo: a withheld caller, capitalised",
        ),
        plivo(InboundPolicy::Open, "", false, "plivo: an empty caller id"),
        plivo(InboundPolicy::Open, "0000000000", false, "plivo: all zeros"),
        plivo(
            InboundPolicy::Open,
            "1555111000x",
            false,
            "plivo: not digits",
        ),
    ];
    let plain: Vec<(InboundPolicy, &'static str, bool, &'static str)> = vec![
        (list(), ALLOWED, true, "the listed number itself"),
        (list(), "anonymous", false, "a withheld caller id"),
        (list(), "", false, "an empty caller id"),
        (
            list(),
            "Restricted",
            false,
            "a withheld caller id, capitalised",
        ),
        (
            list(),
            "+4415551110001",
            false,
            "another number ending in the listed digits",
        ),
        (list(), "+5551110001", false, "the listed number's tail"),
        (
            list(),
            "15551110001",
            false,
            "the listed digits without the +",
        ),
        (list(), "+15551110002", false, "a neighbouring number"),
        (
            InboundPolicy::Open,
            "+15559990000",
            true,
            "open: any real number",
        ),
        (
            InboundPolicy::Open,
            "anonymous",
            false,
            "open: still never a withheld caller",
        ),
        (
            InboundPolicy::Open,
            "",
            false,
            "open: still never an empty caller id",
        ),
        (InboundPolicy::Disabled, ALLOWED, false, "disabled: nobody"),
    ];
    cases.extend(
        plain
            .into_iter()
            .map(|(policy, caller, expected, why)| (policy, caller.to_owned(), expected, why)),
    );
    cases
}

/// Runs every case against `rule`; `subject` names the row.
pub fn inbound_rule_cases(subject: &'static str, rule: &dyn InboundRule) -> CheckResult {
    let mut result = CheckResult {
        adapter: subject,
        family: CheckFamily::InboundRule,
        passed: 0,
        failures: Vec::new(),
        skipped: Vec::new(),
    };
    for (policy, caller, expected, why) in cases() {
        let got = rule.allows(&policy, &caller);
        if got == expected {
            result.passed += 1;
        } else {
            result.failures.push(Failure {
                adapter: subject,
                family: CheckFamily::InboundRule,
                case: format!("{policy:?} from {caller:?}"),
                message: format!(
                    "{why}: expected {}, got {}",
                    if expected { "answered" } else { "refused" },
                    if got { "answered" } else { "refused" }
                ),
            });
        }
    }
    result
}
