//! What the provider says about a call is taken at its word: an "already
//! ended" answer to any operation ends the doubt, and the answer time it
//! reports late still becomes the base of max duration.

mod common;

use callproof_core::manager::{Command, Config};
use callproof_core::provider::{
    EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderName,
};
use callproof_core::record::CallMode;
use common::{event, is_kind, Harness};

const T0: u64 = 1_700_000_000_000;

fn answered_call(h: &mut Harness) -> String {
    let id = h.place(CallMode::Conversation, None);
    h.created("CA1");
    let mut answered = event("k-answer", Some(&id), Some("CA1"), EventKind::Answered);
    answered.occurred_at = Some(T0 + 5_000);
    h.event(answered);
    id
}

#[test]
fn a_speak_answered_not_found_asks_for_the_status_and_its_proof_frees_the_slot() {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Twilio), T0);
    let id = answered_call(&mut h);
    h.command(Command::Speak {
        call_id: id.clone(),
        text: "hello".into(),
    });
    h.reply_where(
        is_kind("speak"),
        Err(ProviderError::NotFound {
            detail: "20404".into(),
        }),
    );
    assert_eq!(h.outstanding("status"), 1, "the provider is asked");
    h.reply_where(
        is_kind("status"),
        Err(ProviderError::NotFound {
            detail: "20404".into(),
        }),
    );
    assert!(h.mgr.record(&id).is_some_and(|r| r.state.is_terminal()));
    assert_eq!(h.mgr.live_records().count(), 0);
}

#[test]
fn an_answer_callback_after_a_status_said_answered_sets_the_base_of_max_duration() {
    let config = Config::openclaw_defaults(ProviderName::Twilio);
    let mut before = Harness::new(config.clone(), T0);
    let id = before.place(CallMode::Conversation, None);
    before.created("CA1");
    // The gateway restarts before any callback: recovery asks for the status,
    // which says answered but not when.
    let mut h = Harness::with_journal(config, before.journal.clone(), T0 + 20_000);
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: true,
        })),
    );
    assert_eq!(h.mgr.record(&id).and_then(|r| r.answered_at), None);
    let mut answered = event("k-answer", Some(&id), Some("CA1"), EventKind::Answered);
    answered.occurred_at = Some(T0 + 9_000);
    h.event(answered);
    assert_eq!(
        h.mgr.record(&id).and_then(|r| r.answered_at),
        Some(T0 + 9_000)
    );
    assert_eq!(
        h.replayed().records.get(&id).and_then(|r| r.answered_at),
        Some(T0 + 9_000),
        "written, so a restart keeps the base"
    );
}

/// Each provider's "already ended" answer, as its adapter classifies it.
fn already_ended() -> [ProviderError; 3] {
    [
        ProviderError::NotFound {
            detail: "HTTP 404, Twilio error 20404".into(),
        },
        ProviderError::NotFound {
            detail: "HTTP 404 (Plivo)".into(),
        },
        ProviderError::NotFound {
            detail: "HTTP 422: 90018 Call has already ended".into(),
        },
    ]
}

#[test]
fn a_hangup_answered_already_ended_frees_the_slot_at_once_and_is_not_retried() {
    for answer in already_ended() {
        let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Twilio), T0);
        let id = answered_call(&mut h);
        let end = h.command(Command::End {
            call_id: id.clone(),
        });
        h.reply_where(is_kind("hangup"), Err(answer));
        assert!(h.mgr.record(&id).is_some_and(|r| r.state.is_terminal()));
        assert_eq!(h.mgr.live_records().count(), 0);
        assert!(
            h.result_of(end).is_some_and(|r| r.is_ok()),
            "the End is told"
        );
        h.advance_to(T0 + 3_600_000);
        assert_eq!(h.outstanding("hangup"), 0, "never asked again");
        assert_eq!(h.outstanding("status"), 0);
    }
}

#[test]
fn a_status_lookup_answered_already_ended_frees_the_slot() {
    for answer in already_ended() {
        let config = Config::openclaw_defaults(ProviderName::Twilio);
        let mut before = Harness::new(config.clone(), T0);
        let id = answered_call(&mut before);
        // A restart: recovery asks the provider, which says the call is over.
        let mut h = Harness::with_journal(config, before.journal.clone(), T0 + 20_000);
        h.reply_where(is_kind("status"), Err(answer));
        assert!(h.mgr.record(&id).is_some_and(|r| r.state.is_terminal()));
        assert_eq!(h.mgr.live_records().count(), 0);
        h.advance_to(T0 + 3_600_000);
        assert_eq!(h.outstanding("status"), 0, "never asked again");
        assert_eq!(h.outstanding("hangup"), 0);
    }
}
