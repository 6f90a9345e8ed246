//! `dialect.respond` → `adapter.parse_response`: every answer the emulator
//! can give reads back as the outcome it means.

use super::*;
use crate::emulator::dialect::{ApiCall, ApiResult};
use callproof_core::provider::{
    CreateCall, OpOutcome, ProviderCallStatus, ProviderError, ProviderOp,
};
use callproof_core::record::CallMode;
use callproof_core::state::{CallState, EndReason};

fn create_op() -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: CALL_ID.to_owned(),
        from: CALLER.to_owned(),
        to: CALLEE.to_owned(),
        mode: CallMode::Conversation,
        message: None,
        time_limit_secs: 300,
        ring_timeout_secs: 25,
    })
}

/// Every per-call operation, on `SID`.
fn call_ops() -> Vec<ProviderOp> {
    vec![
        ProviderOp::Hangup {
            call: call_ref(SID),
            answered: true,
        },
        ProviderOp::Hangup {
            call: call_ref(SID),
            answered: false,
        },
        ProviderOp::Status {
            call: call_ref(SID),
        },
        ProviderOp::Speak {
            call: call_ref(SID),
            text: "hi".to_owned(),
        },
        ProviderOp::StartListening {
            call: call_ref(SID),
        },
        ProviderOp::StopListening {
            call: call_ref(SID),
        },
    ]
}

/// The full loop: the adapter's request, understood by the dialect,
/// answered with `result`, read back by the adapter.
fn round_trip(op: &ProviderOp, result: ApiResult<'_>) -> Result<OpOutcome, ProviderError> {
    let adapter = adapter();
    let request = adapter
        .build_request(op, "cmd-1")
        .expect("the adapter builds it");
    let call: ApiCall = TwilioDialect::default()
        .parse(&request)
        .expect("the dialect understands it");
    adapter.parse_response(op, &TwilioDialect::default().respond(&call, result))
}

/// What survives Twilio's five end words, for a call answered or not.
fn survives(reason: EndReason, answered: bool) -> EndReason {
    match reason {
        CallState::HangupBot if !answered => CallState::HangupBot,
        // An outbound call declined while ringing reads busy.
        CallState::HangupUser if !answered => CallState::Busy,
        CallState::Busy => CallState::Busy,
        CallState::NoAnswer => CallState::NoAnswer,
        CallState::Failed | CallState::Error => CallState::Failed,
        _ => CallState::Completed,
    }
}

#[test]
fn a_created_call_is_a_201_with_its_sid_which_the_adapter_takes() {
    let (sid, request_id) = TwilioDialect::default().new_ids(41);
    assert_eq!(request_id, None);
    let truth = Call::outbound().sid(&sid).build();
    let op = create_op();
    let request = adapter().build_request(&op, "").unwrap();
    let call = TwilioDialect::default().parse(&request).unwrap();
    let response = TwilioDialect::default().respond(&call, ApiResult::Created(&truth));
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["status"], "queued");
    assert_eq!(body["direction"], "outbound-api");
    assert_eq!(body["date_created"], "Thu, 01 Jan 2026 00:00:00 +0000");
    assert_eq!(
        adapter().parse_response(&op, &response),
        Ok(OpOutcome::Created {
            provider_call_id: Some(sid),
            request_id: None
        })
    );
}

#[test]
fn new_sids_are_twilio_shaped_deterministic_and_distinct() {
    let mut seen = std::collections::BTreeSet::new();
    for n in 0..2_000 {
        let (sid, _) = TwilioDialect::default().new_ids(n);
        assert_eq!(sid.len(), 34, "{sid}");
        assert!(sid.starts_with("CA"), "{sid}");
        assert!(sid[2..].bytes().all(|b| b.is_ascii_hexdigit()), "{sid}");
        assert_eq!(TwilioDialect::default().new_ids(n).0, sid);
        assert!(seen.insert(sid), "n = {n} repeats a sid");
    }
}

#[test]
fn queued_ringing_and_answered_calls_read_as_live() {
    let cases = [
        (Call::outbound().phase(Phase::Queued), false),
        (Call::outbound().phase(Phase::Ringing), false),
        (
            Call::outbound().phase(Phase::Answered).answered(4_000),
            true,
        ),
    ];
    for (call, answered) in cases {
        let truth = call.build();
        let got = round_trip(
            &ProviderOp::Status {
                call: call_ref(SID),
            },
            ApiResult::Status(&truth),
        );
        assert_eq!(
            got,
            Ok(OpOutcome::Status(ProviderCallStatus::Live { answered })),
            "{:?}",
            truth.phase
        );
    }
}

#[test]
fn an_ended_call_reads_as_ended_with_the_reason_twilio_can_say() {
    for reason in ends() {
        for answered in [true, false] {
            let mut call = Call::outbound().phase(Phase::Ended(reason)).ended(60_000);
            if answered {
                call = call.answered(5_000);
            }
            let truth = call.build();
            let got = round_trip(
                &ProviderOp::Status {
                    call: call_ref(SID),
                },
                ApiResult::Status(&truth),
            );
            assert_eq!(
                got,
                Ok(OpOutcome::Status(ProviderCallStatus::Ended {
                    reason: survives(reason, answered)
                })),
                "{reason} (answered: {answered})"
            );
        }
    }
}

#[test]
fn an_answered_call_that_ended_reports_its_times_and_whole_second_duration() {
    let truth = Call::outbound()
        .phase(Phase::Ended(CallState::HangupUser))
        .answered(5_000)
        .ended(47_900)
        .build();
    let call = ApiCall::Status(crate::emulator::dialect::IdRef::Call(SID.to_owned()));
    let response = TwilioDialect::default().respond(&call, ApiResult::Status(&truth));
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["duration"], "42");
    assert_eq!(body["start_time"], "Thu, 01 Jan 2026 00:00:05 +0000");
    assert_eq!(body["end_time"], "Thu, 01 Jan 2026 00:00:47 +0000");
    assert_eq!(body["sid"], SID);
}

#[test]
fn every_accepted_update_reads_as_done() {
    let truth = Call::outbound()
        .phase(Phase::Answered)
        .answered(1_000)
        .build();
    for op in call_ops()
        .into_iter()
        .filter(|op| !matches!(op, ProviderOp::Status { .. }))
    {
        assert_eq!(
            round_trip(&op, ApiResult::Done(&truth)),
            Ok(OpOutcome::Done),
            "{}",
            op.kind()
        );
    }
}

#[test]
fn a_missing_or_ended_call_is_404_20404_which_is_proof_it_is_gone() {
    for op in call_ops() {
        let got = round_trip(&op, ApiResult::NotFound);
        let Err(ProviderError::NotFound { detail }) = got else {
            panic!("{}: {got:?}", op.kind());
        };
        assert!(detail.contains("20404") && detail.contains(SID), "{detail}");
    }
}

#[test]
fn a_404_on_a_create_is_not_mistaken_for_a_call_that_ended() {
    let got = round_trip(&create_op(), ApiResult::NotFound);
    assert!(
        matches!(got, Err(ProviderError::Rejected { status: 404, .. })),
        "{got:?}"
    );
}

#[test]
fn rate_limits_and_server_errors_leave_the_outcome_unknown() {
    let mut ops = call_ops();
    ops.push(create_op());
    for op in ops {
        for result in [ApiResult::RateLimited, ApiResult::ServerError] {
            let got = round_trip(&op, result);
            assert!(
                matches!(&got, Err(e @ ProviderError::Transient { .. }) if e.outcome_unknown()),
                "{}: {got:?}",
                op.kind()
            );
        }
    }
}

#[test]
fn rate_limits_carry_twilios_20429_code() {
    let call = ApiCall::Status(crate::emulator::dialect::IdRef::Call(SID.to_owned()));
    let response = TwilioDialect::default().respond(&call, ApiResult::RateLimited);
    assert_eq!(response.status(), 429);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["code"], 20429);
    assert_eq!(
        body["more_info"],
        "https://www.twilio.com/docs/errors/20429"
    );
}
