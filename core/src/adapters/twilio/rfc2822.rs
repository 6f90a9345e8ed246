//! RFC 2822 dates (`Tue, 31 Aug 2010 20:36:28 +0000`), as Twilio writes its
//! `Timestamp` callback field and the call resource's dates, turned into ms
//! since the Unix epoch by jiff's RFC 2822 parser: no clock, no time zone
//! database.
//!
//! Accepted: optional day name and comma (the day name must be that date's);
//! day of month; month name; 4-digit year (2- and 3-digit years as RFC 2822
//! section 4.3 reads them); `HH:MM` or `HH:MM:SS` (a leap second `:60`
//! counts as `:59`); a numeric zone or one of `UT GMT Z EST EDT CST CDT MST
//! MDT PST PDT`. Dates before 1970 are refused.
//!
//! RFC 2822 also tells readers to take any other alphabetic zone (`CEST`,
//! military letters) as UTC and to skip comments; jiff does, but a zone we
//! do not know would silently move the instant, so those are refused here,
//! as is whitespace inside the time of day. Twilio writes none of them.

use crate::calendar::epoch_ms;
use jiff::fmt::rfc2822::DateTimeParser;

static PARSER: DateTimeParser = DateTimeParser::new();

/// The zones whose offset is known: RFC 2822's obsolete names.
const NAMED_ZONES: [&str; 11] = [
    "UT", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT",
];

/// Milliseconds since the epoch, or `None` when `text` is not such a date.
pub(super) fn parse_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let zone = text.rsplit(|c: char| c.is_ascii_whitespace()).next()?;
    let zone_known = match zone.as_bytes() {
        [b'+' | b'-', digits @ ..] => digits.len() == 4 && digits.iter().all(u8::is_ascii_digit),
        _ => NAMED_ZONES.iter().any(|z| z.eq_ignore_ascii_case(zone)),
    };
    if !zone_known || text.contains(" :") || text.contains(": ") {
        return None;
    }
    epoch_ms(PARSER.parse_timestamp(text).ok()?)
}

#[cfg(test)]
mod properties;

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
