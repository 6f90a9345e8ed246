//! Compaction keeps the journal proportional to what must be remembered and
//! replays to the same state as the full file.

mod common;

use callproof_core::journal::replay;
use callproof_core::manager::Config;
use callproof_core::provider::{EventKind, ProviderName};
use callproof_core::record::CallMode;
use callproof_core::state::CallState;
use common::{event, Harness};

#[test]
fn a_compacted_journal_replays_to_the_same_state_with_bounded_history() {
    let (config, h) = twenty_calls_of_which_nineteen_ended();
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

#[test]
fn a_restart_from_a_long_journal_remembers_the_same_ended_calls_as_the_manager_that_wrote_it() {
    let (config, h) = twenty_calls_of_which_nineteen_ended();
    let wrote: Vec<String> = h.mgr.records().keys().map(|k| k.to_string()).collect();
    let restarted = Harness::with_journal(config, h.journal.clone(), h.now);
    let kept: Vec<String> = restarted
        .mgr
        .records()
        .keys()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(
        kept.len(),
        6,
        "one live call and the five newest ended ones"
    );
    assert_eq!(kept, wrote);
}

/// Twenty answered calls through a manager that remembers five ended ones;
/// all but the last have ended.
fn twenty_calls_of_which_nineteen_ended() -> (Config, Harness) {
    let mut config = Config::openclaw_defaults(ProviderName::Twilio);
    config.max_concurrent_calls = 2;
    config.history_limit = 5;
    let mut h = Harness::new(config.clone(), 1_700_000_000_000);
    for i in 0..20 {
        let id = h.place(CallMode::Conversation, None);
        h.created(&format!("CA{i}"));
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
    (config, h)
}
