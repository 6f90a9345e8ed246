//! Hostile input never panics: every parser answers arbitrary bytes with a
//! value or a typed error.

use super::super::{address, form, rfc2822};
use super::{adapter, Request, TOKEN};
use crate::adapters::Adapter;
use crate::provider::{CallRef, ProviderOp};
use proptest::prelude::*;

fn status_op() -> ProviderOp {
    ProviderOp::Status {
        call: CallRef {
            call_id: "call-1".to_owned(),
            provider_call_id: Some("CA1".to_owned()),
            request_id: None,
        },
    }
}

proptest! {
    #[test]
    fn form_decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = form::decode(&bytes);
    }

    #[test]
    fn date_parsing_never_panics(text in "\\PC{0,64}") {
        let _ = rfc2822::parse_ms(&text);
    }

    #[test]
    fn dates_it_accepts_survive_any_zone_and_year(
        day in 1u32..=28, month in 0usize..12, year in 1970i64..=9999,
        hour in 0u32..24, minute in 0u32..60, zone in -1200i32..=1400,
    ) {
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let sign = if zone < 0 { '-' } else { '+' };
        let zone = zone.abs() / 100 * 100;
        let text = format!("{day} {} {year} {hour:02}:{minute:02}:00 {sign}{zone:04}", MONTHS[month]);
        let parsed = rfc2822::parse_ms(&text);
        prop_assert!(parsed.is_some() || (year == 1970 && sign == '+'), "{}", text);
    }

    #[test]
    fn url_candidates_never_panic(url in "\\PC{0,80}") {
        let candidates = address::signing_candidates(&url);
        prop_assert!(!candidates.is_empty() && candidates.len() <= 12);
        prop_assert_eq!(candidates[0].as_str(), url.as_str());
    }

    #[test]
    fn any_response_is_classified_without_panicking(
        status in 100u16..1000,
        body in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        let response = http::Response::builder().status(status).body(body).unwrap();
        let _ = adapter().parse_response(&status_op(), &response);
    }

    #[test]
    fn any_signed_form_body_verifies_and_parses_without_panicking(
        body in "[A-Za-z0-9=&%+]{0,120}",
        url in "https://gw\\.example\\.com/[a-z]{0,8}(\\?[a-zA-Z0-9=&%']{0,30})?",
    ) {
        let request = Request::raw(&url, "application/x-www-form-urlencoded", body.into_bytes(), None);
        if form::decode(&request.body).is_ok() && form::decode(address::query(&url).as_bytes()).is_ok() {
            let signed = request.signed_with(TOKEN);
            let verified = signed.verify();
            prop_assert!(verified.is_ok(), "{:?}", verified);
            if let Ok(verified) = verified {
                let _ = adapter().parse_webhook(&verified);
            }
        }
    }
}
