//! Journal compaction under power loss, on turmoil's file system (unsynced
//! writes torn or lost, renames lost until the directory is synced): the
//! gateway's own `JournalFile` through the same seam the simulator uses,
//! crashed at every millisecond of a compaction and the appends around it.
//! Whatever the crash point, the journal read back is the old file or the
//! checkpoint, followed by a prefix of the later appends: never a mix, never
//! a lost synced line.

use callproof_sim::gateway::journal_file::JournalFile;
use callproof_sim::gateway::sim_io::{Disk, SimIo};
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

const OLD: &[&str] = &["a1\n", "a2\n", "a3\n", "a4\n"];
const CHECKPOINT: &str = "c1\nc2\n";
const AFTER: &[&str] = &["b1\n", "b2\n", "b3\n"];

/// What the host saw: the bytes read at each boot, and the appends that
/// returned (durable) before the crash.
#[derive(Default)]
struct Seen {
    starts: u32,
    /// What the restart read.
    recovered: Option<Vec<u8>>,
    synced_old: usize,
    compacted: bool,
    synced_after: usize,
}

async fn host(seen: Rc<RefCell<Seen>>) -> turmoil::Result {
    let io = SimIo {
        disk: Rc::new(Disk::default()),
    };
    seen.borrow_mut().starts += 1;
    let first = seen.borrow().starts == 1;
    let (mut journal, bytes) = JournalFile::open(io, Path::new("/data")).await?;
    if !first {
        seen.borrow_mut().recovered = Some(bytes);
        return Ok(());
    }
    for line in OLD {
        journal.append(line.as_bytes()).await?;
        seen.borrow_mut().synced_old += 1;
    }
    journal.compact(CHECKPOINT.as_bytes(), |_| {}).await?;
    seen.borrow_mut().compacted = true;
    for line in AFTER {
        journal.append(line.as_bytes()).await?;
        seen.borrow_mut().synced_after += 1;
    }
    std::future::pending::<()>().await;
    Ok(())
}

/// Runs the host, crashes it after `crash_at` ms, restarts it, and returns
/// what it saw.
fn crash_at(crash_at: u64, seed: u64) -> Seen {
    let mut builder = turmoil::Builder::new();
    builder
        .rng_seed(seed)
        .tick_duration(Duration::from_millis(1))
        .simulation_duration(Duration::from_secs(10));
    builder.fs().block_size(2);
    let mut sim = builder.build();
    let seen = Rc::new(RefCell::new(Seen::default()));
    {
        let seen = seen.clone();
        sim.host("gateway", move || host(seen.clone()));
    }
    for _ in 0..crash_at {
        sim.step().expect("the host runs");
    }
    sim.crash("gateway");
    sim.bounce("gateway");
    for _ in 0..50 {
        sim.step().expect("the host runs");
    }
    let seen = std::mem::take(&mut *seen.borrow_mut());
    seen
}

/// Complete lines of `bytes` (a torn last line is dropped, as replay does).
fn lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    if lines.last().is_some_and(|l| !l.ends_with('\n')) {
        lines.pop();
    }
    lines
}

#[test]
fn a_crash_at_any_point_of_a_compaction_loses_no_synced_line_and_mixes_no_files() {
    let mut outcomes = std::collections::BTreeSet::new();
    for seed in 0..3 {
        for at in 1..60 {
            let seen = crash_at(at, seed);
            let recovered = seen.recovered.as_deref();
            let read = lines(
                recovered.unwrap_or_else(|| panic!("crash at {at} ms: the restart read nothing")),
            );
            let old: Vec<String> = OLD.iter().map(|s| s.to_string()).collect();
            let checkpoint = lines(CHECKPOINT.as_bytes());
            if read.starts_with(&checkpoint) {
                let after = &read[checkpoint.len()..];
                let expected: Vec<String> = AFTER[..after.len().min(AFTER.len())]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                assert_eq!(
                    after, expected,
                    "crash at {at} ms: appends after the checkpoint in order"
                );
                assert!(
                    after.len() >= seen.synced_after,
                    "crash at {at} ms: {} appends were synced after the compaction, {} survived",
                    seen.synced_after,
                    after.len()
                );
                outcomes.insert("checkpoint");
            } else {
                assert!(
                    !seen.compacted,
                    "crash at {at} ms: the compaction finished but the old journal came back: {read:?}"
                );
                assert!(
                    old.starts_with(&read),
                    "crash at {at} ms: a prefix of the old journal, got {read:?}"
                );
                assert!(
                    read.len() >= seen.synced_old,
                    "crash at {at} ms: {} lines were synced, {} survived",
                    seen.synced_old,
                    read.len()
                );
                outcomes.insert("old");
            }
        }
    }
    assert_eq!(
        outcomes.len(),
        2,
        "the crash points cover both sides of the rename: {outcomes:?}"
    );
}
