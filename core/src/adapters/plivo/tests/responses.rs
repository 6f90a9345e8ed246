//! Every class of Plivo response and every status value.

use super::{adapter, by_request, by_uuid, create_op, REQUEST_UUID};
use crate::adapters::Adapter;
use crate::provider::{OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use crate::state::CallState;

fn respond(op: &ProviderOp, status: u16, body: &str) -> Result<OpOutcome, ProviderError> {
    let response = http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap();
    adapter().parse_response(op, &response)
}

fn hangup() -> ProviderOp {
    ProviderOp::Hangup {
        call: by_uuid(),
        answered: true,
    }
}

fn status_op() -> ProviderOp {
    ProviderOp::Status { call: by_uuid() }
}

fn live_status(call_status: &str) -> Result<OpOutcome, ProviderError> {
    // The shape of the SDK fixture `liveCallGetResponse.json`.
    let body = format!(
        r#"{{"api_id":"45223222-74f8-11e1-8ea7-1231400114c7","call_status":"{call_status}",
        "call_uuid":"a1b2c3d4-0001-4000-8000-000000000001","caller_name":"+14155550100",
        "direction":"outbound","from":"14155550100","to":"14155550123",
        "request_uuid":"f0e1d2c3-0001-4000-8000-00000000000a","session_start":"2026-03-02 14:05:01.120004"}}"#
    );
    respond(&status_op(), 200, &body)
}

#[test]
fn a_fired_call_is_known_by_its_request_uuid_only() {
    let body = r#"{"message":"call fired","request_uuid":"9834029e-58b6-11e1-b8b7-a5bd0e4e126f","api_id":"97ceeb52-58b6-11e1-86da-77300b68f8bb"}"#;
    assert_eq!(
        respond(&create_op(), 201, body),
        Ok(OpOutcome::Created {
            provider_call_id: None,
            request_id: Some("9834029e-58b6-11e1-b8b7-a5bd0e4e126f".to_owned()),
        })
    );
}

#[test]
fn a_request_uuid_list_of_one_is_that_request() {
    let body = r#"{"message":"call fired","request_uuid":["r-1"],"api_id":"a"}"#;
    assert_eq!(
        respond(&create_op(), 201, body),
        Ok(OpOutcome::Created {
            provider_call_id: None,
            request_id: Some("r-1".to_owned()),
        })
    );
}

#[test]
fn a_create_answer_without_exactly_one_request_uuid_is_malformed() {
    for body in [
        r#"{"message":"call fired","request_uuid":["r-1","r-2"]}"#,
        r#"{"message":"call fired","request_uuid":[]}"#,
        r#"{"message":"call fired","request_uuid":""}"#,
        r#"{"message":"call fired","request_uuid":7}"#,
        r#"{"message":"call fired"}"#,
        r#"["r-1"]"#,
        "<html>ok</html>",
        "",
    ] {
        assert!(
            matches!(
                respond(&create_op(), 201, body),
                Err(ProviderError::Malformed { .. })
            ),
            "{body}"
        );
    }
}

#[test]
fn a_hangup_answered_with_204_is_done() {
    assert_eq!(respond(&hangup(), 204, ""), Ok(OpOutcome::Done));
}

#[test]
fn speak_and_transfer_acknowledgements_are_done() {
    let speak = ProviderOp::Speak {
        call: by_uuid(),
        text: "hi".to_owned(),
    };
    assert_eq!(
        respond(&speak, 202, r#"{"message":"speak started","api_id":"a"}"#),
        Ok(OpOutcome::Done)
    );
    for op in [
        ProviderOp::StartListening { call: by_uuid() },
        ProviderOp::StopListening { call: by_uuid() },
    ] {
        assert_eq!(
            respond(&op, 202, r#"{"message":"call transfered","api_id":"a"}"#),
            Ok(OpOutcome::Done)
        );
    }
}

#[test]
fn hanging_up_a_call_that_already_ended_is_not_found() {
    let result = respond(&hangup(), 404, r#"{"api_id":"a-1","error":"not found"}"#);
    assert_eq!(
        result,
        Err(ProviderError::NotFound {
            detail: "HTTP 404: not found (api_id a-1)".to_owned()
        })
    );
}

#[test]
fn a_404_with_an_empty_object_is_not_found() {
    assert!(matches!(
        respond(&hangup(), 404, "{}"),
        Err(ProviderError::NotFound { .. })
    ));
    assert!(matches!(
        respond(&hangup(), 404, ""),
        Err(ProviderError::NotFound { .. })
    ));
}

#[test]
fn a_call_missing_from_the_live_view_is_not_found() {
    assert!(matches!(
        respond(
            &status_op(),
            404,
            r#"{"api_id":"a","error":"call not found"}"#
        ),
        Err(ProviderError::NotFound { .. })
    ));
}

#[test]
fn a_request_no_longer_queued_is_no_proof_the_call_ended() {
    let cancel = ProviderOp::Hangup {
        call: by_request(),
        answered: false,
    };
    let result = respond(&cancel, 404, "{}");
    assert!(
        matches!(result, Err(ProviderError::Transient { .. })),
        "{result:?}"
    );

    let status = ProviderOp::Status { call: by_request() };
    let result = respond(&status, 404, "{}");
    assert!(
        matches!(
            result,
            Ok(OpOutcome::Status(ProviderCallStatus::Unknown { .. }))
        ),
        "{result:?}"
    );
}

#[test]
fn a_queued_request_is_live_and_unanswered() {
    let body = format!(
        r#"{{"api_id":"a","call_status":"queued","direction":"outbound","request_uuid":"{REQUEST_UUID}"}}"#
    );
    assert_eq!(
        respond(&ProviderOp::Status { call: by_request() }, 200, &body),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: false
        }))
    );
}

#[test]
fn refused_credentials_are_unauthorized() {
    for code in [401, 403] {
        let result = respond(
            &create_op(),
            code,
            r#"{"api_id":"a","error":"authentication failed"}"#,
        );
        assert_eq!(
            result,
            Err(ProviderError::Unauthorized {
                detail: format!("HTTP {code}: authentication failed (api_id a)")
            })
        );
    }
}

#[test]
fn rate_limits_timeouts_and_server_errors_leave_the_outcome_unknown() {
    for code in [408, 429, 500, 502, 503, 504] {
        let result = respond(&create_op(), code, "<html>Bad Gateway</html>");
        match result {
            Err(error @ ProviderError::Transient { .. }) => assert!(error.outcome_unknown()),
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[test]
fn other_client_errors_are_rejected_with_plivos_message() {
    for code in [400, 405, 409, 422] {
        let result = respond(
            &create_op(),
            code,
            r#"{"api_id":"a-2","error":"to parameter is invalid"}"#,
        );
        assert_eq!(
            result,
            Err(ProviderError::Rejected {
                status: code,
                detail: format!("HTTP {code}: to parameter is invalid (api_id a-2)")
            })
        );
    }
}

#[test]
fn a_structured_error_is_carried_whole() {
    let result = respond(
        &create_op(),
        400,
        r#"{"api_id":"a","error":{"to":["required"]}}"#,
    );
    assert_eq!(
        result,
        Err(ProviderError::Rejected {
            status: 400,
            detail: r#"HTTP 400: {"to":["required"]} (api_id a)"#.to_owned()
        })
    );
}

#[test]
fn a_redirect_or_informational_answer_is_malformed() {
    for code in [101, 301, 302] {
        assert!(
            matches!(
                respond(&hangup(), code, ""),
                Err(ProviderError::Malformed { .. })
            ),
            "{code}"
        );
    }
}

#[test]
fn a_long_unreadable_error_body_is_quoted_briefly() {
    let body = "x".repeat(5_000);
    let Err(ProviderError::Transient { detail }) = respond(&hangup(), 500, &body) else {
        panic!("expected transient");
    };
    assert!(detail.len() < 300, "{}", detail.len());
}

#[test]
fn a_status_answer_without_call_status_is_malformed() {
    for body in [r#"{"api_id":"a"}"#, r#"{"call_status":3}"#, "not json"] {
        assert!(
            matches!(
                respond(&status_op(), 200, body),
                Err(ProviderError::Malformed { .. })
            ),
            "{body}"
        );
    }
}

fn ended(reason: CallState) -> Result<OpOutcome, ProviderError> {
    Ok(OpOutcome::Status(ProviderCallStatus::Ended { reason }))
}

#[test]
fn ringing_and_queued_calls_are_live_but_unanswered() {
    for raw in ["ringing", "queued"] {
        assert_eq!(
            live_status(raw),
            Ok(OpOutcome::Status(ProviderCallStatus::Live {
                answered: false
            })),
            "{raw}"
        );
    }
}

#[test]
fn an_in_progress_call_is_live_and_answered() {
    assert_eq!(
        live_status("in-progress"),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: true
        }))
    );
}

#[test]
fn final_statuses_end_the_call_with_their_reason() {
    assert_eq!(live_status("completed"), ended(CallState::Completed));
    assert_eq!(live_status("busy"), ended(CallState::Busy));
    assert_eq!(live_status("failed"), ended(CallState::Failed));
    assert_eq!(live_status("no-answer"), ended(CallState::NoAnswer));
}

#[test]
fn a_ring_timeout_means_nobody_answered() {
    assert_eq!(live_status("timeout"), ended(CallState::NoAnswer));
}

#[test]
fn a_cancelled_call_was_hung_up_by_us() {
    assert_eq!(live_status("cancel"), ended(CallState::HangupBot));
}

#[test]
fn a_status_word_we_do_not_know_never_ends_the_call() {
    for raw in ["early-media", "Completed", "canceled", ""] {
        assert_eq!(
            live_status(raw),
            Ok(OpOutcome::Status(ProviderCallStatus::Unknown {
                raw: raw.to_owned()
            })),
            "{raw:?}"
        );
    }
}
