//! RFC 2822 dates as Twilio writes them (`Tue, 31 Aug 2010 20:36:28 +0000`,
//! the OAS example of `date_created`), from the simulated clock through
//! jiff. jiff's own RFC 2822 printer writes `-0000` and an unpadded day for a
//! bare instant, so the format is spelled out to match Twilio byte for byte.

use callproof_core::calendar::format_utc;

/// `ms` since the epoch as an RFC 2822 date in UTC; the milliseconds are
/// dropped, as Twilio's dates carry whole seconds.
pub(super) fn rfc2822(ms: u64) -> String {
    format_utc(ms, "%a, %d %b %Y %H:%M:%S +0000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_example_date_is_written_as_twilio_writes_it() {
        assert_eq!(
            rfc2822(1_283_286_988_000),
            "Tue, 31 Aug 2010 20:36:28 +0000"
        );
    }

    #[test]
    fn the_epoch_and_leap_days_land_on_the_right_calendar_day() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc2822(951_782_400_999), "Tue, 29 Feb 2000 00:00:00 +0000");
        assert_eq!(
            rfc2822(1_709_251_199_000),
            "Thu, 29 Feb 2024 23:59:59 +0000"
        );
    }
}
