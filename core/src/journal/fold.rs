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

use super::scan::quick_head;
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
#[derive(Debug, Deserialize)]
pub(super) struct Head<'a> {
    #[serde(rename = "callId", borrow)]
    pub(super) call_id: Cow<'a, str>,
    pub(super) state: CallState,
    #[serde(default)]
    pub(super) seq: Option<u64>,
}

/// The newest line of one call so far.
struct Newest {
    state: CallState,
    key: Order,
    /// The highest key of any line of this call, kept or skipped: a line
    /// below it arrived out of order, and whether an earlier line was
    /// skipped (and against which state) then depends on the order the
    /// exact replay sorts by, so the exact replay must decide.
    highest: Order,
    raw: Vec<u8>,
}

/// Replays a journal fed line by line (a file read in chunks needs no more
/// memory than its calls), in one pass.
#[derive(Default)]
pub struct Replayer {
    calls: BTreeMap<String, Newest>,
    /// The call of the last folded line, out of `calls` while it is hot.
    hot: Option<(String, Newest)>,
    skipped: Vec<Skipped>,
    lines: usize,
    line_no: usize,
    offset: usize,
    max_seq: Option<u64>,
    exact_needed: bool,
    /// The bytes after the last `\n` fed to [`Replayer::push_chunk`].
    pending: Vec<u8>,
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
        let quick = std::str::from_utf8(raw).ok().and_then(quick_head);
        if let Some(q) = quick {
            return self.fold(q.call_id, q.state, q.seq, raw, start);
        }
        match head(raw) {
            Ok(h) => self.fold(&h.call_id, h.state, h.seq, raw, start),
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
                    self.fold(&h.call_id, h.state, h.seq, &raw[i..], start);
                }
            }
        }
    }

    /// Feeds the next piece of a file read in chunks of any size: lines
    /// are cut at `\n`, a line split across chunks is held until its end
    /// arrives. End with [`Replayer::finish_stream`].
    pub fn push_chunk(&mut self, chunk: &[u8]) {
        let mut from = 0;
        for nl in memchr::memchr_iter(b'\n', chunk) {
            if self.pending.is_empty() {
                self.push_line(&chunk[from..nl]);
            } else {
                let mut line = std::mem::take(&mut self.pending);
                line.extend_from_slice(&chunk[from..nl]);
                self.push_line(&line);
                line.clear();
                self.pending = line;
            }
            from = nl + 1;
        }
        self.pending.extend_from_slice(&chunk[from..]);
    }

    /// [`Replayer::finish`] for a file fed by [`Replayer::push_chunk`]: the
    /// bytes after the last newline are its last line, torn when not empty.
    pub fn finish_stream(mut self) -> Result<Replay, NeedsExactReplay> {
        let tail = std::mem::take(&mut self.pending);
        self.push_line(&tail);
        self.finish(!tail.is_empty())
    }

    fn fold(
        &mut self,
        call_id: &str,
        state: CallState,
        seq: Option<u64>,
        raw: &[u8],
        start: usize,
    ) {
        let key = (seq.or(self.max_seq).unwrap_or(0), self.line_no);
        if let Some(seq) = seq {
            self.max_seq = Some(self.max_seq.map_or(seq, |m| m.max(seq)));
        }
        // OpenClaw writes a call's lines in runs: the call of the previous
        // line is held outside the map, so a run costs one lookup.
        if !matches!(&self.hot, Some((id, _)) if id == call_id) {
            if let Some((id, newest)) = self.hot.take() {
                self.calls.insert(id, newest);
            }
            match self.calls.remove_entry(call_id) {
                Some(entry) => self.hot = Some(entry),
                None => {
                    let newest = Newest {
                        state,
                        key,
                        highest: key,
                        raw: raw.to_vec(),
                    };
                    self.hot = Some((call_id.to_owned(), newest));
                    return;
                }
            }
        }
        let Some((_, newest)) = self.hot.as_mut() else {
            return;
        };
        if key < newest.highest {
            self.exact_needed = true;
        } else if !allowed(newest.state, state) {
            newest.highest = key;
            self.skipped.push(after_terminal(
                self.line_no,
                start,
                call_id,
                state,
                newest.state,
            ));
        } else {
            newest.state = state;
            newest.key = key;
            newest.highest = key;
            newest.raw.clear();
            newest.raw.extend_from_slice(raw);
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
        if let Some((id, newest)) = self.hot.take() {
            self.calls.insert(id, newest);
        }
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

pub(super) fn head(raw: &[u8]) -> Result<Head<'_>, SkipReason> {
    std::str::from_utf8(raw).map_err(|_| SkipReason::NotUtf8)?;
    serde_json::from_slice(raw).map_err(|e| classify(&e))
}
