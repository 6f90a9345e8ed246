//! Parity of the Plivo dialect with the Plivo adapter: everything the
//! adapter sends is understood, and everything the dialect sends is read by
//! the adapter as the emulator meant it.

mod callbacks;
mod ids;
mod requests;
mod responses;

use super::PlivoDialect;
use crate::emulator::dialect::{ApiCall, Dialect};
use crate::emulator::truth::{Callee, Phase, TruthCall};
use callproof_core::adapters::Adapter;
use callproof_core::provider::{CallRef, CreateCall, ProviderOp};
use callproof_core::record::{CallMode, Direction};

pub(super) const API_BASE: &str = "http://plivo.sim";
pub(super) const WEBHOOK_URL: &str = "https://gw.example.com/voice/webhook";
pub(super) const CALL_ID: &str = "call-1";
/// 2026-03-02 14:05:01.120 UTC.
pub(super) const T0: u64 = 1_772_460_301_120;

pub(super) fn dialect() -> PlivoDialect {
    PlivoDialect
}

pub(super) fn adapter() -> Box<dyn Adapter> {
    dialect().adapter(API_BASE, WEBHOOK_URL)
}

/// The ids the emulator would give its seventh call.
pub(super) fn ids() -> (String, String) {
    let (uuid, request) = dialect().new_ids(7);
    (uuid, request.unwrap_or_default())
}

/// A call at the emulator, built up step by step.
pub(super) struct TruthCallBuilder(TruthCall);

impl TruthCallBuilder {
    /// An outbound call placed by the manager as `CALL_ID`, still queued.
    pub(super) fn outbound() -> Self {
        let (uuid, request) = ids();
        TruthCallBuilder(TruthCall {
            request_id: Some(request),
            from: "+14155550100".to_owned(),
            to: "+14155550123".to_owned(),
            callee: Callee::Answers {
                after_ms: 8_000,
                talk_ms: Some(61_000),
            },
            ..TruthCall::placed(
                &uuid,
                CALL_ID,
                T0,
                &format!("{WEBHOOK_URL}?callId={CALL_ID}"),
            )
        })
    }

    /// A call to us, ringing, calling back the gateway's plain webhook URL.
    pub(super) fn inbound() -> Self {
        let mut builder = TruthCallBuilder::outbound();
        let call = &mut builder.0;
        call.provider_call_id = dialect().new_ids(8).0;
        call.request_id = None;
        call.call_id = None;
        call.direction = Direction::Inbound;
        call.from = "+14155550199".to_owned();
        call.to = "+14155550100".to_owned();
        call.phase = Phase::Ringing;
        call.webhook_url = WEBHOOK_URL.to_owned();
        call.owned = false;
        builder
    }

    pub(super) fn phase(mut self, phase: Phase) -> Self {
        self.0.phase = phase;
        self
    }

    pub(super) fn answered_at(mut self, at: u64) -> Self {
        self.0.answered_at = Some(at);
        self
    }

    pub(super) fn ended_at(mut self, at: u64) -> Self {
        self.0.ended_at = Some(at);
        self
    }

    pub(super) fn webhook_url(mut self, url: &str) -> Self {
        self.0.webhook_url = url.to_owned();
        self
    }

    pub(super) fn build(self) -> TruthCall {
        self.0
    }
}

pub(super) fn create_op(mode: CallMode) -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: CALL_ID.to_owned(),
        from: "+14155550100".to_owned(),
        to: "+14155550123".to_owned(),
        mode,
        message: Some("Your table is ready".to_owned()),
        time_limit_secs: 600,
        ring_timeout_secs: 30,
    })
}

/// The manager's view of the call: by uuid once a callback named it, by
/// request uuid before.
pub(super) fn call_ref(by_uuid: bool) -> CallRef {
    let (uuid, request) = ids();
    CallRef {
        call_id: CALL_ID.to_owned(),
        provider_call_id: by_uuid.then_some(uuid),
        request_id: Some(request),
    }
}

/// What the emulator understands of `op` as the adapter sends it.
pub(super) fn understood(op: &ProviderOp) -> ApiCall {
    let request = adapter().build_request(op, "cmd-1").unwrap();
    dialect().parse(&request).unwrap()
}
