//! Duplicated, retried and late callbacks change nothing (B7, B8), and the
//! dedupe keys survive a restart with the change they guard.

mod common;

use callproof_core::manager::{Ack, Config};
use callproof_core::provider::{EventKind, OpOutcome, ProviderName};
use callproof_core::record::CallMode;
use callproof_core::state::CallState;
use common::{event, is_kind, Harness};

const T0: u64 = 1_700_000_000_000;

fn placed() -> (Harness, String) {
    let mut h = Harness::new(Config::openclaw_defaults(ProviderName::Telnyx), T0);
    let id = h.place(CallMode::Conversation, None);
    h.created("v3:abc");
    (h, id)
}

#[test]
fn a_duplicated_callback_is_applied_once() {
    let (mut h, id) = placed();
    assert_eq!(
        h.event(event("k1", Some(&id), Some("v3:abc"), EventKind::Answered)),
        Ack::Accepted
    );
    let writes = h.writes;
    assert_eq!(
        h.event(event("k1", Some(&id), Some("v3:abc"), EventKind::Answered)),
        Ack::Duplicate
    );
    assert_eq!(h.writes, writes);
    assert_eq!(
        h.mgr.record(&id).map(|r| r.processed_event_ids.len()),
        Some(1)
    );
}

#[test]
fn a_late_ringing_callback_after_the_end_does_not_revive_the_call() {
    let (mut h, id) = placed();
    h.event(event(
        "k2",
        Some(&id),
        Some("v3:abc"),
        EventKind::Ended {
            reason: CallState::Completed,
        },
    ));
    assert_eq!(
        h.event(event("k1", Some(&id), Some("v3:abc"), EventKind::Ringing)),
        Ack::Duplicate
    );
    assert_eq!(h.mgr.capacity_used(), 0);
}

#[test]
fn the_first_terminal_fact_wins() {
    let (mut h, id) = placed();
    h.event(event(
        "k2",
        Some(&id),
        None,
        EventKind::Ended {
            reason: CallState::Busy,
        },
    ));
    h.event(event(
        "k3",
        Some(&id),
        None,
        EventKind::Ended {
            reason: CallState::Completed,
        },
    ));
    assert_eq!(h.mgr.record(&id).map(|r| r.state), Some(CallState::Busy));
}

#[test]
fn a_reordered_older_callback_does_not_move_the_call_back() {
    let (mut h, id) = placed();
    h.event(event("k2", Some(&id), None, EventKind::Answered));
    assert_eq!(
        h.event(event("k1", Some(&id), None, EventKind::Ringing)),
        Ack::Duplicate
    );
    assert_eq!(
        h.mgr.record(&id).map(|r| r.state),
        Some(CallState::Answered)
    );
}

#[test]
fn dedupe_keys_survive_a_restart_with_the_change_they_guard() {
    let (mut h, id) = placed();
    h.event(event("k1", Some(&id), None, EventKind::Answered));
    let mut h = Harness::with_journal(h.config.clone(), h.journal.clone(), T0 + 1_000);
    h.reply_where(
        is_kind("status"),
        Ok(OpOutcome::Status(
            callproof_core::provider::ProviderCallStatus::Live { answered: true },
        )),
    );
    let writes = h.writes;
    assert_eq!(
        h.event(event("k1", Some(&id), None, EventKind::Answered)),
        Ack::Duplicate
    );
    assert_eq!(h.writes, writes, "the replayed delivery wrote nothing");
}
