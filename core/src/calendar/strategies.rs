//! Generators of the timestamps providers send, shared by the adapters'
//! property tests: valid civil dates and times at or after 1970, and zones.

use super::reference::days_in_month;
use proptest::prelude::*;

/// A valid date and time of day: (year, month, day, hour, minute, second).
pub(crate) fn civil() -> impl Strategy<Value = (i64, i64, i64, u32, u32, u32)> {
    (
        1970i64..=9999,
        1i64..=12,
        1i64..=31,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_filter_map("a day of that month", |(y, m, d, h, mi, s)| {
            (d <= days_in_month(y, m)).then_some((y, m, d, h, mi, s))
        })
}

/// A numeric offset `(negative, hours, minutes)` with hours up to `max_hours`.
pub(crate) fn offset(max_hours: u32) -> impl Strategy<Value = (bool, u32, u32)> {
    (any::<bool>(), 0..=max_hours, 0u32..60)
}

/// Up to nine fraction digits (empty: no fraction).
pub(crate) fn fraction() -> impl Strategy<Value = String> {
    "[0-9]{0,9}"
}

/// `text` with the byte at `at` (mod its length) replaced by `with`; the
/// mutation the "never more lenient" properties feed both parsers.
pub(crate) fn mutate(text: &str, at: usize, with: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if !chars.is_empty() {
        let i = at % chars.len();
        chars[i] = with;
    }
    chars.into_iter().collect()
}

/// Bytes a mutation may put in: the ones date formats are made of.
pub(crate) fn mutation_byte() -> impl Strategy<Value = char> {
    prop::sample::select(" 0123456789:+-.,TtZzA(".chars().collect::<Vec<_>>())
}
