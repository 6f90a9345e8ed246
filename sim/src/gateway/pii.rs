//! Personal data in logs: a phone number is shown masked, never in full.
//! Wrap it in [`Pii`] wherever it meets a log line; a test starts the real
//! gateway and fails if a full number it dialled ever reaches its output.

use std::fmt;

/// A phone number (or any caller id) as a log line may show it: the `+`
/// and first digit (the country code's start) and the last two digits, the
/// rest starred. `+15551230042` shows as `+1********42`. Short or odd
/// values show only as stars with their length.
pub struct Pii<'a>(pub &'a str);

impl fmt::Display for Pii<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chars: Vec<char> = self.0.chars().collect();
        let plain = chars.len() >= 8 && chars[0] == '+';
        if !plain {
            return write!(f, "<{} chars>", chars.len());
        }
        let keep_end = 2;
        let mut out = String::with_capacity(chars.len());
        out.extend(&chars[..2]);
        out.extend(std::iter::repeat_n('*', chars.len() - 2 - keep_end));
        out.extend(&chars[chars.len() - keep_end..]);
        f.write_str(&out)
    }
}

impl fmt::Debug for Pii<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Pii;

    #[test]
    fn a_number_shows_only_its_country_start_and_last_two_digits() {
        assert_eq!(Pii("+15551230042").to_string(), "+1********42");
    }

    #[test]
    fn a_withheld_or_malformed_caller_shows_only_its_length() {
        assert_eq!(Pii("anonymous").to_string(), "<9 chars>");
        assert_eq!(Pii("").to_string(), "<0 chars>");
        assert_eq!(Pii("+1555").to_string(), "<5 chars>");
    }

    #[test]
    fn no_run_of_more_than_three_digits_survives_masking() {
        for n in ["+15551230042", "+4415551110001", "+123456789012345"] {
            let shown = Pii(n).to_string();
            let longest = shown
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(longest <= 2, "{shown} keeps {longest} digits in a row");
        }
    }
}
