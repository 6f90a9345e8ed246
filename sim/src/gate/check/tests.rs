//! The checkers over hand-built observations: each invariant fails on the
//! record that breaks it and passes on the one that keeps it.

use super::*;
use crate::gate::observe::{Answer, Ask, Caller, Command, FaultWindow, Life, Settings, Snapshot};
use crate::gate::truth::{Delivery, Request, Truth};

fn outbound(id: &str, created: u64, answered: Option<u64>, ended: Option<u64>, by: &str) -> Call {
    Call {
        provider: "twilio".into(),
        provider_call_id: id.into(),
        call_id: Some(format!("c-{id}")),
        direction: "outbound".into(),
        state: if ended.is_some() {
            "ended".into()
        } else {
            "answered".into()
        },
        ended_by: ended.map(|_| by.to_owned()),
        created_at_ms: created,
        answered_at_ms: answered,
        ended_at_ms: ended,
        ..Call::default()
    }
}

fn obs(calls: Vec<Call>, now: u64) -> Observation {
    Observation {
        settings: Settings::default(),
        started_ms: 0,
        finished_ms: now,
        life: vec![
            Life::Started { at_ms: 0, boot: 0 },
            Life::Ready {
                at_ms: 100,
                boot: 0,
            },
        ],
        truth: Truth {
            now_ms: now,
            calls,
            ..Truth::default()
        },
        ..Observation::default()
    }
}

fn place(tag: &str, sent: u64, answer: Answer) -> Command {
    Command {
        sent_ms: sent,
        answered_ms: sent + 5,
        ask: Ask::Place {
            tag: tag.into(),
            to: "+15550001002".into(),
            mode: "conversation".into(),
        },
        answer,
        expect_accepted: true,
    }
}

fn capacity() -> Answer {
    Answer::Capacity {
        status: 409,
        text: "capacity reached: 1/1".into(),
    }
}

#[test]
fn the_6721_refusal_after_the_call_ended_at_the_provider_is_a_phantom() {
    let mut o = obs(
        vec![outbound("CA1", 1_000, Some(1_300), Some(3_000), "control")],
        20_000,
    );
    o.commands.push(place("B", 9_000, capacity()));
    let out = run(Check::Phantom, &o);
    assert_eq!(out.verdict, Verdict::Fail, "{out:?}");
    assert_eq!(out.findings[0].calls, vec!["CA1".to_owned()]);
    assert!(
        out.findings[0]
            .summary
            .contains("held 0 of the subject's calls"),
        "{}",
        out.findings[0].summary
    );
}

#[test]
fn a_refusal_while_the_call_is_still_live_passes_phantom_and_capacity() {
    let mut o = obs(
        vec![outbound("CA1", 1_000, Some(1_300), Some(12_000), "gateway")],
        20_000,
    );
    o.commands.push(place("B", 9_000, capacity()));
    assert_eq!(run(Check::Phantom, &o).verdict, Verdict::Pass);
    assert_eq!(run(Check::Capacity, &o).verdict, Verdict::Pass);
}

#[test]
fn a_refusal_during_an_api_outage_is_excused() {
    let mut o = obs(
        vec![outbound("CA1", 1_000, Some(1_300), Some(3_000), "control")],
        20_000,
    );
    o.commands.push(place("B", 9_000, capacity()));
    o.faults.push(FaultWindow {
        what: "status 503".into(),
        from_ms: 4_000,
        until_ms: 8_000,
        excuse_until_ms: 10_000,
    });
    assert_eq!(run(Check::Phantom, &o).verdict, Verdict::Pass);
}

#[test]
fn two_live_calls_with_a_limit_of_one_are_a_capacity_breach() {
    let o = obs(
        vec![
            outbound("CA1", 1_000, Some(1_300), Some(9_000), "gateway"),
            outbound("CA2", 5_000, Some(5_300), Some(9_000), "gateway"),
        ],
        20_000,
    );
    let out = run(Check::Capacity, &o);
    assert_eq!(out.verdict, Verdict::Fail);
    assert_eq!(out.findings[0].at_ms, 5_000);
}

#[test]
fn a_call_hung_up_by_the_subject_in_time_is_no_orphan() {
    // max duration 4 s from the answer at 1.3 s, slack 5 s: deadline 10.3 s.
    let o = obs(
        vec![outbound("CA1", 1_000, Some(1_300), Some(5_400), "gateway")],
        20_000,
    );
    assert_eq!(run(Check::Orphan, &o).verdict, Verdict::Pass);
}

#[test]
fn a_call_never_hung_up_is_an_orphan_once_past_its_deadline() {
    let o = obs(vec![outbound("CA1", 1_000, Some(1_300), None, "")], 20_000);
    let out = run(Check::Orphan, &o);
    assert_eq!(out.verdict, Verdict::Fail);
    assert!(out.findings[0].summary.contains("never hung it up"));
    let early = obs(vec![outbound("CA1", 1_000, Some(1_300), None, "")], 6_000);
    assert_eq!(run(Check::Orphan, &early).verdict, Verdict::Unknown);
}

#[test]
fn a_tighter_deadline_for_a_notify_call_is_enforced() {
    let mut o = obs(
        vec![outbound("CA1", 1_000, Some(1_300), Some(8_000), "gateway")],
        20_000,
    );
    assert_eq!(run(Check::Orphan, &o).verdict, Verdict::Pass);
    o.deadlines.push(crate::gate::observe::Deadline {
        provider_call_id: "CA1".into(),
        by_ms: 6_000,
        why: "notify hang-up".into(),
    });
    assert_eq!(run(Check::Orphan, &o).verdict, Verdict::Fail);
}

fn inbound(
    id: &str,
    from: &str,
    rejected: bool,
    answered: Option<u64>,
    ended: Option<u64>,
) -> Call {
    Call {
        provider_call_id: id.into(),
        direction: "inbound".into(),
        from: from.into(),
        rejected,
        state: if ended.is_some() {
            "ended".into()
        } else {
            "ringing".into()
        },
        created_at_ms: 2_000,
        answered_at_ms: answered,
        ended_at_ms: ended,
        ..Call::default()
    }
}

fn caller(id: &str, from: &str, allowed: bool) -> Caller {
    Caller {
        tag: id.into(),
        provider_call_id: id.into(),
        from: from.into(),
        allowed,
        at_ms: 2_000,
    }
}

#[test]
fn a_refused_caller_rejected_at_once_keeps_the_policy() {
    let mut o = obs(
        vec![inbound("CAu", "+15550199999", true, None, Some(2_050))],
        20_000,
    );
    o.callers.push(caller("CAu", "+15550199999", false));
    assert_eq!(run(Check::Inbound, &o).verdict, Verdict::Pass);
}

#[test]
fn a_refused_caller_answered_or_left_ringing_breaks_the_policy() {
    let mut answered = obs(
        vec![inbound(
            "CAs",
            "+4415550100001",
            false,
            Some(2_100),
            Some(3_000),
        )],
        20_000,
    );
    answered
        .callers
        .push(caller("CAs", "+4415550100001", false));
    let out = run(Check::Inbound, &answered);
    assert_eq!(out.verdict, Verdict::Fail);
    assert!(out.findings[0].summary.contains("was answered"));

    let mut ringing = obs(vec![inbound("CAa", "anonymous", true, None, None)], 20_000);
    ringing.callers.push(caller("CAa", "anonymous", false));
    let out = run(Check::Inbound, &ringing);
    assert_eq!(out.verdict, Verdict::Fail);
    assert!(out.findings[0].summary.contains("left on the line"));
}

#[test]
fn a_refused_caller_that_rang_while_the_subject_was_down_is_judged_from_its_restart() {
    let mut o = obs(
        vec![inbound("CAu", "+15550199999", true, None, Some(9_000))],
        20_000,
    );
    o.life = vec![
        Life::Started { at_ms: 0, boot: 0 },
        Life::Ready {
            at_ms: 100,
            boot: 0,
        },
        Life::Killed { at_ms: 1_500 },
        Life::Started {
            at_ms: 6_000,
            boot: 1,
        },
        Life::Ready {
            at_ms: 7_000,
            boot: 1,
        },
    ];
    o.callers.push(caller("CAu", "+15550199999", false));
    assert_eq!(run(Check::Inbound, &o).verdict, Verdict::Pass);
}

#[test]
fn an_allowed_caller_refused_with_capacity_free_breaks_the_policy() {
    let mut o = obs(
        vec![inbound("CAok", "+15550100001", true, None, Some(2_050))],
        20_000,
    );
    o.callers.push(caller("CAok", "+15550100001", true));
    assert_eq!(run(Check::Inbound, &o).verdict, Verdict::Fail);
}

fn ended_callback(id: &str, at: u64) -> Delivery {
    Delivery {
        provider_call_id: id.into(),
        kind: "ended".into(),
        outcome: "delivered".into(),
        status: Some(200),
        attempt: 1,
        at_ms: at,
        ..Delivery::default()
    }
}

#[test]
fn a_call_listed_live_after_its_end_was_taken_was_revived() {
    let mut o = obs(
        vec![outbound("CA1", 1_000, Some(1_300), Some(3_000), "callee")],
        20_000,
    );
    o.truth.webhooks.push(ended_callback("CA1", 3_010));
    o.snapshots.push(Snapshot {
        at_ms: 4_000,
        calls: vec![],
    });
    assert_eq!(run(Check::Idempotency, &o).verdict, Verdict::Pass);
    o.snapshots.push(Snapshot {
        at_ms: 12_000,
        calls: vec![("c-CA1".into(), None)],
    });
    let out = run(Check::Idempotency, &o);
    assert_eq!(out.verdict, Verdict::Fail);
    assert!(out.findings[0].summary.contains("revived"));
}

#[test]
fn a_hangup_sent_after_the_end_was_taken_acts_on_the_call_twice() {
    let mut o = obs(
        vec![outbound("CA1", 1_000, Some(1_300), Some(3_000), "callee")],
        20_000,
    );
    o.truth.webhooks.push(ended_callback("CA1", 3_010));
    o.truth.requests.push(Request {
        seq: 7,
        at_ms: 9_000,
        operation: "hangup".into(),
        provider_call_id: Some("CA1".into()),
        status: Some(404),
        ..Request::default()
    });
    assert_eq!(run(Check::Idempotency, &o).verdict, Verdict::Fail);
}

#[test]
fn a_status_lookup_after_the_end_is_not_acting_twice() {
    let mut o = obs(
        vec![outbound("CA1", 1_000, Some(1_300), Some(3_000), "callee")],
        20_000,
    );
    o.truth.webhooks.push(ended_callback("CA1", 3_010));
    o.truth.requests.push(Request {
        at_ms: 9_000,
        operation: "status".into(),
        provider_call_id: Some("CA1".into()),
        status: Some(200),
        ..Request::default()
    });
    assert_eq!(run(Check::Idempotency, &o).verdict, Verdict::Pass);
}

#[test]
fn a_call_the_scenario_expected_that_failed_otherwise_is_a_service_failure() {
    let mut o = obs(vec![], 20_000);
    o.commands.push(place(
        "A",
        1_000,
        Answer::Error {
            status: 500,
            text: "boom".into(),
        },
    ));
    assert_eq!(run(Check::Service, &o).verdict, Verdict::Fail);
    let mut o = obs(vec![], 20_000);
    o.commands.push(place(
        "A",
        1_000,
        Answer::Accepted {
            call_id: Some("c".into()),
        },
    ));
    assert!(run_all(&o).iter().all(|r| r.verdict == Verdict::Pass));
}
