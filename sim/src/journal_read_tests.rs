//! The two-thread file replay answers what the one-pass replay answers for
//! the same bytes, however the stripes cut the lines.

use super::replay_striped;
use callproof_core::journal::replay;
use proptest::prelude::*;

const STATES: [&str; 5] = ["initiated", "ringing", "answered", "completed", "busy"];

/// One line: a call record of call `call` in state `state`, padded with a
/// transcript of `words` words so lines span stripes, or garbage, or blank.
fn line(call: u8, state: usize, words: usize, kind: u8) -> String {
    let text = "word ".repeat(words);
    let record = format!(
        "{{\"callId\":\"c{call}\",\"provider\":\"twilio\",\"direction\":\"outbound\",\"state\":\"{}\",\"from\":\"+15550000000\",\"to\":\"+15551234567\",\"startedAt\":1,\"transcript\":[{{\"timestamp\":1,\"speaker\":\"bot\",\"text\":\"{text}\",\"isFinal\":true}}]}}",
        STATES[state]
    );
    match kind {
        0 => format!("{}\n", &record[..record.len() / 2]),
        1 => "\n".to_owned(),
        2 => format!("junk{record}\n"),
        _ => format!("{record}\n"),
    }
}

fn file_of(lines: &[(u8, usize, usize, u8)], cut_tail: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = lines
        .iter()
        .flat_map(|&(c, s, w, k)| line(c, s, w, k).into_bytes())
        .collect();
    bytes.truncate(bytes.len().saturating_sub(cut_tail));
    bytes
}

fn replayed_from_disk(bytes: &[u8], stripe: usize) -> callproof_core::journal::Replay {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("calls.jsonl");
    std::fs::write(&path, bytes).expect("the file is written");
    replay_striped(&path, stripe).expect("the file is read")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn every_cut_into_stripes_replays_as_the_whole_file_does(
        lines in proptest::collection::vec((0u8..4, 0usize..5, 0usize..30, 0u8..10), 0..30),
        cut_tail in 0usize..4,
        stripe in 1usize..300,
    ) {
        let bytes = file_of(&lines, cut_tail);
        prop_assert_eq!(replayed_from_disk(&bytes, stripe), replay(&bytes));
    }
}

#[test]
fn an_empty_file_replays_to_nothing() {
    let replay = replayed_from_disk(b"", 7);
    assert_eq!(replay, callproof_core::journal::replay(b""));
    assert!(replay.records.is_empty());
}

#[test]
fn a_line_longer_than_many_stripes_is_folded_once() {
    let lines = [(1, 0, 400, 9), (1, 3, 900, 9), (2, 1, 0, 9)];
    let bytes = file_of(&lines, 0);
    let replay = replayed_from_disk(&bytes, 64);
    assert_eq!(replay.lines, 3);
    assert_eq!(replay.records.len(), 2);
    assert_eq!(replay, callproof_core::journal::replay(&bytes));
}
