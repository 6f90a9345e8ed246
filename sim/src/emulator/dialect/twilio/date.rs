//! RFC 2822 dates as Twilio writes them (`Tue, 31 Aug 2010 20:36:28 +0000`,
//! the OAS example of `date_created`), from the simulated clock by arithmetic
//! alone.

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
    let (year, month, day) = civil(days);
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

/// Year, month (1..=12) and day (1..=31) of the `days`-th day after
/// 1970-01-01, in the proleptic Gregorian calendar. Counts in eras of 400
/// years (146,097 days) from 0000-03-01, so the leap day ends a year.
fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
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
