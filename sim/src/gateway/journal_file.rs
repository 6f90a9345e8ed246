//! The journal file on whatever disk the seam gives: append then fsync, and
//! compaction by checkpoint-and-rename that survives power loss at any byte.
//!
//! Compaction, in order: write the checkpoint to a file beside the journal,
//! fsync it, rename it over the journal, fsync the directory. Opening
//! recovers from a crash at every step:
//!
//! - the checkpoint file still exists: the rename never became durable, so
//!   the journal is the old one, complete; the checkpoint (perhaps torn) is
//!   removed;
//! - no checkpoint file: the journal is either the old file or the new one,
//!   and both are complete (the new one was fsynced before the rename).
//!
//! No append happens during a compaction (the driver runs it between
//! outputs), so the checkpoint never misses a line.

use super::io::{checkpoint_path, journal_path, Io};
use std::io;
use std::path::{Path, PathBuf};

/// Where a compaction is: the harness crashes the simulated gateway at each
/// of these to prove recovery handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CompactionStep {
    /// The checkpoint is written and being fsynced.
    SyncingCheckpoint,
    /// The rename is done and the directory is being fsynced.
    SyncingDirectory,
}

/// An open journal.
pub struct JournalFile<I: Io> {
    io: I,
    dir: PathBuf,
    file: I::File,
    /// Bytes in the file (what was read at open plus every append).
    len: u64,
    /// Bytes the last checkpoint had (0 before the first).
    checkpoint_len: u64,
}

impl<I: Io> JournalFile<I> {
    /// Opens the journal in `dir` (creating both, entries made durable),
    /// first finishing or undoing an interrupted compaction, and returns its
    /// current bytes.
    pub async fn open(io: I, dir: &Path) -> io::Result<(JournalFile<I>, Vec<u8>)> {
        io.create_dir(dir)?;
        let path = journal_path(dir);
        let checkpoint = checkpoint_path(dir);
        if io.read(&checkpoint)?.is_some() {
            io.remove(&checkpoint)?;
            io.sync_dir(dir).await?;
        }
        let existing = io.read(&path)?;
        let file = io.open_append(&path)?;
        if existing.is_none() {
            io.sync(&file).await?;
            io.sync_dir(dir).await?;
        }
        let bytes = existing.unwrap_or_default();
        let journal = JournalFile {
            io,
            dir: dir.to_owned(),
            file,
            len: bytes.len() as u64,
            checkpoint_len: 0,
        };
        Ok((journal, bytes))
    }

    /// Appends `bytes` and makes them durable.
    pub async fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.io.write(&mut self.file, bytes)?;
        self.len += bytes.len() as u64;
        self.io.sync(&self.file).await
    }

    /// Bytes in the file now.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the file has grown past `bound` and to twice what its last
    /// checkpoint held (so a journal whose live state alone exceeds the bound
    /// is not rewritten after every line).
    pub fn wants_compaction(&self, bound: u64) -> bool {
        self.len > bound && self.len > self.checkpoint_len.saturating_mul(2)
    }

    /// Replaces the journal with `checkpoint`, crash-safely (see the module
    /// docs). `at` is told each step as it begins.
    ///
    /// An error before the rename leaves the old journal in use, intact
    /// ([`CompactionError::Before`]); one after it means the open file may no
    /// longer be the journal and the caller must reopen
    /// ([`CompactionError::After`]).
    pub async fn compact(
        &mut self,
        checkpoint: &[u8],
        mut at: impl FnMut(CompactionStep),
    ) -> Result<(), CompactionError> {
        let path = journal_path(&self.dir);
        let tmp = checkpoint_path(&self.dir);
        let written = async {
            let mut file = self.io.create(&tmp)?;
            self.io.write(&mut file, checkpoint)?;
            at(CompactionStep::SyncingCheckpoint);
            self.io.sync(&file).await
        }
        .await;
        if let Err(e) = written {
            // Best effort: a stray checkpoint is removed at the next open
            // anyway. The removal is synced now, so it cannot be applied
            // after a later checkpoint of the same name is created (turmoil's
            // file system replays directory changes by path: an unsynced
            // removal flushed with the next compaction's rename emptied that
            // checkpoint; plivo seed 33 lost every record that way).
            let _ = self.io.remove(&tmp);
            let _ = self.io.sync_dir(&self.dir).await;
            return Err(CompactionError::Before(e));
        }
        self.io
            .rename(&tmp, &path)
            .map_err(CompactionError::Before)?;
        at(CompactionStep::SyncingDirectory);
        self.io
            .sync_dir(&self.dir)
            .await
            .map_err(CompactionError::After)?;
        self.file = self.io.open_append(&path).map_err(CompactionError::After)?;
        self.len = checkpoint.len() as u64;
        self.checkpoint_len = self.len;
        Ok(())
    }
}

/// A compaction that did not finish.
#[derive(Debug)]
pub enum CompactionError {
    /// Failed before the rename: the old journal is still the one in use.
    Before(io::Error),
    /// Failed after the rename: reopen the journal before appending.
    After(io::Error),
}

impl std::fmt::Display for CompactionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompactionError::Before(e) => write!(f, "compaction failed, old journal kept: {e}"),
            CompactionError::After(e) => write!(f, "compaction failed after the rename: {e}"),
        }
    }
}

impl std::error::Error for CompactionError {}
