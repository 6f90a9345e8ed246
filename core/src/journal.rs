//! The journal: append-only JSON lines of full call records.
//!
//! Reading: every line is parsed on its own, so a torn or corrupt line costs
//! that line only. Lines written here carry `seq`; replay keeps the latest
//! record per call by `seq`, falling back to line order for OpenClaw's lines
//! (which have none). A terminal record is absorbing on replay too: a
//! non-terminal line that sorts after it (fire-and-forget writes landing out of
//! order, bug class B6) is skipped and reported, never revives the call.
//!
//! Writing: [`encode`] makes one line. A writer that opens a file whose last
//! byte is not `\n` ([`Replay::torn_tail`]) must write a `\n` first, so a torn
//! tail can never swallow the next record. Replay also resynchronizes on an
//! embedded record start, for files appended to by a writer that did not.

mod fold;
mod scan;

pub use fold::{parse_record, scan_block, NeedsExactReplay, Replayer, ScannedLine};

use crate::record::CallRecord;
use crate::state::{transition, CallState, Transition};
use std::collections::BTreeMap;
use std::fmt;

/// One line for `record`, newline included. The record's `seq` must be set.
pub fn encode(record: &CallRecord) -> String {
    debug_assert!(
        record.seq.is_some(),
        "journal lines carry a sequence number"
    );
    // Serializing a CallRecord cannot fail: every field is plain data with
    // string keys. Fall back to an empty object rather than panic.
    let mut line = serde_json::to_string(record).unwrap_or_else(|_| String::from("{}"));
    line.push('\n');
    line
}

/// Why a line did not contribute to the replayed state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The line is not valid UTF-8.
    NotUtf8,
    /// The line is not JSON (torn write, garbage).
    NotJson {
        /// The parser's message.
        detail: String,
    },
    /// JSON, but not a call record (missing field, unknown state, ...).
    NotARecord {
        /// The parser's message.
        detail: String,
    },
    /// The file ends without a newline: the last write was cut short.
    TornTail,
    /// A line whose state the transition table does not allow after the
    /// call's newer record: a terminal state absorbs, states only move forward.
    AfterTerminal {
        /// The call.
        call_id: String,
        /// The state the line wanted.
        state: String,
        /// The terminal state kept.
        kept: String,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NotUtf8 => write!(f, "not UTF-8"),
            SkipReason::NotJson { detail } => write!(f, "not JSON ({detail})"),
            SkipReason::NotARecord { detail } => write!(f, "not a call record ({detail})"),
            SkipReason::TornTail => write!(f, "torn tail: the last write did not finish"),
            SkipReason::AfterTerminal {
                call_id,
                state,
                kept,
            } => write!(
                f,
                "call {call_id} is already {kept}; a line in state {state} cannot follow it"
            ),
        }
    }
}

/// A line replay did not use, with where it was and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based line number.
    pub line: usize,
    /// Byte offset of the line's start.
    pub offset: usize,
    /// Why.
    pub reason: SkipReason,
}

/// The state a journal file describes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replay {
    /// The latest record of every call, by call id.
    pub records: BTreeMap<String, CallRecord>,
    /// Lines not used, in file order.
    pub skipped: Vec<Skipped>,
    /// Non-empty lines read.
    pub lines: usize,
    /// The first sequence number a writer may use next.
    pub next_seq: u64,
    /// The file does not end with `\n`: write one before appending.
    pub torn_tail: bool,
}

impl Replay {
    /// Records that still count against capacity after a restart.
    pub fn live(&self) -> impl Iterator<Item = &CallRecord> {
        self.records.values().filter(|r| !r.state.is_terminal())
    }
}

/// Sort key: explicit `seq` when present, else the highest `seq` seen on an
/// earlier line (so OpenClaw lines keep file order among themselves), then
/// line number.
type Order = (u64, usize);

/// Replays a journal file's bytes. Never fails and never panics: what cannot
/// be used is reported in [`Replay::skipped`].
///
/// One pass with [`Replayer`] (a cheap parse of each line's `callId`, `state`
/// and `seq`, the full record parsed once per call); a file whose lines for
/// one call are out of sequence order, or whose newest line for a call turns
/// out not to be a full record, is replayed again the exact slow way
/// ([`replay_exact`]).
pub fn replay(bytes: &[u8]) -> Replay {
    let mut replayer = Replayer::new();
    replayer.push_chunk(bytes);
    replayer
        .finish_stream()
        .unwrap_or_else(|NeedsExactReplay| replay_exact(bytes))
}

/// Replays every line in `seq` order, holding every parsed record: the
/// reference semantics [`replay`] reproduces faster.
pub fn replay_exact(bytes: &[u8]) -> Replay {
    let mut out = Replay {
        torn_tail: !bytes.is_empty() && !bytes.ends_with(b"\n"),
        ..Replay::default()
    };
    let mut ordered: Vec<(Order, usize, usize, CallRecord)> = Vec::new();
    let mut max_seq: Option<u64> = None;
    let mut offset = 0usize;
    for (index, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line_no = index + 1;
        let start = offset;
        offset += raw.len() + 1;
        let is_last = offset > bytes.len();
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        out.lines += 1;
        let mut keep = |record: CallRecord, max_seq: &mut Option<u64>| {
            let key = (record.seq.or(*max_seq).unwrap_or(0), line_no);
            if let Some(seq) = record.seq {
                *max_seq = Some(max_seq.map_or(seq, |m| m.max(seq)));
            }
            ordered.push((key, line_no, start, record));
        };
        match parse_line(raw) {
            Ok(record) => keep(record, &mut max_seq),
            Err(reason) => {
                let reason = if is_last && out.torn_tail {
                    SkipReason::TornTail
                } else {
                    reason
                };
                out.skipped.push(Skipped {
                    line: line_no,
                    offset: start,
                    reason,
                });
                // A torn fragment followed, on the same line, by a complete
                // record (an append after a torn tail without a newline).
                if let Some(record) = resync(raw) {
                    keep(record, &mut max_seq);
                }
            }
        }
    }
    out.next_seq = max_seq.map_or(1, |m| m.saturating_add(1));
    ordered.sort_by_key(|(key, _, _, _)| *key);
    for (_, line_no, start, record) in ordered {
        apply(&mut out, line_no, start, record);
    }
    out.skipped.sort_by_key(|s| s.line);
    out
}

fn apply(out: &mut Replay, line: usize, offset: usize, record: CallRecord) {
    if let Some(existing) = out.records.get(&record.call_id) {
        // The transition table decides, as it does for live events: a terminal
        // record absorbs later lines in another state, and a line in an older
        // state (writes landing out of order) does not undo a newer one.
        if !allowed(existing.state, record.state) {
            out.skipped.push(after_terminal(
                line,
                offset,
                &record.call_id,
                record.state,
                existing.state,
            ));
            return;
        }
    }
    out.records.insert(record.call_id.clone(), record);
}

fn allowed(existing: CallState, next: CallState) -> bool {
    next == existing || transition(existing, next) == Transition::Move
}

fn after_terminal(
    line: usize,
    offset: usize,
    call_id: &str,
    state: CallState,
    kept: CallState,
) -> Skipped {
    Skipped {
        line,
        offset,
        reason: SkipReason::AfterTerminal {
            call_id: call_id.to_owned(),
            state: state.to_string(),
            kept: kept.to_string(),
        },
    }
}

/// Why a parse failed, in replay's terms.
fn classify(e: &serde_json::Error) -> SkipReason {
    match e.classify() {
        serde_json::error::Category::Data => SkipReason::NotARecord {
            detail: e.to_string(),
        },
        _ => SkipReason::NotJson {
            detail: e.to_string(),
        },
    }
}

fn parse_line(raw: &[u8]) -> Result<CallRecord, SkipReason> {
    let text = std::str::from_utf8(raw).map_err(|_| SkipReason::NotUtf8)?;
    serde_json::from_str(text).map_err(|e| classify(&e))
}

/// Where a complete record starts after garbage on the same line.
const RECORD_START: &[u8] = b"{\"callId\"";

/// Finds a complete record that starts after garbage and runs to the line's end.
fn resync(raw: &[u8]) -> Option<CallRecord> {
    (1..raw.len())
        .filter(|&i| raw[i..].starts_with(RECORD_START))
        .find_map(|i| parse_line(&raw[i..]).ok())
}

#[cfg(test)]
mod fold_tests;
#[cfg(test)]
mod tests;
