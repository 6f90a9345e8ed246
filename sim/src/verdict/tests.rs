//! The verdicts on hand-made timelines, one rule at a time.

use super::*;

fn span(pid: &str, from: u64, until: Option<u64>) -> LiveSpan {
    LiveSpan {
        provider_call_id: pid.to_owned(),
        from_ms: from,
        until_ms: until,
    }
}

fn refusal(at_ms: u64) -> Refusal {
    Refusal { at_ms }
}

#[test]
fn a_refusal_while_the_provider_holds_the_limit_is_no_phantom() {
    let spans = [span("a", 1_000, Some(50_000)), span("b", 2_000, None)];
    assert!(phantom_refusals(&spans, &[refusal(10_000)], 2, 5_000).is_empty());
}

#[test]
fn a_refusal_soon_after_a_call_ended_is_within_the_grace() {
    let spans = [span("a", 1_000, Some(20_000))];
    assert!(phantom_refusals(&spans, &[refusal(24_000)], 1, 5_000).is_empty());
    assert!(phantom_refusals(&spans, &[refusal(25_000)], 1, 5_000).is_empty());
}

#[test]
fn a_refusal_long_after_the_last_call_ended_is_a_phantom_naming_that_call() {
    let spans = [
        span("a", 1_000, Some(20_000)),
        span("b", 3_000, Some(9_000)),
    ];
    let found = phantom_refusals(&spans, &[refusal(60_000)], 1, 5_000);
    assert_eq!(found.len(), 1);
    let p = &found[0];
    assert_eq!(p.at_ms, 60_000);
    assert_eq!(p.free_since_ms, Some(20_000));
    assert!(p.live.is_empty());
    assert_eq!(p.ended, vec![("a".to_owned(), 20_000)]);
    assert!(p.describe().contains("for 40.0 s"), "{}", p.describe());
}

#[test]
fn the_grace_counts_from_when_capacity_last_was_full_not_from_the_first_end() {
    // Limit 2: full from 3 s (a and b), b ends at 10 s, c fills it again from
    // 30 s to 40 s, then only a is left.
    let spans = [
        span("a", 1_000, None),
        span("b", 3_000, Some(10_000)),
        span("c", 30_000, Some(40_000)),
    ];
    let found = phantom_refusals(
        &spans,
        &[refusal(20_000), refusal(43_000), refusal(50_000)],
        2,
        5_000,
    );
    let at: Vec<u64> = found.iter().map(|p| p.at_ms).collect();
    assert_eq!(at, vec![20_000, 50_000]);
    assert_eq!(found[1].free_since_ms, Some(40_000));
    assert_eq!(found[1].live, vec!["a".to_owned()]);
}

#[test]
fn a_refusal_when_the_provider_never_held_a_call_is_a_phantom_at_once() {
    let found = phantom_refusals(&[], &[refusal(1_000)], 1, 60_000);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].free_since_ms, None);
}

#[test]
fn a_span_ends_exactly_when_it_says_and_not_a_millisecond_later() {
    let spans = [span("a", 0, Some(10_000))];
    assert!(phantom_refusals(&spans, &[refusal(9_999)], 1, 0).is_empty());
    assert_eq!(phantom_refusals(&spans, &[refusal(10_001)], 1, 0).len(), 1);
}

fn rules() -> HangupRules {
    HangupRules {
        max_duration_ms: 60_000,
        notify_hangup_delay_ms: 3_000,
        early_ms: 1_000,
    }
}

fn connected(pid: &str, ended_at: u64, ended_by: EndedBy) -> CallTimeline {
    CallTimeline {
        provider_call_id: pid.to_owned(),
        call_id: Some(format!("call-{pid}")),
        notify: false,
        rejected: false,
        created_at_ms: 0,
        answered_at_ms: Some(10_000),
        answer_reported: true,
        first_spoken_at_ms: Some(10_500),
        ended_at_ms: Some(ended_at),
        ended_by: Some(ended_by),
    }
}

fn ask(at_ms: u64, call_id: Option<&str>, pid: Option<&str>) -> EndRequest {
    EndRequest {
        at_ms,
        call_id: call_id.map(str::to_owned),
        provider_call_id: pid.map(str::to_owned),
    }
}

#[test]
fn a_gateway_hangup_of_a_live_conversation_nobody_asked_for_is_named_with_its_timeline() {
    let calls = [connected("p1", 30_000, EndedBy::Gateway)];
    let found = unrequested_hangups(&calls, &[], &rules());
    assert_eq!(found.len(), 1);
    let text = found[0].describe();
    assert!(text.contains("p1"), "{text}");
    assert!(text.contains("answered +10.0 s"), "{text}");
    assert!(text.contains("hung up +30.0 s"), "{text}");
}

#[test]
fn ends_by_the_callee_the_provider_or_before_the_answer_are_not_judged() {
    let mut ringing = connected("p3", 5_000, EndedBy::Gateway);
    ringing.answered_at_ms = None;
    let calls = [
        connected("p1", 30_000, EndedBy::Callee),
        connected("p2", 30_000, EndedBy::Provider),
        ringing,
    ];
    assert!(judge_hangups(&calls, &[], &rules()).is_empty());
}

#[test]
fn an_operator_request_explains_the_hangup_by_either_id_but_only_if_it_came_first() {
    let calls = [connected("p1", 30_000, EndedBy::Gateway)];
    for request in [
        ask(29_000, Some("call-p1"), None),
        ask(29_000, None, Some("p1")),
    ] {
        let judged = judge_hangups(&calls, &[request], &rules());
        assert_eq!(judged[0].reason, Some(HangupReason::Operator));
    }
    let after = judge_hangups(&calls, &[ask(31_000, Some("call-p1"), None)], &rules());
    assert_eq!(after[0].reason, None);
    let other = judge_hangups(
        &calls,
        &[ask(20_000, Some("call-p9"), Some("p9"))],
        &rules(),
    );
    assert_eq!(other[0].reason, None);
}

#[test]
fn max_duration_counts_from_the_answer_not_from_the_create() {
    // Answered at 10 s, max 60 s: 70 s is the deadline, 69 s within a
    // second's stamping, 65 s (60 s after the create) is too early.
    for (ended, reason) in [
        (70_000, Some(HangupReason::MaxDuration)),
        (69_000, Some(HangupReason::MaxDuration)),
        (65_000, None),
    ] {
        let judged = judge_hangups(&[connected("p1", ended, EndedBy::Gateway)], &[], &rules());
        assert_eq!(judged[0].reason, reason, "hung up at {ended}");
    }
}

#[test]
fn a_gateway_never_told_of_the_answer_may_count_max_duration_from_its_create() {
    let mut unheard = connected("p1", 60_000, EndedBy::Gateway);
    unheard.answer_reported = false;
    let judged = judge_hangups(&[unheard.clone()], &[], &rules());
    assert_eq!(judged[0].reason, Some(HangupReason::MaxDuration));
    unheard.ended_at_ms = Some(50_000);
    assert_eq!(judge_hangups(&[unheard], &[], &rules())[0].reason, None);
}

#[test]
fn a_notify_call_may_end_after_its_message_and_delay_but_a_conversation_may_not() {
    let mut notify = connected("p1", 13_500, EndedBy::Gateway);
    notify.notify = true;
    let judged = judge_hangups(&[notify.clone()], &[], &rules());
    assert_eq!(judged[0].reason, Some(HangupReason::NotifyHangup));
    notify.ended_at_ms = Some(11_000);
    assert_eq!(
        judge_hangups(&[notify.clone()], &[], &rules())[0].reason,
        None
    );
    notify.first_spoken_at_ms = None;
    notify.ended_at_ms = Some(20_000);
    assert_eq!(judge_hangups(&[notify], &[], &rules())[0].reason, None);
    let conversation = connected("p2", 13_500, EndedBy::Gateway);
    assert_eq!(
        judge_hangups(&[conversation], &[], &rules())[0].reason,
        None
    );
}

#[test]
fn a_refused_inbound_caller_hung_up_is_explained_by_the_policy() {
    let mut refused = connected("p1", 12_000, EndedBy::Gateway);
    refused.rejected = true;
    let judged = judge_hangups(&[refused], &[], &rules());
    assert_eq!(judged[0].reason, Some(HangupReason::InboundPolicy));
}
