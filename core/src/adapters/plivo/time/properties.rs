//! jiff's reading of Plivo's timestamps agrees with the hand-written parser
//! it replaced on everything Plivo writes, and refuses what Plivo never sends.

use super::parse_timestamp_ms;
use crate::calendar::reference;
use crate::calendar::strategies::{civil, fraction, mutate, mutation_byte, offset};
use proptest::prelude::*;

fn zone() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("Z".to_owned()),
        (offset(23), any::<bool>()).prop_map(|((neg, h, m), colon)| {
            let sign = if neg { '-' } else { '+' };
            if colon {
                format!("{sign}{h:02}:{m:02}")
            } else {
                format!("{sign}{h:02}{m:02}")
            }
        }),
    ]
}

/// A timestamp in one of the forms Plivo writes, and its year.
fn plivo_timestamp() -> impl Strategy<Value = (String, i64)> {
    (civil(), any::<bool>(), fraction(), zone()).prop_map(
        |((y, m, d, h, mi, s), t, fraction, zone)| {
            let sep = if t { 'T' } else { ' ' };
            let dot = if fraction.is_empty() { "" } else { "." };
            (
                format!("{y:04}-{m:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{dot}{fraction}{zone}"),
                y,
            )
        },
    )
}

proptest! {
    #[test]
    fn every_timestamp_plivo_writes_reads_as_the_old_parser_read_it((text, year) in plivo_timestamp()) {
        let new = parse_timestamp_ms(&text);
        prop_assert_eq!(new, reference::plivo::parse_ms(&text), "{}", text);
        prop_assert!(new.is_some() || year == 1970, "{}", text);
    }

    #[test]
    fn shapes_plivo_never_writes_are_refused((y, m, d, h, mi, s) in civil(), extra in "[0-9]{10,12}") {
        for text in [
            format!("{y:04}-{}-{d:02} {h:02}:{mi:02}:{s:02}", m % 9 + 1),
            format!("{y:04}-{m:02}-{d:02} {h:02}:{}:{s:02}", mi % 9 + 1),
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:60"),
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}+5"),
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}+05"),
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}."),
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{extra}"),
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC"),
            format!("{y:04}{m:02}{d:02}T{h:02}{mi:02}{s:02}"),
        ] {
            prop_assert_eq!(parse_timestamp_ms(&text), None, "{}", text);
        }
    }

    #[test]
    fn a_corrupted_timestamp_is_never_read_where_the_old_parser_refused_it(
        (text, _) in plivo_timestamp(), at in any::<usize>(), with in mutation_byte(),
    ) {
        let corrupted = mutate(&text, at, with);
        if let Some(ms) = parse_timestamp_ms(&corrupted) {
            prop_assert_eq!(Some(ms), reference::plivo::parse_ms(&corrupted), "{}", corrupted);
        }
    }
}
