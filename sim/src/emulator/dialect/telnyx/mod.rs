//! Telnyx Call Control (Voice API v2) from Telnyx's side: the inverse of
//! `callproof_core::adapters::telnyx`.
//!
//! Wire facts come from Telnyx's published OpenAPI document
//! (team-telnyx/openapi `openapi/spec3.json`, commit 354b744: DialCall,
//! RetrieveCallStatus, HangupCall, SpeakCall, the `call-control_Errors` body
//! and its 422 examples, the `callInitiated` / `callAnswered` / `callHangup`
//! webhooks), Telnyx's published API error-code list (10004, 10005, 10007,
//! 10009, 10011, 10015, 10033, 90018) and the webhook-verification tests of
//! its SDKs (the telnyx-java `WebhookVerificationTest.kt` key pair).
//!
//! - `rest` understands the requests and renders the answers;
//! - `callback` renders and signs the v2 webhook envelope;
//! - `ids` derives every identifier and timestamp deterministically.

pub(super) mod callback;
pub(super) mod ids;
mod rest;

#[cfg(test)]
mod tests;

use super::{ApiCall, ApiResult, CallbackKind, Dialect};
use crate::emulator::truth::TruthCall;
use callproof_core::adapters::telnyx::{TelnyxAdapter, TelnyxConfig};
use callproof_core::adapters::{Adapter, BuildError};
use callproof_core::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use callproof_core::state::EndReason;
use callproof_core::webhook::{RawWebhook, VerifiedWebhook, WebhookError};

/// The simulated account's API key (`Authorization: Bearer <key>`), in the
/// shape of a Telnyx v2 key.
pub const API_KEY: &str = "KEY0190A1C2E3F4CALLPROOF_EmulatedAccountKey01";

/// The simulated Call Control App every outbound call is placed through.
pub const CONNECTION_ID: &str = "2398173125630617426";

/// The Ed25519 seed webhooks are signed with: the fixed test seed of
/// telnyx-java's `WebhookVerificationTest.kt`. A published test key, so the
/// simulated account holds no secret worth protecting.
pub const SIGNING_SEED_BASE64: &str = "i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04=";

/// The public key that seed derives to (the same test pairs them), which the
/// adapter verifies webhooks with.
pub const PUBLIC_KEY_BASE64: &str = "jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=";

/// Telnyx's side of Call Control v2: stateless, every id derived from the
/// emulator's counter and the call itself.
#[derive(Debug, Default, Clone)]
pub struct TelnyxDialect;

impl Dialect for TelnyxDialect {
    fn name(&self) -> ProviderName {
        ProviderName::Telnyx
    }

    fn adapter(&self, api_base: &str, webhook_url: &str) -> Box<dyn Adapter> {
        let config = TelnyxConfig {
            api_base: api_base.to_owned(),
            api_key: API_KEY.to_owned(),
            connection_id: CONNECTION_ID.to_owned(),
            webhook_url: webhook_url.to_owned(),
            public_key_base64: PUBLIC_KEY_BASE64.to_owned(),
            tolerance_secs: TelnyxConfig::DEFAULT_TOLERANCE_SECS,
        };
        match TelnyxAdapter::new(config) {
            Ok(adapter) => Box::new(adapter),
            Err(error) => Box::new(Misconfigured {
                detail: error.to_string(),
            }),
        }
    }

    fn parse(&self, request: &http::Request<Vec<u8>>) -> Result<ApiCall, http::Response<Vec<u8>>> {
        rest::parse(request).map_err(|refusal| *refusal)
    }

    fn respond(&self, call: &ApiCall, result: ApiResult<'_>) -> http::Response<Vec<u8>> {
        rest::respond(call, result)
    }

    fn new_ids(&self, n: u64) -> (String, Option<String>) {
        (ids::call_control_id(n), None)
    }

    fn callback(
        &self,
        call: &TruthCall,
        kind: CallbackKind,
        sequence: u32,
        now: u64,
    ) -> http::Request<Vec<u8>> {
        callback::render(call, kind, sequence, now)
    }

    fn speech_to_webhook(&self) -> bool {
        true
    }

    /// The SDK's closed `hangup_cause` enum (telnyx-python `call_hangup.py`).
    fn end_vocabulary(&self) -> &'static [&'static str] {
        &[
            "normal_clearing",
            "originator_cancel",
            "timeout",
            "time_limit",
            "user_busy",
            "call_rejected",
            "not_found",
            "no_answer",
            "unspecified",
        ]
    }

    fn end_word(&self, call: &TruthCall, reason: EndReason) -> &'static str {
        callback::hangup(call, reason).0
    }
}

/// What [`TelnyxDialect::adapter`] hands out when the emulator's API base or
/// webhook URL is not one the real adapter accepts. `Dialect::adapter`
/// cannot return an error, and a panic would hide which setting is wrong;
/// this adapter instead fails every operation with the configuration error,
/// so the first request or webhook of a run says what to fix.
#[derive(Debug, Clone)]
struct Misconfigured {
    detail: String,
}

impl Adapter for Misconfigured {
    fn name(&self) -> ProviderName {
        ProviderName::Telnyx
    }

    fn build_request(&self, _: &ProviderOp, _: &str) -> Result<http::Request<Vec<u8>>, BuildError> {
        Err(BuildError {
            detail: self.detail.clone(),
        })
    }

    fn parse_response(
        &self,
        _: &ProviderOp,
        _: &http::Response<Vec<u8>>,
    ) -> Result<OpOutcome, ProviderError> {
        Err(ProviderError::Malformed {
            detail: self.detail.clone(),
        })
    }

    fn verify_webhook(&self, _: &RawWebhook<'_>, _: i64) -> Result<VerifiedWebhook, WebhookError> {
        Err(WebhookError::Config {
            detail: self.detail.clone(),
        })
    }

    fn parse_webhook(&self, _: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
        Err(WebhookError::Config {
            detail: self.detail.clone(),
        })
    }
}
