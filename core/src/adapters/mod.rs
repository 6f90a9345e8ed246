//! Provider adapters: pure functions from [`ProviderOp`] to `http::Request`,
//! from `http::Response` to [`OpOutcome`], and from a raw webhook to verified,
//! normalized [`ProviderEvent`]s. No I/O: the driver sends the bytes.
//!
//! A new provider implements [`Adapter`] and gets the whole conformance suite.

mod form;
pub mod mock;
pub mod plivo;
pub mod telnyx;
pub mod twilio;
mod xml;

use crate::provider::{OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp};
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use std::fmt;

/// Why an adapter could not build a request: the manager asked for something
/// this provider cannot express (our fault, not the provider's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// What is missing or unsupported.
    pub detail: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build provider request: {}", self.detail)
    }
}

impl From<BuildError> for ProviderError {
    fn from(e: BuildError) -> Self {
        ProviderError::Rejected {
            status: 0,
            detail: e.detail,
        }
    }
}

/// One telephony provider's wire format.
pub trait Adapter {
    /// Which provider this speaks.
    fn name(&self) -> ProviderName;

    /// Builds the HTTP request for `op`. `command_id` identifies this logical
    /// request and is the same across retries of it (Telnyx `command_id`).
    fn build_request(
        &self,
        op: &ProviderOp,
        command_id: &str,
    ) -> Result<http::Request<Vec<u8>>, BuildError>;

    /// Classifies the provider's response to `op`. Total: every status code and
    /// body lands in an outcome or a typed error, never a panic.
    fn parse_response(
        &self,
        op: &ProviderOp,
        response: &http::Response<Vec<u8>>,
    ) -> Result<OpOutcome, ProviderError>;

    /// Checks a webhook's signature (and timestamp, with `now_unix_secs`
    /// passed in) and mints the proof.
    fn verify_webhook(
        &self,
        raw: &RawWebhook<'_>,
        now_unix_secs: i64,
    ) -> Result<VerifiedWebhook, WebhookError>;

    /// Turns a verified webhook into normalized events.
    fn parse_webhook(&self, webhook: &VerifiedWebhook) -> Result<Vec<ProviderEvent>, WebhookError>;
}
