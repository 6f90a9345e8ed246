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
//! The per-line work (the scan for the head) needs nothing of the fold, so
//! a caller with threads can scan blocks of whole lines anywhere
//! ([`scan_block`]) and fold them in file order ([`Replayer::push_block`]);
//! the final parse can be split the same way ([`Replayer::finish_with`]).
//! The result is the same whichever way the work was cut.
//!
//! Two things this cannot decide alone, and then it says so
//! ([`NeedsExactReplay`]) so the caller replays the exact way: a call whose
//! lines are not in sequence order in the file (fire-and-forget writers),
//! and a newest line that is a valid head but not a valid record.

use super::scan::{quick_head_bytes, QuickHead};
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
    /// The newest line's bytes, unless [`Replayer::pending`] says they are
    /// still in the block being folded.
    raw: Vec<u8>,
}

/// What [`scan_block`] found on one line of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScannedLine {
    /// The line's bytes are `block[start..end]` (without its `\n`).
    start: usize,
    end: usize,
    blank: bool,
    /// The head, when the fast scan could prove it: the call id as a range
    /// of the block.
    quick: Option<(usize, usize, CallState, Option<u64>)>,
}

/// Scans every line of `block` (whole lines, each ending in `\n`; bytes
/// after the last `\n` are not looked at) for its head. Pure and
/// independent of any other block: blocks can be scanned on any thread,
/// then folded in order with [`Replayer::push_block`].
pub fn scan_block(block: &[u8]) -> Vec<ScannedLine> {
    let mut out = Vec::with_capacity(block.len() / 512 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', block) {
        let raw = &block[start..end];
        let (blank, quick) = scan_line(raw);
        let quick = quick.map(|q| {
            let id = q.call_id.as_ptr() as usize - raw.as_ptr() as usize + start;
            (id, id + q.call_id.len(), q.state, q.seq)
        });
        out.push(ScannedLine {
            start,
            end,
            blank,
            quick,
        });
        start = end + 1;
    }
    out
}

/// Whether a line is blank, and its head when the fast scan proves it.
fn scan_line(raw: &[u8]) -> (bool, Option<QuickHead<'_>>) {
    let blank = raw.iter().all(u8::is_ascii_whitespace);
    (blank, if blank { None } else { quick_head_bytes(raw) })
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
    tail: Vec<u8>,
    /// Where in the block being folded the hot call's newest line is, not
    /// yet copied: a run of lines of one call copies only its last winner.
    pending: Option<(usize, usize)>,
}

impl Replayer {
    /// An empty replay.
    pub fn new() -> Replayer {
        Replayer::default()
    }

    /// Feeds the next line, without its `\n`.
    pub fn push_line(&mut self, raw: &[u8]) {
        let (blank, quick) = scan_line(raw);
        self.push_scanned(raw, blank, quick, None);
    }

    /// Folds a block of whole lines that [`scan_block`] scanned (`lines`
    /// must be its answer for this very `block`), after everything fed
    /// before. Bytes after the block's last `\n` are not fed.
    pub fn push_block(&mut self, block: &[u8], lines: &[ScannedLine]) {
        for line in lines {
            let raw = &block[line.start..line.end];
            let quick = line.quick.and_then(|(from, to, state, seq)| {
                Some(QuickHead {
                    call_id: std::str::from_utf8(block.get(from..to)?).ok()?,
                    state,
                    seq,
                })
            });
            self.push_scanned(raw, line.blank, quick, Some((block, line.start)));
        }
        self.settle(block);
    }

    /// One line, its scan done; `block` is the block it lies in, and where.
    fn push_scanned(
        &mut self,
        raw: &[u8],
        blank: bool,
        quick: Option<QuickHead<'_>>,
        block: Option<(&[u8], usize)>,
    ) {
        self.line_no += 1;
        let start = self.offset;
        self.offset += raw.len() + 1;
        if self.exact_needed || blank {
            return;
        }
        self.lines += 1;
        if let Some(q) = quick {
            return self.fold(q.call_id, q.state, q.seq, raw, start, block);
        }
        match head(raw) {
            Ok(h) => self.fold(&h.call_id, h.state, h.seq, raw, start, block),
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
                    let block = block.map(|(b, at)| (b, at + i));
                    self.fold(&h.call_id, h.state, h.seq, &raw[i..], start, block);
                }
            }
        }
    }

    /// Copies the hot call's newest line out of `block` before the block
    /// goes away or the call stops being hot.
    fn settle(&mut self, block: &[u8]) {
        if let (Some((from, to)), Some((_, newest))) = (self.pending.take(), self.hot.as_mut()) {
            newest.raw.clear();
            newest.raw.extend_from_slice(&block[from..to]);
        }
    }

    /// Feeds the next piece of a file read in chunks of any size: lines
    /// are cut at `\n`, a line split across chunks is held until its end
    /// arrives. End with [`Replayer::finish_stream`].
    pub fn push_chunk(&mut self, chunk: &[u8]) {
        let mut from = 0;
        if !self.tail.is_empty() {
            let Some(nl) = memchr::memchr(b'\n', chunk) else {
                return self.tail.extend_from_slice(chunk);
            };
            let mut line = std::mem::take(&mut self.tail);
            line.extend_from_slice(&chunk[..nl]);
            self.push_line(&line);
            line.clear();
            self.tail = line;
            from = nl + 1;
        }
        let whole = memchr::memrchr(b'\n', &chunk[from..]).map_or(from, |nl| from + nl + 1);
        let block = &chunk[from..whole];
        self.push_block(block, &scan_block(block));
        self.tail.extend_from_slice(&chunk[whole..]);
    }

    /// [`Replayer::finish`] for a file fed by [`Replayer::push_chunk`]: the
    /// bytes after the last newline are its last line, torn when not empty.
    pub fn finish_stream(mut self) -> Result<Replay, NeedsExactReplay> {
        let tail = std::mem::take(&mut self.tail);
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
        block: Option<(&[u8], usize)>,
    ) {
        let key = (seq.or(self.max_seq).unwrap_or(0), self.line_no);
        if let Some(seq) = seq {
            self.max_seq = Some(self.max_seq.map_or(seq, |m| m.max(seq)));
        }
        // OpenClaw writes a call's lines in runs: the call of the previous
        // line is held outside the map, so a run costs one lookup.
        if !matches!(&self.hot, Some((id, _)) if id == call_id) {
            if let Some((b, _)) = block {
                self.settle(b);
            }
            if let Some((id, newest)) = self.hot.take() {
                self.calls.insert(id, newest);
            }
            match self.calls.remove_entry(call_id) {
                Some(entry) => self.hot = Some(entry),
                None => {
                    let mut newest = Newest {
                        state,
                        key,
                        highest: key,
                        raw: Vec::new(),
                    };
                    self.pending = keep_raw(&mut newest, raw, block);
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
            self.pending = keep_raw(newest, raw, block);
        }
    }

    /// The replayed state; `torn_tail` says whether the file's last byte is
    /// not a newline (its last line is then reported as torn).
    pub fn finish(self, torn_tail: bool) -> Result<Replay, NeedsExactReplay> {
        self.finish_with(torn_tail, |raws| {
            raws.iter().map(|r| parse_record(r)).collect()
        })
    }

    /// [`Replayer::finish`], with the newest line of every call parsed by
    /// `parse_all`, which must answer [`parse_record`] for each of them, in
    /// order (a caller with threads may split the work).
    pub fn finish_with(
        mut self,
        torn_tail: bool,
        parse_all: impl FnOnce(&[&[u8]]) -> Vec<Option<CallRecord>>,
    ) -> Result<Replay, NeedsExactReplay> {
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
        let (ids, newest): (Vec<String>, Vec<Newest>) =
            std::mem::take(&mut self.calls).into_iter().unzip();
        let raws: Vec<&[u8]> = newest.iter().map(|n| n.raw.as_slice()).collect();
        let parsed = parse_all(&raws);
        if parsed.len() != raws.len() {
            return Err(NeedsExactReplay);
        }
        // Ids come out of the map sorted: the map is built in one go.
        out.records = ids
            .into_iter()
            .zip(parsed)
            .map(|(id, record)| record.map(|r| (id, r)))
            .collect::<Option<_>>()
            .ok_or(NeedsExactReplay)?;
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

/// Makes `raw` the newest line of the hot call `newest`: a line of a block
/// is only noted (the answer goes to [`Replayer::pending`], and
/// [`Replayer::settle`] copies it), any other line copied now.
fn keep_raw(
    newest: &mut Newest,
    raw: &[u8],
    block: Option<(&[u8], usize)>,
) -> Option<(usize, usize)> {
    match block {
        Some((_, at)) => Some((at, at + raw.len())),
        None => {
            newest.raw.clear();
            newest.raw.extend_from_slice(raw);
            None
        }
    }
}

/// A call's newest line as a full record; `None` sends the whole file to
/// the exact replay.
pub fn parse_record(raw: &[u8]) -> Option<CallRecord> {
    serde_json::from_slice(raw).ok()
}

pub(super) fn head(raw: &[u8]) -> Result<Head<'_>, SkipReason> {
    std::str::from_utf8(raw).map_err(|_| SkipReason::NotUtf8)?;
    serde_json::from_slice(raw).map_err(|e| classify(&e))
}
