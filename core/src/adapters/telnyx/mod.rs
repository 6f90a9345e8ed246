//! Telnyx Call Control (Voice API v2).
//!
//! Wire facts (paths, fields, error codes, webhook envelope, signature scheme)
//! come from Telnyx's published OpenAPI document (team-telnyx/openapi
//! `openapi/spec3.json`, commit 354b744) and the webhook-verification code
//! and tests of the official SDKs (telnyx-python, telnyx-node, telnyx-java,
//! telnyx-php).
//!
//! - `rest` builds the requests (`POST /v2/calls`, `/actions/*`,
//!   `GET /v2/calls/{id}`) and classifies their answers;
//! - `signature` checks Ed25519 over `"{telnyx-timestamp}|{raw body}"`;
//! - `webhook` turns the v2 event envelope into [`ProviderEvent`]s;
//! - `time` reads `occurred_at` without a clock.
//!
//! The manager's call id travels as `client_state = base64(call_id)`: Telnyx
//! echoes it in every later webhook, so a callback can be matched to its call
//! even when the gateway crashed before it learnt the `call_control_id`.

mod rest;
mod signature;
mod time;
mod webhook;

#[cfg(test)]
mod tests;

use crate::adapters::{Adapter, BuildError};
use crate::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use base64::Engine;
use ed25519_dalek::VerifyingKey;
use std::fmt;

/// How a Telnyx account is reached and how its webhooks are authenticated.
///
/// The public key is checked once, in [`TelnyxAdapter::new`], so a
/// misconfigured gateway fails at start-up rather than by refusing every
/// webhook later.
#[derive(Clone, PartialEq, Eq)]
pub struct TelnyxConfig {
    /// Scheme and authority of the API, without the `/v2` prefix
    /// (`https://api.telnyx.com`; tests point it at a loopback emulator).
    pub api_base: String,
    /// API key, sent as `Authorization: Bearer <api_key>`.
    pub api_key: String,
    /// The Call Control App that outbound calls are placed through.
    pub connection_id: String,
    /// Where Telnyx sends this call's webhooks; empty means "the URL
    /// configured on the Call Control App".
    pub webhook_url: String,
    /// The account's Ed25519 public key, base64 of the raw 32 bytes (Mission
    /// Control: Keys & Credentials, Public Key).
    pub public_key_base64: String,
    /// Allowed distance, either way, between `telnyx-timestamp` and our clock.
    pub tolerance_secs: i64,
}

impl TelnyxConfig {
    /// The tolerance Telnyx's current SDKs apply (`|now - ts| <= 300`).
    pub const DEFAULT_TOLERANCE_SECS: i64 = 300;
}

impl fmt::Debug for TelnyxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The API key is a credential: never let it reach a log line.
        f.debug_struct("TelnyxConfig")
            .field("api_base", &self.api_base)
            .field("api_key", &"<redacted>")
            .field("connection_id", &self.connection_id)
            .field("webhook_url", &self.webhook_url)
            .field("public_key_base64", &self.public_key_base64)
            .field("tolerance_secs", &self.tolerance_secs)
            .finish()
    }
}

/// The Telnyx adapter: pure translation between [`ProviderOp`]s and Call
/// Control v2 HTTP, and verification of Telnyx's signed webhooks.
#[derive(Clone)]
pub struct TelnyxAdapter {
    config: TelnyxConfig,
    /// `config.api_base` without a trailing slash, so paths join cleanly.
    api_base: String,
    public_key: VerifyingKey,
    voice: String,
}

impl fmt::Debug for TelnyxAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelnyxAdapter")
            .field("config", &self.config)
            .field("voice", &self.voice)
            .finish_non_exhaustive()
    }
}

impl TelnyxAdapter {
    /// The `voice` sent with every speak command unless [`Self::with_voice`]
    /// picks another. The spec's `SpeakRequest.voice` names this one as its
    /// AWS example; it works at the default (`premium`) service level, where
    /// the bare `female`/`male` voices belong to `basic`, and needs no
    /// third-party TTS credentials.
    pub const DEFAULT_VOICE: &'static str = "AWS.Polly.Joanna";

    /// Checks the configuration once, up front: a key that is not 32 bytes of
    /// base64, not a curve point, or a weak (small-order) point could never
    /// verify a genuine webhook, so it is refused here as
    /// [`WebhookError::Config`] instead of failing every delivery.
    pub fn new(config: TelnyxConfig) -> Result<Self, WebhookError> {
        let api_base = check_api_base(&config.api_base)?;
        if config.api_key.is_empty() {
            return Err(config_error("api_key is empty"));
        }
        if http::HeaderValue::from_str(&format!("Bearer {}", config.api_key)).is_err() {
            return Err(config_error(
                "api_key contains characters that cannot go in an HTTP header",
            ));
        }
        if config.connection_id.is_empty() {
            return Err(config_error(
                "connection_id is empty (the Call Control App id)",
            ));
        }
        check_webhook_url(&config.webhook_url)?;
        if config.tolerance_secs < 0 {
            return Err(config_error("tolerance_secs is negative"));
        }
        let public_key = decode_public_key(&config.public_key_base64)?;
        Ok(TelnyxAdapter {
            config,
            api_base,
            public_key,
            voice: Self::DEFAULT_VOICE.to_owned(),
        })
    }

    /// Picks the TTS voice (`AWS.Polly.Joanna-Neural`, `Telnyx.KokoroTTS.af`,
    /// ...): voices are an account-level choice, not part of the call model.
    pub fn with_voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = voice.into();
        self
    }

    /// The configuration this adapter was built from.
    pub fn config(&self) -> &TelnyxConfig {
        &self.config
    }
}

impl Adapter for TelnyxAdapter {
    fn name(&self) -> ProviderName {
        ProviderName::Telnyx
    }

    fn build_request(
        &self,
        op: &ProviderOp,
        command_id: &str,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        rest::build_request(self, op, command_id)
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
        now_unix_secs: i64,
    ) -> Result<VerifiedWebhook, WebhookError> {
        signature::verify(
            &self.public_key,
            self.config.tolerance_secs,
            raw,
            now_unix_secs,
        )?;
        Ok(VerifiedWebhook::new(ProviderName::Telnyx, raw))
    }

    fn parse_webhook(&self, webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError> {
        webhook::parse(webhook)
    }
}

fn config_error(detail: impl Into<String>) -> WebhookError {
    WebhookError::Config {
        detail: format!("telnyx: {}", detail.into()),
    }
}

fn check_api_base(api_base: &str) -> Result<String, WebhookError> {
    let url = url::Url::parse(api_base)
        .map_err(|e| config_error(format!("api_base {api_base:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(config_error(format!(
            "api_base {api_base:?} must be an http(s) URL with a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(config_error(format!(
            "api_base {api_base:?} must not carry a query or fragment"
        )));
    }
    Ok(api_base.trim_end_matches('/').to_owned())
}

fn check_webhook_url(webhook_url: &str) -> Result<(), WebhookError> {
    if webhook_url.is_empty() {
        return Ok(());
    }
    let url = url::Url::parse(webhook_url)
        .map_err(|e| config_error(format!("webhook_url {webhook_url:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(config_error(format!(
            "webhook_url {webhook_url:?} must be http(s)"
        )));
    }
    Ok(())
}

fn decode_public_key(public_key_base64: &str) -> Result<VerifyingKey, WebhookError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(public_key_base64.trim())
        .map_err(|e| config_error(format!("public key is not base64: {e}")))?;
    let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        config_error(format!(
            "public key is {} bytes, an Ed25519 public key is 32",
            bytes.len()
        ))
    })?;
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| config_error("public key is not a valid Ed25519 point"))?;
    if key.is_weak() {
        return Err(config_error(
            "public key is a small-order point that anyone could forge signatures for",
        ));
    }
    Ok(key)
}
