//! The simulator's side of the seam: turmoil's TCP, turmoil's file system
//! (unsynced writes torn at a crash, renames lost until the directory is
//! synced) and turmoil's clock.
//!
//! An fsync takes a little simulated time so a crash can land between a
//! write and its sync. The harness can make the disk misbehave through
//! [`Disk`]: refuse writes (a full or failing disk) or stop completing
//! fsyncs (a stalled disk).

use super::io::Io;
use crate::clock::now_ms;
use std::cell::Cell;
use std::future::Future;
use std::io;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;
use turmoil::fs::shim::std::fs;

/// Simulated time an fsync of a file takes, plus [`FSYNC_US_PER_BYTE`] for
/// each byte written since the last one (a checkpoint takes longer than a
/// line).
const FSYNC_LATENCY: Duration = Duration::from_millis(3);
/// Microseconds of fsync per unsynced byte (1 MB/s).
const FSYNC_US_PER_BYTE: u64 = 1;
/// Simulated time a directory fsync takes.
const DIR_FSYNC_LATENCY: Duration = Duration::from_millis(12);

/// Disk faults the harness injects (ms since the epoch; 0 = none).
#[derive(Debug, Default)]
pub struct Disk {
    /// Writes fail ("no space left on device") until then.
    pub full_until: Cell<u64>,
    /// Fsyncs do not complete until then.
    pub stalled_until: Cell<u64>,
    /// Bytes written since the last fsync (they make the next one slower).
    pub unsynced_bytes: Cell<u64>,
}

/// turmoil behind the seam, with the harness's disk faults.
#[derive(Debug, Clone)]
pub struct SimIo {
    /// The disk's injected faults.
    pub disk: Rc<Disk>,
}

impl SimIo {
    fn sync_delay(&self, base: Duration) -> tokio::time::Sleep {
        let stalled = self.disk.stalled_until.get().saturating_sub(now_ms());
        let data = self.disk.unsynced_bytes.replace(0) * FSYNC_US_PER_BYTE;
        tokio::time::sleep(base + Duration::from_millis(stalled) + Duration::from_micros(data))
    }
}

impl Io for SimIo {
    type Stream = turmoil::net::TcpStream;
    type Listener = turmoil::net::TcpListener;
    type File = fs::File;

    fn now_ms(&self) -> u64 {
        now_ms()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + 'static {
        tokio::time::sleep(duration)
    }

    fn connect(&self, host: &str, port: u16) -> impl Future<Output = io::Result<Self::Stream>> {
        let host = host.to_owned();
        async move { turmoil::net::TcpStream::connect((host.as_str(), port)).await }
    }

    fn listen(&self, port: u16) -> impl Future<Output = io::Result<Self::Listener>> {
        turmoil::net::TcpListener::bind(("0.0.0.0", port))
    }

    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        listener.accept().await.map(|(stream, _)| stream)
    }

    fn create_dir(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        fs::sync_dir(dir.parent().unwrap_or(Path::new("/")))
    }

    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        if fs::exists(path) {
            fs::read(path).map(Some)
        } else {
            Ok(None)
        }
    }

    fn open_append(&self, path: &Path) -> io::Result<Self::File> {
        fs::OpenOptions::new().create(true).append(true).open(path)
    }

    fn create(&self, path: &Path) -> io::Result<Self::File> {
        fs::File::create(path)
    }

    fn write(&self, file: &mut Self::File, bytes: &[u8]) -> io::Result<()> {
        if now_ms() < self.disk.full_until.get() {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left on device",
            ));
        }
        self.disk
            .unsynced_bytes
            .set(self.disk.unsynced_bytes.get() + bytes.len() as u64);
        std::io::Write::write_all(file, bytes)
    }

    async fn sync(&self, file: &Self::File) -> io::Result<()> {
        self.sync_delay(FSYNC_LATENCY).await;
        file.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    async fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.sync_delay(DIR_FSYNC_LATENCY).await;
        fs::sync_dir(dir)
    }
}
