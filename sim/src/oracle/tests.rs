//! The oracle's own rules, one at a time, on hand-made evidence.

use super::deadlines::deadline_past;
use super::journal_file::{lines_in_order, one_record_per_call};
use super::{Invariant, PROMPT_MS};
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::journal;
use callproof_core::record::Direction;
use std::collections::BTreeMap;

fn line(call_id: &str, pid: &str, direction: &str, state: &str, seq: u64) -> String {
    format!(
        "{{\"callId\":\"{call_id}\",\"providerCallId\":\"{pid}\",\"provider\":\"mock\",\"direction\":\"{direction}\",\"from\":\"+15550000000\",\"to\":\"+15551234567\",\"state\":\"{state}\",\"startedAt\":1700000000000,\"transcript\":[],\"processedEventIds\":[],\"seq\":{seq}}}\n"
    )
}

fn truth(pid: &str, direction: Direction) -> TruthCall {
    TruthCall {
        direction,
        phase: Phase::Ended(callproof_core::state::CallState::Completed),
        ended_at: Some(1),
        ..TruthCall::placed(pid, "c1", 0, "")
    }
}

#[test]
fn a_deadline_with_no_disruption_stays_where_it_is() {
    assert_eq!(deadline_past(&[], 1_000, 5_000), 5_000);
    assert_eq!(deadline_past(&[(6_000, 9_000)], 1_000, 5_000), 5_000);
}

#[test]
fn a_disruption_overlapping_the_window_moves_the_deadline_past_its_end() {
    assert_eq!(
        deadline_past(&[(4_000, 30_000)], 1_000, 5_000),
        30_000 + PROMPT_MS
    );
    // A second disruption reached only through the first one counts too.
    let chained = [(40_000 + PROMPT_MS - 1, 70_000), (4_000, 40_000)];
    assert_eq!(deadline_past(&chained, 1_000, 5_000), 70_000 + PROMPT_MS);
}

#[test]
fn journal_lines_written_in_order_pass_and_a_reversed_pair_is_named() {
    let ordered = [
        line("c1", "p1", "outbound", "ringing", 1),
        line("c1", "p1", "outbound", "completed", 2),
    ]
    .concat();
    assert!(lines_in_order(ordered.as_bytes(), 0).is_empty());
    let reversed = [
        line("c1", "p1", "outbound", "completed", 2),
        line("c1", "p1", "outbound", "ringing", 1),
    ]
    .concat();
    let found = lines_in_order(reversed.as_bytes(), 0);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].invariant, Invariant::Durability);
    assert!(found[0].detail.contains("line 2"), "{}", found[0].detail);
}

#[test]
fn one_provider_call_journaled_twice_or_as_inbound_is_an_idempotency_violation() {
    let calls: BTreeMap<String, TruthCall> =
        BTreeMap::from([("p1".to_owned(), truth("p1", Direction::Outbound))]);
    let once = journal::replay(line("c1", "p1", "outbound", "completed", 1).as_bytes());
    assert!(one_record_per_call(&calls, &once, 0).is_empty());
    let revived = [
        line("c1", "p1", "outbound", "completed", 1),
        line("c2", "p1", "inbound", "ringing", 2),
    ]
    .concat();
    let found = one_record_per_call(&calls, &journal::replay(revived.as_bytes()), 0);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|v| v.invariant == Invariant::Idempotency));
}

#[test]
fn an_answer_heard_only_after_the_call_ended_does_not_count_as_reported() {
    use super::ground::answer_heard_in_time;
    use super::observe::Observations;
    let mut call = truth("p1", Direction::Outbound);
    call.ended_at = Some(80_000);
    let gid = "call-1".to_owned();
    let mut seen = Observations::default();
    assert!(!answer_heard_in_time(&seen, &call, Some(&gid)));
    // A redelivered answer after the hangup told the gateway nothing in time.
    seen.answers_heard.insert(gid.clone(), 90_000);
    assert!(!answer_heard_in_time(&seen, &call, Some(&gid)));
    seen.answers_heard.insert("p1".to_owned(), 5_000);
    assert!(answer_heard_in_time(&seen, &call, Some(&gid)));
}

#[test]
fn the_judge_of_inbound_policy_lets_in_exactly_the_callers_the_policy_names() {
    use crate::scenario::{
        ALLOWED_CALLER, ANONYMOUS_CALLER, SUFFIX_CALLER, TRUNCATED_CALLER, UNKNOWN_CALLER,
    };
    use callproof_core::manager::InboundPolicy;
    let allowlist = InboundPolicy::Allowlist(vec![ALLOWED_CALLER.to_owned()]);
    let cases = [
        (&allowlist, ALLOWED_CALLER, true),
        (&allowlist, UNKNOWN_CALLER, false),
        (&allowlist, SUFFIX_CALLER, false),
        (&allowlist, ANONYMOUS_CALLER, false),
        (&InboundPolicy::Open, UNKNOWN_CALLER, true),
        (&InboundPolicy::Open, SUFFIX_CALLER, true),
        (&InboundPolicy::Open, ANONYMOUS_CALLER, false),
        (&InboundPolicy::Open, "+", false),
        (&InboundPolicy::Open, TRUNCATED_CALLER, false),
        (&InboundPolicy::Open, "+015551110001", false),
        (&InboundPolicy::Open, "+1555111000122233", false),
        (&allowlist, TRUNCATED_CALLER, false),
        (&InboundPolicy::Disabled, ALLOWED_CALLER, false),
    ];
    for (policy, from, expected) in cases {
        assert_eq!(
            super::harness_allows(policy, from),
            expected,
            "{policy:?} and caller {from}"
        );
    }
}
