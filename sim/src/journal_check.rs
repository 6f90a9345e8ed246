//! `callproof journal check`: what a journal would do to capacity after a
//! restart, in terms an operator can act on.

use callproof_core::journal::{replay, Replay, Skipped};
use callproof_core::record::CallRecord;
use std::fmt::Write as _;

/// What to judge a journal against.
#[derive(Debug, Clone, Copy)]
pub struct CheckSettings {
    /// Wall-clock time of the check, ms since the epoch.
    pub now_ms: u64,
    /// `maxDurationSeconds` of the gateway, in ms.
    pub max_duration_ms: u64,
    /// `maxConcurrentCalls` of the gateway.
    pub max_concurrent_calls: usize,
}

/// A call that would count against capacity after a restart.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    /// The record.
    pub record: CallRecord,
    /// Time since `startedAt`, ms.
    pub age_ms: u64,
    /// Older than any call can live: a phantom that would block capacity.
    pub stale: bool,
}

/// The result of a check.
#[derive(Debug, Clone)]
pub struct JournalCheck {
    /// Calls counted after a restart, oldest first.
    pub counted: Vec<Counted>,
    /// Lines replay could not use.
    pub skipped: Vec<Skipped>,
    /// Calls in the journal.
    pub calls: usize,
    /// Non-empty lines.
    pub lines: usize,
    /// The settings used.
    pub settings: CheckSettings,
}

impl JournalCheck {
    /// Checks a journal's bytes.
    pub fn run(bytes: &[u8], settings: CheckSettings) -> JournalCheck {
        JournalCheck::from_replay(replay(bytes), settings)
    }

    /// Checks a journal file, read in stripes on two threads: memory grows
    /// with its calls, not its length (the exact replay, needed only for a
    /// file whose lines are out of sequence order, reads it whole).
    pub fn read(path: &std::path::Path, settings: CheckSettings) -> std::io::Result<JournalCheck> {
        let replay = crate::journal_read::replay_file(path)?;
        Ok(JournalCheck::from_replay(replay, settings))
    }

    /// Judges a replayed journal.
    pub fn from_replay(replay: Replay, settings: CheckSettings) -> JournalCheck {
        let mut counted: Vec<Counted> = replay
            .live()
            .map(|record| {
                let age_ms = settings.now_ms.saturating_sub(record.started_at);
                Counted {
                    record: record.clone(),
                    age_ms,
                    stale: age_ms > settings.max_duration_ms,
                }
            })
            .collect();
        counted.sort_by_key(|c| std::cmp::Reverse(c.age_ms));
        JournalCheck {
            counted,
            skipped: replay.skipped,
            calls: replay.records.len(),
            lines: replay.lines,
            settings,
        }
    }

    /// Stale calls: counted, yet older than max duration.
    pub fn stale(&self) -> usize {
        self.counted.iter().filter(|c| c.stale).count()
    }

    /// Whether stale calls would hold capacity after a restart (exit status 1).
    pub fn blocks_capacity(&self) -> bool {
        self.stale() > 0
    }

    /// Whether the file has lines but not one call record among them (a
    /// wrong file, not a journal: exit status 2).
    pub fn not_a_journal(&self) -> bool {
        self.lines > 0 && self.calls == 0
    }

    /// The human report.
    pub fn render(&self, path: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "journal {path}: {} lines, {} calls",
            self.lines, self.calls
        );
        let _ = writeln!(out);
        if self.counted.is_empty() {
            let _ = writeln!(out, "No call would count against capacity after a restart.");
        } else {
            let _ = writeln!(
                out,
                "Calls that would count against capacity after a restart:"
            );
            let _ = writeln!(
                out,
                "  {:<38} {:<36} {:<10} {:>10}  PROVIDER",
                "CALL ID", "PROVIDER ID", "STATE", "AGE"
            );
            for c in &self.counted {
                let r = &c.record;
                let _ = writeln!(
                    out,
                    "  {:<38} {:<36} {:<10} {:>10}  {:<8} {}",
                    r.call_id,
                    r.provider_call_id.as_deref().unwrap_or("(none yet)"),
                    r.state.as_str(),
                    age(c.age_ms),
                    r.provider,
                    if c.stale { "STALE" } else { "" }
                );
            }
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "Lines skipped:");
            for s in &self.skipped {
                let _ = writeln!(out, "  line {}: {}", s.line, s.reason);
            }
        }
        let _ = writeln!(out);
        let stale = self.stale();
        let max_secs = self.settings.max_duration_ms / 1000;
        if self.not_a_journal() {
            let _ = writeln!(
                out,
                "Verdict: not a call journal? None of its {} line(s) is a call record.",
                self.lines
            );
        } else if stale > 0 {
            let _ = writeln!(
                out,
                "Verdict: BLOCKED. {stale} stale call(s), older than maxDurationSeconds ({max_secs} s), would hold {} of {} capacity slot(s) forever in a gateway that reloads non-terminal records (OpenClaw #6721).",
                stale.min(self.settings.max_concurrent_calls),
                self.settings.max_concurrent_calls
            );
            let _ = writeln!(out, "Fix: callproof's manager asks the provider about each one on restart and ends it. To unblock a running OpenClaw now, append a terminal line per stale call, e.g.:");
            for c in self.counted.iter().filter(|c| c.stale).take(3) {
                let mut ended = c.record.clone();
                ended.state = callproof_core::state::CallState::Timeout;
                ended.end_reason = Some(callproof_core::state::CallState::Timeout);
                ended.ended_at = Some(self.settings.now_ms);
                let _ = writeln!(
                    out,
                    "  {}",
                    serde_json::to_string(&ended).unwrap_or_default()
                );
            }
        } else if self.counted.is_empty() {
            let _ = writeln!(out, "Verdict: OK. Capacity is free after a restart.");
        } else {
            let _ = writeln!(
                out,
                "Verdict: OK. {} call(s) may still be live (younger than {max_secs} s); a restart must ask the provider about them.",
                self.counted.len()
            );
        }
        out
    }
}

/// `3d 4h`, `12m 5s`, `40s`.
fn age(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3_599 => format!("{}m {}s", s / 60, s % 60),
        3_600..=86_399 => format!("{}h {}m", s / 3_600, (s % 3_600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3_600),
    }
}
