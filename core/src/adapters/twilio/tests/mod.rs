//! The Twilio adapter's tests, one file per concern; what they share lives here.

mod fixtures;
mod fuzz;
mod openapi;
mod requests;
mod responses;
mod signature_negatives;
mod signature_sha256;
mod signature_vectors;
mod webhooks;

use super::{signature, TwilioAdapter, TwilioConfig};
use crate::adapters::Adapter;
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookError};

/// The auth token of Twilio's own validator tests and of our fixtures.
pub(super) const TOKEN: &str = "12345";

pub(super) const WEBHOOK_URL: &str = "https://gw.example.com/voice/webhook";

pub(super) fn config(token: &str) -> TwilioConfig {
    TwilioConfig {
        api_base: "http://127.0.0.1:18080".to_owned(),
        account_sid: "AC0123456789abcdef0123456789abcdef".to_owned(),
        auth_token: token.to_owned(),
        webhook_url: WEBHOOK_URL.to_owned(),
        shared_key: None,
    }
}

pub(super) fn adapter() -> TwilioAdapter {
    TwilioAdapter::new(config(TOKEN))
}

pub(super) fn adapter_with_token(token: &str) -> TwilioAdapter {
    TwilioAdapter::new(config(token))
}

/// A request as it arrives, owning its parts.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub method: http::Method,
    pub url: String,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Request {
    /// A POST with a form body built from `pairs` and the given signature
    /// (none when `signature` is `None`).
    pub fn form(url: &str, pairs: &[(&str, &str)], signature: Option<&str>) -> Request {
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            body.append_pair(name, value);
        }
        Request::raw(
            url,
            "application/x-www-form-urlencoded",
            body.finish().into_bytes(),
            signature,
        )
    }

    pub fn raw(url: &str, content_type: &str, body: Vec<u8>, signature: Option<&str>) -> Request {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_str(content_type).unwrap(),
        );
        if let Some(signature) = signature {
            headers.insert(
                signature::HEADER,
                http::HeaderValue::from_str(signature).unwrap(),
            );
        }
        Request {
            method: http::Method::POST,
            url: url.to_owned(),
            headers,
            body,
        }
    }

    /// The same request signed with `token` over its own URL and form body.
    pub fn signed_with(mut self, token: &str) -> Request {
        let pairs = super::form::decode(&self.body).unwrap();
        let sig = signature::compute(token, &self.url, &signature::params_of(pairs));
        self.headers.insert(
            signature::HEADER,
            http::HeaderValue::from_str(&sig).unwrap(),
        );
        self
    }

    pub fn raw_webhook(&self) -> RawWebhook<'_> {
        RawWebhook {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            body: &self.body,
        }
    }

    pub fn verify_with(&self, adapter: &TwilioAdapter) -> Result<VerifiedWebhook, WebhookError> {
        adapter.verify_webhook(&self.raw_webhook(), 0)
    }

    pub fn verify(&self) -> Result<VerifiedWebhook, WebhookError> {
        self.verify_with(&adapter())
    }
}
