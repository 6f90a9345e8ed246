//! The driver's one seam to the world: TCP, the journal's directory and the
//! clock. The simulator plugs in turmoil ([`SimIo`]); `callproof gateway`
//! plugs in tokio's TCP, `std::fs` with real fsync and the system clock
//! ([`RealIo`]). Everything else in the driver is the same code for both,
//! so what the simulator proves is what the process runs.
//!
//! The file operations are the few a crash-safe journal needs, in POSIX
//! terms: append, fsync a file, write a new file, rename it over another,
//! fsync a directory so the rename itself survives power loss.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// What the gateway driver needs from its host. Cheap to clone: request
/// tasks take their own copy.
pub trait Io: Clone + 'static {
    /// A connected TCP stream.
    type Stream: AsyncRead + AsyncWrite + Unpin + 'static;
    /// A bound TCP listener.
    type Listener: 'static;
    /// An open journal file.
    type File: 'static;

    /// Now, ms since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Waits `duration` on this host's clock.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + 'static;
    /// Connects to `host:port`.
    fn connect(&self, host: &str, port: u16) -> impl Future<Output = io::Result<Self::Stream>>;
    /// Listens on `port` (the simulator's host address, or 127.0.0.1).
    fn listen(&self, port: u16) -> impl Future<Output = io::Result<Self::Listener>>;
    /// The next connection on `listener`.
    fn accept(listener: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>>;

    /// Creates `dir` (and parents) with its entry made durable.
    fn create_dir(&self, dir: &Path) -> io::Result<()>;
    /// The file's bytes, `None` if it does not exist.
    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>>;
    /// Opens `path` for appending, creating it if needed.
    fn open_append(&self, path: &Path) -> io::Result<Self::File>;
    /// Creates (or truncates) `path` for writing.
    fn create(&self, path: &Path) -> io::Result<Self::File>;
    /// Writes all of `bytes` at the file's end (not yet durable).
    fn write(&self, file: &mut Self::File, bytes: &[u8]) -> io::Result<()>;
    /// Makes the file's data durable.
    fn sync(&self, file: &Self::File) -> impl Future<Output = io::Result<()>>;
    /// Renames `from` over `to` (atomic; durable once the directory is synced).
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a file (durable once the directory is synced).
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// Makes `dir`'s entries (creations, renames, removals) durable.
    fn sync_dir(&self, dir: &Path) -> impl Future<Output = io::Result<()>>;
}

/// The real host: tokio TCP on 127.0.0.1, `std::fs` with `fsync`, the
/// system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealIo;

impl Io for RealIo {
    type Stream = tokio::net::TcpStream;
    type Listener = tokio::net::TcpListener;
    type File = std::fs::File;

    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + 'static {
        tokio::time::sleep(duration)
    }

    fn connect(&self, host: &str, port: u16) -> impl Future<Output = io::Result<Self::Stream>> {
        let host = host.to_owned();
        async move { tokio::net::TcpStream::connect((host.as_str(), port)).await }
    }

    fn listen(&self, port: u16) -> impl Future<Output = io::Result<Self::Listener>> {
        tokio::net::TcpListener::bind(("127.0.0.1", port))
    }

    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        listener.accept().await.map(|(stream, _)| stream)
    }

    fn create_dir(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)?.sync_all()?;
        }
        Ok(())
    }

    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn open_append(&self, path: &Path) -> io::Result<Self::File> {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    }

    fn create(&self, path: &Path) -> io::Result<Self::File> {
        std::fs::File::create(path)
    }

    fn write(&self, file: &mut Self::File, bytes: &[u8]) -> io::Result<()> {
        std::io::Write::write_all(file, bytes)
    }

    async fn sync(&self, file: &Self::File) -> io::Result<()> {
        file.sync_data()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    async fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        std::fs::File::open(dir)?.sync_all()
    }
}

/// Where a store directory's journal lives.
pub fn journal_path(dir: &Path) -> PathBuf {
    dir.join("calls.jsonl")
}

/// Where a compaction writes its checkpoint before renaming it over the
/// journal.
pub fn checkpoint_path(dir: &Path) -> PathBuf {
    dir.join("calls.jsonl.compacting")
}
