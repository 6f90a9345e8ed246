//! The mock provider: a small telephony API that is ours and fully specified
//! here, so tests and the simulator have a provider whose every behaviour is
//! known. It follows the same rules as the real adapters (classification,
//! correlation, dedupe) so it exercises the manager the same way.
//!
//! # Wire format (the whole specification)
//!
//! REST, relative to `api_base`, JSON bodies, `Authorization: Bearer <token>`,
//! and `Idempotency-Key: <command_id>` on every POST:
//!
//! | operation      | request                                        | success                 |
//! |----------------|------------------------------------------------|-------------------------|
//! | create         | `POST /mock/calls` (body below)                | `201 {"id": "<call>"}`  |
//! | status         | `GET /mock/calls/{id}`                         | `200 {"status": "…"}`   |
//! | hang up        | `POST /mock/calls/{id}/hangup`                 | `200`                   |
//! | speak          | `POST /mock/calls/{id}/speak` `{"text": "…"}`  | `200`                   |
//! | listen         | `POST /mock/calls/{id}/listen/start`           | `200`                   |
//! | stop listening | `POST /mock/calls/{id}/listen/stop`            | `200`                   |
//!
//! The create body is `{"call_id", "from", "to", "mode" ("notify" |
//! "conversation"), "message" (string or null), "time_limit_secs",
//! "ring_timeout_secs", "webhook_url"}`; the provider ends the call itself after
//! `time_limit_secs` and stops ringing after `ring_timeout_secs`.
//!
//! Call statuses: `queued`, `ringing`, `in-progress` (live) and `completed`,
//! `busy`, `failed`, `no-answer`, `canceled` (ended). Errors are
//! `{"error": "<code>"}`; a call that has ended (or never existed) answers
//! `404 {"error": "not_found"}` to every per-call request.
//!
//! Webhooks are `POST`ed to `webhook_url` as JSON `{"id", "call_id",
//! "provider_call_id", "status", "direction" ("inbound" | "outbound"), "from",
//! "to", "occurred_at_ms"}`. `id` identifies the callback (a retried delivery
//! repeats it); `call_id` is the manager's id echoed from the create (null
//! for inbound calls). A live call's webhook may carry `"transcript":
//! {"text", "is_final"}`: the caller's words while it is listened to. They are signed by the mock's own scheme: header
//! `x-mock-signature` = lowercase hex of HMAC-SHA256 keyed with the token over
//! `"{url}\n{body}"`, where `url` is the URL the callback was sent to. There
//! is no timestamp: the mock has no replay window.

mod rest;
mod webhook;

#[cfg(test)]
mod tests;

use crate::adapters::{Adapter, BuildError};
use crate::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookError};

pub use webhook::{webhook_signature, SIGNATURE_HEADER};

/// Where the mock provider lives and the shared secret it uses both ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockConfig {
    /// Scheme, host and port (and optional path prefix) of the mock REST API.
    pub api_base: String,
    /// Bearer token for REST, and the key that signs webhooks.
    pub token: String,
    /// Where the mock should deliver this manager's callbacks.
    pub webhook_url: String,
}

/// The adapter for the mock provider described in this module's docs.
#[derive(Debug, Clone)]
pub struct MockAdapter {
    config: MockConfig,
}

impl MockAdapter {
    /// An adapter speaking to the mock at `config.api_base`.
    pub fn new(config: MockConfig) -> Self {
        MockAdapter { config }
    }

    /// The configuration it was built with (the simulator's emulator reads
    /// the token from here to sign callbacks the same way).
    pub fn config(&self) -> &MockConfig {
        &self.config
    }
}

impl Adapter for MockAdapter {
    fn name(&self) -> ProviderName {
        ProviderName::Mock
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
        rest::parse_response(op, response)
    }

    fn verify_webhook(
        &self,
        raw: &RawWebhook<'_>,
        _now_unix_secs: i64,
    ) -> Result<VerifiedWebhook, WebhookError> {
        webhook::verify(&self.config.token, raw)?;
        Ok(VerifiedWebhook::new(ProviderName::Mock, raw))
    }

    fn parse_webhook(&self, webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
        webhook::parse(webhook)
    }
}

/// One of the mock's call statuses, with what it means for the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MockStatus {
    Queued,
    Ringing,
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
}

impl MockStatus {
    /// The mock's status words; anything else is unknown (never an end).
    fn parse(raw: &str) -> Option<MockStatus> {
        Some(match raw {
            "queued" => MockStatus::Queued,
            "ringing" => MockStatus::Ringing,
            "in-progress" => MockStatus::InProgress,
            "completed" => MockStatus::Completed,
            "busy" => MockStatus::Busy,
            "failed" => MockStatus::Failed,
            "no-answer" => MockStatus::NoAnswer,
            "canceled" => MockStatus::Canceled,
            _ => return None,
        })
    }

    /// The terminal state a final status proves; `None` while the call lives.
    fn end_reason(self) -> Option<crate::state::EndReason> {
        use crate::state::CallState;
        match self {
            MockStatus::Queued | MockStatus::Ringing | MockStatus::InProgress => None,
            MockStatus::Completed => Some(CallState::Completed),
            MockStatus::Busy => Some(CallState::Busy),
            MockStatus::Failed => Some(CallState::Failed),
            MockStatus::NoAnswer => Some(CallState::NoAnswer),
            // Only an API request cancels a call before it is answered: ours.
            MockStatus::Canceled => Some(CallState::HangupBot),
        }
    }
}
