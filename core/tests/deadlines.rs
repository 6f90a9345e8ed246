//! Deadlines that must hold across restarts (B4, B5, B12) and the order in
//! which effects leave the manager (durability before effect).

mod common;

use callproof_core::manager::{Command, CommandError, Config, Output, TimerKind};
use callproof_core::provider::{
    EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderName,
};
use callproof_core::record::CallMode;
use callproof_core::state::CallState;
use common::{event, is_kind, Harness};

const T0: u64 = 1_700_000_000_000;

#[test]
fn the_record_is_written_before_the_create_request_leaves() {
    let mut mgr =
        callproof_core::manager::Manager::new(Config::openclaw_defaults(ProviderName::Twilio));
    let cmd = Command::Place {
        to: "+15551234567".into(),
        mode: CallMode::Conversation,
        message: None,
        session_key: None,
    };
    mgr.handle(
        callproof_core::manager::Input::Command(callproof_core::manager::CommandId(1), cmd),
        T0,
    );
    let outputs: Vec<Output> = std::iter::from_fn(|| mgr.poll_output()).collect();
    let write = outputs.iter().position(|o| matches!(o, Output::Persist(_)));
    let request = outputs
        .iter()
        .position(|o| matches!(o, Output::Request(..)));
    assert!(write.is_some() && write < request, "{outputs:?}");
}

#[test]
fn max_duration_counts_from_the_answer() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Twilio), T0);
    let id = h.place(CallMode::Conversation, None);
    h.created("CA1");
    h.advance_to(T0 + 50_000);
    h.event(event("a", Some(&id), None, EventKind::Answered));
    h.advance_to(T0 + 50_000 + 299_000);
    assert_eq!(h.outstanding("hangup"), 0);
    h.advance_to(T0 + 50_000 + 300_000);
    assert_eq!(h.outstanding("hangup"), 1);
}

#[test]
fn a_call_that_reached_speaking_without_answered_at_still_gets_a_deadline() {
    let line = format!("{{\"callId\":\"c1\",\"providerCallId\":\"CA1\",\"provider\":\"twilio\",\"direction\":\"outbound\",\"state\":\"speaking\",\"from\":\"+15550000000\",\"to\":\"+15551234567\",\"startedAt\":{T0}}}\n");
    let mut h = Harness::with_journal(
        Config::openclaw_defaults(ProviderName::Twilio),
        line.into_bytes(),
        T0 + 100_000,
    );
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: true,
        })),
    );
    let deadline = h
        .timers
        .iter()
        .find(|(t, _)| t.kind == TimerKind::MaxDuration)
        .map(|(_, at)| *at);
    assert_eq!(
        deadline,
        Some(T0 + 300_000),
        "counted from startedAt, the remaining time only"
    );
}

#[test]
fn the_notify_hangup_is_journaled_and_still_happens_after_a_restart() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Plivo), T0);
    let id = h.place(CallMode::Notify, Some("Your table is ready"));
    h.created("uuid-1");
    h.event(event("a", Some(&id), None, EventKind::Answered));
    h.reply_where(is_kind("speak"), Ok(OpOutcome::Done));
    let mut h = Harness::with_journal(h.config.clone(), h.journal.clone(), T0 + 1_000);
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: true,
        })),
    );
    assert_eq!(
        h.outstanding("speak"),
        0,
        "the message was spoken before the crash"
    );
    h.advance_to(T0 + 3_000);
    h.reply_where(is_kind("hangup"), Ok(OpOutcome::Done));
    assert_eq!(
        h.mgr.record(&id).map(|r| r.state),
        Some(CallState::HangupBot)
    );
}

#[test]
fn a_notify_message_whose_speak_failed_is_spoken_again_and_the_call_still_hangs_up_promptly() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Twilio), T0);
    let id = h.place(CallMode::Notify, Some("Your table is ready"));
    h.created("CA1");
    h.event(event("a", Some(&id), Some("CA1"), EventKind::Answered));
    h.reply_where(
        is_kind("speak"),
        Err(ProviderError::Transient {
            detail: "timed out".into(),
        }),
    );
    h.advance_to(T0 + 1_000);
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: true,
        })),
    );
    h.reply_where(is_kind("speak"), Ok(OpOutcome::Done));
    h.advance_to(T0 + 4_000);
    h.reply_where(is_kind("hangup"), Ok(OpOutcome::Done));
    assert_eq!(
        h.mgr.record(&id).map(|r| r.state),
        Some(CallState::HangupBot),
        "ended by the notify hangup, not left to max duration"
    );
}

#[test]
fn a_call_stuck_ringing_is_ended_by_the_stale_call_deadline_once_the_provider_says_it_still_rings()
{
    let mut config = Config::openclaw_defaults(ProviderName::Twilio);
    // A ring timeout longer than the stale window: "ringing" is believable.
    config.ring_timeout_secs = 600;
    let mut h = Harness::new(config, T0);
    let id = h.place(CallMode::Conversation, None);
    h.created("CA1");
    h.advance_to(T0 + 120_000);
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: false,
        })),
    );
    h.reply_where(is_kind("hangup"), Ok(OpOutcome::Done));
    assert_eq!(h.mgr.record(&id).map(|r| r.state), Some(CallState::Timeout));
}

#[test]
fn the_stale_call_deadline_never_reaps_a_call_the_provider_says_is_alive_past_its_ring_timeout() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Telnyx), T0);
    let id = h.place(CallMode::Conversation, None);
    h.created("v3:1");
    h.advance_to(T0 + 120_000);
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: false,
        })),
    );
    assert!(
        !h.requests.iter().any(|(_, op)| op.kind() == "hangup"),
        "alive past the ring timeout means answered: no hangup"
    );
    assert!(h.mgr.record(&id).is_some_and(|r| r.state.is_connected()));
}

#[test]
fn the_stale_call_deadline_ends_a_call_the_provider_no_longer_has() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Twilio), T0);
    let id = h.place(CallMode::Conversation, None);
    h.created("CA1");
    h.advance_to(T0 + 120_000);
    h.reply_where(
        is_kind("status"),
        Err(ProviderError::NotFound {
            detail: "gone".into(),
        }),
    );
    assert!(h.mgr.record(&id).is_some_and(|r| r.state.is_terminal()));
}

#[test]
fn a_create_that_timed_out_keeps_its_slot_until_a_callback_proves_it_live() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Twilio), T0);
    let cmd = h.command(Command::Place {
        to: "+15551234567".into(),
        mode: CallMode::Conversation,
        message: None,
        session_key: None,
    });
    let id = h
        .mgr
        .live_records()
        .next()
        .expect("admitted")
        .call_id
        .clone();
    h.reply_where(
        is_kind("create"),
        Err(ProviderError::Transient {
            detail: "timeout".into(),
        }),
    );
    assert_eq!(
        h.result_of(cmd),
        Some(&Err(CommandError::OutcomeUnknown {
            call_id: id.clone()
        }))
    );
    assert_eq!(h.mgr.capacity_used(), 1, "the phone may be ringing");
    h.event(event("r", Some(&id), Some("CA9"), EventKind::Ringing));
    assert_eq!(
        h.mgr
            .record(&id)
            .and_then(|r| r.provider_call_id.clone())
            .as_deref(),
        Some("CA9")
    );
}

#[test]
fn a_call_whose_provider_id_was_never_written_is_adopted_through_its_own_id_after_a_restart() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Telnyx), T0);
    let id = h.place(CallMode::Conversation, None);
    // Crash: the provider accepted the create, the id never reached the journal.
    let mut h = Harness::with_journal(h.config.clone(), h.journal.clone(), T0 + 2_000);
    assert_eq!(h.mgr.capacity_used(), 1, "never silently skipped");
    h.event(event("a", Some(&id), Some("v3:xyz"), EventKind::Answered));
    assert_eq!(
        h.mgr
            .record(&id)
            .and_then(|r| r.provider_call_id.clone())
            .as_deref(),
        Some("v3:xyz")
    );
    h.command(Command::End {
        call_id: id.clone(),
    });
    h.reply_where(is_kind("hangup"), Ok(OpOutcome::Done));
    assert_eq!(h.mgr.capacity_used(), 0);
}

#[test]
fn an_end_before_the_provider_id_is_known_hangs_up_once_the_id_arrives() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Twilio), T0);
    let id = h.place(CallMode::Conversation, None);
    h.command(Command::End {
        call_id: id.clone(),
    });
    assert_eq!(h.outstanding("hangup"), 0);
    h.created("CA1");
    assert_eq!(h.outstanding("hangup"), 1);
}

#[test]
fn a_call_known_only_by_its_request_id_is_released_by_the_providers_own_time_limit() {
    // Found by the simulator (plivo seed 99): the create answered with a
    // request id, the callback with the call uuid was lost, and every hangup
    // by request id answered 404, which proves nothing. The provider's own
    // time limit, sent with the create, still ends the call.
    let mut config = Config::openclaw_defaults(ProviderName::Plivo);
    config.max_duration_ms = 60_000;
    let mut h = Harness::new(config.clone(), T0);
    let id = h.place(CallMode::Conversation, None);
    h.reply_where(
        is_kind("create"),
        Ok(OpOutcome::Created {
            provider_call_id: None,
            request_id: Some("req-1".into()),
        }),
    );
    h.command(Command::End {
        call_id: id.clone(),
    });
    h.reply_where(
        is_kind("hangup"),
        Err(ProviderError::Transient {
            detail: "404 on a request id".into(),
        }),
    );
    let deadline = T0
        + u64::from(config.ring_timeout_secs) * 1000
        + config.max_duration_ms
        + config.provider_slack_ms;
    h.advance_to(deadline - 1);
    assert_eq!(
        h.mgr.capacity_used(),
        1,
        "not before the provider's limit has surely passed"
    );
    h.advance_to(deadline);
    assert_eq!(h.mgr.capacity_used(), 0);
    assert_eq!(
        h.mgr.record(&id).map(|r| r.state),
        Some(CallState::HangupBot),
        "the End command's reason is kept"
    );
}
