//! Twilio's form bodies and query strings, decoded by the adapters' shared
//! strict decoder (`crate::adapters::form`).

pub(super) use crate::adapters::form::{first, parse_form as decode, Pair};

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
