//! Every class of answer, and every call status, lands where the manager
//! expects it.

use super::adapter;
use crate::adapters::Adapter;
use crate::provider::{
    CallRef, CreateCall, OpOutcome, ProviderCallStatus, ProviderError, ProviderOp,
};
use crate::record::CallMode;
use crate::state::EndReason;

const SID: &str = "CAa1b2c3d4e5f60718293a4b5c6d7e8f90";

fn call() -> CallRef {
    CallRef {
        call_id: "call-1".to_owned(),
        provider_call_id: Some(SID.to_owned()),
        request_id: None,
    }
}

fn create() -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: "call-1".to_owned(),
        from: "+15557654321".to_owned(),
        to: "+15550100001".to_owned(),
        mode: CallMode::Conversation,
        message: None,
        time_limit_secs: 300,
        ring_timeout_secs: 30,
    })
}

fn status_op() -> ProviderOp {
    ProviderOp::Status { call: call() }
}

fn ops_on_a_call() -> Vec<ProviderOp> {
    vec![
        ProviderOp::Hangup {
            call: call(),
            answered: true,
        },
        status_op(),
        ProviderOp::Speak {
            call: call(),
            text: "hi".to_owned(),
        },
        ProviderOp::StartListening { call: call() },
        ProviderOp::StopListening { call: call() },
    ]
}

fn all_ops() -> Vec<ProviderOp> {
    let mut ops = ops_on_a_call();
    ops.push(create());
    ops
}

fn respond(op: &ProviderOp, status: u16, body: &str) -> Result<OpOutcome, ProviderError> {
    let response = http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap();
    adapter().parse_response(op, &response)
}

fn twilio_error(code: u32, message: &str, status: u16) -> String {
    format!(
        r#"{{"code":{code},"message":"{message}","more_info":"https://www.twilio.com/docs/errors/{code}","status":{status}}}"#
    )
}

#[test]
fn a_created_call_yields_its_call_sid() {
    for status in [201, 200] {
        let body = format!(r#"{{"sid":"{SID}","status":"queued","direction":"outbound-api"}}"#);
        assert_eq!(
            respond(&create(), status, &body),
            Ok(OpOutcome::Created {
                provider_call_id: Some(SID.to_owned()),
                request_id: None
            })
        );
    }
}

#[test]
fn a_create_answer_without_a_readable_sid_is_malformed() {
    for body in [
        "",
        "<html>ok</html>",
        "null",
        r#"{"status":"queued"}"#,
        r#"{"sid":null}"#,
        r#"{"sid":42}"#,
        r#"{"sid":""}"#,
        r#"{"sid":"CA1/../../x"}"#,
    ] {
        let got = respond(&create(), 201, body);
        assert!(
            matches!(got, Err(ProviderError::Malformed { .. })),
            "{body:?}: {got:?}"
        );
    }
}

#[test]
fn every_twilio_call_status_is_classified() {
    let table = [
        ("queued", ProviderCallStatus::Live { answered: false }),
        ("ringing", ProviderCallStatus::Live { answered: false }),
        ("in-progress", ProviderCallStatus::Live { answered: true }),
        (
            "completed",
            ProviderCallStatus::Ended {
                reason: EndReason::Completed,
            },
        ),
        (
            "busy",
            ProviderCallStatus::Ended {
                reason: EndReason::Busy,
            },
        ),
        (
            "failed",
            ProviderCallStatus::Ended {
                reason: EndReason::Failed,
            },
        ),
        (
            "no-answer",
            ProviderCallStatus::Ended {
                reason: EndReason::NoAnswer,
            },
        ),
        (
            "canceled",
            ProviderCallStatus::Ended {
                reason: EndReason::HangupBot,
            },
        ),
    ];
    for (raw, want) in table {
        let body = format!(r#"{{"sid":"{SID}","status":"{raw}","duration":null}}"#);
        assert_eq!(
            respond(&status_op(), 200, &body),
            Ok(OpOutcome::Status(want)),
            "{raw}"
        );
    }
}

#[test]
fn a_status_no_table_knows_is_unknown_and_never_an_end() {
    for raw in ["initiated", "answered", "COMPLETED", "", "cancelled"] {
        let body = format!(r#"{{"status":"{raw}"}}"#);
        assert_eq!(
            respond(&status_op(), 200, &body),
            Ok(OpOutcome::Status(ProviderCallStatus::Unknown {
                raw: raw.to_owned()
            })),
            "{raw}"
        );
    }
}

#[test]
fn a_status_answer_without_a_readable_status_is_malformed() {
    for body in [
        "",
        "{",
        r#"{"sid":"CA1"}"#,
        r#"{"status":null}"#,
        r#"{"status":7}"#,
        "[]",
    ] {
        let got = respond(&status_op(), 200, body);
        assert!(
            matches!(got, Err(ProviderError::Malformed { .. })),
            "{body:?}: {got:?}"
        );
    }
}

#[test]
fn an_accepted_update_is_done_whatever_its_body() {
    for op in ops_on_a_call()
        .into_iter()
        .filter(|op| op.kind() != "status")
    {
        for body in ["", "not json", r#"{"sid":"CA1","status":"completed"}"#] {
            assert_eq!(
                respond(&op, 200, body),
                Ok(OpOutcome::Done),
                "{}",
                op.kind()
            );
        }
    }
}

#[test]
fn not_found_with_code_20404_proves_the_call_is_gone() {
    let body = twilio_error(
        20404,
        "The requested resource /2010-04-01/Accounts/AC1/Calls/CA1.json was not found",
        404,
    );
    for op in ops_on_a_call() {
        let got = respond(&op, 404, &body);
        let Err(ProviderError::NotFound { detail }) = got else {
            panic!("{}: {got:?}", op.kind())
        };
        assert!(detail.contains("20404"), "{detail}");
    }
}

#[test]
fn a_404_without_twilios_code_is_not_proof_of_an_end() {
    for body in [
        "",
        "<html>Not Found</html>",
        &twilio_error(20001, "other", 404),
    ] {
        for op in ops_on_a_call() {
            assert!(
                matches!(
                    respond(&op, 404, body),
                    Err(ProviderError::Rejected { status: 404, .. })
                ),
                "{}: {body:?}",
                op.kind()
            );
        }
    }
}

#[test]
fn a_404_on_create_is_a_wrong_account_path_not_a_missing_call() {
    let body = twilio_error(20404, "The requested resource was not found", 404);
    assert!(matches!(
        respond(&create(), 404, &body),
        Err(ProviderError::Rejected { status: 404, .. })
    ));
}

#[test]
fn refused_credentials_are_unauthorized() {
    for status in [401, 403] {
        for op in all_ops() {
            let got = respond(&op, status, &twilio_error(20003, "Authenticate", status));
            let Err(ProviderError::Unauthorized { detail }) = got else {
                panic!("{status} {}: {got:?}", op.kind())
            };
            assert!(detail.contains("20003"), "{detail}");
        }
    }
}

#[test]
fn rate_limits_timeouts_and_server_errors_are_transient() {
    let cases = [
        (429, twilio_error(20429, "Too Many Requests", 429)),
        (408, String::new()),
        (500, twilio_error(20500, "Internal Server Error", 500)),
        (502, "<html>Bad Gateway</html>".to_owned()),
        (503, String::new()),
        (504, "{".to_owned()),
        (599, String::new()),
    ];
    for (status, body) in cases {
        for op in all_ops() {
            let got = respond(&op, status, &body);
            assert!(
                matches!(&got, Err(e @ ProviderError::Transient { .. }) if e.outcome_unknown()),
                "{status} {}: {got:?}",
                op.kind()
            );
        }
    }
}

#[test]
fn other_client_errors_are_permanent_rejections_carrying_twilios_words() {
    let cases = [
        (400, twilio_error(21205, "Url is not a valid URL", 400)),
        (400, twilio_error(21220, "Invalid call state", 400)),
        (409, String::new()),
        (422, "plain text".to_owned()),
    ];
    for (status, body) in cases {
        for op in all_ops() {
            let got = respond(&op, status, &body);
            let Err(ProviderError::Rejected {
                status: got_status,
                detail,
            }) = &got
            else {
                panic!("{status} {}: {got:?}", op.kind())
            };
            assert_eq!(*got_status, status);
            assert!(!got.as_ref().unwrap_err().outcome_unknown());
            if body.starts_with('{') {
                assert!(detail.contains("Twilio error 21"), "{detail}");
            }
        }
    }
}

#[test]
fn statuses_outside_2xx_4xx_and_5xx_are_malformed_and_outcome_unknown() {
    for status in [101, 302, 304, 600, 999] {
        for op in all_ops() {
            let got = respond(&op, status, "");
            assert!(
                matches!(&got, Err(e @ ProviderError::Malformed { .. }) if e.outcome_unknown()),
                "{status} {}: {got:?}",
                op.kind()
            );
        }
    }
}

#[test]
fn a_huge_error_body_is_quoted_only_in_part() {
    let body = "é".repeat(10_000);
    let Err(ProviderError::Transient { detail }) = respond(&create(), 503, &body) else {
        panic!("expected transient")
    };
    assert!(
        detail.chars().count() < 300,
        "{} chars",
        detail.chars().count()
    );
}
