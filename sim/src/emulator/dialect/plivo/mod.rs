//! Plivo (Voice API v1) from its own side: the inverse of
//! `callproof_core::adapters::plivo`.
//!
//! The wire facts follow Plivo's SDKs and documentation, as the adapter's
//! own module docs cite them:
//!
//! - Requests arrive at `/v1/Account/{auth_id}/…` (every path ends in a
//!   slash) with HTTP Basic `auth_id:auth_token` and JSON bodies. Errors are
//!   `{"api_id": …, "error": …}` with 400, 401, 404, 405, 429 or 500.
//! - `POST /Call/` answers `201 {"message":"call fired","request_uuid":…}`:
//!   the call uuid first appears in callbacks, so [`Dialect::create_returns_call_id`]
//!   is false. `DELETE /Call/{uuid}/` (or `/Request/{request_uuid}/` for a
//!   queued call) answers 204; speak and transfer answer 202.
//! - `GET /Call/{uuid}/?status=live` shows a live call and answers 404 once it
//!   is not live; `GET /Call/{request_uuid}/?status=queued` shows a queued call
//!   and answers 404 once it left the queue. The adapter reads the first 404
//!   as proof the call ended and the second as "unknown", so an ended call's
//!   reason is never carried by a status query: only the hangup callback has it.
//! - Callbacks are form-encoded POSTs signed with `X-Plivo-Signature-V3`
//!   (and `-Ma-V3`, equal for a main account) over the URL and the sorted
//!   parameters plus `X-Plivo-Signature-V3-Nonce`.
//!
//! Where the emulator needs more than Plivo says, the choices are:
//!
//! - Nothing random: ids and `api_id`s are hashes of what they name, and the
//!   nonce is a hash of (call uuid, callback sequence), so a redelivery is
//!   byte for byte the request it repeats (real Plivo draws a fresh nonce).
//! - A callback's identity, for the adapter, is its `CallUUID` and `Event`
//!   (or `CallStatus` when there is no `Event`). Each [`CallbackKind`] of a
//!   call therefore gets a distinct `Event`/`CallStatus` pair: a call reports
//!   each kind once, and a redelivery (same sequence) repeats its pair.
//! - Plivo sends no callback when an outbound call is queued, nor when an
//!   inbound call is answered; the trait asks for one, so those two are sent
//!   as a bare `CallStatus` (`queued`, `in-progress`) without an `Event`.
//! - Numbers are sent back as the call carries them. Real Plivo writes
//!   `From`/`To` without the `+` (`14155550100`).
//! - Only what the adapter uses is emulated: a create whose ring or hangup
//!   URL differs from its answer URL, a transfer to anything but the
//!   adapter's listen and hold steps, and the bare CDR lookup
//!   (`GET /Call/{uuid}/` without `status`) are refused with a 400 that says
//!   so, rather than answered wrongly.

mod answer;
mod callback;
mod request;
mod wire;

#[cfg(test)]
mod tests;

use super::{ApiCall, ApiResult, CallbackKind, Dialect};
use crate::emulator::truth::TruthCall;
use callproof_core::adapters::plivo::{PlivoAdapter, PlivoConfig};
use callproof_core::adapters::Adapter;
use callproof_core::provider::ProviderName;
use callproof_core::state::EndReason;

/// The simulated account's id: `MA` and 18 characters, as Plivo's are.
pub const AUTH_ID: &str = "MASIMULATEDACCOUNT01";
/// The simulated account's auth token: the Basic-auth password and the
/// callback signing key.
pub const AUTH_TOKEN: &str = "c2ltdWxhdGVkLXBsaXZvLWF1dGgtdG9rZW4tMDAx";

/// Plivo's dialect.
#[derive(Debug, Default, Clone)]
pub struct PlivoDialect;

impl Dialect for PlivoDialect {
    fn name(&self) -> ProviderName {
        ProviderName::Plivo
    }

    fn adapter(&self, api_base: &str, webhook_url: &str) -> Box<dyn Adapter> {
        Box::new(PlivoAdapter::new(PlivoConfig {
            api_base: api_base.to_owned(),
            auth_id: AUTH_ID.to_owned(),
            auth_token: AUTH_TOKEN.to_owned(),
            webhook_url: webhook_url.to_owned(),
        }))
    }

    fn parse(&self, request: &http::Request<Vec<u8>>) -> Result<ApiCall, http::Response<Vec<u8>>> {
        request::parse(request).map_err(|refusal| refusal.answer(request))
    }

    fn respond(&self, call: &ApiCall, result: ApiResult<'_>) -> http::Response<Vec<u8>> {
        answer::respond(call, result)
    }

    fn new_ids(&self, n: u64) -> (String, Option<String>) {
        (wire::uuid("call", n), Some(wire::uuid("request", n)))
    }

    fn callback(
        &self,
        call: &TruthCall,
        kind: CallbackKind,
        sequence: u32,
        now: u64,
    ) -> http::Request<Vec<u8>> {
        callback::callback(call, kind, sequence, now)
    }

    fn create_returns_call_id(&self) -> bool {
        false
    }

    fn speech_url(&self, request: &http::Request<Vec<u8>>) -> Option<String> {
        request::speech_url(request)
    }

    /// The final `CallStatus` values of plivo.com/docs/voice/xml/request.
    fn end_vocabulary(&self) -> &'static [&'static str] {
        &[
            "completed",
            "busy",
            "failed",
            "timeout",
            "no-answer",
            "cancel",
        ]
    }

    fn end_word(&self, call: &TruthCall, reason: EndReason) -> &'static str {
        callback::ended_status(call, reason)
    }
}
