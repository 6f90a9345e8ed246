//! `callproof journal check` on the fixture journals, as an operator runs it.

use std::process::Command;

fn check(fixture: &str, now_ms: u64) -> (i32, String) {
    let path = format!(
        "{}/../fixtures/journals/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = Command::new(env!("CARGO_BIN_EXE_callproof"))
        .args(["journal", "check", &path, "--now-ms", &now_ms.to_string()])
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const FEB_2026: u64 = 1_770_000_000_000;

#[test]
fn the_stale_record_of_issue_6721_is_named_and_exits_1() {
    let (code, out) = check("openclaw-6721-stale.jsonl", FEB_2026);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("49a7d28f-6c1e-4b7a-9d2e-5f3a8c0b1e47"),
        "{out}"
    );
    assert!(
        out.contains("initiated") && out.contains("STALE") && out.contains("twilio"),
        "{out}"
    );
    assert!(out.contains("Verdict: BLOCKED"), "{out}");
    assert!(
        out.contains("\"state\":\"timeout\""),
        "the fix line is printed: {out}"
    );
}

#[test]
fn a_young_live_call_is_listed_but_does_not_fail_the_check() {
    let (code, out) = check("torn-tail.jsonl", 1_769_904_060_000);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("c-torn") && out.contains("torn tail"), "{out}");
}

#[test]
fn out_of_order_lines_leave_the_call_ended_and_say_which_line_was_skipped() {
    let (code, out) = check("out-of-order.jsonl", FEB_2026);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No call would count"), "{out}");
    assert!(
        out.contains("line 3: call c-b6 is already completed"),
        "{out}"
    );
}

#[test]
fn a_record_appended_after_a_torn_tail_is_recovered() {
    let (_, out) = check("torn-then-appended.jsonl", 1_769_904_060_000);
    assert!(out.contains("2 calls"), "{out}");
    assert!(
        !out.contains("c-next "),
        "c-next ended, so it is not listed: {out}"
    );
}

#[test]
fn a_missing_file_is_a_clear_error_with_status_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_callproof"))
        .args(["journal", "check", "/nonexistent/calls.jsonl"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn a_file_of_random_bytes_is_not_a_call_journal_and_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("random.bin");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_callproof"))
        .args(["journal", "check"])
        .arg(&path)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("not a call journal?"), "{stdout}");
    assert!(!stdout.contains("Verdict: OK"), "{stdout}");
}
