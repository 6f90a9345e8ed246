//! The recorded webhooks under `fixtures/webhooks/<provider>/*.http`, loaded
//! from disk. The format and its parser are `callproof_core::recording`.

pub use callproof_core::recording::{parse, OwnedWebhook, RecordingError, RecordingErrorKind};
use std::path::{Path, PathBuf};

/// One recording file.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The file name without `.http`, used as the snapshot key.
    pub name: String,
    /// The request it holds.
    pub webhook: OwnedWebhook,
}

/// The `fixtures/` directory: `CALLPROOF_FIXTURES` if set, else the one next
/// to this crate in the source tree.
pub fn fixtures_root() -> PathBuf {
    match std::env::var_os("CALLPROOF_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"),
    }
}

/// Every recording of one provider, sorted by file name.
pub fn load_provider(dir_name: &str) -> Result<Vec<Recording>, RecordingError> {
    load_dir(&fixtures_root().join("webhooks").join(dir_name))
}

/// Every `*.http` file in `dir`, sorted by file name; an empty directory is an
/// error, because a provider without recordings has proved nothing.
pub fn load_dir(dir: &Path) -> Result<Vec<Recording>, RecordingError> {
    let io = |e: std::io::Error| RecordingError {
        path: dir.to_path_buf(),
        line: None,
        kind: RecordingErrorKind::Io(e.to_string()),
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|ext| ext == "http") {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(RecordingError {
            path: dir.to_path_buf(),
            line: None,
            kind: RecordingErrorKind::NoRecordings,
        });
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).map_err(|e| RecordingError {
                path: path.clone(),
                line: None,
                kind: RecordingErrorKind::Io(e.to_string()),
            })?;
            let webhook = parse(&path, &bytes)?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Recording { name, webhook })
        })
        .collect()
}

#[cfg(test)]
mod tests;
