//! Twilio Programmable Voice (REST API 2010-04-01) from Twilio's side: the
//! inverse of `callproof_core::adapters::twilio`.
//!
//! Facts are from Twilio's OpenAPI document (`twilio/twilio-oai`,
//! `spec/json/twilio_api_v2010.json`), its SDKs' request validators and
//! exception types, and observed traffic; recalled ones are marked so:
//! - REST: form-encoded bodies under HTTP Basic `AccountSid:AuthToken`;
//!   `POST …/Calls.json` answers 201 with the call resource, status `queued`;
//!   `GET` and `POST …/Calls/{Sid}.json` answer 200 with the call resource.
//! - Errors: `{"code", "message", "more_info", "status"}`; 401/20003 for bad
//!   credentials, 404/20404 for a call that does not exist or has ended,
//!   429/20429 when rate limited.
//! - Callbacks: form-encoded POSTs to the `StatusCallback` URL carrying
//!   `CallSid`, `CallStatus`, `Direction`, `From`, `To`, `SequenceNumber` and
//!   an RFC 2822 `Timestamp`, signed with `X-Twilio-Signature`.
//!
//! Submodules: `request` (what Twilio accepts), `resource` (what it answers),
//! `callback` (what it sends), `form` and `date` (encodings).

mod callback;
mod date;
mod form;
mod request;
mod resource;

#[cfg(test)]
mod tests;

use super::{ApiCall, ApiResult, CallbackKind, Dialect};
use crate::emulator::truth::TruthCall;
use callproof_core::adapters::twilio::{SignatureAlgorithm, TwilioAdapter, TwilioConfig};
use callproof_core::adapters::Adapter;
use callproof_core::provider::ProviderName;
use callproof_core::state::EndReason;

/// The simulated account: the REST path prefix and the Basic-auth user.
/// Shaped as Twilio's (`AC` + 32 hex) so the adapter's checks see real ids.
pub const ACCOUNT_SID: &str = "AC5ea872f6da5a21de157d80997a64bd33";

/// The simulated account's auth token: the Basic-auth password and the key of
/// every callback signature, shared with the adapter from
/// [`TwilioDialect::adapter`].
pub const AUTH_TOKEN: &str = "0d8e8c3bb1b1c0a6f8f1e2d3c4b5a697";

/// The REST API version every path and callback names.
const API_VERSION: &str = "2010-04-01";

/// The SharedKey a Webhook Rule of the simulated account signs with: its name
/// in `X-Twilio-Webhooks-Signature-Settings` and its secret, shared with the
/// adapter from [`TwilioDialect::adapter`].
pub const SHARED_KEY_NAME: &str = "callproof-webhooks-key";
/// The SharedKey's secret.
pub const SHARED_KEY_SECRET: &str = "c2hhcmVkLWtleS1zZWNyZXQtZm9yLWNhbGxwcm9vZg";

/// Twilio's dialect.
#[derive(Debug, Default, Clone)]
pub struct TwilioDialect {
    /// The algorithm of a Webhook Rule that matches the gateway's webhook
    /// URL, if the account has one: every callback is then signed with
    /// [`SHARED_KEY_SECRET`] and that algorithm, and says so in
    /// `X-Twilio-Webhooks-Signature-Settings`. `None`: the auth token and
    /// HMAC-SHA1, Twilio's default.
    pub webhook_rule: Option<SignatureAlgorithm>,
}

impl TwilioDialect {
    /// Signing as a Webhook Rule with `algorithm` makes Twilio sign.
    pub fn with_webhook_rule(algorithm: SignatureAlgorithm) -> TwilioDialect {
        TwilioDialect {
            webhook_rule: Some(algorithm),
        }
    }
}

impl Dialect for TwilioDialect {
    fn name(&self) -> ProviderName {
        ProviderName::Twilio
    }

    fn adapter(&self, api_base: &str, webhook_url: &str) -> Box<dyn Adapter> {
        Box::new(TwilioAdapter::new(TwilioConfig {
            api_base: api_base.to_owned(),
            account_sid: ACCOUNT_SID.to_owned(),
            auth_token: AUTH_TOKEN.to_owned(),
            webhook_url: webhook_url.to_owned(),
            // Configured whether or not a rule signs: a gateway knows its
            // account's SharedKey before any rule uses it.
            shared_key: Some(SHARED_KEY_SECRET.to_owned()),
        }))
    }

    fn parse(&self, request: &http::Request<Vec<u8>>) -> Result<ApiCall, http::Response<Vec<u8>>> {
        request::parse(request).map_err(request::Refusal::into_response)
    }

    fn respond(&self, call: &ApiCall, result: ApiResult<'_>) -> http::Response<Vec<u8>> {
        resource::respond(call, result)
    }

    /// `CA` + 32 hex digits, as the OAS pattern `^CA[0-9a-fA-F]{32}$`. The
    /// digits are a bijective mix of `n`, so distinct `n` give distinct sids
    /// that do not look sequential.
    fn new_ids(&self, n: u64) -> (String, Option<String>) {
        let high = mix(n);
        let low = mix(high ^ 0x5bd1_e995_9e37_79b9);
        (format!("CA{high:016x}{low:016x}"), None)
    }

    fn callback(
        &self,
        call: &TruthCall,
        kind: CallbackKind,
        sequence: u32,
        now: u64,
    ) -> http::Request<Vec<u8>> {
        callback::build(call, kind, sequence, now, self.webhook_rule)
    }

    /// OAS `call_enum_status`'s five ends.
    fn end_vocabulary(&self) -> &'static [&'static str] {
        &["completed", "busy", "no-answer", "failed", "canceled"]
    }

    fn end_word(&self, call: &TruthCall, reason: EndReason) -> &'static str {
        resource::ended_word(call, reason)
    }

    fn sha256_signed(&self) -> bool {
        self.webhook_rule == Some(SignatureAlgorithm::HmacSha256)
    }

    fn speech_url(&self, request: &http::Request<Vec<u8>>) -> Option<String> {
        request::speech_url(request)
    }
}

/// SplitMix64's finaliser: a bijection on `u64` that scatters its bits.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
