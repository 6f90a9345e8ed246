//! Every status word the provider uses maps to what it means, and no word the
//! adapter does not know ever ends a call (on the REST side or in webhooks).

use super::util::{proptest_outcome, runner};
use super::{CheckFamily, CheckResult, Tally};
use crate::subject::{OpCase, Subject};
use callproof_core::adapters::Adapter;
use callproof_core::provider::{EventKind, OpOutcome, ProviderCallStatus};
use callproof_core::webhook::WebhookError;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeSet;

/// Words real providers use that a sloppy mapping might take for an end.
const PROBES: [&str; 10] = [
    "",
    "ended",
    "terminated",
    "hangup",
    "cancelled",
    "done",
    "unknown",
    "null",
    "COMPLETED",
    " completed",
];

/// Checks the subject's REST status table and webhook status table, then
/// probes both with words neither table knows.
pub async fn status_table<S: Subject>() -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::StatusTable);
    rest_side::<S>(&mut tally);
    webhook_side::<S>(&mut tally);
    tally.finish()
}

fn rest_side<S: Subject>(tally: &mut Tally) {
    let adapter = S::adapter("http://127.0.0.1:9");
    let op = OpCase::Status.op(&S::sample_ids());
    let table = S::status_table();
    for row in &table {
        let label = format!("rest/{}", row.raw);
        let outcome = row.response.to_response().and_then(|response| {
            let got = adapter.parse_response(&op, &response);
            let want = Ok(OpOutcome::Status(row.expected.clone()));
            if got == want {
                Ok(())
            } else {
                Err(format!("expected {want:?}, got {got:?}"))
            }
        });
        tally.case(label, outcome);
    }
    let known: BTreeSet<&str> = table.iter().map(|r| r.raw).collect();
    if S::status_response("probe").is_none() {
        tally.skip(
            "rest/unknown-words",
            "the provider's status reply carries no free-text status word",
        );
        return;
    }
    let rest_unknown = |word: &str| -> Result<(), String> {
        if known.contains(word) {
            return Ok(());
        }
        let Some(canned) = S::status_response(word) else {
            return Err("status_response gave no reply".to_owned());
        };
        let got = adapter.parse_response(&op, &canned.to_response()?);
        match got {
            Ok(OpOutcome::Status(
                ProviderCallStatus::Unknown { .. } | ProviderCallStatus::Live { .. },
            )) => Ok(()),
            other => Err(format!(
                "unknown status word {word:?}: expected Status(Unknown), got {other:?}"
            )),
        }
    };
    for word in PROBES {
        tally.case(format!("rest/unknown {word:?}"), rest_unknown(word));
    }
    let result = runner(128).run(&"[a-zA-Z_ -]{0,16}", |word| {
        rest_unknown(&word).map_err(TestCaseError::fail)
    });
    tally.case("rest/unknown-words (proptest)", proptest_outcome(result));
}

fn webhook_side<S: Subject>(tally: &mut Tally) {
    let adapter = S::recorded_adapter();
    let now = S::recorded_now_unix_secs();
    // Outer error: the subject's webhook did not verify (a subject bug).
    let events = |word: &str| -> Result<Result<Vec<EventKind>, WebhookError>, String> {
        let webhook = S::webhook_with_status(word);
        let verified = adapter
            .verify_webhook(&webhook.raw(), now)
            .map_err(|e| format!("webhook_with_status({word:?}) does not verify: {e}"))?;
        Ok(adapter
            .parse_webhook(&verified)
            .map(|events| events.into_iter().map(|e| e.kind).collect()))
    };
    let table = S::webhook_status_table();
    for row in &table {
        let outcome = events(row.raw).and_then(|parsed| match parsed {
            Ok(kinds) if kinds.contains(&row.expected) => Ok(()),
            other => Err(format!(
                "expected an event of kind {:?}, got {other:?}",
                row.expected
            )),
        });
        tally.case(format!("webhook/{}", row.raw), outcome);
    }
    let known: BTreeSet<&str> = table.iter().map(|r| r.raw).collect();
    let webhook_unknown = |word: &str| -> Result<(), String> {
        if known.contains(word) {
            return Ok(());
        }
        match events(word)? {
            Ok(kinds) if kinds.iter().any(|k| matches!(k, EventKind::Ended { .. })) => Err(
                format!("unknown webhook status {word:?} ended the call: {kinds:?}"),
            ),
            // Refused (UnknownStatus, or a parse error) or ignored: the call lives on.
            _ => Ok(()),
        }
    };
    for word in PROBES {
        tally.case(format!("webhook/unknown {word:?}"), webhook_unknown(word));
    }
    let result = runner(64).run(&"[a-zA-Z_ -]{0,16}", |word| {
        webhook_unknown(&word).map_err(TestCaseError::fail)
    });
    tally.case("webhook/unknown-words (proptest)", proptest_outcome(result));
}
