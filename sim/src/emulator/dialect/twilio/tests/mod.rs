//! Parity between the Twilio dialect and the Twilio adapter: what one side
//! writes, the other reads back to the same meaning.

mod callbacks;
mod requests;
mod responses;

use super::TwilioDialect;
use crate::emulator::dialect::Dialect;
use crate::emulator::truth::{Phase, TruthCall};
use callproof_core::adapters::Adapter;
use callproof_core::provider::CallRef;
use callproof_core::record::Direction;

const API_BASE: &str = "https://api.twilio.test";
const WEBHOOK: &str = "https://gw.example.com/voice/webhook";
const CALL_ID: &str = "call-7";
const SID: &str = "CA0123456789abcdef0123456789abcdef";
const CALLER: &str = "+15005550006";
const CALLEE: &str = "+14155550123";
/// 2026-01-01T00:00:00Z, a whole second.
const T0: u64 = 1_767_225_600_000;

/// Every way a call can end.
fn ends() -> impl Iterator<Item = callproof_core::state::EndReason> {
    callproof_core::state::CallState::ALL
        .into_iter()
        .filter(|s| s.is_terminal())
}

fn adapter() -> Box<dyn Adapter> {
    TwilioDialect::default().adapter(API_BASE, WEBHOOK)
}

fn call_ref(sid: &str) -> CallRef {
    CallRef {
        call_id: CALL_ID.to_owned(),
        provider_call_id: Some(sid.to_owned()),
        request_id: None,
    }
}

/// Builds the ground truth of one call for a test.
struct Call(TruthCall);

impl Call {
    /// A call the gateway placed, calling back to the URL the adapter gave.
    fn outbound() -> Call {
        Call(TruthCall {
            from: CALLER.to_owned(),
            to: CALLEE.to_owned(),
            ..TruthCall::placed(SID, CALL_ID, T0, &format!("{WEBHOOK}?callId={CALL_ID}"))
        })
    }

    /// Someone calling the gateway, which Twilio tells at its voice URL.
    fn inbound() -> Call {
        let mut call = Call::outbound().0;
        call.call_id = None;
        call.direction = Direction::Inbound;
        call.from = CALLEE.to_owned();
        call.to = CALLER.to_owned();
        call.webhook_url = WEBHOOK.to_owned();
        call.time_limit_ms = None;
        Call(call)
    }

    fn sid(mut self, sid: &str) -> Call {
        sid.clone_into(&mut self.0.provider_call_id);
        self
    }

    fn phase(mut self, phase: Phase) -> Call {
        self.0.phase = phase;
        self
    }

    /// Picked up `after_ms` after creation.
    fn answered(mut self, after_ms: u64) -> Call {
        self.0.answered_at = Some(self.0.created_at + after_ms);
        self
    }

    /// Over `after_ms` after creation.
    fn ended(mut self, after_ms: u64) -> Call {
        self.0.ended_at = Some(self.0.created_at + after_ms);
        self
    }

    fn build(self) -> TruthCall {
        self.0
    }
}
