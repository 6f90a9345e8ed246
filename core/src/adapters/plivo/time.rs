//! Plivo's timestamps (`2020-04-08 11:34:33`, optionally with a fraction and
//! an offset such as `+05:30`; the CDR format `yyyy-MM-dd HH:mm:ss[+tz]`) to
//! ms since the Unix epoch, by arithmetic alone: core reads no clock and no
//! time-zone database. Without an offset the time is taken as UTC, which is
//! how Plivo reports callback times.

use crate::calendar::{days_from_civil, days_in_month};

/// Milliseconds since the epoch, or `None` for anything that is not a valid
/// timestamp at or after 1970 (a bad timestamp is not worth losing the event
/// over: the caller simply has no time for it).
pub(crate) fn parse_timestamp_ms(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    let (date, rest) = raw.split_once([' ', 'T'])?;
    let mut date_parts = date.split('-');
    let year: i64 = number(date_parts.next()?, 4)?;
    let month: i64 = number(date_parts.next()?, 2)?;
    let day: i64 = number(date_parts.next()?, 2)?;
    if date_parts.next().is_some() {
        return None;
    }

    let (clock, offset_secs) = split_offset(rest)?;
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms_parts = hms.split(':');
    let hour: i64 = number(hms_parts.next()?, 2)?;
    let minute: i64 = number(hms_parts.next()?, 2)?;
    let second: i64 = number(hms_parts.next()?, 2)?;
    if hms_parts.next().is_some() {
        return None;
    }
    let millis = fraction_millis(fraction)?;

    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_secs;
    u64::try_from(secs.checked_mul(1000)?.checked_add(millis)?).ok()
}

/// Splits `11:34:33+05:30` into the clock and the offset in seconds.
fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let Some(at) = rest.find(['+', '-']) else {
        return Some((rest, 0));
    };
    let (clock, offset) = rest.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset.chars().skip(1).filter(|c| *c != ':').collect();
    if digits.len() != 4 {
        return None;
    }
    let hours: i64 = number(digits.get(..2)?, 2)?;
    let minutes: i64 = number(digits.get(2..)?, 2)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 3_600 + minutes * 60)))
}

fn number(text: &str, width: usize) -> Option<i64> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn fraction_millis(fraction: &str) -> Option<i64> {
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 9 {
        return None;
    }
    let padded: String = fraction.chars().chain("000".chars()).take(3).collect();
    padded.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp_ms;

    #[test]
    fn a_plivo_session_start_becomes_epoch_milliseconds() {
        // 2020-04-08T11:34:33.238707Z, from the SDK signature test payload.
        assert_eq!(
            parse_timestamp_ms("2020-04-08 11:34:33.238707"),
            Some(1_586_345_673_238)
        );
    }

    #[test]
    fn an_offset_is_applied_and_leap_days_count() {
        assert_eq!(parse_timestamp_ms("1970-01-01 00:00:00"), Some(0));
        assert_eq!(
            parse_timestamp_ms("2024-02-29 05:30:00+05:30"),
            Some(1_709_164_800_000)
        );
        assert_eq!(
            parse_timestamp_ms("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
    }

    #[test]
    fn nonsense_and_pre_epoch_times_have_no_timestamp() {
        for raw in [
            "",
            "yesterday",
            "2023-02-29 00:00:00",
            "2024-13-01 00:00:00",
            "2024-01-01 24:00:00",
            "2024-01-01 00:00",
            "1969-12-31 23:59:59",
            "2024-01-01 00:00:00+5",
            "２０２４-01-01 00:00:00",
        ] {
            assert_eq!(parse_timestamp_ms(raw), None, "{raw:?}");
        }
    }
}
