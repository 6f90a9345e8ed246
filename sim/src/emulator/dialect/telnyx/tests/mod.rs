//! Parity of the Telnyx dialect with the Telnyx adapter: whatever one side
//! writes, the other reads back as meant. One file per direction of travel.

mod callbacks;
mod ids;
mod requests;
mod responses;

use super::TelnyxDialect;
use crate::emulator::dialect::Dialect;
use crate::emulator::truth::{Callee, Phase, TruthCall};
use callproof_core::adapters::Adapter;
use callproof_core::provider::CallRef;
use callproof_core::record::Direction;

const API_BASE: &str = "http://telnyx.sim";
const WEBHOOK_URL: &str = "http://gateway.sim:8080/webhooks/telnyx";
/// 2023-11-14T22:13:20.123Z: a time with milliseconds, so they must survive.
const CREATED_AT: u64 = 1_700_000_000_123;
const ANSWERED_AT: u64 = CREATED_AT + 4_250;
const ENDED_AT: u64 = ANSWERED_AT + 61_500;

fn dialect() -> TelnyxDialect {
    TelnyxDialect
}

fn adapter() -> Box<dyn Adapter> {
    dialect().adapter(API_BASE, WEBHOOK_URL)
}

/// A call the manager knows by `call-1` and Telnyx by the emulator's first id.
fn call_ref() -> CallRef {
    CallRef {
        call_id: "call-1".to_owned(),
        provider_call_id: Some(dialect().new_ids(1).0),
        request_id: None,
    }
}

/// Builds the ground truth of one call, outbound or inbound, in any phase,
/// with consistent timestamps.
struct TruthCallBuilder {
    call: TruthCall,
}

impl TruthCallBuilder {
    /// An outbound call the manager placed as `call-1`, still queued.
    fn outbound() -> Self {
        TruthCallBuilder {
            call: TruthCall {
                from: "+15550100001".to_owned(),
                to: "+15550100002".to_owned(),
                callee: Callee::Answers {
                    after_ms: 4_250,
                    talk_ms: None,
                },
                ..TruthCall::placed(&dialect().new_ids(1).0, "call-1", CREATED_AT, WEBHOOK_URL)
            },
        }
    }

    /// A call from `+15550199999` to the gateway's number, not yet answered.
    fn inbound() -> Self {
        let mut builder = Self::outbound();
        let call = &mut builder.call;
        call.provider_call_id = dialect().new_ids(2).0;
        call.call_id = None;
        call.direction = Direction::Inbound;
        call.from = "+15550199999".to_owned();
        call.to = "+15550100001".to_owned();
        call.phase = Phase::Ringing;
        call.time_limit_ms = None;
        builder
    }

    fn direction(direction: Direction) -> Self {
        match direction {
            Direction::Outbound => Self::outbound(),
            Direction::Inbound => Self::inbound(),
        }
    }

    /// Moves the call to `phase`, stamping the answer and end times a call
    /// in that phase has.
    fn phase(mut self, phase: Phase) -> Self {
        self.call.phase = phase;
        match phase {
            Phase::Queued | Phase::Ringing => {}
            Phase::Answered => self.call.answered_at = Some(ANSWERED_AT),
            Phase::Ended(_) => {
                self.call.answered_at = Some(ANSWERED_AT);
                self.call.ended_at = Some(ENDED_AT);
            }
        }
        self
    }

    /// Ends the call before anyone picked up.
    fn ended_unanswered(mut self, phase: Phase) -> Self {
        self.call.phase = phase;
        self.call.answered_at = None;
        self.call.ended_at = Some(CREATED_AT + 30_000);
        self
    }

    fn build(self) -> TruthCall {
        self.call
    }
}
