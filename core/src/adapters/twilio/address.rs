//! URL handling done on the string itself: Twilio signs the URL byte for byte,
//! so nothing here may re-serialise it except where a validator is known to.

/// `url` with `name=value` added to its query (before any `#fragment`, where
/// Twilio's connection overrides live). Both are percent-encoded.
pub(super) fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = match base.split_once('?') {
        None => "?",
        Some((_, "")) => "",
        Some(_) if base.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut out = String::with_capacity(url.len() + name.len() + value.len() + 2);
    out.push_str(base);
    out.push_str(separator);
    out.extend(form_urlencoded::byte_serialize(name.as_bytes()));
    out.push('=');
    out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The query of `url`: after the first `?`, before any `#`.
pub(super) fn query(url: &str) -> &str {
    let without_fragment = url.split_once('#').map_or(url, |(base, _)| base);
    without_fragment
        .split_once('?')
        .map_or("", |(_, query)| query)
}

/// Whether `id` can go into a REST path as it is: Twilio's ids are letters and
/// digits (`CA` + 32 hex), and anything else could smuggle in `/` or `?`.
pub(super) fn is_sid(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Every form of `url` a signature may have been computed over, as Twilio's
/// SDK validators accept them: the URL as given; its WHATWG serialisation
/// (twilio-node parses with `new URL()`, which writes `'` as `%27` in a query);
/// each without its `#fragment` (Twilio's connection overrides; whether Twilio
/// signs them is not established); and each of those with the port removed and
/// with the scheme's default port added. At most twelve, without repeats.
pub(super) fn signing_candidates(url: &str) -> Vec<String> {
    let mut bases = vec![url.to_owned()];
    if let Ok(parsed) = ::url::Url::parse(url) {
        push_new(&mut bases, parsed.as_str().to_owned());
    }
    for i in 0..bases.len() {
        if let Some((base, _)) = bases.get(i).and_then(|b| b.split_once('#')) {
            let base = base.to_owned();
            push_new(&mut bases, base);
        }
    }
    let mut out = Vec::with_capacity(bases.len() * 3);
    for base in bases {
        let ports = split(&base).map(|a| (a.without_port(), a.with_port()));
        push_new(&mut out, base);
        if let Some((without, with)) = ports {
            push_new(&mut out, without);
            if let Some(with) = with {
                push_new(&mut out, with);
            }
        }
    }
    out
}

fn push_new(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// A URL cut around its port: `prefix` is `scheme://` plus any `user:pass@`.
struct Authority<'a> {
    scheme: &'a str,
    prefix: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    rest: &'a str,
}

fn split(url: &str) -> Option<Authority<'_>> {
    let (scheme, after) = url.split_once("://")?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    let userinfo_len = authority.rfind('@').map_or(0, |at| at + 1);
    let (_, host_port) = authority.split_at(userinfo_len);
    let prefix = url.get(..scheme.len() + 3 + userinfo_len)?;
    let (host, port) = if host_port.starts_with('[') {
        // IPv6 literal: the port, if any, follows the closing bracket.
        match host_port.find(']') {
            Some(close) => {
                let (host, tail) = host_port.split_at(close + 1);
                (host, tail.strip_prefix(':'))
            }
            None => (host_port, None),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    Some(Authority {
        scheme,
        prefix,
        host,
        port,
        rest,
    })
}

impl Authority<'_> {
    fn without_port(&self) -> String {
        format!("{}{}{}", self.prefix, self.host, self.rest)
    }

    /// The explicit port kept, or the scheme's default added; `None` for a
    /// scheme with no default port.
    fn with_port(&self) -> Option<String> {
        let port = match self.port {
            Some(port) => port,
            None if self.scheme.eq_ignore_ascii_case("https") => "443",
            None if self.scheme.eq_ignore_ascii_case("http") => "80",
            None => return None,
        };
        Some(format!(
            "{}{}:{}{}",
            self.prefix, self.host, port, self.rest
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_parameter_is_appended_with_the_right_separator_and_escaped() {
        let cases = [
            (
                "https://gw.example.com/cb",
                "https://gw.example.com/cb?callId=a+b%26c",
            ),
            (
                "https://gw.example.com/cb?x=1",
                "https://gw.example.com/cb?x=1&callId=a+b%26c",
            ),
            (
                "https://gw.example.com/cb?",
                "https://gw.example.com/cb?callId=a+b%26c",
            ),
            (
                "https://gw.example.com/cb?x=1&",
                "https://gw.example.com/cb?x=1&callId=a+b%26c",
            ),
            (
                "https://gw.example.com/cb#rc=2",
                "https://gw.example.com/cb?callId=a+b%26c#rc=2",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(with_query_param(url, "callId", "a b&c"), want, "{url}");
        }
    }

    #[test]
    fn the_query_stops_at_the_fragment() {
        assert_eq!(query("https://h/p?a=1&b=2#c=3"), "a=1&b=2");
        assert_eq!(query("https://h/p#c=3?x"), "");
        assert_eq!(query("https://h/p"), "");
    }

    #[test]
    fn only_letters_and_digits_make_a_sid() {
        assert!(is_sid("CA0123456789abcdef0123456789ABCDEF"));
        assert!(!is_sid(""));
        assert!(!is_sid("CA12/../../Accounts"));
        assert!(!is_sid("CA12?x=1"));
        assert!(!is_sid(&"A".repeat(65)));
    }

    #[test]
    fn a_url_without_a_port_is_also_tried_with_the_default_port() {
        let got = signing_candidates("https://h.example/p?a=1");
        assert_eq!(
            got,
            ["https://h.example/p?a=1", "https://h.example:443/p?a=1"]
        );
        let got = signing_candidates("http://h.example/p");
        assert_eq!(got, ["http://h.example/p", "http://h.example:80/p"]);
    }

    #[test]
    fn a_url_with_a_port_is_also_tried_without_it_and_user_info_stays() {
        let got = signing_candidates("https://u:p@h.example:1234/p");
        assert!(got.contains(&"https://u:p@h.example:1234/p".to_owned()));
        assert!(got.contains(&"https://u:p@h.example/p".to_owned()));
        assert!(!got.iter().any(|u| u.contains(":443")), "{got:?}");
    }

    #[test]
    fn an_ipv6_host_keeps_its_brackets_when_the_port_moves() {
        let got = signing_candidates("http://[::1]:8080/cb");
        assert!(got.contains(&"http://[::1]/cb".to_owned()), "{got:?}");
        assert!(got.contains(&"http://[::1]:8080/cb".to_owned()), "{got:?}");
    }

    #[test]
    fn a_quote_in_the_query_is_also_tried_percent_encoded() {
        let got = signing_candidates("https://h.example/p?Body=It's");
        assert!(got.contains(&"https://h.example/p?Body=It's".to_owned()));
        assert!(got.contains(&"https://h.example/p?Body=It%27s".to_owned()));
    }

    #[test]
    fn a_fragment_is_tried_both_kept_and_dropped() {
        let got = signing_candidates("https://h.example/p#rc=2");
        assert!(got.contains(&"https://h.example/p#rc=2".to_owned()));
        assert!(got.contains(&"https://h.example/p".to_owned()));
        assert!(got.len() <= 12);
    }

    #[test]
    fn something_that_is_not_a_url_is_only_tried_as_it_is() {
        assert_eq!(signing_candidates("not a url"), ["not a url"]);
    }
}
