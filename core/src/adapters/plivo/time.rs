//! Plivo's timestamps (`2020-04-08 11:34:33`, optionally with a fraction and
//! an offset such as `+05:30`; the CDR format `yyyy-MM-dd HH:mm:ss[+tz]`) to
//! ms since the Unix epoch. jiff reads the value; this module only insists
//! on the shape Plivo writes. Without an offset the time is taken as UTC,
//! which is how Plivo reports callback times.

use crate::calendar::{epoch_ms, has_shape, is_fraction_or_empty, Timestamp};
use jiff::civil::DateTime;
use jiff::tz::Offset;

/// Milliseconds since the epoch, or `None` for anything that is not a valid
/// timestamp at or after 1970 (a bad timestamp is not worth losing the event
/// over: the caller simply has no time for it). Accepted:
/// `YYYY-MM-DD HH:MM:SS` (or `T` between date and time), then an optional
/// fraction of one to nine digits, then nothing, `Z`, `±HH:MM` or `±HHMM`.
/// A leap second (`:60`) is refused: Plivo never writes one.
pub(crate) fn parse_timestamp_ms(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    let (head, rest) = (raw.get(..19)?, raw.get(19..)?);
    let sep_ok = matches!(head.as_bytes().get(10), Some(b' ' | b'T'));
    let mut shape = *b"9999-99-99 99:99:99";
    shape[10] = head.as_bytes()[10];
    if !sep_ok || !has_shape(head.as_bytes(), &shape) || head.get(17..19)? > "59" {
        return None;
    }
    let zone_at = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (fraction, zone) = rest.split_at(zone_at);
    let fraction_ok = is_fraction_or_empty(fraction);
    if !fraction_ok {
        return None;
    }
    let ts = match zone {
        "" => Offset::UTC
            .to_timestamp(raw.parse::<DateTime>().ok()?)
            .ok()?,
        "Z" => raw.parse::<Timestamp>().ok()?,
        _ => {
            let digits = zone.get(1..)?;
            let basic = has_shape(digits.as_bytes(), b"9999");
            let extended = has_shape(digits.as_bytes(), b"99:99");
            let minutes = if basic {
                digits.get(2..4)?
            } else {
                digits.get(3..5)?
            };
            if !(basic || extended) || digits.get(..2)? > "23" || minutes > "59" {
                return None;
            }
            raw.parse::<Timestamp>().ok()?
        }
    };
    epoch_ms(ts)
}

#[cfg(test)]
mod properties;

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
