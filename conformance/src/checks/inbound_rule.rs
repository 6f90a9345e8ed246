//! The inbound policy's matching rule, case by case: exact E.164, and never a
//! withheld caller (bug class B10: suffix matching on digits let anonymous
//! callers and numbers sharing a suffix in).

use super::{CheckFamily, CheckResult, Failure};
use callproof_core::manager::{InboundPolicy, InboundRule};

/// The number on the allowlist in every case.
const ALLOWED: &str = "+15551110001";

/// (policy, caller, answered?) with why.
fn cases() -> Vec<(InboundPolicy, &'static str, bool, &'static str)> {
    let list = || InboundPolicy::Allowlist(vec![ALLOWED.to_owned()]);
    vec![
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
    ]
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
        let got = rule.allows(&policy, caller);
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
