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

pub(crate) use crate::adapters::form::{first, parse_form};

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
