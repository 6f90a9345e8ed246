//! Replaying a journal file on two threads, for a restart and for
//! `callproof journal check`.
//!
//! The file is cut into stripes of fixed size. Two workers read alternate
//! stripes with positioned reads (so both cores copy from the page cache)
//! and scan each for its lines' heads ([`journal::scan_block`]); this
//! thread folds the stripes in file order ([`Replayer::push_block`]) while
//! the workers go on, then the newest line of every call is parsed on two
//! threads. A stripe owns the lines that *start* in it, so every line is
//! folded exactly once whatever the stripe size, and the answer is the one
//! [`journal::replay`] gives for the same bytes (a test holds the two
//! together on cuts as small as one byte). Memory is a few stripes plus one
//! line per call, whatever the history's length.

use callproof_core::journal::{self, Replay, Replayer, ScannedLine};
use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::path::Path;
use std::sync::mpsc;

/// Bytes per stripe: large enough that a stripe costs far more than its
/// hand-over, small enough that a handful in flight are a few MB.
const STRIPE: usize = 4 << 20;

/// Stripes one worker has in hand at most: one being read, one waiting to
/// be folded, one being folded.
const BUFFERS_PER_WORKER: usize = 3;

/// Replays the journal at `path`.
pub fn replay_file(path: &Path) -> std::io::Result<Replay> {
    replay_striped(path, STRIPE)
}

/// [`replay_file`] with stripes of `stripe` bytes (at least one).
pub fn replay_striped(path: &Path, stripe: usize) -> std::io::Result<Replay> {
    let stripe = stripe.max(1);
    let file = File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
    let count = len.div_ceil(stripe);
    let folded = std::thread::scope(|s| -> std::io::Result<_> {
        let mut from_workers = Vec::new();
        let mut to_workers = Vec::new();
        for worker in 0..2 {
            let (done_tx, done_rx) = mpsc::sync_channel::<std::io::Result<Stripe>>(1);
            let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
            let file = &file;
            s.spawn(move || {
                // Buffers come back once folded: a fresh one costs the
                // kernel a page clearing per 4 KiB, a recycled one nothing.
                let mut made = 0;
                for index in (worker..count).step_by(2) {
                    let buf = match spare_rx.try_recv() {
                        Ok(buf) => buf,
                        Err(_) if made < BUFFERS_PER_WORKER => {
                            made += 1;
                            Vec::new()
                        }
                        Err(_) => spare_rx.recv().unwrap_or_default(),
                    };
                    let scanned = read_stripe(file, index, stripe, buf);
                    let failed = scanned.is_err();
                    if done_tx.send(scanned).is_err() || failed {
                        return;
                    }
                }
            });
            from_workers.push(done_rx);
            to_workers.push(spare_tx);
        }
        let mut replayer = Replayer::new();
        let mut tail = Vec::new();
        for index in 0..count {
            let got = from_workers[index % 2]
                .recv()
                .map_err(|_| std::io::Error::other("a journal reader thread stopped"))??;
            let block = &got.buf[got.lines_from..got.lines_to];
            replayer.push_block(block, &got.lines);
            if let Some(file_end) = got.ends_file {
                tail = got.buf[got.lines_to..file_end].to_vec();
            }
            // The worker may be done already; then the buffer just goes.
            let _ = to_workers[index % 2].send(got.buf);
        }
        Ok((replayer, tail))
    })?;
    let (mut replayer, tail) = folded;
    replayer.push_line(&tail);
    match replayer.finish_with(!tail.is_empty(), parse_on_two_threads) {
        Ok(replay) => Ok(replay),
        Err(journal::NeedsExactReplay) => Ok(journal::replay_exact(&std::fs::read(path)?)),
    }
}

/// One stripe read and scanned.
struct Stripe {
    buf: Vec<u8>,
    /// `buf[lines_from..lines_to]` are the whole lines that start in the
    /// stripe, each with its `\n`; `lines` their scan.
    lines_from: usize,
    lines_to: usize,
    lines: Vec<ScannedLine>,
    /// The stripe's last line runs to the end of the file, which is at
    /// this index: the bytes from `lines_to` are a last line without a
    /// newline (none when the file ends in one).
    ends_file: Option<usize>,
}

/// Reads the lines that start in stripe `index` (bytes `index * stripe`
/// up to the next stripe) and the rest of its last line, then scans them.
fn read_stripe(
    file: &File,
    index: usize,
    stripe: usize,
    mut buf: Vec<u8>,
) -> std::io::Result<Stripe> {
    let base = index * stripe;
    // From one byte early: a line starts at `base` when that byte is `\n`.
    let at = base.saturating_sub(1);
    let end = base + stripe - at;
    let mut len = read_at_most(file, &mut buf, 0, at, end)?;
    let empty = |buf: Vec<u8>| Stripe {
        buf,
        lines_from: 0,
        lines_to: 0,
        lines: Vec::new(),
        ends_file: None,
    };
    let first = if index == 0 {
        0
    } else {
        // A `\n` at buffer index `j` starts a line at `base + j`, which is
        // this stripe's when `j < stripe`.
        match memchr::memchr(b'\n', &buf[..len.min(stripe)]) {
            Some(j) => j + 1,
            None => return Ok(empty(buf)),
        }
    };
    if first >= len {
        return Ok(empty(buf));
    }
    // The last line starting before the next stripe ends at the first `\n`
    // from the next stripe's first byte minus one.
    let mut search = end - 1;
    let lines_to = loop {
        if let Some(j) = memchr::memchr(b'\n', buf[..len].get(search..).unwrap_or(&[])) {
            break Some(search + j + 1);
        }
        search = len.max(search);
        let before = len;
        len = read_at_most(file, &mut buf, len, at + len, 1 << 16)?;
        if len == before {
            break None;
        }
    };
    let (lines_to, ends_file) = match lines_to {
        Some(to) => (to, None),
        None => {
            let to = memchr::memrchr(b'\n', &buf[first..len]).map_or(first, |j| first + j + 1);
            (to, Some(len))
        }
    };
    let lines = journal::scan_block(&buf[first..lines_to]);
    Ok(Stripe {
        buf,
        lines_from: first,
        lines_to,
        lines,
        ends_file,
    })
}

/// Reads up to `want` bytes of `file` from offset `at` into `buf` after
/// its first `filled` bytes; fewer only at the end of the file. Returns
/// the new count of valid bytes. `buf` only grows (a recycled buffer is
/// not zeroed again), so bytes past the count are stale.
fn read_at_most(
    file: &File,
    buf: &mut Vec<u8>,
    filled: usize,
    at: usize,
    want: usize,
) -> std::io::Result<usize> {
    if buf.len() < filled + want {
        buf.resize(filled + want, 0);
    }
    let mut got = 0;
    while got < want {
        match file.read_at(&mut buf[filled + got..filled + want], (at + got) as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled + got)
}

/// The final parse, half on another thread.
fn parse_on_two_threads(raws: &[&[u8]]) -> Vec<Option<callproof_core::record::CallRecord>> {
    let (first, second) = raws.split_at(raws.len() / 2);
    let parse = |part: &[&[u8]]| part.iter().map(|r| journal::parse_record(r)).collect();
    std::thread::scope(|s| {
        let later = s.spawn(|| parse(second));
        let mut all: Vec<_> = parse(first);
        // A panic in the other half (none is expected: parsing returns
        // `None` for bad input) leaves it unparsed and the file goes to the
        // exact replay.
        all.extend(later.join().unwrap_or_else(|_| vec![None; second.len()]));
        all
    })
}

#[cfg(test)]
#[path = "journal_read_tests.rs"]
mod tests;
