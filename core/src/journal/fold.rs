//! The fast replay: one pass in file order, one record per call held.
//!
//! OpenClaw's journal writes the whole record (transcript included) on
//! every state change, so almost every byte of a long history belongs to a
//! line that a later line of the same call supersedes. Each line is parsed
//! only for `callId`, `state` and `seq` (no allocation for the rest: serde
//! skips it); the transition table folds the states per call exactly as
//! [`super::replay_exact`] does, keeping the raw bytes of the newest line
//! only. The full record is parsed once per call, at the end.
//!
//! Two things this cannot decide alone, and then it says so
//! ([`NeedsExactReplay`]) so the caller replays the exact way: a call whose
//! lines are not in sequence order in the file (fire-and-forget writers),
//! and a newest line that is a valid head but not a valid record.

use super::{
    after_terminal, allowed, classify, CallState, Order, Replay, SkipReason, Skipped, RECORD_START,
};
use crate::record::CallRecord;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The fast replay could not decide this file alone: replay it with
/// [`super::replay_exact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedsExactReplay;

/// What replay needs of a line before knowing whether it wins.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "callId", borrow)]
    call_id: Cow<'a, str>,
    state: CallState,
    #[serde(default)]
    seq: Option<u64>,
}

/// The newest line of one call so far.
struct Newest {
    state: CallState,
    key: Order,
    raw: Vec<u8>,
}

/// Replays a journal fed line by line (a file read in chunks needs no more
/// memory than its calls), in one pass.
#[derive(Default)]
pub struct Replayer {
    calls: BTreeMap<String, Newest>,
    skipped: Vec<Skipped>,
    lines: usize,
    line_no: usize,
    offset: usize,
    max_seq: Option<u64>,
    exact_needed: bool,
}

impl Replayer {
    /// An empty replay.
    pub fn new() -> Replayer {
        Replayer::default()
    }

    /// Feeds the next line, without its `\n`.
    pub fn push_line(&mut self, raw: &[u8]) {
        self.line_no += 1;
        let start = self.offset;
        self.offset += raw.len() + 1;
        if self.exact_needed || raw.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.lines += 1;
        match head(raw) {
            Ok(h) => self.fold(h, raw, start),
            Err(reason) => {
                self.skipped.push(Skipped {
                    line: self.line_no,
                    offset: start,
                    reason,
                });
                let embedded = (1..raw.len())
                    .filter(|&i| raw[i..].starts_with(RECORD_START))
                    .find_map(|i| head(&raw[i..]).ok().map(|h| (h, i)));
                if let Some((h, i)) = embedded {
                    self.fold(h, &raw[i..], start);
                }
            }
        }
    }

    fn fold(&mut self, h: Head<'_>, raw: &[u8], start: usize) {
        let key = (h.seq.or(self.max_seq).unwrap_or(0), self.line_no);
        if let Some(seq) = h.seq {
            self.max_seq = Some(self.max_seq.map_or(seq, |m| m.max(seq)));
        }
        match self.calls.get_mut(h.call_id.as_ref()) {
            Some(newest) => {
                if key < newest.key {
                    self.exact_needed = true;
                } else if !allowed(newest.state, h.state) {
                    self.skipped.push(after_terminal(
                        self.line_no,
                        start,
                        &h.call_id,
                        h.state,
                        newest.state,
                    ));
                } else {
                    newest.state = h.state;
                    newest.key = key;
                    newest.raw.clear();
                    newest.raw.extend_from_slice(raw);
                }
            }
            None => {
                self.calls.insert(
                    h.call_id.into_owned(),
                    Newest {
                        state: h.state,
                        key,
                        raw: raw.to_vec(),
                    },
                );
            }
        }
    }

    /// The replayed state; `torn_tail` says whether the file's last byte is
    /// not a newline (its last line is then reported as torn).
    pub fn finish(mut self, torn_tail: bool) -> Result<Replay, NeedsExactReplay> {
        if self.exact_needed {
            return Err(NeedsExactReplay);
        }
        let mut out = Replay {
            torn_tail,
            lines: self.lines,
            next_seq: self.max_seq.map_or(1, |m| m.saturating_add(1)),
            ..Replay::default()
        };
        for (call_id, newest) in self.calls {
            let record: CallRecord =
                serde_json::from_slice(&newest.raw).map_err(|_| NeedsExactReplay)?;
            out.records.insert(call_id, record);
        }
        if torn_tail {
            let last = self.line_no;
            if let Some(s) = self.skipped.iter_mut().find(|s| s.line == last) {
                s.reason = SkipReason::TornTail;
            }
        }
        self.skipped.sort_by_key(|s| s.line);
        out.skipped = self.skipped;
        Ok(out)
    }
}

fn head(raw: &[u8]) -> Result<Head<'_>, SkipReason> {
    std::str::from_utf8(raw).map_err(|_| SkipReason::NotUtf8)?;
    serde_json::from_slice(raw).map_err(|e| classify(&e))
}
