//! Durability across compaction: what a boot reads from a compacted journal
//! must describe the same calls as the whole history of durable lines would
//! (the file OpenClaw would have kept, never rewritten). Judged at every boot
//! once the gateway has compacted, crashes in the middle of a compaction
//! included.

use super::{Invariant, Violation};
use callproof_core::journal::replay;

/// Compares the journal a boot read (`file`) with every line ever durable
/// (`history`): the same live calls with the same records, the same hangups
/// still owed, and sequence numbers that do not go back (call ids are made
/// from them). Terminal calls beyond the bounded history may be gone.
pub fn check_recovered_journal(file: &[u8], history: &[u8], at_ms: u64) -> Vec<Violation> {
    let file = replay(file);
    let history = replay(history);
    let violation = |detail: String| Violation {
        invariant: Invariant::Durability,
        at_ms,
        detail,
    };
    let mut out = Vec::new();
    for r in history.live() {
        if file.records.get(&r.call_id) != Some(r) {
            out.push(violation(format!(
                "after compaction the journal lost live call {} ({}): it reads {:?}",
                r.call_id,
                r.state,
                file.records.get(&r.call_id).map(|f| f.state)
            )));
        }
    }
    for r in file.live() {
        let live_in_history = history
            .records
            .get(&r.call_id)
            .is_some_and(|h| !h.state.is_terminal());
        if !live_in_history {
            out.push(violation(format!(
                "after compaction the journal counts call {} ({}, seq {:?}) that its history does not (there: {:?})",
                r.call_id,
                r.state,
                r.seq,
                history.records.get(&r.call_id).map(|h| (h.state, h.seq))
            )));
        }
    }
    for r in history
        .records
        .values()
        .filter(|r| r.callproof.hangup_pending)
    {
        if file.records.get(&r.call_id) != Some(r) {
            out.push(violation(format!(
                "after compaction the journal forgot the hangup owed for call {}",
                r.call_id
            )));
        }
    }
    if file.next_seq < history.next_seq {
        out.push(violation(format!(
            "after compaction the next sequence number went back from {} to {}: call ids would repeat",
            history.next_seq, file.next_seq
        )));
    }
    out.truncate(1);
    out
}

#[cfg(test)]
mod tests {
    use super::check_recovered_journal;

    fn line(id: &str, seq: u64, state: &str) -> String {
        format!(
            "{{\"callId\":\"{id}\",\"provider\":\"twilio\",\"direction\":\"outbound\",\"state\":\"{state}\",\"from\":\"+15550000000\",\"to\":\"+15550000001\",\"startedAt\":1,\"transcript\":[],\"processedEventIds\":[],\"seq\":{seq}}}\n"
        )
    }

    #[test]
    fn a_checkpoint_that_keeps_the_live_calls_passes() {
        let history = [
            line("a", 1, "initiated"),
            line("a", 2, "completed"),
            line("b", 3, "answered"),
        ]
        .concat();
        let file = [line("a", 2, "completed"), line("b", 3, "answered")].concat();
        assert_eq!(
            check_recovered_journal(file.as_bytes(), history.as_bytes(), 0),
            vec![]
        );
    }

    #[test]
    fn a_checkpoint_that_drops_a_live_call_is_a_durability_violation() {
        let history = [line("a", 1, "initiated"), line("b", 2, "answered")].concat();
        let file = line("a", 1, "initiated");
        let found = check_recovered_journal(file.as_bytes(), history.as_bytes(), 5);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].detail.contains("lost live call b"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn a_checkpoint_that_revives_an_ended_call_is_a_durability_violation() {
        let history = [line("a", 1, "answered"), line("a", 2, "completed")].concat();
        let file = line("a", 1, "answered");
        let found = check_recovered_journal(file.as_bytes(), history.as_bytes(), 5);
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
