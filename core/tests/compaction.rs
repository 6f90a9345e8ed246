//! Compaction keeps the journal proportional to what must be remembered and
//! replays to the same state as the full file.

mod common;

use callproof_core::journal::replay;
use callproof_core::manager::{Command, Config};
use callproof_core::provider::{EventKind, OpOutcome, ProviderName};
use callproof_core::record::CallMode;
use callproof_core::state::CallState;
use common::{event, is_kind, Harness};

#[test]
fn a_compacted_journal_replays_to_the_same_state_with_bounded_history() {
    let mut config = Config::openclaw_defaults(ProviderName::Twilio);
    config.max_concurrent_calls = 2;
    config.history_limit = 5;
    let mut h = Harness::new(config.clone(), 1_700_000_000_000);
    for i in 0..20 {
        h.command(Command::Place {
            to: "+15551234567".into(),
            mode: CallMode::Conversation,
            message: None,
            session_key: None,
        });
        h.reply_where(
            is_kind("create"),
            Ok(OpOutcome::Created {
                provider_call_id: Some(format!("CA{i}")),
                request_id: None,
            }),
        );
        let id = h
            .mgr
            .live_records()
            .find(|r| r.provider_call_id.as_deref() == Some(&format!("CA{i}")))
            .unwrap()
            .call_id
            .clone();
        h.event(event(
            &format!("a{i}"),
            Some(&id),
            None,
            EventKind::Answered,
        ));
        if i < 19 {
            h.event(event(
                &format!("e{i}"),
                Some(&id),
                None,
                EventKind::Ended {
                    reason: CallState::Completed,
                },
            ));
        }
    }
    let compacted = h.mgr.compacted_journal();
    let full = replay(&h.journal);
    let small = replay(compacted.as_bytes());
    assert_eq!(
        small.records.len(),
        6,
        "one live call and the five most recent ended ones"
    );
    assert!(compacted.len() * 3 < h.journal.len());
    assert_eq!(small.next_seq, full.next_seq, "sequence numbers continue");
    for (id, record) in &small.records {
        assert_eq!(full.records.get(id), Some(record));
    }
    assert_eq!(small.live().count(), full.live().count());
    let restarted = Harness::with_journal(config, compacted.into_bytes(), h.now);
    assert_eq!(restarted.mgr.capacity_used(), 1);
}
