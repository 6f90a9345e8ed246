//! RFC 2822 dates (`Tue, 31 Aug 2010 20:36:28 +0000`), as Twilio writes its
//! `Timestamp` callback field and the call resource's dates, turned into ms
//! since the Unix epoch by arithmetic alone: no clock, no time zone database.
//!
//! Accepted: optional day name and comma; day of month; month name; 4-digit
//! year (2- and 3-digit years as RFC 2822 section 4.3 reads them); `HH:MM` or
//! `HH:MM:SS` (a leap second `:60` counts as `:59`); a numeric zone or one of
//! `UT GMT Z EST EDT CST CDT MST MDT PST PDT`. Dates before 1970 are refused.

use crate::calendar::{days_from_civil, days_in_month};

/// Milliseconds since the epoch, or `None` when `text` is not such a date.
pub(super) fn parse_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let rest = match text.split_once(',') {
        Some((day_name, rest)) => {
            let day_name = day_name.trim();
            if !DAYS.iter().any(|d| d.eq_ignore_ascii_case(day_name)) {
                return None;
            }
            rest
        }
        None => text,
    };
    let mut tokens = rest.split_whitespace();
    let day: u32 = number(tokens.next()?, 1, 2)?;
    let month_name = tokens.next()?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month_name))?;
    let year_text = tokens.next()?;
    let year: i64 = number(year_text, 2, 4)?;
    let year = match year_text.len() {
        2 if year < 50 => year + 2000,
        2 | 3 => year + 1900,
        _ => year,
    };
    let (hour, minute, second) = clock(tokens.next()?)?;
    let offset_secs = zone(tokens.next()?)?;
    if tokens.next().is_some() {
        return None;
    }
    let month = u32::try_from(month).ok()? + 1;
    if day < 1 || i64::from(day) > days_in_month(year, i64::from(month)) {
        return None;
    }
    let days = days_from_civil(year, i64::from(month), i64::from(day));
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
    u64::try_from(secs).ok()?.checked_mul(1000)
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// All-digit `text` of `min..=max` digits.
fn number<T: std::str::FromStr>(text: &str, min: usize, max: usize) -> Option<T> {
    if text.len() < min || text.len() > max || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn clock(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split(':');
    let hour: u32 = number(parts.next()?, 2, 2)?;
    let minute: u32 = number(parts.next()?, 2, 2)?;
    let second: u32 = match parts.next() {
        Some(s) => number(s, 2, 2)?,
        None => 0,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour, minute, second.min(59)))
}

/// The zone's offset east of UTC, in seconds.
fn zone(text: &str) -> Option<i64> {
    let named = match text.to_ascii_uppercase().as_str() {
        "UT" | "GMT" | "Z" => Some(0),
        "EDT" => Some(-4),
        "EST" | "CDT" => Some(-5),
        "CST" | "MDT" => Some(-6),
        "MST" | "PDT" => Some(-7),
        "PST" => Some(-8),
        _ => None,
    };
    if let Some(hours) = named {
        return Some(hours * 3600);
    }
    let (sign, digits) = match text.split_at_checked(1)? {
        ("+", digits) => (1, digits),
        ("-", digits) => (-1, digits),
        _ => return None,
    };
    let hhmm: i64 = number(digits, 4, 4)?;
    let (hours, minutes) = (hhmm / 100, hhmm % 100);
    if minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilios_documented_example_is_the_right_instant() {
        // 2010-08-31T20:36:28Z, as `date -u -d` computes it.
        assert_eq!(
            parse_ms("Tue, 31 Aug 2010 20:36:28 +0000"),
            Some(1_283_286_988_000)
        );
    }

    #[test]
    fn the_epoch_and_a_leap_day_land_exactly() {
        assert_eq!(parse_ms("Thu, 01 Jan 1970 00:00:00 +0000"), Some(0));
        assert_eq!(
            parse_ms("Thu, 29 Feb 2024 12:00:00 GMT"),
            Some(1_709_208_000_000)
        );
        assert_eq!(
            parse_ms("Fri, 01 Mar 2024 00:00:00 +0000"),
            Some(1_709_251_200_000)
        );
    }

    #[test]
    fn a_zone_offset_moves_the_instant_back_to_utc() {
        let utc = parse_ms("Tue, 31 Aug 2010 20:36:28 +0000");
        assert_eq!(parse_ms("Tue, 31 Aug 2010 22:36:28 +0200"), utc);
        assert_eq!(parse_ms("Tue, 31 Aug 2010 15:36:28 -0500"), utc);
        assert_eq!(parse_ms("Tue, 31 Aug 2010 16:36:28 EDT"), utc);
        assert_eq!(parse_ms("31 Aug 2010 20:36 +0000"), Some(1_283_286_960_000));
    }

    #[test]
    fn old_two_digit_years_read_as_rfc_2822_says() {
        assert_eq!(parse_ms("1 Jan 70 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_ms("31 Aug 10 20:36:28 +0000"),
            Some(1_283_286_988_000)
        );
    }

    #[test]
    fn impossible_or_garbled_dates_are_refused() {
        for bad in [
            "",
            "Tue, 31 Aug 2010",
            "Tue, 31 Foo 2010 20:36:28 +0000",
            "Tue, 31 Sep 2010 20:36:28 +0000",
            "Thu, 29 Feb 2023 00:00:00 +0000",
            "Tue, 31 Aug 2010 24:00:00 +0000",
            "Tue, 31 Aug 2010 20:61:00 +0000",
            "Tue, 31 Aug 2010 20:36:28 +0099",
            "Tue, 31 Aug 2010 20:36:28 +00",
            "Tue, 31 Aug 2010 20:36:28 CEST",
            "Tue, 31 Aug 2010 20:36:28 +0000 extra",
            "Xyz, 31 Aug 2010 20:36:28 +0000",
            "Wed, 31 Dec 1969 23:59:59 +0000",
            "2010-08-31T20:36:28Z",
            "Tue, 31 Aug 2010 20:36:28 +0000".repeat(3).as_str(),
        ] {
            assert_eq!(parse_ms(bad), None, "{bad:?}");
        }
    }
}
