//! The callee's words in the journal: each final answer applied once, in
//! the order the callee gave it, and nothing the callee never said. Judged
//! from the call's last journal record against the emulator's ground truth
//! ([`TruthCall::said`]); answers lost on the way may be missing, but one
//! the gateway acknowledged as applied may not.

use super::{Invariant, Violation};
use crate::emulator::truth::TruthCall;
use callproof_core::record::CallRecord;

/// The transcript verdict for one call the gateway placed or answered.
pub(super) fn check(call: &TruthCall, record: Option<&CallRecord>, at_ms: u64) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(record) = record else {
        return out;
    };
    let violation = |invariant, detail: String| Violation {
        invariant,
        at_ms,
        detail: format!(
            "call {} ({}): {detail}",
            call.provider_call_id, record.call_id
        ),
    };
    let heard: Vec<&str> = record
        .transcript
        .iter()
        .filter(|e| e.speaker == "user")
        .map(|e| e.text.as_str())
        .collect();
    let mut applied: Vec<usize> = Vec::new();
    for text in &heard {
        let Some(n) = call.said.iter().position(|u| u.text == *text) else {
            out.push(violation(
                Invariant::TranscriptOnceInOrder,
                format!("the journal's transcript has {text:?}, which the callee never said (said: {:?})", said(call)),
            ));
            continue;
        };
        if applied.contains(&n) {
            out.push(violation(
                Invariant::TranscriptOnceInOrder,
                format!(
                    "the callee's answer {text:?} is in the journal's transcript twice: {heard:?}"
                ),
            ));
        } else if applied.last().is_some_and(|last| *last > n) {
            out.push(violation(
                Invariant::TranscriptOnceInOrder,
                format!("the journal's transcript {heard:?} is out of the order the callee spoke in: {:?}", said(call)),
            ));
        }
        applied.push(n);
    }
    for (n, u) in call.said.iter().enumerate() {
        if u.accepted && !applied.contains(&n) {
            out.push(violation(
                Invariant::Durability,
                format!("the gateway accepted the callee's answer {:?} but the journal's transcript lacks it: {heard:?}", u.text),
            ));
        }
    }
    out
}

fn said(call: &TruthCall) -> Vec<&str> {
    call.said.iter().map(|u| u.text.as_str()).collect()
}
