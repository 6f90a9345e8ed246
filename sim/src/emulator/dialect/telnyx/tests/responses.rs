//! Answers: `dialect.respond` → `adapter.parse_response`, for every result
//! and every phase.

use super::{adapter, call_ref, dialect, TruthCallBuilder};
use crate::emulator::dialect::{ApiCall, ApiResult, Dialect};
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::provider::{
    CreateCall, OpOutcome, ProviderCallStatus, ProviderError, ProviderOp,
};
use callproof_core::record::CallMode;
use callproof_core::state::{CallState, EndReason};
use serde_json::Value;

fn create() -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: "call-1".to_owned(),
        from: "+15550100001".to_owned(),
        to: "+15550100002".to_owned(),
        mode: CallMode::Conversation,
        message: None,
        time_limit_secs: 600,
        ring_timeout_secs: 30,
    })
}

fn commands() -> Vec<ProviderOp> {
    vec![
        ProviderOp::Hangup {
            call: call_ref(),
            answered: true,
        },
        ProviderOp::Hangup {
            call: call_ref(),
            answered: false,
        },
        ProviderOp::Speak {
            call: call_ref(),
            text: "Hello there.".to_owned(),
        },
        ProviderOp::StartListening { call: call_ref() },
        ProviderOp::StopListening { call: call_ref() },
    ]
}

fn status() -> ProviderOp {
    ProviderOp::Status { call: call_ref() }
}

fn terminal_reasons() -> impl Iterator<Item = EndReason> {
    CallState::ALL.into_iter().filter(|s| s.is_terminal())
}

/// The ApiCall the dialect understood from the adapter's request for `op`.
fn understood(op: &ProviderOp) -> ApiCall {
    let request = adapter().build_request(op, "cmd-1").unwrap();
    dialect()
        .parse(&request)
        .expect("the adapter's request is valid")
}

fn answer(op: &ProviderOp, result: ApiResult<'_>) -> http::Response<Vec<u8>> {
    dialect().respond(&understood(op), result)
}

fn round_trip(op: &ProviderOp, result: ApiResult<'_>) -> Result<OpOutcome, ProviderError> {
    adapter().parse_response(op, &answer(op, result))
}

fn data(response: &http::Response<Vec<u8>>) -> Value {
    let body: Value = serde_json::from_slice(response.body()).expect("JSON");
    body["data"].clone()
}

fn queued() -> TruthCall {
    TruthCallBuilder::outbound().build()
}

#[test]
fn a_created_call_answers_200_with_its_call_control_id_which_the_adapter_keeps() {
    let call = queued();
    assert_eq!(
        round_trip(&create(), ApiResult::Created(&call)),
        Ok(OpOutcome::Created {
            provider_call_id: Some(call.provider_call_id.clone()),
            request_id: None,
        })
    );
    let response = answer(&create(), ApiResult::Created(&call));
    assert_eq!(response.status(), 200);
    let data = data(&response);
    assert_eq!(data["is_alive"], false, "dialling is asynchronous");
    assert_eq!(data["record_type"], "call");
    assert_eq!(data["client_state"], "Y2FsbC0x", "base64 of call-1");
}

#[test]
fn the_call_resource_carries_every_field_the_published_schema_requires() {
    // team-telnyx/openapi spec3.json, schema `Call`: required fields.
    let call = TruthCallBuilder::outbound().phase(Phase::Answered).build();
    let data = data(&answer(&status(), ApiResult::Status(&call)));
    for field in [
        "call_control_id",
        "call_leg_id",
        "call_session_id",
        "is_alive",
        "record_type",
    ] {
        assert!(data.get(field).is_some(), "{field} missing from {data}");
    }
    assert_ne!(data["call_leg_id"], data["call_session_id"]);
}

#[test]
fn every_live_phase_reads_back_as_live_but_never_as_answered() {
    // `is_alive` is all the resource says; the answer is learnt from
    // `call.answered`, so even an answered call reads `answered: false`.
    for phase in [Phase::Queued, Phase::Ringing, Phase::Answered] {
        for builder in [TruthCallBuilder::outbound(), TruthCallBuilder::inbound()] {
            let call = builder.phase(phase).build();
            assert_eq!(
                round_trip(&status(), ApiResult::Status(&call)),
                Ok(OpOutcome::Status(ProviderCallStatus::Live {
                    answered: false
                })),
                "{phase:?}"
            );
        }
    }
}

#[test]
fn every_ended_phase_reads_back_as_ended_completed_for_lack_of_a_cause() {
    for reason in terminal_reasons() {
        let call = TruthCallBuilder::outbound()
            .phase(Phase::Ended(reason))
            .build();
        assert_eq!(
            round_trip(&status(), ApiResult::Status(&call)),
            Ok(OpOutcome::Status(ProviderCallStatus::Ended {
                reason: EndReason::Completed
            })),
            "{reason:?}"
        );
        let data = data(&answer(&status(), ApiResult::Status(&call)));
        assert_eq!(data["is_alive"], false);
        assert_eq!(data["end_time"], "2023-11-14T22:14:25.873000Z");
        assert_eq!(data["call_duration"], 61, "seconds connected");
    }
}

#[test]
fn an_unanswered_ended_call_has_no_connected_time() {
    let call = TruthCallBuilder::outbound()
        .ended_unanswered(Phase::Ended(EndReason::NoAnswer))
        .build();
    let data = data(&answer(&status(), ApiResult::Status(&call)));
    assert_eq!(data["call_duration"], 0);
}

#[test]
fn commands_that_took_effect_read_back_as_done() {
    let call = TruthCallBuilder::outbound().phase(Phase::Answered).build();
    for op in commands() {
        assert_eq!(
            round_trip(&op, ApiResult::Done(&call)),
            Ok(OpOutcome::Done),
            "{}",
            op.kind()
        );
    }
}

#[test]
fn a_call_that_is_over_answers_422_90018_which_the_adapter_takes_as_proof_it_ended() {
    for op in commands().into_iter().chain([status()]) {
        let response = answer(&op, ApiResult::NotFound);
        assert_eq!(response.status(), 422);
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["errors"][0]["code"], "90018");
        assert!(
            matches!(
                adapter().parse_response(&op, &response),
                Err(ProviderError::NotFound { .. })
            ),
            "{}",
            op.kind()
        );
    }
}

#[test]
fn rate_limits_and_server_errors_leave_every_outcome_unknown() {
    for op in commands().into_iter().chain([status(), create()]) {
        for (result, code) in [(ApiResult::RateLimited, 429), (ApiResult::ServerError, 503)] {
            let response = answer(&op, result);
            assert_eq!(response.status(), code);
            let outcome = adapter().parse_response(&op, &response);
            assert!(
                matches!(&outcome, Err(e @ ProviderError::Transient { .. }) if e.outcome_unknown()),
                "{} {code}: {outcome:?}",
                op.kind()
            );
        }
    }
}

#[test]
fn a_rate_limited_answer_carries_telnyx_code_and_headers() {
    let response = answer(&status(), ApiResult::RateLimited);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["errors"][0]["code"], "10011");
    assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
}
