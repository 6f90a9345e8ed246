//! How every class of Telnyx answer is classified.

use super::{adapter, call_ref, create_call};
use crate::adapters::Adapter;
use crate::provider::{OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use crate::state::EndReason;
use proptest::prelude::*;

fn respond(op: &ProviderOp, status: u16, body: &str) -> Result<OpOutcome, ProviderError> {
    let response = http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap();
    adapter().parse_response(op, &response)
}

fn create() -> ProviderOp {
    ProviderOp::Create(create_call())
}

fn hangup() -> ProviderOp {
    ProviderOp::Hangup {
        call: call_ref(Some("v3:abc")),
        answered: true,
    }
}

fn status() -> ProviderOp {
    ProviderOp::Status {
        call: call_ref(Some("v3:abc")),
    }
}

fn command_ops() -> Vec<ProviderOp> {
    let call = call_ref(Some("v3:abc"));
    vec![
        hangup(),
        ProviderOp::Speak {
            call: call.clone(),
            text: "hi".to_owned(),
        },
        ProviderOp::StartListening { call: call.clone() },
        ProviderOp::StopListening { call },
    ]
}

const DIAL_OK: &str = r#"{"data":{"call_control_id":"v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg","call_leg_id":"2dc6fc34-f9e0-11ea-b68e-02420a0f7768","call_session_id":"2dc1b3c8-f9e0-11ea-bc5a-02420a0f7768","is_alive":false,"record_type":"call"}}"#;
const ALREADY_ENDED: &str = r#"{"errors":[{"code":"90018","title":"Call has already ended","detail":"This call is no longer active and can't receive commands."}]}"#;
const MISSING_PARAMETER: &str = r#"{"errors":[{"code":"10004","title":"Missing required parameter","detail":"The 'to' parameter is required and cannot be blank.","source":{"pointer":"/to"}}]}"#;
const RATE_LIMITED: &str = r#"{"errors":[{"code":"10011","title":"Too many requests","detail":"You have exceeded the maximum number of allowed requests."}]}"#;
const UNAVAILABLE: &str =
    r#"{"errors":[{"code":"10007","title":"Service unavailable","detail":"Service unavailable"}]}"#;

#[test]
fn a_dial_answer_yields_the_call_control_id() {
    assert_eq!(
        respond(&create(), 200, DIAL_OK),
        Ok(OpOutcome::Created {
            provider_call_id: Some(
                "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg".to_owned()
            ),
            request_id: None,
        })
    );
}

#[test]
fn a_dial_answer_without_a_call_control_id_is_malformed() {
    for body in [
        "",
        "<html>ok</html>",
        "{}",
        r#"{"data":{"is_alive":false}}"#,
        r#"{"data":{"call_control_id":""}}"#,
    ] {
        assert!(
            matches!(
                respond(&create(), 200, body),
                Err(ProviderError::Malformed { .. })
            ),
            "{body}"
        );
    }
}

#[test]
fn every_command_is_done_when_telnyx_says_ok() {
    for op in command_ops() {
        assert_eq!(
            respond(&op, 200, r#"{"data":{"result":"ok"}}"#),
            Ok(OpOutcome::Done),
            "{op:?}"
        );
    }
}

#[test]
fn a_command_answer_that_is_not_ok_is_malformed_not_done() {
    for body in [
        "",
        r#"{"data":{}}"#,
        r#"{"data":{"result":"pending"}}"#,
        "[]",
    ] {
        assert!(
            matches!(
                respond(&hangup(), 200, body),
                Err(ProviderError::Malformed { .. })
            ),
            "{body}"
        );
    }
}

#[test]
fn hanging_up_an_ended_call_is_proof_it_ended() {
    for op in command_ops().into_iter().chain([status()]) {
        match respond(&op, 422, ALREADY_ENDED) {
            Err(ProviderError::NotFound { detail }) => {
                assert!(
                    detail.contains("90018") && detail.contains("Call has already ended"),
                    "{detail}"
                );
            }
            other => panic!("{op:?}: {other:?}"),
        }
    }
}

#[test]
fn call_already_ended_counts_wherever_it_appears_in_the_error_list() {
    let body = r#"{"errors":[{"code":"10004","title":"x"},{"code":90018,"title":"Call has already ended"}]}"#;
    assert!(matches!(
        respond(&hangup(), 422, body),
        Err(ProviderError::NotFound { .. })
    ));
}

#[test]
fn other_validation_errors_are_rejections_carrying_code_title_and_detail() {
    match respond(&create(), 422, MISSING_PARAMETER) {
        Err(ProviderError::Rejected { status: 422, detail }) => assert_eq!(
            detail,
            "HTTP 422: 10004 Missing required parameter: The 'to' parameter is required and cannot be blank."
        ),
        other => panic!("{other:?}"),
    }
    let bad_request = r#"{"errors":[{"code":"90040","title":"Downloading audio file failed"}]}"#;
    assert!(matches!(
        respond(&hangup(), 400, bad_request),
        Err(ProviderError::Rejected { status: 400, .. })
    ));
    assert!(matches!(
        respond(&hangup(), 409, ""),
        Err(ProviderError::Rejected { status: 409, .. })
    ));
}

#[test]
fn a_command_refused_for_another_reason_is_a_rejection_not_proof_of_an_end() {
    let not_answered = r#"{"errors":[{"code":"90034","title":"Call not answered yet","detail":"This call can't receive this command because it has not been answered yet."}]}"#;
    let invalid_id = r#"{"errors":[{"code":"90015","title":"Invalid Call Control ID"}]}"#;
    for op in command_ops().into_iter().chain([status()]) {
        for body in [not_answered, invalid_id, "", "not json"] {
            assert!(
                matches!(
                    respond(&op, 422, body),
                    Err(ProviderError::Rejected { status: 422, .. })
                ),
                "{op:?} {body}"
            );
        }
    }
}

#[test]
fn a_create_is_never_not_found() {
    assert!(matches!(
        respond(&create(), 422, ALREADY_ENDED),
        Err(ProviderError::Rejected { status: 422, .. })
    ));
    assert!(matches!(
        respond(&create(), 404, ""),
        Err(ProviderError::Rejected { status: 404, .. })
    ));
}

#[test]
fn an_unknown_call_id_on_status_or_a_command_is_not_found() {
    for op in command_ops().into_iter().chain([status()]) {
        assert!(
            matches!(respond(&op, 404, ""), Err(ProviderError::NotFound { .. })),
            "{op:?}"
        );
    }
}

#[test]
fn refused_credentials_are_unauthorized() {
    for code in [401, 403] {
        assert!(matches!(
            respond(&status(), code, r#"{"errors":[]}"#),
            Err(ProviderError::Unauthorized { .. })
        ));
    }
}

#[test]
fn rate_limits_timeouts_and_server_errors_are_transient() {
    let cases = [
        (429, RATE_LIMITED),
        (503, UNAVAILABLE),
        (500, "<html>oops</html>"),
        (502, ""),
        (408, ""),
    ];
    for op in [create(), hangup(), status()] {
        for (code, body) in cases {
            match respond(&op, code, body) {
                Err(e @ ProviderError::Transient { .. }) => assert!(e.outcome_unknown()),
                other => panic!("{code}: {other:?}"),
            }
        }
    }
    match respond(&hangup(), 429, RATE_LIMITED) {
        Err(ProviderError::Transient { detail }) => assert!(detail.contains("10011"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn redirects_and_informational_answers_are_malformed() {
    for code in [101, 301, 302, 304] {
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
fn a_live_call_is_live_and_not_known_to_be_answered() {
    let body = r#"{"data":{"call_control_id":"v3:abc","call_leg_id":"l","call_session_id":"s","is_alive":true,"record_type":"call","start_time":"2019-01-23T18:10:02.574Z"}}"#;
    assert_eq!(
        respond(&status(), 200, body),
        Ok(OpOutcome::Status(ProviderCallStatus::Live {
            answered: false
        }))
    );
}

#[test]
fn a_call_that_is_not_alive_ended_and_the_spec_example_says_so() {
    let spec_example = r#"{"data":{"call_control_id":"v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg","call_leg_id":"2dc6fc34-f9e0-11ea-b68e-02420a0f7768","call_session_id":"2dc1b3c8-f9e0-11ea-bc5a-02420a0f7768","client_state":"aGF2ZSBhIG5pY2UgZGF5ID1d","is_alive":false,"call_duration":50,"start_time":"2019-01-23T18:10:02.574Z","end_time":"2019-01-23T18:11:52.574Z","record_type":"call"}}"#;
    assert_eq!(
        respond(&status(), 200, spec_example),
        Ok(OpOutcome::Status(ProviderCallStatus::Ended {
            reason: EndReason::Completed
        }))
    );
}

#[test]
fn a_status_without_a_boolean_is_alive_is_unknown_never_ended() {
    for body in [
        r#"{"data":{"call_control_id":"v3:abc"}}"#,
        r#"{"data":{"is_alive":"false"}}"#,
        r#"{"data":{"is_alive":null}}"#,
    ] {
        assert!(
            matches!(
                respond(&status(), 200, body),
                Ok(OpOutcome::Status(ProviderCallStatus::Unknown { .. }))
            ),
            "{body}"
        );
    }
}

#[test]
fn an_unreadable_status_answer_is_malformed() {
    for body in ["", "not json", r#"{"data":[]}"#, r#"{"errors":[]}"#] {
        assert!(
            matches!(
                respond(&status(), 200, body),
                Err(ProviderError::Malformed { .. })
            ),
            "{body}"
        );
    }
}

proptest! {
    #[test]
    fn classification_is_total_and_only_a_2xx_status_answer_can_end_a_call(
        code in 100u16..1000,
        body in proptest::collection::vec(any::<u8>(), 0..256),
        which in 0usize..6,
    ) {
        let ops = [create(), hangup(), status(), command_ops()[1].clone(), command_ops()[2].clone(), command_ops()[3].clone()];
        let op = &ops[which];
        let response = http::Response::builder().status(code).body(body).unwrap();
        let outcome = adapter().parse_response(op, &response);
        prop_assert!(outcome.is_err() || (200..300).contains(&code), "{code}: {outcome:?}");
    }
}
