//! RFC 3339 timestamps (`2018-02-02T22:25:27.521992Z`, the form of Telnyx's
//! `occurred_at`) to milliseconds since the Unix epoch. jiff reads the value;
//! this module only insists on the strict RFC 3339 shape Telnyx writes
//! (jiff's Temporal parser also takes spaces, basic offsets and leap
//! seconds, which Telnyx never sends).

use crate::calendar::{epoch_ms, has_shape, is_fraction_or_empty, Timestamp};

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` and `z` may be
/// lower case). Fractions beyond milliseconds are truncated and may have at
/// most nine digits. A leap second (`:60`) is refused rather than read as
/// `:59`. Times before 1970 have no representation in the event model's
/// `u64`, so they are refused like any other bad input.
pub(super) fn parse_rfc3339_ms(text: &str) -> Option<u64> {
    let (head, rest) = (text.get(..19)?, text.get(19..)?);
    let mut head_shape = *b"9999-99-99T99:99:99";
    if head.as_bytes().get(10) == Some(&b't') {
        head_shape[10] = b't';
    }
    if !has_shape(head.as_bytes(), &head_shape) || head.get(17..19)? > "59" {
        return None;
    }
    let zone_at = rest.find(['Z', 'z', '+', '-'])?;
    let (fraction, zone) = rest.split_at(zone_at);
    let fraction_ok = is_fraction_or_empty(fraction);
    let zone_ok = matches!(zone, "Z" | "z")
        || (has_shape(zone.get(1..)?.as_bytes(), b"99:99")
            && zone.get(1..3)? <= "23"
            && zone.get(4..6)? <= "59");
    if !fraction_ok || !zone_ok {
        return None;
    }
    epoch_ms(text.parse::<Timestamp>().ok()?)
}

#[cfg(test)]
mod properties;
