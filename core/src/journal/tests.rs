use super::*;
use crate::state::CallState;

fn line(call_id: &str, state: &str, seq: Option<u64>) -> String {
    let seq = seq.map(|s| format!(",\"seq\":{s}")).unwrap_or_default();
    format!(
        "{{\"callId\":\"{call_id}\",\"provider\":\"twilio\",\"direction\":\"outbound\",\"state\":\"{state}\",\"from\":\"+15550000000\",\"to\":\"+15551234567\",\"startedAt\":1{seq}}}\n"
    )
}

#[test]
fn openclaw_lines_replay_in_file_order() {
    let file =
        line("a", "initiated", None) + &line("a", "ringing", None) + &line("a", "answered", None);
    let replay = replay(file.as_bytes());
    assert_eq!(replay.records["a"].state, CallState::Answered);
    assert!(replay.skipped.is_empty());
    assert_eq!(replay.next_seq, 1);
}

#[test]
fn sequence_numbers_beat_line_order() {
    let file = line("a", "answered", Some(2)) + &line("a", "ringing", Some(1));
    let replay = replay(file.as_bytes());
    assert_eq!(replay.records["a"].state, CallState::Answered);
    assert_eq!(replay.next_seq, 3);
}

#[test]
fn a_terminal_record_is_not_undone_by_a_later_non_terminal_line() {
    let file = line("a", "completed", None) + &line("a", "answered", None);
    let replay = replay(file.as_bytes());
    assert_eq!(replay.records["a"].state, CallState::Completed);
    assert!(matches!(
        replay.skipped[0].reason,
        SkipReason::AfterTerminal { .. }
    ));
    assert_eq!(replay.skipped[0].line, 2);
}

#[test]
fn a_torn_tail_costs_only_itself() {
    let full = line("a", "answered", Some(1)) + &line("b", "ringing", Some(2));
    let torn = &line("a", "completed", Some(3))[..30];
    let file = full + torn;
    let replay = replay(file.as_bytes());
    assert!(replay.torn_tail);
    assert_eq!(replay.records.len(), 2);
    assert_eq!(replay.records["a"].state, CallState::Answered);
    assert_eq!(replay.skipped.len(), 1);
    assert_eq!(replay.skipped[0].reason, SkipReason::TornTail);
    assert_eq!(replay.skipped[0].line, 3);
}

#[test]
fn a_record_appended_after_a_torn_tail_without_a_newline_is_recovered() {
    let torn = &line("a", "completed", Some(3))[..30];
    let file = line("a", "answered", Some(1)) + torn + &line("b", "ringing", Some(4));
    let replay = replay(file.as_bytes());
    assert_eq!(
        replay.records["b"].state,
        CallState::Ringing,
        "the record after the tear survives"
    );
    assert_eq!(replay.records["a"].state, CallState::Answered);
    assert_eq!(replay.skipped.len(), 1);
    assert!(matches!(
        replay.skipped[0].reason,
        SkipReason::NotJson { .. }
    ));
}

#[test]
fn garbage_and_unknown_states_are_reported_with_their_line() {
    let file = String::from("not json\n")
        + &line("a", "dancing", None)
        + "\n\n"
        + &line("b", "busy", None);
    let replay = replay(file.as_bytes());
    assert_eq!(replay.records.len(), 1);
    assert_eq!(replay.lines, 3, "blank lines are not counted");
    assert_eq!(
        replay.skipped.iter().map(|s| s.line).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(matches!(
        replay.skipped[1].reason,
        SkipReason::NotARecord { .. }
    ));
    assert_eq!(replay.skipped[1].offset, 9);
}

#[test]
fn invalid_utf8_is_a_skipped_line_not_a_failure() {
    let mut file = vec![0xff, 0xfe, b'\n'];
    file.extend_from_slice(line("a", "ringing", Some(7)).as_bytes());
    let replay = replay(&file);
    assert_eq!(replay.skipped[0].reason, SkipReason::NotUtf8);
    assert_eq!(replay.records["a"].state, CallState::Ringing);
    assert_eq!(replay.next_seq, 8);
}

#[test]
fn an_encoded_record_replays_to_itself() {
    let mut record: crate::record::CallRecord =
        serde_json::from_str(line("a", "speaking", None).trim()).unwrap();
    record.seq = Some(41);
    record.callproof.notify_hangup_at = Some(99);
    let replay = replay(encode(&record).as_bytes());
    assert_eq!(replay.records["a"], record);
}
