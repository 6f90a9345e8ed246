//! The fast scan answers for the lines OpenClaw and the reference write, and
//! whenever it answers, serde reads the line the same way.

use super::quick_head;
use crate::journal::fold::head;
use crate::state::CallState;
use proptest::prelude::*;

const OPENCLAW_LINE: &str = r#"{"callId":"9f1c","providerCallId":"CA1","provider":"twilio","direction":"outbound","state":"speaking","from":"+15550000000","to":"+15551234567","startedAt":1700000000000,"transcript":[{"timestamp":1700000005000,"speaker":"bot","text":"some \"quoted\" words\nand a tab\t","isFinal":true}],"processedEventIds":["a","b"],"metadata":{"mode":"conversation","n":-1.5e3,"x":null,"ok":false}}"#;

#[test]
fn an_openclaw_line_is_answered_without_serde() {
    let q = quick_head(OPENCLAW_LINE).expect("the scan answers for a plain line");
    assert_eq!(q.call_id, "9f1c");
    assert_eq!(q.state, CallState::Speaking);
    assert_eq!(q.seq, None);
}

#[test]
fn a_sequenced_line_keeps_its_seq() {
    let line = r#"{"callId":"c1","state":"completed","seq":42,"transcript":[]}"#;
    assert_eq!(quick_head(line).map(|q| q.seq), Some(Some(42)));
}

#[test]
fn unusual_lines_are_left_to_serde() {
    for line in [
        r#"{"callId":"c\u0031","state":"active"}"#,
        r#"{"callId":"c1","state":"active","seq":1.0}"#,
        r#"{"callId":"c1","state":"active","seq":-1}"#,
        r#"{"callId":"c1","state":"active","state":"completed"}"#,
        r#"["c1","active"]"#,
        r#"{"callId":"c1","state":"active"} x"#,
        r#"{"callId":"c1","state":"active","t":"a	b"}"#,
        r#"{"callId":"c1","state":"active","n":01}"#,
        r#"{"callId":"c1","state":"nonsense"}"#,
        r#"{"callId":"c1"}"#,
    ] {
        assert_eq!(quick_head(line), None, "{line}");
    }
}

/// Pieces the generator glues into lines: valid ones and near misses.
const PIECES: [&str; 24] = [
    r#""callId":"c1""#,
    r#""callId":"c\"2""#,
    r#""state":"active""#,
    r#""state":"completed""#,
    r#""state":"bogus""#,
    r#""seq":7"#,
    r#""seq":null"#,
    r#""seq":07"#,
    r#""seq":18446744073709551616"#,
    r#""t":"x\\y\/z""#,
    r#""t":"\u00e9""#,
    r#""t":"é""#,
    r#""n":-0.5E+2"#,
    r#""n":1."#,
    r#""n":-"#,
    r#""a":[1,{"b":[true,false,null]}]"#,
    r#""a":[1,]"#,
    r#""o":{}"#,
    r#""o":{"k":}"#,
    r#""u":tru"#,
    r#" "w" : "s" "#,
    r#""k""#,
    "\"c\":\"\u{1}\"",
    r#""z":1e400"#,
];

fn glue(parts: &[usize], open: bool, close: bool, commas: bool) -> String {
    let body: Vec<&str> = parts.iter().map(|&i| PIECES[i]).collect();
    let sep = if commas { "," } else { " " };
    format!(
        "{}{}{}",
        if open { "{" } else { "[" },
        body.join(sep),
        if close { "}" } else { "" }
    )
}

proptest! {
    #[test]
    fn whenever_the_scan_answers_serde_reads_the_same(
        parts in proptest::collection::vec(0usize..PIECES.len(), 0..8),
        open in proptest::bool::weighted(0.9),
        close in proptest::bool::weighted(0.9),
        commas in proptest::bool::weighted(0.9),
        cut in proptest::option::of(0usize..200),
        flip in proptest::option::of((0usize..200, any::<u8>())),
    ) {
        let mut line = glue(&parts, open, close, commas).into_bytes();
        if let Some(at) = cut {
            line.truncate(at.min(line.len()));
        }
        if let Some((at, byte)) = flip {
            if let Some(b) = line.get_mut(at) {
                *b = byte;
            }
        }
        let Ok(text) = std::str::from_utf8(&line) else { return Ok(()); };
        if let Some(q) = quick_head(text) {
            let h = head(&line).map_err(|e| TestCaseError::fail(format!("serde refused {text:?}: {e:?}")))?;
            prop_assert_eq!(q.call_id, h.call_id.as_ref());
            prop_assert_eq!(q.state, h.state);
            prop_assert_eq!(q.seq, h.seq);
        }
    }
}
