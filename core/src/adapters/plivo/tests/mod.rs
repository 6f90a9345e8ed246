//! Tests of the Plivo adapter, one file per concern; shared helpers here.

mod fuzz;
mod requests;
mod responses;
mod signatures;
mod webhooks;
mod xml;

use super::{v3_signature, PlivoAdapter, PlivoConfig, SignedMethod};
use crate::provider::{CallRef, CreateCall, ProviderOp};
use crate::record::CallMode;
use crate::webhook::RawWebhook;

/// The auth token of Plivo's published V3 vectors, also used for fixtures.
pub(super) const TOKEN: &str = "Y2Q2ZDgxZmY5YWRiOTI5YmQ1Njg0MTAxZWIyOTc4";
pub(super) const AUTH_ID: &str = "MAXXXXXXXXXXXXXXXXXX";
pub(super) const WEBHOOK_URL: &str = "https://gw.example.com/voice/webhook";
pub(super) const CALL_UUID: &str = "a1b2c3d4-0001-4000-8000-000000000001";
pub(super) const REQUEST_UUID: &str = "f0e1d2c3-0001-4000-8000-00000000000a";

pub(super) fn config() -> PlivoConfig {
    PlivoConfig {
        api_base: "http://127.0.0.1:4010".to_owned(),
        auth_id: AUTH_ID.to_owned(),
        auth_token: TOKEN.to_owned(),
        webhook_url: WEBHOOK_URL.to_owned(),
    }
}

pub(super) fn adapter() -> PlivoAdapter {
    PlivoAdapter::new(config())
}

pub(super) fn create_op() -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: "call-1".to_owned(),
        from: "+14155550100".to_owned(),
        to: "+14155550123".to_owned(),
        mode: CallMode::Conversation,
        message: Some("Hello".to_owned()),
        time_limit_secs: 600,
        ring_timeout_secs: 30,
    })
}

/// A call as known at each stage: by uuid (and request), by request only,
/// or by neither.
pub(super) fn call(uuid: Option<&str>, request: Option<&str>) -> CallRef {
    CallRef {
        call_id: "call-1".to_owned(),
        provider_call_id: uuid.map(str::to_owned),
        request_id: request.map(str::to_owned),
    }
}

pub(super) fn by_uuid() -> CallRef {
    call(Some(CALL_UUID), Some(REQUEST_UUID))
}

pub(super) fn by_request() -> CallRef {
    call(None, Some(REQUEST_UUID))
}

pub(super) fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// One webhook request as recorded in a fixture file or made up by a test.
#[derive(Debug, Clone)]
pub(super) struct Recorded {
    pub method: http::Method,
    pub url: String,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn raw(&self) -> RawWebhook<'_> {
        RawWebhook {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            body: &self.body,
        }
    }

    /// Reads a recording (see `crate::recording` for the format).
    pub fn parse(bytes: &[u8]) -> Recorded {
        let w = crate::recording::parse(std::path::Path::new("plivo fixture"), bytes)
            .expect("a well-formed recording");
        Recorded {
            method: w.method,
            url: w.url,
            headers: w.headers,
            body: w.body,
        }
    }

    /// A POST to `url` with `params` as its form body, V3-signed with `token`.
    pub fn signed_post(token: &str, url: &str, params: &[(&str, &str)], nonce: &str) -> Recorded {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let signature = v3_signature(token, SignedMethod::Post, url, &pairs(params), nonce)
            .expect("test URL decodes");
        let mut headers = http::HeaderMap::new();
        headers.insert("x-plivo-signature-v3", signature.parse().expect("ascii"));
        headers.insert("x-plivo-signature-v3-nonce", nonce.parse().expect("ascii"));
        Recorded {
            method: http::Method::POST,
            url: url.to_owned(),
            headers,
            body: body.into_bytes(),
        }
    }

    pub fn set_header(&mut self, name: &'static str, value: &str) {
        self.headers.insert(
            name,
            http::HeaderValue::from_str(value).expect("header value"),
        );
    }
}

/// Loads `fixtures/webhooks/plivo/<name>.http` at compile time (core does
/// no file I/O, not even in tests).
macro_rules! fixture {
    ($name:literal) => {
        $crate::adapters::plivo::tests::Recorded::parse(include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/webhooks/plivo/",
            $name,
            ".http"
        )))
    };
}
pub(super) use fixture;
