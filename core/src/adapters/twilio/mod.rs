//! Twilio Programmable Voice (REST API 2010-04-01).
//!
//! Facts are from Twilio's published OpenAPI document (`twilio/twilio-oai`,
//! `spec/json/twilio_api_v2010.json`) and its SDKs' request validators; where a
//! fact is only recalled from Twilio's documentation the code says so.
//!
//! # Wire choices
//!
//! - Every request is form-encoded and carries HTTP Basic `AccountSid:AuthToken`.
//! - **Correlation.** Every URL we hand Twilio (status callback, call logic,
//!   `<Redirect>`, `<Gather action>`) is the configured public webhook URL plus
//!   `callId=<our call id>`, so a callback names our call before we know its
//!   `CallSid`.
//! - **Create** asks for all four progress events (`initiated`, `ringing`,
//!   `answered`, `completed`) and passes the manager's limits as `TimeLimit` and
//!   `Timeout`, so Twilio itself ends a call we lost track of. A notify call with
//!   a message carries its TwiML inline (`<Say>` only: once spoken, Twilio ends
//!   the call by itself); every other call fetches its TwiML from the callback
//!   URL, which the gateway answers with [`TwilioAdapter::hold_twiml`].
//! - **Hangup** is an update with `Status=completed` once answered and
//!   `Status=canceled` before (Twilio ignores `canceled` on a live call).
//! - **Speak, listen, stop listening** replace the call's TwiML with an update.
//!   Each document ends in the *hold*: `<Pause length="60"/>` then a
//!   `<Redirect>` back to the callback URL. A call therefore never ends because
//!   its TwiML ran out; it ends when we hang up, the caller hangs up, or the
//!   `TimeLimit` passes. Listening is `<Gather input="speech">` whose `action`
//!   carries `gather=<command id>`, which makes the speech callback's dedupe key.
//!   Stopping listening replaces the `<Gather>` with the bare hold.
//!
//! # Webhooks
//!
//! `X-Twilio-Signature` is checked as Twilio's SDK validators do (see
//! `signature`): with the auth token and HMAC-SHA1, or, when
//! `X-Twilio-Webhooks-Signature-Settings` says a Webhook Rule's SharedKey
//! signed it, with [`TwilioConfig::shared_key`] and the algorithm named
//! there (HMAC-SHA1 or HMAC-SHA256; see `settings`). Twilio signs no timestamp, so replays are caught by the
//! dedupe key (`CallSid` + `SequenceNumber`), not by a clock.

mod address;
mod form;
mod response;
mod rest;
mod rfc2822;
mod settings;
mod signature;
mod twiml;
mod webhook;

#[cfg(test)]
mod tests;

pub use settings::{
    header_value as signature_settings, SignatureAlgorithm, HEADER as SIGNATURE_SETTINGS_HEADER,
};

use super::{Adapter, BuildError};
use crate::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use std::fmt;

/// What the adapter needs to speak for one Twilio account.
#[derive(Clone, PartialEq, Eq)]
pub struct TwilioConfig {
    /// Scheme and host of the REST API, `https://api.twilio.com` in production;
    /// tests point it at a loopback server.
    pub api_base: String,
    /// The account (`AC…`): the path prefix and the Basic-auth user.
    pub account_sid: String,
    /// The Basic-auth password and the key of every webhook signature.
    pub auth_token: String,
    /// The public URL Twilio calls back, exactly as Twilio is told it (e.g.
    /// `https://gw.example.com/voice/webhook`): it is also what Twilio signs.
    pub webhook_url: String,
    /// The secret of the SharedKey a Webhook Rule signs this URL's webhooks
    /// with, if the account has one. Webhooks that announce a SharedKey are
    /// refused without it; the others are still checked with the auth token.
    pub shared_key: Option<String>,
}

impl fmt::Debug for TwilioConfig {
    /// The auth token is a credential: it never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("api_base", &self.api_base)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .field("webhook_url", &self.webhook_url)
            .field(
                "shared_key",
                &self.shared_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Speaks Twilio's wire format for the manager; holds nothing but configuration.
#[derive(Debug, Clone)]
pub struct TwilioAdapter {
    config: TwilioConfig,
}

impl TwilioAdapter {
    /// Builds the adapter; a trailing `/` on `api_base` is dropped so paths
    /// join cleanly.
    pub fn new(mut config: TwilioConfig) -> Self {
        while config.api_base.ends_with('/') {
            config.api_base.pop();
        }
        TwilioAdapter { config }
    }

    /// The TwiML the gateway should answer Twilio's call-logic requests with
    /// (the `Url` of a created call and every `<Redirect>` we emit): keep the
    /// line open and ask again in a minute. `call_id` is `None` for a call we
    /// did not place.
    pub fn hold_twiml(&self, call_id: Option<&str>) -> String {
        let url = match call_id {
            Some(id) => address::with_query_param(&self.config.webhook_url, "callId", id),
            None => self.config.webhook_url.clone(),
        };
        twiml::hold(&url)
    }
}

impl Adapter for TwilioAdapter {
    fn name(&self) -> ProviderName {
        ProviderName::Twilio
    }

    fn build_request(
        &self,
        op: &ProviderOp,
        command_id: &str,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        rest::build(&self.config, op, command_id)
    }

    fn parse_response(
        &self,
        op: &ProviderOp,
        response: &http::Response<Vec<u8>>,
    ) -> Result<OpOutcome, ProviderError> {
        response::classify(op, response)
    }

    /// `now_unix_secs` is unused: Twilio signs no timestamp.
    fn verify_webhook(
        &self,
        raw: &RawWebhook<'_>,
        _now_unix_secs: i64,
    ) -> Result<VerifiedWebhook, WebhookError> {
        signature::verify(
            &self.config.auth_token,
            self.config.shared_key.as_deref(),
            raw,
        )?;
        Ok(VerifiedWebhook::new(ProviderName::Twilio, raw))
    }

    fn parse_webhook(&self, webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
        webhook::parse(webhook)
    }
}
