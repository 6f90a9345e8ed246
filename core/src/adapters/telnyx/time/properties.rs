//! jiff's reading of Telnyx's RFC 3339 times agrees with the hand-written
//! parser it replaced on every time Telnyx could send, and refuses the ISO
//! 8601 forms outside RFC 3339 that Telnyx never sends.

use super::parse_rfc3339_ms;
use crate::calendar::reference;
use crate::calendar::strategies::{civil, fraction, mutate, mutation_byte, offset};
use proptest::prelude::*;

fn zone() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Z".to_owned()),
        Just("z".to_owned()),
        offset(23).prop_map(|(neg, h, m)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' })),
    ]
}

/// An RFC 3339 time, and its year.
fn rfc3339() -> impl Strategy<Value = (String, i64)> {
    (civil(), any::<bool>(), fraction(), zone()).prop_map(
        |((y, m, d, h, mi, s), upper, fraction, zone)| {
            let t = if upper { 'T' } else { 't' };
            let dot = if fraction.is_empty() { "" } else { "." };
            (
                format!("{y:04}-{m:02}-{d:02}{t}{h:02}:{mi:02}:{s:02}{dot}{fraction}{zone}"),
                y,
            )
        },
    )
}

proptest! {
    #[test]
    fn every_rfc_3339_time_reads_as_the_old_parser_read_it((text, year) in rfc3339()) {
        let new = parse_rfc3339_ms(&text);
        prop_assert_eq!(new, reference::telnyx::parse_ms(&text), "{}", text);
        prop_assert!(new.is_some() || year == 1970, "{}", text);
    }

    #[test]
    fn iso_8601_forms_outside_rfc_3339_are_refused((y, m, d, h, mi, s) in civil(), late in 24u32..100) {
        for text in [
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}Z"),
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}+0100"),
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:60Z"),
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}+{late:02}:00"),
            format!("{y:04}{m:02}{d:02}T{h:02}{mi:02}{s:02}Z"),
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}Z"),
        ] {
            prop_assert_eq!(parse_rfc3339_ms(&text), None, "{}", text);
        }
    }

    #[test]
    fn a_corrupted_time_is_never_read_where_the_old_parser_refused_it(
        (text, _) in rfc3339(), at in any::<usize>(), with in mutation_byte(),
    ) {
        let corrupted = mutate(&text, at, with);
        if let Some(ms) = parse_rfc3339_ms(&corrupted) {
            prop_assert_eq!(Some(ms), reference::telnyx::parse_ms(&corrupted), "{}", corrupted);
        }
    }
}
