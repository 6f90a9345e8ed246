//! Raw recorded webhooks: the `.http` format of `fixtures/webhooks/`, read
//! from bytes (loading the files is the caller's business).
//!
//! A recording is the request exactly as the provider sent it, so the
//! signature inside it still checks out:
//!
//! ```text
//! POST https://gateway.example.com/webhooks/mock
//! Content-Type: application/json
//! X-Mock-Signature: 5d1c…
//!
//! {"id":"evt-1",…}
//! ```
//!
//! The first line is `METHOD URL`, then `Name: value` header lines, one blank
//! line, then the body bytes verbatim to the end of the file (so a recording
//! must not gain a trailing newline it was not sent with; a `Content-Length`
//! header, when present, is checked against the body to catch exactly that).
//! Head lines may end in CRLF or LF.

use crate::webhook::RawWebhook;
use std::fmt;
use std::path::{Path, PathBuf};

/// A webhook request held by value, so checks can alter copies of it.
#[derive(Debug, Clone)]
pub struct OwnedWebhook {
    /// Request method.
    pub method: http::Method,
    /// The URL the provider called (the one it signed).
    pub url: String,
    /// Request headers.
    pub headers: http::HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl OwnedWebhook {
    /// The borrowed view adapters verify.
    pub fn raw(&self) -> RawWebhook<'_> {
        RawWebhook {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            body: &self.body,
        }
    }
}

/// Why a recording could not be read: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingError {
    /// The file (or directory, for listing errors).
    pub path: PathBuf,
    /// 1-based line in the head, when the fault is on one line.
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: RecordingErrorKind,
}

/// The ways a recording file can be unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordingErrorKind {
    /// The file or directory could not be read.
    Io(String),
    /// The directory holds no `.http` files.
    NoRecordings,
    /// The first line is not `METHOD URL`.
    BadRequestLine(String),
    /// A head line is not `Name: value` with a valid name and value.
    BadHeader(String),
    /// The head never ends: no blank line before the body.
    NoBlankLine,
    /// `Content-Length` disagrees with the body bytes.
    ContentLengthMismatch {
        /// What the header says.
        declared: String,
        /// What the file holds.
        actual: usize,
    },
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        match &self.kind {
            RecordingErrorKind::Io(e) => write!(f, ": cannot read: {e}"),
            RecordingErrorKind::NoRecordings => write!(f, ": no .http recordings here"),
            RecordingErrorKind::BadRequestLine(l) => {
                write!(f, ": first line must be `METHOD URL`, found {l:?}")
            }
            RecordingErrorKind::BadHeader(l) => {
                write!(f, ": head line must be `Name: value`, found {l:?}")
            }
            RecordingErrorKind::NoBlankLine => {
                write!(f, ": no blank line between the headers and the body")
            }
            RecordingErrorKind::ContentLengthMismatch { declared, actual } => write!(
                f,
                ": Content-Length says {declared} but the body is {actual} bytes (a trailing newline added by an editor?)"
            ),
        }
    }
}

impl std::error::Error for RecordingError {}

/// Parses one recording; `path` only labels errors.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<OwnedWebhook, RecordingError> {
    let err = |line: usize, kind| RecordingError {
        path: path.to_path_buf(),
        line: Some(line),
        kind,
    };
    let mut rest = bytes;
    let mut line_no = 0;
    let mut request_line = None;
    let mut headers = http::HeaderMap::new();
    loop {
        let Some(newline) = rest.iter().position(|&b| b == b'\n') else {
            return Err(err(line_no + 1, RecordingErrorKind::NoBlankLine));
        };
        let (line, after) = rest.split_at(newline);
        rest = after.get(1..).unwrap_or_default();
        line_no += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let shown = || String::from_utf8_lossy(line).into_owned();
        if request_line.is_none() {
            let parsed = parse_request_line(line);
            request_line = Some(
                parsed.ok_or_else(|| err(line_no, RecordingErrorKind::BadRequestLine(shown())))?,
            );
            continue;
        }
        if line.is_empty() {
            break;
        }
        let (name, value) = parse_header(line)
            .ok_or_else(|| err(line_no, RecordingErrorKind::BadHeader(shown())))?;
        headers.append(name, value);
    }
    let Some((method, url)) = request_line else {
        return Err(err(1, RecordingErrorKind::NoBlankLine));
    };
    if let Some(declared) = headers.get(http::header::CONTENT_LENGTH) {
        let declared_text = String::from_utf8_lossy(declared.as_bytes()).into_owned();
        if declared_text.trim().parse::<usize>().ok() != Some(rest.len()) {
            return Err(RecordingError {
                path: path.to_path_buf(),
                line: None,
                kind: RecordingErrorKind::ContentLengthMismatch {
                    declared: declared_text,
                    actual: rest.len(),
                },
            });
        }
    }
    Ok(OwnedWebhook {
        method,
        url,
        headers,
        body: rest.to_vec(),
    })
}

fn parse_request_line(line: &[u8]) -> Option<(http::Method, String)> {
    let text = std::str::from_utf8(line).ok()?;
    let (method, url) = text.split_once(' ')?;
    let url = url.trim();
    if url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    Some((
        http::Method::from_bytes(method.as_bytes()).ok()?,
        url.to_owned(),
    ))
}

fn parse_header(line: &[u8]) -> Option<(http::HeaderName, http::HeaderValue)> {
    let colon = line.iter().position(|&b| b == b':')?;
    let (name, value) = line.split_at(colon);
    let value = value.get(1..)?.trim_ascii();
    Some((
        http::HeaderName::from_bytes(name).ok()?,
        http::HeaderValue::from_bytes(value).ok()?,
    ))
}
