//! RFC 2822 dates as Twilio writes them (`Tue, 31 Aug 2010 20:36:28 +0000`,
//! the OAS example of `date_created`), from the simulated clock by arithmetic
//! alone.

use callproof_core::calendar::civil_from_days;

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `ms` since the epoch as an RFC 2822 date in UTC; the milliseconds are
/// dropped, as Twilio's dates carry whole seconds.
pub(super) fn rfc2822(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let of_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    // 1 January 1970 was a Thursday: `DAYS` starts there.
    let weekday = DAYS.get((days % 7) as usize).copied().unwrap_or("Thu");
    let month = MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {day:02} {month} {year} {:02}:{:02}:{:02} +0000",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
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
