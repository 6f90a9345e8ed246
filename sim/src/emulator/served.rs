//! One REST request under the fault rules: the behaviour decides whether the
//! request is refused, dropped, applied with its reply lost or delayed, and
//! says so in a [`Served`] value; the host (turmoil or real TCP) carries the
//! decision out. Plain [`Emulator::handle_api`] is this with no rules.

use super::behaviour::Emulator;
use super::dialect::{ApiCall, ApiResult};
use super::faults::{FaultAction, FaultRules, Operation};

/// What became of one request, and what the host must do.
#[derive(Debug, Clone)]
pub struct Served {
    /// The reply to send; `None`: reset the connection without one (after
    /// `delay_ms`).
    pub response: Option<http::Response<Vec<u8>>>,
    /// Wait this long before replying.
    pub delay_ms: u64,
    /// The operation (`create`, `status`, …, or `invalid` when the request
    /// was not understood).
    pub operation: &'static str,
    /// The call the request named or created, if it exists.
    pub provider_call_id: Option<String>,
    /// The fault that hit it (`status:503`, `drop`, `reply_lost`,
    /// `latency:N`, `reply_cut:N`, `outage`).
    pub fault: Option<String>,
    /// Whether the provider carried the request out.
    pub applied: bool,
    /// The status the provider answered (also when the reply was then lost).
    pub status: u16,
}

impl Emulator {
    /// Answers one REST request at `now` under `rules`.
    pub fn serve(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: u64,
        rules: &mut FaultRules,
    ) -> Served {
        let call = match self.dialect().parse(request) {
            Ok(call) => call,
            Err(response) => {
                return Served {
                    status: response.status().as_u16(),
                    response: Some(response),
                    delay_ms: 0,
                    operation: "invalid",
                    provider_call_id: None,
                    fault: None,
                    applied: false,
                }
            }
        };
        self.note_speech_url(&call, request);
        let operation = Operation::journal_name(&call);
        let mut served = Served {
            response: None,
            delay_ms: 0,
            operation,
            provider_call_id: self.target_of(&call),
            fault: None,
            applied: false,
            status: 0,
        };
        if let Some(response) = self.outage_answer(&call, now) {
            served.fault = Some("outage".to_owned());
            return served.answered(response, false);
        }
        let provider = self.dialect().name().as_str();
        let Some(fault) = rules.decide(provider, Operation::of(&call), now) else {
            return self.applied(served, &call, now);
        };
        served.fault = Some(fault.journal_name());
        match fault {
            FaultAction::Status { code } => {
                let result = if code == 429 {
                    ApiResult::RateLimited
                } else {
                    ApiResult::ServerError
                };
                let mut response = self.dialect().respond(&call, result);
                if let Ok(status) = http::StatusCode::from_u16(code) {
                    *response.status_mut() = status;
                }
                served.answered(response, false)
            }
            FaultAction::Drop => served,
            FaultAction::ReplyLost => {
                let mut served = self.applied(served, &call, now);
                served.response = None;
                served
            }
            FaultAction::Latency { ms } => {
                served.delay_ms = ms;
                self.applied(served, &call, now)
            }
            FaultAction::ReplyCut { ms } => {
                let mut served = self.applied(served, &call, now);
                served.response = None;
                served.delay_ms = ms;
                served
            }
        }
    }

    fn applied(&mut self, mut served: Served, call: &ApiCall, now: u64) -> Served {
        let response = self.apply(call, now);
        let ok = response.status().is_success();
        if served.provider_call_id.is_none() && matches!(call, ApiCall::Create(_)) && ok {
            served.provider_call_id = self.last_created().map(str::to_owned);
        }
        served.answered(response, ok)
    }
}

impl Served {
    fn answered(mut self, response: http::Response<Vec<u8>>, applied: bool) -> Served {
        self.status = response.status().as_u16();
        self.response = Some(response);
        self.applied = applied;
        self
    }
}
