//! The hand-written date parsers callproof used before jiff, kept verbatim
//! (apart from names) as the reference the property tests compare jiff's
//! results against. Test-only: nothing outside `#[cfg(test)]` can call them.

#![allow(dead_code)]

/// Days in `month` of `year` (the old `calendar::days_in_month`).
pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days from 1970-01-01 (the old `calendar::days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The English abbreviation of the weekday of `year`-`month`-`day`.
pub(crate) fn weekday(year: i64, month: i64, day: i64) -> &'static str {
    const FROM_THURSDAY: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    FROM_THURSDAY[days_from_civil(year, month, day).rem_euclid(7) as usize]
}

/// The English abbreviation of `month` (1..=12).
pub(crate) fn month_name(month: i64) -> &'static str {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS[(month - 1) as usize]
}

pub(crate) mod twilio {
    /// Milliseconds since the epoch, or `None` when `text` is not such a date.
    pub(crate) fn parse_ms(text: &str) -> Option<u64> {
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

    use super::{days_from_civil, days_in_month};
}

pub(crate) mod plivo {
    /// Milliseconds since the epoch, or `None` for anything that is not a valid
    /// timestamp at or after 1970 (a bad timestamp is not worth losing the event
    /// over: the caller simply has no time for it).
    pub(crate) fn parse_ms(raw: &str) -> Option<u64> {
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

    use super::{days_from_civil, days_in_month};
}

pub(crate) mod telnyx {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. Fractions beyond
    /// milliseconds are truncated. Times before 1970 have no representation in
    /// the event model's `u64`, so they are refused like any other bad input.
    pub(crate) fn parse_ms(text: &str) -> Option<u64> {
        let b = text.as_bytes();
        if b.len() < 20 {
            return None;
        }
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        let separators_ok = b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && matches!(b.get(10), Some(b'T' | b't'))
            && b.get(13) == Some(&b':')
            && b.get(16) == Some(&b':');
        if !separators_ok
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }

        let mut pos = 19;
        let mut millis = 0i64;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while b.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            if pos == start {
                return None;
            }
            let mut scale = 100;
            for &d in b.get(start..pos.min(start + 3))? {
                millis += i64::from(d - b'0') * scale;
                scale /= 10;
            }
        }

        let offset_secs = match b.get(pos..)? {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest.get(2) == Some(&b':') => {
                let oh = digits(rest, 0, 2)?;
                let om = digits(rest, 3, 2)?;
                if oh > 23 || om > 59 {
                    return None;
                }
                let secs = oh * 3600 + om * 60;
                if *sign == b'+' {
                    secs
                } else {
                    -secs
                }
            }
            _ => return None,
        };

        let days = days_from_civil(year, month, day);
        let local_secs = days * 86_400 + hour * 3600 + minute * 60 + second;
        let utc_ms = (local_secs - offset_secs) * 1000 + millis;
        u64::try_from(utc_ms).ok()
    }

    fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
        let slice = b.get(start..start + len)?;
        slice.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    }
    use super::{days_from_civil, days_in_month};
}
