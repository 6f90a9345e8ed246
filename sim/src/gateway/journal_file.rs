//! The journal on turmoil's simulated file system: append, then fsync, with a
//! little simulated fsync latency so a crash can land between the two and
//! tear the write (turmoil keeps a random prefix of unsynced blocks).
//!
//! The harness can make the disk misbehave through [`Disk`]: refuse writes
//! (a full or failing disk) or stop completing fsyncs (a stalled disk).

use crate::clock::now_ms;
use std::cell::Cell;
use std::io::Write;
use std::time::Duration;
use turmoil::fs::shim::std::fs;

/// Where the gateway keeps its journal.
pub const DIR: &str = "/data";
/// The journal file.
pub const PATH: &str = "/data/calls.jsonl";
/// Simulated time an fsync takes.
const FSYNC_LATENCY: Duration = Duration::from_millis(3);

/// Disk faults the harness injects (ms since the epoch; 0 = none).
#[derive(Debug, Default)]
pub struct Disk {
    /// Writes fail ("no space left on device") until then.
    pub full_until: Cell<u64>,
    /// Fsyncs do not complete until then.
    pub stalled_until: Cell<u64>,
}

/// An open journal.
pub struct JournalFile {
    file: fs::File,
}

impl JournalFile {
    /// Opens (creating, with its directory entry made durable) the journal and
    /// returns its current bytes.
    pub fn open() -> std::io::Result<(JournalFile, Vec<u8>)> {
        fs::create_dir_all(DIR)?;
        fs::sync_dir("/")?;
        let existed = fs::exists(PATH);
        let bytes = if existed { fs::read(PATH)? } else { Vec::new() };
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(PATH)?;
        if !existed {
            file.sync_all()?;
            fs::sync_dir(DIR)?;
        }
        Ok((JournalFile { file }, bytes))
    }

    /// Appends `bytes` and makes them durable.
    pub async fn append(&mut self, bytes: &[u8], disk: &Disk) -> std::io::Result<()> {
        if now_ms() < disk.full_until.get() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "no space left on device",
            ));
        }
        self.file.write_all(bytes)?;
        let stalled = disk.stalled_until.get().saturating_sub(now_ms());
        tokio::time::sleep(FSYNC_LATENCY + Duration::from_millis(stalled)).await;
        self.file.sync_all()
    }
}
