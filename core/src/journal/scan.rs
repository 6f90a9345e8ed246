//! A validating scan of one journal line for its `callId`, `state` and `seq`,
//! without serde: most of a long OpenClaw history is transcript text inside
//! strings, and this skips string bodies eight bytes at a time.
//!
//! It is an accelerator, never a second opinion: it answers only for lines it
//! can prove serde would read the same way ([`super::fold`]'s `head`) and
//! gives up (`None`) on anything unusual, so the caller asks serde. Unusual
//! means: not an object, a control byte or a `\u` escape anywhere, an escape in a top-level key
//! or in `callId`, a repeated field of interest, `seq` that is not a plain
//! `u64` or null, nesting deeper than [`MAX_DEPTH`]. For everything it does
//! answer, it checks the whole line's JSON grammar as serde does (control
//! bytes in strings, number syntax, literals, commas, trailing bytes), so a
//! line serde refuses is never folded.

use crate::state::CallState;

/// serde_json refuses nesting deeper than 128; stay well below.
const MAX_DEPTH: usize = 64;

/// What a fast-scanned line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct QuickHead<'a> {
    pub call_id: &'a str,
    pub state: CallState,
    pub seq: Option<u64>,
}

/// Scans `raw` (already known to be UTF-8); `None` when serde must decide.
#[cfg(test)]
pub(super) fn quick_head(raw: &str) -> Option<QuickHead<'_>> {
    quick_head_bytes(raw.as_bytes())
}

/// Scans `b`, checking it is UTF-8 too; `None` when serde must decide.
pub(super) fn quick_head_bytes(b: &[u8]) -> Option<QuickHead<'_>> {
    // One branch-free pass the compiler vectorizes: a control byte anywhere
    // (legal only as whitespace between tokens, which writers never emit)
    // sends the line to serde, so string bodies need no check of their own;
    // a line without a backslash has strings that end at the next quote;
    // a line of ASCII only is UTF-8 without a second pass to check it.
    let (mut low, mut high, mut backslashes) = (u8::MAX, 0u8, 0u8);
    for &x in b {
        low = low.min(x);
        high = high.max(x);
        backslashes |= u8::from(x == b'\\');
    }
    let (control, backslash) = (low < 0x20, backslashes != 0);
    if control || (high >= 0x80 && std::str::from_utf8(b).is_err()) {
        return None;
    }
    let mut s = Scanner {
        b,
        i: 0,
        escapes: backslash,
    };
    s.ws();
    if s.peek()? != b'{' {
        return None;
    }
    s.i += 1;
    let mut call_id: Option<&str> = None;
    let mut state: Option<CallState> = None;
    let mut seq: Option<Option<u64>> = None;
    s.ws();
    if s.peek()? == b'}' {
        return None;
    }
    loop {
        s.ws();
        let (start, end, escaped) = s.string()?;
        if escaped {
            return None;
        }
        let key = &b[start..end];
        s.ws();
        if s.peek()? != b':' {
            return None;
        }
        s.i += 1;
        s.ws();
        match key {
            b"callId" => {
                if call_id.is_some() || s.peek()? != b'"' {
                    return None;
                }
                let (vs, ve, esc) = s.string()?;
                if esc {
                    return None;
                }
                call_id = Some(std::str::from_utf8(b.get(vs..ve)?).ok()?);
            }
            b"state" => {
                if state.is_some() || s.peek()? != b'"' {
                    return None;
                }
                let (vs, ve, _) = s.string()?;
                // The quoted word, escapes and all: serde names the variant.
                state = Some(serde_json::from_slice(&b[vs - 1..ve + 1]).ok()?);
            }
            b"seq" => {
                if seq.is_some() {
                    return None;
                }
                seq = Some(s.plain_u64_or_null()?);
            }
            _ => s.value(1)?,
        }
        s.ws();
        match s.peek()? {
            b',' => s.i += 1,
            b'}' => {
                s.i += 1;
                break;
            }
            _ => return None,
        }
    }
    s.ws();
    if s.i != b.len() {
        return None;
    }
    Some(QuickHead {
        call_id: call_id?,
        state: state?,
        seq: seq.flatten(),
    })
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    /// The line holds a backslash somewhere.
    escapes: bool,
}

/// Eight copies of a byte.
const fn splat(x: u8) -> u64 {
    (x as u64) * 0x0101_0101_0101_0101
}

/// The high bit of every zero byte of `x` set (and possibly of bytes above
/// the lowest zero byte: exact as a yes/no and for the lowest one).
fn zero(x: u64) -> u64 {
    x.wrapping_sub(splat(0x01)) & !x & splat(0x80)
}

/// Whether any byte of `w` is `"` or `\\` (exact as a yes/no).
fn special(w: u64) -> bool {
    zero(w ^ splat(b'"')) | zero(w ^ splat(b'\\')) != 0
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// At a `"`: skips the string; returns its body's bounds and whether it
    /// held an escape. Gives up on `\u`. Control bytes were ruled out for
    /// the whole line before.
    fn string(&mut self) -> Option<(usize, usize, bool)> {
        if self.peek()? != b'"' {
            return None;
        }
        self.i += 1;
        let start = self.i;
        if !self.escapes {
            // Most strings are short (ids, speakers, words): eight bytes at
            // a time inline beats a call to memchr. The lowest flagged byte
            // of `zero` is exact (only bytes above a real match can be
            // flagged falsely).
            let mut at = start;
            while let Some(chunk) = self.b.get(at..at + 8) {
                let word = u64::from_le_bytes(chunk.try_into().ok()?);
                let hit = zero(word ^ splat(b'"'));
                if hit != 0 {
                    let end = at + (hit.trailing_zeros() / 8) as usize;
                    self.i = end + 1;
                    return Some((start, end, false));
                }
                at += 8;
            }
            let end = at + self.b.get(at..)?.iter().position(|&x| x == b'"')?;
            self.i = end + 1;
            return Some((start, end, false));
        }
        let mut escaped = false;
        loop {
            for chunk in self.b.get(self.i..).unwrap_or(&[]).chunks_exact(8) {
                let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                    break;
                };
                if special(u64::from_le_bytes(word)) {
                    break;
                }
                self.i += 8;
            }
            match self.peek()? {
                b'"' => {
                    let end = self.i;
                    self.i += 1;
                    return Some((start, end, escaped));
                }
                b'\\' => {
                    escaped = true;
                    match self.b.get(self.i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        _ => return None,
                    }
                }
                _ => self.i += 1,
            }
        }
    }

    /// Skips any JSON value at nesting `depth`.
    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => self.container(depth, b'}', true),
            b'[' => self.container(depth, b']', false),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn container(&mut self, depth: usize, close: u8, keyed: bool) -> Option<()> {
        self.i += 1;
        self.ws();
        if self.peek()? == close {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            if keyed {
                self.string()?;
                self.ws();
                if self.peek()? != b':' {
                    return None;
                }
                self.i += 1;
                self.ws();
            }
            self.value(depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                c if c == close => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn literal<const N: usize>(&mut self, word: &[u8; N]) -> Option<()> {
        // A fixed-size compare: no call to memcmp for four bytes.
        let found: &[u8; N] = self.b.get(self.i..self.i + N)?.try_into().ok()?;
        if found == word {
            self.i += N;
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as RFC 8259 and
    /// serde_json have it.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    /// `seq`: `null`, or digits without a leading zero that fit a `u64`
    /// and end the number (no fraction, no exponent).
    fn plain_u64_or_null(&mut self) -> Option<Option<u64>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        let start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.b[start] == b'0') {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()
            .map(Some)
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
