//! The one bridge between core's instants (`u64` ms since the Unix epoch)
//! and `jiff`, which does every calendar computation: the adapters parse
//! provider timestamps through it and the emulators write them through it,
//! so parsers and writers agree on the same days. jiff is used purely here:
//! built without its `std` feature it has no clock to read, and
//! `core/clippy.toml` bans its `now()` functions should that ever change.

pub use jiff::Timestamp;

/// The instant `ms` after the epoch. Instants past jiff's last
/// representable second (the end of year 9999) are clamped to it: no
/// simulated or provider clock reaches that far.
pub fn timestamp(ms: u64) -> Timestamp {
    i64::try_from(ms)
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .unwrap_or(Timestamp::MAX)
}

/// Milliseconds since the epoch of `ts` (fractions below a millisecond are
/// dropped), or `None` before 1970, which core's `u64` times cannot hold.
pub fn epoch_ms(ts: Timestamp) -> Option<u64> {
    u64::try_from(ts.as_millisecond()).ok()
}

/// `ms` since the epoch written in UTC with a `strftime` `format` (jiff's
/// directives: `%Y-%m-%d`, `%a`, `%6f`, ...). The emulators' formats are
/// constants their tests pin; a format jiff cannot write gives an empty
/// string rather than a panic.
pub fn format_utc(ms: u64, format: &str) -> String {
    jiff::fmt::strtime::format(format, timestamp(ms)).unwrap_or_default()
}

/// Whether `text` has exactly the shape of `template`, byte for byte, where
/// `9` in the template stands for any ASCII digit and every other byte for
/// itself. The parsers check the shape a provider writes before jiff reads
/// the value, because jiff (rightly, for general use) also accepts forms no
/// provider sends, such as basic ISO 8601 or single-digit fields.
pub(crate) fn has_shape(text: &[u8], template: &[u8]) -> bool {
    text.len() == template.len()
        && text.iter().zip(template).all(|(c, t)| match t {
            b'9' => c.is_ascii_digit(),
            t => c == t,
        })
}

/// Whether `text` is empty or a fraction of a second as providers write
/// it: a dot and one to nine digits (jiff reads no more than nanoseconds).
pub(crate) fn is_fraction_or_empty(text: &str) -> bool {
    text.is_empty()
        || text.strip_prefix('.').is_some_and(|digits| {
            (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        })
}

#[cfg(test)]
pub(crate) mod reference;

#[cfg(test)]
pub(crate) mod strategies;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_convert_both_ways_and_pre_epoch_ones_have_no_ms() {
        assert_eq!(epoch_ms(timestamp(0)), Some(0));
        assert_eq!(
            epoch_ms(timestamp(1_709_208_000_123)),
            Some(1_709_208_000_123)
        );
        assert_eq!(epoch_ms(Timestamp::from_second(-1).unwrap()), None);
        assert_eq!(timestamp(u64::MAX), Timestamp::MAX);
    }

    #[test]
    fn a_shape_matches_digits_where_it_says_9_and_itself_elsewhere() {
        assert!(has_shape(b"2024-02-29", b"9999-99-99"));
        assert!(!has_shape(b"2024-2-29", b"9999-99-99"));
        assert!(!has_shape(b"2024/02/29", b"9999-99-99"));
        assert!(!has_shape("２０２４-02-29".as_bytes(), b"9999-99-99"));
    }

    #[test]
    fn a_fraction_is_a_dot_and_one_to_nine_digits() {
        assert!(is_fraction_or_empty("") && is_fraction_or_empty(".238707"));
        assert!(!is_fraction_or_empty(".") && !is_fraction_or_empty(".1234567890"));
        assert!(!is_fraction_or_empty("238") && !is_fraction_or_empty(".2a"));
    }
}
