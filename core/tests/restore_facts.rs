//! The restore behaviour OpenClaw's own tests pin down ("Numbers worth
//! knowing" in the bug history), one test per fact, plus the stale record of
//! issue #6721 that started this project.

mod common;

use callproof_core::manager::{Config, TimerKind};
use callproof_core::provider::{
    EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderName, ProviderOp,
};
use callproof_core::state::CallState;
use common::{event, is_kind, Harness};

const T0: u64 = 1_769_990_000_000;

fn config() -> Config {
    Config::openclaw_defaults(ProviderName::Twilio)
}

fn line(
    call_id: &str,
    state: &str,
    started_at: u64,
    answered_at: Option<u64>,
    pid: Option<&str>,
) -> String {
    let answered = answered_at
        .map(|a| format!(",\"answeredAt\":{a}"))
        .unwrap_or_default();
    let pid = pid
        .map(|p| format!(",\"providerCallId\":\"{p}\""))
        .unwrap_or_default();
    format!(
        "{{\"callId\":\"{call_id}\"{pid},\"provider\":\"twilio\",\"direction\":\"outbound\",\"state\":\"{state}\",\"from\":\"+15550000000\",\"to\":\"+15551234567\",\"startedAt\":{started_at}{answered},\"transcript\":[],\"processedEventIds\":[\"evt-1\"]}}\n"
    )
}

fn restored(journal: String, now: u64) -> Harness {
    Harness::with_journal(config(), journal.into_bytes(), now)
}

#[test]
fn a_call_the_provider_says_is_terminal_is_not_restored() {
    let mut h = restored(
        line("c1", "answered", T0, Some(T0 + 1_000), Some("CA1")),
        T0 + 60_000,
    );
    assert_eq!(
        h.mgr.capacity_used(),
        1,
        "counts until the provider answers"
    );
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Ended {
            reason: CallState::Completed,
        })),
    );
    assert_eq!(h.mgr.capacity_used(), 0);
    let replay = h.replayed();
    assert_eq!(
        replay.records["c1"].state,
        CallState::Completed,
        "the terminal record is persisted"
    );
}

#[test]
fn a_call_the_provider_says_is_in_progress_is_restored_with_the_same_id() {
    let mut h = restored(
        line("c1", "answered", T0, Some(T0 + 1_000), Some("CA1")),
        T0 + 60_000,
    );
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: true,
        })),
    );
    assert_eq!(h.mgr.capacity_used(), 1);
    let record = h.mgr.record("c1").expect("restored");
    assert_eq!(record.provider_call_id.as_deref(), Some("CA1"));
    assert_eq!(record.state, CallState::Answered);
}

#[test]
fn an_unknown_status_restores_the_call_unchanged() {
    let mut h = restored(
        line("c1", "answered", T0, Some(T0 + 1_000), Some("CA1")),
        T0 + 60_000,
    );
    let before = h.mgr.record("c1").cloned();
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Unknown {
            raw: "weird".into(),
        })),
    );
    assert_eq!(h.mgr.record("c1").cloned(), before);
    assert_eq!(
        h.mgr.capacity_used(),
        1,
        "no proof of the end: it keeps counting"
    );
    assert!(
        h.timers.keys().any(|t| t.kind == TimerKind::Recheck),
        "and it will be asked again"
    );
}

#[test]
fn a_failed_status_lookup_restores_the_call_unchanged_and_retries() {
    let mut h = restored(
        line("c1", "answered", T0, Some(T0 + 1_000), Some("CA1")),
        T0 + 60_000,
    );
    let before = h.mgr.record("c1").cloned();
    h.reply_where(
        is_kind("status"),
        Err(ProviderError::Transient {
            detail: "503".into(),
        }),
    );
    assert_eq!(h.mgr.record("c1").cloned(), before);
    assert_eq!(h.mgr.capacity_used(), 1);
    h.advance_to(h.now + 1_000);
    assert_eq!(
        h.outstanding("status"),
        1,
        "re-checked after the first backoff step"
    );
}

#[test]
fn a_call_started_600s_ago_with_max_300_is_hung_up_and_persisted_as_timeout() {
    let mut h = restored(
        line("c1", "answered", T0, Some(T0), Some("CA1")),
        T0 + 600_000,
    );
    let op = h.reply_where(is_kind("hangup"), Ok(OpOutcome::Done));
    assert!(matches!(op, ProviderOp::Hangup { answered: true, .. }));
    assert_eq!(h.mgr.capacity_used(), 0);
    let replay = h.replayed();
    assert_eq!(replay.records["c1"].state, CallState::Timeout);
    assert_eq!(replay.records["c1"].end_reason, Some(CallState::Timeout));
}

#[test]
fn a_call_answered_290s_before_restart_with_max_300_lives_9s_more_and_is_hung_up_by_10_1s() {
    let restart = T0 + 290_000;
    let mut h = restored(
        line("c1", "answered", T0 - 5_000, Some(T0), Some("CA1")),
        restart,
    );
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: true,
        })),
    );
    h.advance_to(restart + 9_000);
    assert_eq!(h.outstanding("hangup"), 0, "still active 9 s after restart");
    assert_eq!(h.mgr.capacity_used(), 1);
    h.advance_to(restart + 10_100);
    h.reply_where(is_kind("hangup"), Ok(OpOutcome::Done));
    assert_eq!(
        h.mgr.record("c1").map(|r| r.state),
        Some(CallState::Timeout),
        "hung up by 10.1 s"
    );
}

#[test]
fn a_replayed_event_for_a_terminal_persisted_call_creates_nothing() {
    let journal = line("c1", "answered", T0, Some(T0), Some("CA1"))
        + &line("c1", "completed", T0, Some(T0), Some("CA1"));
    let mut h = restored(journal, T0 + 60_000);
    let writes = h.writes;
    let mut replayed = event("evt-1", None, Some("CA1"), EventKind::Ringing);
    replayed.direction = Some(callproof_core::record::Direction::Inbound);
    replayed.from = Some("+15551234567".into());
    let ack = h.event(replayed);
    assert_eq!(ack, callproof_core::manager::Ack::Duplicate);
    assert_eq!(h.mgr.capacity_used(), 0);
    assert_eq!(h.writes, writes, "nothing written");
    assert!(h.requests.is_empty(), "nothing asked of the provider");
}

#[test]
fn the_stale_record_of_issue_6721_stops_blocking_capacity_after_a_restart() {
    // `{"callId":"49a7d28f-...","state":"initiated",...}`, days old, no provider id.
    let days = 3 * 24 * 3_600_000;
    let mut h = restored(line("49a7d28f", "initiated", T0, None, None), T0 + days);
    assert_eq!(h.mgr.capacity_used(), 1, "counted until proven over");
    h.advance_to(h.now);
    assert_eq!(
        h.mgr.capacity_used(),
        0,
        "the provider's own time limit ended it long ago"
    );
    assert!(h.replayed().records["49a7d28f"].state.is_terminal());
    let cmd = h.command(callproof_core::manager::Command::Place {
        to: "+15557654321".into(),
        mode: callproof_core::record::CallMode::Conversation,
        message: None,
        session_key: None,
    });
    assert!(
        h.result_of(cmd).is_none(),
        "the new call was admitted and is being placed"
    );
    assert_eq!(h.outstanding("create"), 1);
}
