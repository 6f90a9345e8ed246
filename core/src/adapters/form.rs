//! `application/x-www-form-urlencoded` decoding shared by the adapters whose
//! providers send forms (Twilio, Plivo).
//!
//! Strict where lenient decoders guess: a decoded name or value that is not
//! UTF-8 is an error, because a replacement character would let two
//! different bodies sign and parse alike. Like the providers' SDKs, empty
//! segments (`a=1&&b=2`) are skipped, a name without `=` has an empty value,
//! `+` is a space, and a `%` not followed by two hex digits is kept as is.

/// One decoded `name=value` pair, in the order received.
pub(crate) type Pair = (String, String);

/// Decodes a form body or a URL query (without its `?`).
pub(crate) fn parse_form(bytes: &[u8]) -> Result<Vec<Pair>, String> {
    bytes
        .split(|b| *b == b'&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = match segment.iter().position(|b| *b == b'=') {
                Some(at) => {
                    let (name, rest) = segment.split_at(at);
                    (name, rest.get(1..).unwrap_or_default())
                }
                None => (segment, &[][..]),
            };
            Ok((unescape(name)?, unescape(value)?))
        })
        .collect()
}

/// The first value of `name` among decoded pairs.
pub(crate) fn first<'a>(pairs: &'a [Pair], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn unescape(raw: &[u8]) -> Result<String, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).and_then(|&h| hex(h));
                let lo = raw.get(i + 2).and_then(|&l| hex(l));
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push((hi << 4) | lo);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "form field is not UTF-8 once percent-decoded".to_owned())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
