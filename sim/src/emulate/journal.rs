//! The request and webhook journals: what the server was asked and what it
//! sent, in order, each entry numbered. Bounded: past the cap the oldest
//! entries go (their numbers are never reused), so a long run or a benchmark
//! cannot exhaust memory.

use std::collections::VecDeque;

/// Entries kept per journal.
pub const JOURNAL_CAP: usize = 20_000;
/// Bodies are kept up to this many bytes.
pub const BODY_KEPT: usize = 4_096;

/// A bounded, numbered log.
#[derive(Debug, Clone)]
pub struct Journal<T> {
    entries: VecDeque<(u64, T)>,
    next_seq: u64,
}

impl<T> Default for Journal<T> {
    fn default() -> Self {
        Journal {
            entries: VecDeque::new(),
            next_seq: 1,
        }
    }
}

impl<T> Journal<T> {
    /// Appends `entry`; its sequence number.
    pub fn push(&mut self, entry: T) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == JOURNAL_CAP {
            self.entries.pop_front();
        }
        self.entries.push_back((seq, entry));
        seq
    }

    /// The entries numbered above `since`, oldest first.
    pub fn since(&self, since: u64) -> impl Iterator<Item = (u64, &T)> {
        self.entries
            .iter()
            .filter(move |(seq, _)| *seq > since)
            .map(|(seq, e)| (*seq, e))
    }
}

/// A body as text for the journal: lossy UTF-8, cut at [`BODY_KEPT`].
pub fn body_text(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_KEPT)];
    String::from_utf8_lossy(cut).into_owned()
}

/// One REST request and what it got.
#[derive(Debug, Clone)]
pub struct RequestEntry {
    /// When (ms since the epoch, the server's clock).
    pub at_ms: u64,
    /// Which provider's API.
    pub provider: &'static str,
    /// The method.
    pub method: String,
    /// The path and query.
    pub path: String,
    /// What it asked for (`create`, …, `invalid`).
    pub operation: &'static str,
    /// The call it named or created.
    pub provider_call_id: Option<String>,
    /// The status answered (0 when the connection was reset before one).
    pub status: u16,
    /// The fault that hit it.
    pub fault: Option<String>,
    /// Whether the provider carried it out.
    pub applied: bool,
    /// What was sent.
    pub request_body: String,
    /// What was answered (empty when the reply was lost).
    pub response_body: String,
}

/// One attempt to deliver a callback.
#[derive(Debug, Clone)]
pub struct DeliveryEntry {
    /// When.
    pub at_ms: u64,
    /// Which provider sent it.
    pub provider: &'static str,
    /// The call it is about.
    pub provider_call_id: String,
    /// `initiated`, `ringing`, `answered`, `ended`.
    pub kind: &'static str,
    /// The URL it was signed over (the gateway's public URL).
    pub url: String,
    /// Where it was really sent, after the URL map.
    pub sent_to: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// A second copy (a duplicate or a redelivery).
    pub duplicate: bool,
    /// Sent after a later callback of the same call.
    pub late: bool,
    /// `delivered`, `http_error`, `connect_error`, `timeout`, `dropped`.
    pub outcome: &'static str,
    /// The gateway's status, if it answered.
    pub status: Option<u16>,
    /// What the gateway's answer said (`accept`, `reject`, `hangup`).
    pub answer: Option<&'static str>,
    /// The gateway's response body.
    pub response_body: String,
}
