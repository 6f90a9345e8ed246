//! Plivo Voice API v1.
//!
//! Facts this adapter relies on, with where they come from (Plivo's public
//! SDKs plivo-python, plivo-go and plivo-ruby, and plivo.com/docs):
//!
//! - Requests go to `{api_base}/v1/Account/{auth_id}/…` with HTTP Basic
//!   `auth_id:auth_token`; every path ends in a slash; bodies are JSON.
//! - A create answers `201 {"message":"call fired","request_uuid":…}`: Plivo
//!   queues the call and only names it (`CallUUID`) in the ring, answer and
//!   hangup callbacks. So a call is first known by its request uuid, and every
//!   callback carries our own `callId` as a query parameter to be matched
//!   before either id is known.
//! - Hang up is `DELETE /Call/{call_uuid}/` (204); a call still queued is
//!   cancelled with `DELETE /Request/{request_uuid}/`. A call that already
//!   ended answers 404.
//! - Callbacks are form-encoded and signed with `X-Plivo-Signature-V3`
//!   (HMAC-SHA256 over the URL and the sorted parameters, plus a nonce);
//!   older accounts send V2 (URL without query, plus a nonce).
//!
//! Choices where the facts leave room, each pinned by a test:
//!
//! - Plivo has no idempotency key for creating a call, so `command_id` is not
//!   sent: a create retried after a `Transient` error may place a second
//!   call, which the manager must reconcile (the callbacks carry its `callId`).
//! - Numbers are passed as given (E.164 with `+`); the SDKs accept either
//!   form. Plivo writes numbers in callbacks without the `+`; they are read
//!   back as E.164 ([`plus_e164`]) only when that is what they are. The create's `message` is not sent: it is spoken after answer by
//!   a `Speak` op (`POST /Call/{uuid}/Speak/`).
//! - A 404 is proof that a call ended only when the call uuid was asked
//!   about. Asked by request uuid, a 404 only says the request is no longer
//!   queued: the call may be ringing under a uuid we have not heard yet. So a
//!   cancel by request uuid that meets a 404 is `Transient` (retry, by then
//!   the uuid is usually known) and a status by request uuid that meets a 404
//!   is `Unknown`. Either way the call keeps its place until the provider
//!   proves it ended.
//! - Status of a call known by its uuid asks `GET /Call/{uuid}/?status=live`.
//!   Plivo keeps a record of every call, so a 404 from the *live* view means
//!   "not live any more", which for a uuid (given only once the call left the
//!   queue) means it ended: `NotFound`. Status of a call known only by its
//!   request uuid asks the queued view, `GET /Call/{request_uuid}/?status=queued`
//!   (the SDKs' queued-call lookup; that it is keyed by the request uuid is
//!   inferred from its `request_uuid` field, not confirmed). `queued` there is
//!   live and unanswered.
//! - `timeout` (ring timeout elapsed) ends as `NoAnswer`: nobody picked up.
//!   Our own `Timeout` means a deadline of ours passed, which is not this.
//! - `cancel` ends as `HangupBot`: Plivo reports it for an outbound call
//!   stopped before answer, which in practice is our own hangup request.
//! - Listening uses Plivo XML, since Plivo has no REST call that starts speech
//!   recognition: `StartListening` transfers the call's A leg
//!   (`POST /Call/{uuid}/`) to our webhook URL with `plivoStep=listen`, which
//!   must answer with [`PlivoAdapter::answer_xml`] (a `GetInput` for speech
//!   whose action posts the transcript back with `plivoStep=speech`).
//!   `StopListening` transfers to `plivoStep=hold`, which answers with a
//!   plain `Wait`.

mod form;
mod response;
mod rest;
mod signature;
mod status;
mod time;
mod webhook;
mod xml;

#[cfg(test)]
mod tests;

pub use signature::{v1_signature, v2_signature, v3_signature, SignedMethod};
pub use webhook::plus_e164;
pub use xml::{reject_xml, PlivoStep};

use super::{Adapter, BuildError};
use crate::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use std::fmt;

/// How to reach one Plivo account and where Plivo should call us back.
#[derive(Clone, PartialEq, Eq)]
pub struct PlivoConfig {
    /// Scheme and host of the REST API (`https://api.plivo.com`); tests and
    /// the simulator point it at an emulator.
    pub api_base: String,
    /// The account id (`MA…` or `SA…`), also the first path segment.
    pub auth_id: String,
    /// The account's auth token: the Basic-auth password and the webhook
    /// signing key.
    pub auth_token: String,
    /// The public callback URL exactly as Plivo will call it (e.g.
    /// `https://gw.example.com/voice/webhook`). Signatures cover this exact
    /// string, so it is used verbatim, never normalised.
    pub webhook_url: String,
}

/// The token is a secret: keep it out of logs.
impl fmt::Debug for PlivoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlivoConfig")
            .field("api_base", &self.api_base)
            .field("auth_id", &self.auth_id)
            .field("auth_token", &"<redacted>")
            .field("webhook_url", &self.webhook_url)
            .finish()
    }
}

/// Speaks Plivo's wire format for the manager.
#[derive(Debug, Clone)]
pub struct PlivoAdapter {
    config: PlivoConfig,
}

impl PlivoAdapter {
    /// Takes the account as configured; nothing is checked here so that a bad
    /// value surfaces as a typed error on first use, naming what is wrong.
    pub fn new(config: PlivoConfig) -> Self {
        PlivoAdapter { config }
    }

    /// The XML Plivo expects in the HTTP answer to `webhook`.
    ///
    /// Plivo runs the XML returned by the answer URL and hangs up when it runs
    /// out, so the webhook endpoint must answer with something that keeps the
    /// call up. The adapter interface has no place for this answer, hence a
    /// method of its own: a speech `GetInput` for a `plivoStep=listen` request,
    /// and a `Wait` of `hold_secs` for everything else.
    pub fn answer_xml(&self, webhook: &VerifiedWebhook, hold_secs: u32) -> String {
        xml::answer_xml(&self.config, webhook, hold_secs)
    }
}

impl Adapter for PlivoAdapter {
    fn name(&self) -> ProviderName {
        ProviderName::Plivo
    }

    fn build_request(
        &self,
        op: &ProviderOp,
        command_id: &str,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        rest::build_request(&self.config, op, command_id)
    }

    fn parse_response(
        &self,
        op: &ProviderOp,
        response: &http::Response<Vec<u8>>,
    ) -> Result<OpOutcome, ProviderError> {
        response::parse_response(op, response)
    }

    fn verify_webhook(
        &self,
        raw: &RawWebhook<'_>,
        _now_unix_secs: i64,
    ) -> Result<VerifiedWebhook, WebhookError> {
        // Plivo signs no timestamp, so there is no window to check: replays
        // are caught by the dedupe key instead.
        signature::verify(&self.config.auth_token, raw)?;
        Ok(VerifiedWebhook::new(ProviderName::Plivo, raw))
    }

    fn parse_webhook(&self, webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
        webhook::parse_webhook(webhook)
    }
}
