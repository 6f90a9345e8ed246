//! The one-pass replay gives exactly what the sequence-ordered replay gives,
//! on any mix of OpenClaw lines, sequenced lines, garbage and torn tails.

use super::{replay, replay_exact};
use proptest::prelude::*;

const STATES: [&str; 6] = [
    "initiated",
    "ringing",
    "answered",
    "speaking",
    "completed",
    "busy",
];

/// One generated line: which call, which state, an optional `seq`, and
/// whether it is mangled.
fn line((call, state, seq, garbage): (u8, usize, Option<u64>, u8)) -> String {
    let seq = seq.map(|s| format!(",\"seq\":{s}")).unwrap_or_default();
    let text = format!(
        "{{\"callId\":\"c{call}\",\"provider\":\"twilio\",\"direction\":\"outbound\",\"state\":\"{}\",\"from\":\"+15550000000\",\"to\":\"+15551234567\",\"startedAt\":1,\"transcript\":[{{\"timestamp\":1,\"speaker\":\"bot\",\"text\":\"a \\\"quoted\\\" word\",\"isFinal\":true}}]{seq}}}",
        STATES[state]
    );
    match garbage {
        0 => format!("{}\n", &text[..text.len() / 2]),
        1 => format!("xx{text}\n"),
        2 => "not json at all\n".to_owned(),
        _ => format!("{text}\n"),
    }
}

proptest! {
    #[test]
    fn the_fast_replay_agrees_with_the_exact_one(
        lines in proptest::collection::vec((0u8..4, 0usize..6, proptest::option::of(0u64..30), 0u8..12), 0..40),
        torn in any::<bool>(),
    ) {
        let mut file: String = lines.into_iter().map(line).collect();
        if torn && file.len() > 3 {
            file.truncate(file.len() - 3);
        }
        let fast = replay(file.as_bytes());
        let exact = replay_exact(file.as_bytes());
        prop_assert_eq!(fast, exact);
    }
}

proptest! {
    #[test]
    fn a_file_fed_in_chunks_of_any_size_replays_as_the_whole(
        lines in proptest::collection::vec((0u8..4, 0usize..6, proptest::option::of(0u64..30), 0u8..12), 0..20),
        torn in any::<bool>(),
        cuts in proptest::collection::vec(0usize..4000, 0..6),
    ) {
        let mut file: String = lines.into_iter().map(line).collect();
        if torn && file.len() > 3 {
            file.truncate(file.len() - 3);
        }
        let bytes = file.as_bytes();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
        cuts.sort_unstable();
        let mut replayer = super::Replayer::new();
        let mut from = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            replayer.push_chunk(&bytes[from..cut]);
            from = cut;
        }
        let chunked = replayer.finish_stream().unwrap_or_else(|_| replay_exact(bytes));
        prop_assert_eq!(chunked, replay_exact(bytes));
    }
}
