//! `application/x-www-form-urlencoded`, read strictly: a body whose escapes do
//! not decode to UTF-8 is refused (Twilio answers 400), never patched up with
//! replacement characters.

/// Decoded `name=value` pairs in the order sent. `+` is a space and `%XY` a
/// byte; a `%` without two hex digits after it stays a `%`.
pub(super) fn decode(input: &[u8]) -> Option<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for segment in input.split(|&b| b == b'&').filter(|s| !s.is_empty()) {
        let mut halves = segment.splitn(2, |&b| b == b'=');
        let name = halves.next().unwrap_or_default();
        let value = halves.next().unwrap_or_default();
        pairs.push((unescape(name)?, unescape(value)?));
    }
    Some(pairs)
}

/// The first value of `name`.
pub(super) fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The query of `url` (after `?`, before `#`), decoded; a URL whose query
/// cannot be read has no parameters.
pub(super) fn query_of(url: &str) -> Vec<(String, String)> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    let query = without_fragment
        .split_once('?')
        .map_or("", |(_, query)| query);
    decode(query.as_bytes()).unwrap_or_default()
}

/// Encodes `fields` in the order given.
pub(super) fn encode<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        form.append_pair(name, value);
    }
    form.finish()
}

fn unescape(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'+' => out.push(b' '),
            b'%' => match (tail.first().and_then(hex), tail.get(1).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    rest = tail.get(2..).unwrap_or_default();
                }
                _ => out.push(b'%'),
            },
            _ => out.push(b),
        }
    }
    String::from_utf8(out).ok()
}

fn hex(b: &u8) -> Option<u8> {
    char::from(*b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_plus_signs_decode_and_a_stray_percent_stays() {
        let got = decode(b"To=%2B15551234567&Say=hi+there&p=100%&&q").unwrap();
        let want = [
            ("To", "+15551234567"),
            ("Say", "hi there"),
            ("p", "100%"),
            ("q", ""),
        ];
        assert_eq!(got.len(), want.len());
        for ((name, value), (want_name, want_value)) in got.iter().zip(want) {
            assert_eq!((name.as_str(), value.as_str()), (want_name, want_value));
        }
    }

    #[test]
    fn escapes_that_are_not_utf8_make_the_form_unreadable() {
        assert_eq!(decode(b"From=%FF"), None);
    }

    #[test]
    fn a_query_is_read_up_to_the_fragment() {
        let got = query_of("https://h/cb?callId=a%26b&x=1#rc=2");
        assert_eq!(first(&got, "callId"), Some("a&b"));
        assert_eq!(first(&got, "x"), Some("1"));
        assert_eq!(first(&got, "rc"), None);
    }

    #[test]
    fn what_is_encoded_decodes_to_the_same_fields() {
        let text = encode([("Twiml", "<Say>a & b</Say>"), ("To", "+1 555")]);
        let got = decode(text.as_bytes()).unwrap();
        assert_eq!(first(&got, "Twiml"), Some("<Say>a & b</Say>"));
        assert_eq!(first(&got, "To"), Some("+1 555"));
    }
}
