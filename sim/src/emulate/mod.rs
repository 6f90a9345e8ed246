//! `callproof emulate`: the provider emulators as a real server any gateway,
//! in any language, can be tested against. It serves the very behaviour the
//! simulator runs ([`crate::emulator::Emulator`], one per provider, with the
//! same dialects) over real TCP, delivers its callbacks over real HTTP with
//! each provider's retry and timeout, and adds a control API under
//! `/_callproof/` (ground truth, request and webhook journals, callee
//! scripts, inbound callers, fault rules, a manual clock). The contract is
//! section 1 of `sim/CONTRACTS.md`.
//!
//! Everything runs on one thread (the emulator is not `Send`): call
//! [`serve`] inside a `tokio::task::LocalSet`. The wall clock is read here,
//! in the server layer, and only with `--clock real`; the behaviour only
//! ever sees times handed to it.

mod control;
mod deliver;
pub mod http;
pub mod journal;
mod render;
mod rest;
mod state;

pub use deliver::Policy;
pub use state::State;

use callproof_core::provider::ProviderName;
use std::cell::RefCell;
use std::rc::Rc;

/// Where time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Wall time; a tick loop lets calls progress and callbacks go out.
    Real,
    /// Time moves only by `POST /_callproof/clock/advance`.
    Manual,
}

impl ClockMode {
    /// The name the health route reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::Real => "real",
            ClockMode::Manual => "manual",
        }
    }
}

/// How the server was started.
#[derive(Debug, Clone)]
pub struct Config {
    /// The providers served (at least one).
    pub providers: Vec<ProviderName>,
    /// Seeds ids and every random draw.
    pub seed: u64,
    /// Real or manual time.
    pub clock: ClockMode,
    /// Where a manual clock starts (ms since the epoch).
    pub start_ms: u64,
    /// `(public prefix, local prefix)`: a callback to a URL starting with the
    /// public prefix is sent to the local one instead, signed as addressed.
    pub url_map: Vec<(String, String)>,
    /// Where each provider sends inbound calls' callbacks.
    pub inbound_webhooks: Vec<(ProviderName, String)>,
    /// A Twilio Webhook Rule's algorithm: Twilio callbacks are then signed
    /// with the account's SharedKey and announced in
    /// `X-Twilio-Webhooks-Signature-Settings`. `None`: the auth token.
    pub twilio_webhook_rule: Option<callproof_core::adapters::twilio::SignatureAlgorithm>,
}

impl Config {
    /// Every provider, seed 0, real time, no maps: what `callproof emulate`
    /// does with no flags.
    pub fn new() -> Config {
        Config {
            providers: vec![
                ProviderName::Twilio,
                ProviderName::Plivo,
                ProviderName::Telnyx,
            ],
            seed: 0,
            clock: ClockMode::Real,
            start_ms: crate::clock::EPOCH_MS,
            url_map: Vec::new(),
            inbound_webhooks: Vec::new(),
            twilio_webhook_rule: None,
        }
    }

    /// Rewrites `url` through the first matching map entry.
    pub fn local_url(&self, url: &str) -> String {
        for (public, local) in &self.url_map {
            if let Some(rest) = url.strip_prefix(public.as_str()) {
                return format!("{local}{rest}");
            }
        }
        url.to_owned()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// Serves `config`'s providers and the control API on `listener` until the
/// task is dropped. Must run inside a `LocalSet`.
pub async fn serve(config: Config, listener: tokio::net::TcpListener) {
    let state = Rc::new(RefCell::new(State::new(config)));
    let ticker = state.clone();
    tokio::task::spawn_local(deliver::tick_loop(ticker));
    let advance_lock = Rc::new(tokio::sync::Mutex::new(()));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        let lock = advance_lock.clone();
        tokio::task::spawn_local(http::serve_connection(stream, move |request| {
            route(state.clone(), lock.clone(), request)
        }));
    }
}

async fn route(
    state: Rc<RefCell<State>>,
    lock: Rc<tokio::sync::Mutex<()>>,
    request: ::http::Request<Vec<u8>>,
) -> http::Reply {
    let path = request.uri().path();
    if path.starts_with("/_callproof/") || path == "/_callproof" {
        return Some(control::handle(state, lock, request).await);
    }
    let provider = if path.starts_with("/2010-04-01/") {
        ProviderName::Twilio
    } else if path.starts_with("/v1/Account/") {
        ProviderName::Plivo
    } else if path == "/v2/calls" || path.starts_with("/v2/calls/") {
        ProviderName::Telnyx
    } else {
        return Some(control::not_found(path));
    };
    rest::handle(state, provider, request).await
}
