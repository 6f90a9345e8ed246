//! `application/x-www-form-urlencoded` decoding that refuses what it cannot
//! read faithfully.
//!
//! The common decoders replace bytes that are not UTF-8 with U+FFFD. Two
//! different bodies could then decode, and sign, the same; so a webhook whose
//! parameters are not UTF-8 is refused instead of guessed at.

/// One decoded `name=value` pair, in the order received.
pub(super) type Pair = (String, String);

/// Decodes a form body or a URL query (without its `?`). `+` is a space,
/// `%XY` a byte; a `%` not followed by two hex digits is kept as it is (as
/// browsers and Twilio's own SDKs do). Empty segments (`a=1&&b=2`) are skipped.
pub(super) fn decode(input: &[u8]) -> Result<Vec<Pair>, String> {
    input
        .split(|&b| b == b'&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = match segment.iter().position(|&b| b == b'=') {
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

/// The first value of `name` in `pairs`, if any.
pub(super) fn first<'a>(pairs: &'a [Pair], name: &str) -> Option<&'a str> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<Pair> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn plus_is_a_space_and_percent_escapes_are_bytes() {
        let got = decode(b"Caller=%2B14158675309&Body=It%27s+amazing&Name=Z%C3%BCrich").unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("Caller", "+14158675309"),
                ("Body", "It's amazing"),
                ("Name", "Zürich")
            ])
        );
    }

    #[test]
    fn a_field_without_an_equals_sign_has_an_empty_value_and_empty_segments_vanish() {
        let got = decode(b"a&&b=&c==d").unwrap();
        assert_eq!(got, pairs(&[("a", ""), ("b", ""), ("c", "=d")]));
    }

    #[test]
    fn a_lone_percent_sign_is_kept_literally() {
        let got = decode(b"p=100%&q=%4&r=%zz").unwrap();
        assert_eq!(got, pairs(&[("p", "100%"), ("q", "%4"), ("r", "%zz")]));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_rather_than_replaced() {
        assert!(decode(b"From=%FF%FE").is_err());
        assert!(decode(b"%C3=x").is_err());
    }

    #[test]
    fn first_finds_the_first_value_of_a_repeated_name() {
        let got = decode(b"a=1&a=2").unwrap();
        assert_eq!(first(&got, "a"), Some("1"));
        assert_eq!(first(&got, "b"), None);
    }
}
