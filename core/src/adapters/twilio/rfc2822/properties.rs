//! jiff's RFC 2822 reading agrees with the hand-written parser it replaced
//! on every date Twilio could send, and refuses what Twilio never sends.

use super::parse_ms;
use crate::calendar::reference::{self, month_name, weekday};
use crate::calendar::strategies::{civil, mutate, mutation_byte, offset};
use proptest::prelude::*;

const NAMED: [&str; 11] = [
    "UT", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT",
];

fn zone() -> impl Strategy<Value = String> {
    prop_oneof![
        offset(14).prop_map(|(neg, h, m)| format!("{}{h:02}{m:02}", if neg { '-' } else { '+' })),
        prop::sample::select(NAMED.to_vec()).prop_map(str::to_owned),
    ]
}

/// A date as RFC 2822 allows Twilio to write it, and its year.
fn twilio_date() -> impl Strategy<Value = (String, i64)> {
    (civil(), zone(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |((y, m, d, h, mi, s), zone, with_weekday, pad_day, with_seconds)| {
            let day_name = if with_weekday {
                format!("{}, ", weekday(y, m, d))
            } else {
                String::new()
            };
            let day = if pad_day {
                format!("{d:02}")
            } else {
                d.to_string()
            };
            let clock = if with_seconds {
                format!("{h:02}:{mi:02}:{s:02}")
            } else {
                format!("{h:02}:{mi:02}")
            };
            let text = format!("{day_name}{day} {} {y} {clock} {zone}", month_name(m));
            (text, y)
        },
    )
}

proptest! {
    #[test]
    fn every_date_twilio_could_send_reads_as_the_old_parser_read_it((text, year) in twilio_date()) {
        let new = parse_ms(&text);
        prop_assert_eq!(new, reference::twilio::parse_ms(&text), "{}", text);
        prop_assert!(new.is_some() || year == 1970, "{}", text);
    }

    #[test]
    fn two_digit_years_read_as_rfc_2822_section_4_3_says(yy in 0u32..100, (_, m, d, h, mi, s) in civil()) {
        let text = format!("{d} {} {yy:02} {h:02}:{mi:02}:{s:02} +0000", month_name(m.min(12)));
        prop_assert_eq!(parse_ms(&text), reference::twilio::parse_ms(&text), "{}", text);
    }

    #[test]
    fn a_zone_twilio_never_writes_is_refused_not_read_as_utc(
        (text, _) in twilio_date(),
        zone in "[A-IK-Y]|[A-Z]{3,5}",
    ) {
        prop_assume!(!NAMED.contains(&zone.as_str()));
        let (date, _) = text.rsplit_once(' ').unwrap();
        let with_zone = format!("{date} {zone}");
        prop_assert_eq!(parse_ms(&with_zone), None, "{}", with_zone);
        let with_comment = format!("{text} (UTC)");
        prop_assert_eq!(parse_ms(&with_comment), None, "{}", with_comment);
    }

    #[test]
    fn a_day_name_that_is_not_the_dates_is_refused((y, m, d, h, mi, s) in civil(), shift in 1i64..7) {
        const WEEK: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let right = WEEK.iter().position(|n| *n == weekday(y, m, d)).unwrap();
        let wrong = WEEK[(right + shift as usize) % 7];
        let text = format!("{wrong}, {d:02} {} {y} {h:02}:{mi:02}:{s:02} +0000", month_name(m));
        prop_assert_eq!(parse_ms(&text), None, "{}", text);
    }

    #[test]
    fn spaced_clocks_and_iso_dates_are_refused((y, m, d, h, mi, s) in civil()) {
        let spaced = format!("{d} {} {y} {h:02} : {mi:02} : {s:02} +0000", month_name(m));
        prop_assert_eq!(parse_ms(&spaced), None, "{}", spaced);
        let iso = format!("{y}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z");
        prop_assert_eq!(parse_ms(&iso), None, "{}", iso);
    }

    #[test]
    fn a_corrupted_date_is_never_read_where_the_old_parser_refused_it(
        (text, _) in twilio_date(), at in any::<usize>(), with in mutation_byte(),
    ) {
        let corrupted = mutate(&text, at, with);
        if let Some(ms) = parse_ms(&corrupted) {
            prop_assert_eq!(Some(ms), reference::twilio::parse_ms(&corrupted), "{}", corrupted);
        }
    }
}
