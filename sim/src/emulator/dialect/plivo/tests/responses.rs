//! `dialect.respond` → `adapter.parse_response`, for every result and phase.

use super::{adapter, call_ref, create_op, dialect, ids, understood, TruthCallBuilder};
use crate::emulator::dialect::{ApiResult, Dialect};
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::provider::{OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use callproof_core::record::CallMode;
use callproof_core::state::CallState;
use serde_json::Value;

/// The op's request, understood by the dialect, answered with `result`, and
/// read back by the adapter; with the raw answer for checks of its shape.
fn round_trip(
    op: &ProviderOp,
    result: ApiResult<'_>,
) -> (http::Response<Vec<u8>>, Result<OpOutcome, ProviderError>) {
    let response = dialect().respond(&understood(op), result);
    let outcome = adapter().parse_response(op, &response);
    (response, outcome)
}

fn json(response: &http::Response<Vec<u8>>) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

fn per_call_ops(by_uuid: bool) -> Vec<ProviderOp> {
    let call = call_ref(by_uuid);
    let mut ops = vec![
        ProviderOp::Hangup {
            call: call.clone(),
            answered: false,
        },
        ProviderOp::Status { call: call.clone() },
    ];
    if by_uuid {
        ops.extend([
            ProviderOp::Hangup {
                call: call.clone(),
                answered: true,
            },
            ProviderOp::Speak {
                call: call.clone(),
                text: "Hello".to_owned(),
            },
            ProviderOp::StartListening { call: call.clone() },
            ProviderOp::StopListening { call },
        ]);
    }
    ops
}

fn all_phases() -> Vec<Phase> {
    let mut phases = vec![Phase::Queued, Phase::Ringing, Phase::Answered];
    phases.extend(
        CallState::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .map(|r| Phase::Ended(*r)),
    );
    phases
}

fn call_in(phase: Phase) -> TruthCall {
    TruthCallBuilder::outbound().phase(phase).build()
}

#[test]
fn a_create_answers_201_with_only_a_request_uuid_which_the_adapter_keeps() {
    let (_, request) = ids();
    let truth = call_in(Phase::Queued);
    for mode in [CallMode::Notify, CallMode::Conversation] {
        let (response, outcome) = round_trip(&create_op(mode), ApiResult::Created(&truth));
        assert_eq!(response.status(), 201);
        let body = json(&response);
        assert_eq!(body["message"], "call fired");
        assert!(body["api_id"].is_string());
        assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
        assert_eq!(
            outcome,
            Ok(OpOutcome::Created {
                provider_call_id: None,
                request_id: Some(request.clone()),
            })
        );
    }
}

#[test]
fn status_by_call_uuid_is_live_until_the_end_and_a_not_found_after_it() {
    let op = ProviderOp::Status {
        call: call_ref(true),
    };
    for phase in all_phases() {
        let truth = call_in(phase);
        let (response, outcome) = round_trip(&op, ApiResult::Status(&truth));
        let expected = match phase {
            Phase::Queued | Phase::Ringing => Ok(ProviderCallStatus::Live { answered: false }),
            Phase::Answered => Ok(ProviderCallStatus::Live { answered: true }),
            // The live view forgets an ended call: its reason is not said.
            Phase::Ended(_) => Err(404),
        };
        match (expected, outcome) {
            (Ok(status), outcome) => {
                assert_eq!(response.status(), 200, "{phase:?}");
                assert_eq!(
                    json(&response)["call_uuid"],
                    truth.provider_call_id.as_str()
                );
                assert_eq!(outcome, Ok(OpOutcome::Status(status)), "{phase:?}");
            }
            (Err(code), outcome) => {
                assert_eq!(response.status(), code, "{phase:?}");
                assert!(
                    matches!(outcome, Err(ProviderError::NotFound { .. })),
                    "{phase:?}: {outcome:?}"
                );
            }
        }
    }
}

#[test]
fn status_by_request_uuid_is_live_while_queued_and_unknown_once_the_request_left_the_queue() {
    let op = ProviderOp::Status {
        call: call_ref(false),
    };
    for phase in all_phases() {
        let truth = call_in(phase);
        let (response, outcome) = round_trip(&op, ApiResult::Status(&truth));
        if phase == Phase::Queued {
            assert_eq!(response.status(), 200);
            assert_eq!(json(&response)["call_status"], "queued");
            assert_eq!(
                outcome,
                Ok(OpOutcome::Status(ProviderCallStatus::Live {
                    answered: false
                }))
            );
        } else {
            // Plivo's queued view no longer shows it: proof of nothing, so
            // the adapter keeps the call.
            assert_eq!(response.status(), 404, "{phase:?}");
            assert!(
                matches!(
                    outcome,
                    Ok(OpOutcome::Status(ProviderCallStatus::Unknown { .. }))
                ),
                "{phase:?}: {outcome:?}"
            );
        }
    }
}

#[test]
fn a_hangup_that_took_effect_is_204_and_speak_and_listening_are_202() {
    let truth = call_in(Phase::Answered);
    for by_uuid in [true, false] {
        for op in per_call_ops(by_uuid) {
            if matches!(op, ProviderOp::Status { .. }) {
                continue;
            }
            let (response, outcome) = round_trip(&op, ApiResult::Done(&truth));
            let expected = if matches!(op, ProviderOp::Hangup { .. }) {
                204
            } else {
                202
            };
            assert_eq!(response.status(), expected, "{op:?}");
            if expected == 204 {
                assert!(response.body().is_empty());
            } else {
                assert!(json(&response)["message"].is_string());
            }
            assert_eq!(outcome, Ok(OpOutcome::Done), "{op:?}");
        }
    }
}

#[test]
fn not_found_proves_an_end_only_when_the_call_uuid_was_asked_about() {
    for op in per_call_ops(true) {
        let (response, outcome) = round_trip(&op, ApiResult::NotFound);
        assert_eq!(response.status(), 404);
        assert!(json(&response)["error"].is_string());
        assert!(
            matches!(outcome, Err(ProviderError::NotFound { .. })),
            "{op:?}: {outcome:?}"
        );
    }
    // By request uuid, as the adapter documents: a cancel is retried and a
    // status is unknown, because the call may be ringing under a new uuid.
    for op in per_call_ops(false) {
        let (response, outcome) = round_trip(&op, ApiResult::NotFound);
        assert_eq!(response.status(), 404);
        match op {
            ProviderOp::Hangup { .. } => assert!(
                matches!(outcome, Err(ProviderError::Transient { .. })),
                "{outcome:?}"
            ),
            _ => assert!(
                matches!(
                    outcome,
                    Ok(OpOutcome::Status(ProviderCallStatus::Unknown { .. }))
                ),
                "{outcome:?}"
            ),
        }
    }
}

#[test]
fn rate_limits_and_server_errors_leave_every_outcome_unknown() {
    let mut ops = per_call_ops(true);
    ops.extend(per_call_ops(false));
    ops.push(create_op(CallMode::Notify));
    for (result, code) in [(ApiResult::RateLimited, 429), (ApiResult::ServerError, 500)] {
        for op in &ops {
            let (response, outcome) = round_trip(op, result);
            assert_eq!(response.status(), code);
            let body = json(&response);
            assert!(body["api_id"].is_string() && body["error"].is_string());
            assert!(
                matches!(outcome, Err(ProviderError::Transient { .. })),
                "{op:?}: {outcome:?}"
            );
        }
    }
}

#[test]
fn the_live_view_shows_the_call_as_plivo_writes_it() {
    let truth = call_in(Phase::Ringing);
    let op = ProviderOp::Status {
        call: call_ref(true),
    };
    let (response, _) = round_trip(&op, ApiResult::Status(&truth));
    let body = json(&response);
    assert_eq!(body["call_status"], "ringing");
    assert_eq!(body["direction"], "outbound");
    assert_eq!(body["request_uuid"], truth.request_id.unwrap().as_str());
    assert_eq!(body["session_start"], "2026-03-02 14:05:01.120000");
}
