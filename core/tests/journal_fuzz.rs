//! Replay never panics on any bytes, and damage to one line never costs an
//! intact line elsewhere.

use callproof_core::journal::{encode, replay};
use callproof_core::record::{CallRecord, Direction, Extension};
use callproof_core::state::CallState;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn record(i: usize, state: CallState) -> CallRecord {
    CallRecord {
        call_id: format!("call-{i}"),
        provider_call_id: Some(format!("CA{i:032}")),
        provider: "twilio".into(),
        direction: Direction::Outbound,
        state,
        from: "+15550000000".into(),
        to: "+15551234567".into(),
        session_key: None,
        started_at: 1_700_000_000_000 + i as u64,
        answered_at: None,
        ended_at: None,
        end_reason: None,
        transcript: vec![],
        processed_event_ids: vec![format!("evt-{i}")],
        metadata: None,
        seq: Some(i as u64 + 1),
        callproof: Extension::default(),
        unknown: BTreeMap::new(),
    }
}

fn states() -> impl Strategy<Value = CallState> {
    prop::sample::select(CallState::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn replay_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let r = replay(&bytes);
        prop_assert!(r.lines <= bytes.len());
    }

    #[test]
    fn every_intact_line_survives_a_torn_or_corrupted_neighbour(
        states in prop::collection::vec(states(), 1..12),
        victim in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        garbage in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        // One record per call, so each call's survival depends on its own line only.
        let lines: Vec<String> = states.iter().enumerate().map(|(i, s)| encode(&record(i, *s))).collect();
        let victim = victim.index(lines.len());
        let mut file = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if i == victim {
                let keep = cut.index(line.len());
                file.extend_from_slice(&line.as_bytes()[..keep]);
                file.extend(garbage.iter().copied().filter(|b| *b != b'\n'));
                if i + 1 != lines.len() {
                    file.push(b'\n');
                }
            } else {
                file.extend_from_slice(line.as_bytes());
            }
        }
        let r = replay(&file);
        for (i, state) in states.iter().enumerate() {
            if i == victim { continue; }
            let got = r.records.get(&format!("call-{i}"));
            prop_assert_eq!(got.map(|r| r.state), Some(*state), "line {} was intact", i + 1);
        }
    }

    #[test]
    fn any_truncation_keeps_every_complete_line(
        states in prop::collection::vec(states(), 1..12),
        cut in any::<prop::sample::Index>(),
    ) {
        let file: String = states.iter().enumerate().map(|(i, s)| encode(&record(i, *s))).collect();
        let cut = cut.index(file.len() + 1);
        let r = replay(&file.as_bytes()[..cut]);
        let complete = file[..cut].matches('\n').count();
        for (i, state) in states.iter().enumerate().take(complete) {
            let got = r.records.get(&format!("call-{i}"));
            prop_assert_eq!(got.map(|r| r.state), Some(*state));
        }
        prop_assert!(r.skipped.len() <= 1, "at most the torn tail is lost");
    }
}
