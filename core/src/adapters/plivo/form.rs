//! URL and form-encoding helpers shared by signing, parsing and building.
//!
//! Plivo signs the URL string it was given, so nothing here normalises a URL
//! (no added slash, no dropped default port): URLs are split as strings.

/// Splits `url` into the part before the query (`scheme://host[:port]/path`)
/// and the raw query, dropping any fragment. Plivo reads its callback retry
/// settings from the fragment (`#ct=…&rc=…`) and never sends or signs it.
pub(crate) fn split_url(url: &str) -> (&str, &str) {
    let without_fragment = url.split_once('#').map_or(url, |(before, _)| before);
    without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""))
}

/// Decodes `application/x-www-form-urlencoded` bytes (a body or a query).
///
/// Strict where lenient decoders guess: a decoded name or value that is not
/// UTF-8 is an error, because a replacement character would let two
/// different bodies sign and parse alike. Like the SDKs' decoders, empty
/// segments are skipped, a name without `=` has an empty value, and a `%` not
/// followed by two hex digits is kept as is.
pub(crate) fn parse_form(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    bytes
        .split(|b| *b == b'&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = match segment.iter().position(|b| *b == b'=') {
                Some(i) => (&segment[..i], &segment[i + 1..]),
                None => (segment, &segment[segment.len()..]),
            };
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// The first value of `name` among decoded pairs.
pub(crate) fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn decode(raw: &[u8]) -> Result<String, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => match (
                raw.get(i + 1).and_then(|h| hex(*h)),
                raw.get(i + 2).and_then(|l| hex(*l)),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "form field is not UTF-8 once decoded".to_owned())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `base` with `pairs` added to its query, before any fragment, leaving the
/// rest of `base` byte for byte as configured.
pub(crate) fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let (before_fragment, fragment) = match base.split_once('#') {
        Some((before, frag)) => (before, Some(frag)),
        None => (base, None),
    };
    let mut url = before_fragment.to_owned();
    let mut separator = if before_fragment.contains('?') {
        if before_fragment.ends_with('?') || before_fragment.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    for (name, value) in pairs {
        url.push_str(separator);
        url.extend(form_urlencoded::byte_serialize(name.as_bytes()));
        url.push('=');
        url.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        separator = "&";
    }
    if let Some(frag) = fragment {
        url.push('#');
        url.push_str(frag);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn a_fragment_is_never_part_of_the_signed_url() {
        assert_eq!(split_url("https://h/p?a=b#rc=3"), ("https://h/p", "a=b"));
        assert_eq!(split_url("https://h:8000#x?y"), ("https://h:8000", ""));
    }

    #[test]
    fn form_decoding_handles_plus_percent_and_bare_names() {
        assert_eq!(
            parse_form(b"a=1+2&&b=%3Csip%3A&c&d=%zz").unwrap(),
            pairs(&[("a", "1 2"), ("b", "<sip:"), ("c", ""), ("d", "%zz")])
        );
    }

    #[test]
    fn form_decoding_refuses_bytes_that_are_not_utf8() {
        assert!(parse_form(b"a=%FF").is_err());
        assert!(parse_form(b"a=\xff").is_err());
    }

    #[test]
    fn query_is_added_before_the_fragment_and_escaped() {
        assert_eq!(
            with_query("https://h/p#ct=2000", &[("callId", "a b&c")]),
            "https://h/p?callId=a+b%26c#ct=2000"
        );
        assert_eq!(
            with_query("https://h/p?x=1", &[("callId", "c1"), ("turn", "t")]),
            "https://h/p?x=1&callId=c1&turn=t"
        );
        assert_eq!(
            with_query("https://h:443/p?", &[("callId", "c1")]),
            "https://h:443/p?callId=c1"
        );
    }
}
