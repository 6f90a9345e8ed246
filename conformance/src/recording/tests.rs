use super::*;

fn parse_str(text: &str) -> Result<OwnedWebhook, RecordingError> {
    parse(Path::new("t.http"), text.as_bytes())
}

fn kind(text: &str) -> (Option<usize>, RecordingErrorKind) {
    let e = parse_str(text).expect_err("malformed recording");
    (e.line, e.kind)
}

#[test]
fn a_recording_yields_method_url_headers_and_the_body_verbatim() {
    let w = parse_str("POST https://gw.example/h?a=1\nContent-Type: application/json\nX-Sig:  abc \n\n{\"a\":1}\n")
        .expect("parses");
    assert_eq!(w.method, http::Method::POST);
    assert_eq!(w.url, "https://gw.example/h?a=1");
    assert_eq!(w.headers["content-type"], "application/json");
    assert_eq!(w.headers["x-sig"], "abc");
    assert_eq!(w.body, b"{\"a\":1}\n");
}

#[test]
fn crlf_head_lines_are_read_like_lf_ones_and_the_body_keeps_its_bytes() {
    let w = parse_str("GET https://gw.example/h\r\nA: 1\r\n\r\nx=1\r\n").expect("parses");
    assert_eq!(w.method, http::Method::GET);
    assert_eq!(w.headers["a"], "1");
    assert_eq!(w.body, b"x=1\r\n");
}

#[test]
fn an_empty_body_after_the_blank_line_is_empty() {
    let w = parse_str("POST https://gw.example/h\n\n").expect("parses");
    assert!(w.body.is_empty());
    assert!(w.headers.is_empty());
}

#[test]
fn repeated_headers_are_all_kept() {
    let w = parse_str("POST https://gw.example/h\nA: 1\nA: 2\n\n").expect("parses");
    assert_eq!(w.headers.get_all("a").iter().count(), 2);
}

#[test]
fn a_bad_first_line_is_named_with_its_line() {
    for text in [
        "\n\n",
        "POST\n\n",
        "P OST https://x\n\n",
        "POST https://x y\n\n",
    ] {
        let (line, kind) = kind(text);
        assert_eq!(line, Some(1), "{text:?}");
        assert!(
            matches!(kind, RecordingErrorKind::BadRequestLine(_)),
            "{text:?}: {kind:?}"
        );
    }
}

#[test]
fn a_head_line_without_a_colon_or_with_a_bad_name_is_a_bad_header() {
    for text in [
        "POST https://x\nno colon\n\n",
        "POST https://x\nBad Name: v\n\n",
    ] {
        let (line, kind) = kind(text);
        assert_eq!(line, Some(2), "{text:?}");
        assert!(
            matches!(kind, RecordingErrorKind::BadHeader(_)),
            "{text:?}: {kind:?}"
        );
    }
}

#[test]
fn a_file_without_the_blank_line_has_no_body_boundary() {
    for text in [
        "",
        "POST https://x",
        "POST https://x\nA: 1\n",
        "POST https://x\nA: 1",
    ] {
        assert_eq!(kind(text).1, RecordingErrorKind::NoBlankLine, "{text:?}");
    }
}

#[test]
fn a_content_length_that_disagrees_with_the_body_is_caught() {
    let (_, kind) = kind("POST https://x\nContent-Length: 2\n\nab\n");
    assert_eq!(
        kind,
        RecordingErrorKind::ContentLengthMismatch {
            declared: "2".to_owned(),
            actual: 3
        }
    );
    assert!(parse_str("POST https://x\nContent-Length: 2\n\nab").is_ok());
}

#[test]
fn a_directory_without_recordings_is_an_error_not_an_empty_pass() {
    let empty = std::env::temp_dir().join(format!("callproof-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("temp dir");
    let got = load_dir(&empty);
    std::fs::remove_dir(&empty).expect("cleanup");
    assert_eq!(
        got.expect_err("empty").kind,
        RecordingErrorKind::NoRecordings
    );
}

#[test]
fn a_missing_directory_is_an_io_error() {
    let got = load_dir(Path::new("/nonexistent/callproof/recordings"));
    assert!(matches!(
        got.expect_err("missing").kind,
        RecordingErrorKind::Io(_)
    ));
}
