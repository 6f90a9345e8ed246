//! Tests of the Telnyx adapter, one file per concern, sharing the utilities here.

mod config;
mod fixtures;
mod requests;
mod responses;
mod signature;
mod time;
mod webhook;

use super::{TelnyxAdapter, TelnyxConfig};
use crate::provider::{CallRef, CreateCall, ProviderName};
use crate::record::CallMode;
use crate::webhook::{RawWebhook, VerifiedWebhook};
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};

/// telnyx-java `WebhookVerificationTest.kt`: a fixed Ed25519 seed ...
const JAVA_SEED: &str = "i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04=";
/// ... and the public key that test pairs with it.
const JAVA_PUBLIC: &str = "jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=";
/// telnyx-php `tests/Services/WebhooksTest.php`: public key ...
const PHP_PUBLIC: &str = "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik=";
/// ... and its 64-byte secret (seed followed by the public key).
const PHP_SECRET: &str =
    "p68GNpDl9oAQohBiK0MEOFIjxnoFnz0uGGeJqxQ5PSb7sT30NeKJBe9x41ficebctubmao9Zp3lGEOva5+4KKQ==";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn config() -> TelnyxConfig {
    TelnyxConfig {
        api_base: "http://127.0.0.1:4010".to_owned(),
        api_key: "KEY0123456789ABCDEF".to_owned(),
        connection_id: "2210987654321098765".to_owned(),
        webhook_url: "https://gateway.example.com/voice/telnyx/events".to_owned(),
        public_key_base64: JAVA_PUBLIC.to_owned(),
        tolerance_secs: TelnyxConfig::DEFAULT_TOLERANCE_SECS,
    }
}

fn adapter() -> TelnyxAdapter {
    TelnyxAdapter::new(config()).expect("the test configuration is valid")
}

fn adapter_with_key(public_key_base64: &str) -> TelnyxAdapter {
    TelnyxAdapter::new(TelnyxConfig {
        public_key_base64: public_key_base64.to_owned(),
        ..config()
    })
    .expect("the key is valid")
}

fn signing_key(seed_base64: &str) -> SigningKey {
    let bytes = B64.decode(seed_base64).expect("seed is base64");
    let seed: [u8; 32] = bytes
        .get(..32)
        .expect("seed has 32 bytes")
        .try_into()
        .unwrap();
    SigningKey::from_bytes(&seed)
}

/// Signs `"{timestamp}|{body}"` the way Telnyx does, with the java test seed.
fn sign(timestamp: &str, body: &[u8]) -> String {
    let mut message = format!("{timestamp}|").into_bytes();
    message.extend_from_slice(body);
    B64.encode(signing_key(JAVA_SEED).sign(&message).to_bytes())
}

/// A webhook request as it arrives: method, URL, headers and raw body.
struct Delivery {
    method: http::Method,
    url: String,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Delivery {
    /// A POST carrying `body` with exactly the given Telnyx headers.
    fn new(signature: Option<&str>, timestamp: Option<&str>, body: &[u8]) -> Self {
        let mut headers = http::HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        if let Some(s) = signature {
            headers.insert("telnyx-signature-ed25519", s.parse().unwrap());
        }
        if let Some(t) = timestamp {
            headers.insert("telnyx-timestamp", t.parse().unwrap());
        }
        Delivery {
            method: http::Method::POST,
            url: "https://gateway.example.com/voice/telnyx/events".to_owned(),
            headers,
            body: body.to_vec(),
        }
    }

    /// A correctly signed POST of `body` at `timestamp`.
    fn signed(timestamp: i64, body: &[u8]) -> Self {
        let ts = timestamp.to_string();
        Delivery::new(Some(&sign(&ts, body)), Some(&ts), body)
    }

    /// Reads a recording (see `crate::recording` for the format).
    fn recorded(bytes: &[u8]) -> Self {
        let w = crate::recording::parse(std::path::Path::new("telnyx fixture"), bytes)
            .expect("a well-formed recording");
        Delivery {
            method: w.method,
            url: w.url,
            headers: w.headers,
            body: w.body,
        }
    }

    fn raw(&self) -> RawWebhook<'_> {
        RawWebhook {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn timestamp(&self) -> i64 {
        self.headers["telnyx-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    }
}

/// Skips the signature check: for tests about parsing only.
fn verified(body: &str) -> VerifiedWebhook {
    let delivery = Delivery::new(None, None, body.as_bytes());
    VerifiedWebhook::new(ProviderName::Telnyx, &delivery.raw())
}

fn call_ref(provider_call_id: Option<&str>) -> CallRef {
    CallRef {
        call_id: "7d3c2a10-5f6e-4b8a-9c1d-000000000001".to_owned(),
        provider_call_id: provider_call_id.map(str::to_owned),
        request_id: None,
    }
}

fn create_call() -> CreateCall {
    CreateCall {
        call_id: "7d3c2a10-5f6e-4b8a-9c1d-000000000001".to_owned(),
        from: "+15550100001".to_owned(),
        to: "+15550100002".to_owned(),
        mode: CallMode::Notify,
        message: Some("Your table is ready.".to_owned()),
        time_limit_secs: 300,
        ring_timeout_secs: 45,
    }
}
