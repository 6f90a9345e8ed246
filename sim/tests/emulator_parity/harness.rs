//! One provider's emulator behind real loopback sockets, the adapter its
//! dialect hands out, a webhook receiver on a second socket, and a clock the
//! test moves by hand.

use callproof_conformance::http::{send, DEFAULT_TIMEOUT};
use callproof_core::adapters::Adapter;
use callproof_core::provider::{
    CallRef, CreateCall, OpOutcome, ProviderError, ProviderEvent, ProviderName, ProviderOp,
};
use callproof_core::record::CallMode;
use callproof_core::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use callproof_sim::emulator::dialect::for_provider;
use callproof_sim::emulator::serve::{serve, serve_api};
use callproof_sim::emulator::truth::{Callee, Phase, TruthCall};
use callproof_sim::emulator::{Emulator, EmulatorProfile};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The emulator's clock at the start of every test (ms since the epoch). The
/// OS clock is never read, so every run sees the same times and signatures.
pub const T0: u64 = 1_700_000_000_000;

/// The manager's id of the call every check places.
pub const CALL_ID: &str = "call-parity-0001";

/// Callbacks delivered once, at once, in order: this file checks wire
/// agreement, not the delivery faults the simulator injects.
const CALM: EmulatorProfile = EmulatorProfile {
    loss: 0.0,
    duplicate: 0.0,
    max_delay_ms: 0,
    retries: 0,
    retry_delay_ms: 0,
};

/// Seeds tried for a callee who picks up (65% of callees do).
const SEEDS: std::ops::Range<u64> = 0..64;

/// The create every check sends: a long ring timeout and time limit, so
/// neither ends the call during a check.
pub fn create_op() -> ProviderOp {
    ProviderOp::Create(CreateCall {
        call_id: CALL_ID.to_owned(),
        from: "+14155550100".to_owned(),
        to: "+14155550199".to_owned(),
        mode: CallMode::Conversation,
        message: None,
        time_limit_secs: 600,
        ring_timeout_secs: 60,
    })
}

/// A running emulator, its adapter and what reached the webhook receiver.
pub struct Harness {
    /// Which provider.
    pub provider: ProviderName,
    /// The emulator, shared with the server task.
    pub emulator: Rc<RefCell<Emulator>>,
    /// The adapter `Dialect::adapter` gives for this emulator.
    pub adapter: Box<dyn Adapter>,
    /// `http://127.0.0.1:<api port>`.
    pub api_base: String,
    /// The callback URL the adapter was configured with.
    pub webhook_url: String,
    clock: Rc<Cell<u64>>,
    webhook_origin: String,
    received: Rc<RefCell<Vec<http::Request<Vec<u8>>>>>,
    commands: Cell<u32>,
}

impl Harness {
    /// Binds both sockets and starts serving; must run inside a `LocalSet`.
    pub async fn start(provider: ProviderName) -> Harness {
        let bind = || tokio::net::TcpListener::bind("127.0.0.1:0");
        let api = bind().await.expect("bind the API socket");
        let hooks = bind().await.expect("bind the webhook socket");
        let port = |l: &tokio::net::TcpListener| l.local_addr().expect("local address").port();
        let api_base = format!("http://127.0.0.1:{}", port(&api));
        let webhook_origin = format!("http://127.0.0.1:{}", port(&hooks));
        let webhook_url = format!("{webhook_origin}/voice/webhook");
        let seed = answering_seed(provider, &api_base, &webhook_url);
        let dialect = for_provider(provider).expect("every provider has a dialect");
        let emulator = Emulator::new(dialect, seed, CALM, webhook_url.clone());
        let adapter = emulator.dialect().adapter(&api_base, &webhook_url);
        let emulator = Rc::new(RefCell::new(emulator));
        let clock = Rc::new(Cell::new(T0));
        tokio::task::spawn_local(serve_api(api, emulator.clone(), clock.clone()));
        let received = Rc::new(RefCell::new(Vec::new()));
        let inbox = received.clone();
        tokio::task::spawn_local(serve(hooks, move |request| {
            inbox.borrow_mut().push(request);
            http::Response::new(Vec::new())
        }));
        Harness {
            provider,
            emulator,
            adapter,
            api_base,
            webhook_url,
            clock,
            webhook_origin,
            received,
            commands: Cell::new(0),
        }
    }

    /// The emulator's clock.
    pub fn now(&self) -> u64 {
        self.clock.get()
    }

    /// Builds `op` with `adapter`, sends it over the socket, classifies the answer.
    pub async fn op_with(
        &self,
        adapter: &dyn Adapter,
        op: &ProviderOp,
    ) -> Result<OpOutcome, ProviderError> {
        self.commands.set(self.commands.get() + 1);
        let command_id = format!("cmd-{}", self.commands.get());
        let request = adapter.build_request(op, &command_id)?;
        let response = send(request, DEFAULT_TIMEOUT).await?;
        adapter.parse_response(op, &response)
    }

    /// [`Harness::op_with`] the dialect's own adapter.
    pub async fn op(&self, op: &ProviderOp) -> Result<OpOutcome, ProviderError> {
        self.op_with(self.adapter.as_ref(), op).await
    }

    /// Moves the clock `ms` on, lets the emulator act, and delivers every
    /// callback that fell due to the webhook receiver over its socket.
    pub async fn advance(&self, ms: u64) {
        let now = self.clock.get() + ms;
        self.clock.set(now);
        let due = {
            let mut emulator = self.emulator.borrow_mut();
            emulator.advance(now);
            emulator.take_due(now)
        };
        for delivery in due {
            let response = send(delivery.request, DEFAULT_TIMEOUT).await;
            let status = response.map(|r| r.status());
            assert!(
                matches!(status, Ok(s) if s.is_success()),
                "[{}] delivering callback {:?} #{}: {status:?}",
                self.provider,
                delivery.kind,
                delivery.sequence
            );
        }
    }

    /// The only call the emulator carries, as it really is.
    pub fn truth(&self) -> TruthCall {
        let emulator = self.emulator.borrow();
        let mut calls = emulator.calls.values();
        let call = calls.next().cloned().expect("the emulator carries a call");
        assert!(calls.next().is_none(), "[{}] one call only", self.provider);
        call
    }

    /// Lets time pass, half a second at a time, until the callee picks up.
    pub async fn advance_until_answered(&self) {
        for _ in 0..60 {
            if self.truth().phase == Phase::Answered {
                return;
            }
            self.advance(500).await;
        }
        panic!("[{}] the callee never answered", self.provider);
    }

    /// Places the call and returns what the create told us about it.
    pub async fn place_call(&self) -> (Result<OpOutcome, ProviderError>, CallRef) {
        let created = self.op(&create_op()).await;
        let mut call = CallRef {
            call_id: CALL_ID.to_owned(),
            provider_call_id: None,
            request_id: None,
        };
        if let Ok(OpOutcome::Created {
            provider_call_id,
            request_id,
        }) = &created
        {
            call.provider_call_id = provider_call_id.clone();
            call.request_id = request_id.clone();
        }
        (created, call)
    }

    /// Fills in the provider's call id from the callbacks (where the create
    /// does not return it, the manager learns it that way too).
    pub fn learn_provider_call_id(&self, call: &mut CallRef) {
        if call.provider_call_id.is_some() {
            return;
        }
        call.provider_call_id = self
            .events()
            .into_iter()
            .filter(|e| e.call_id.as_deref() == Some(CALL_ID))
            .find_map(|e| e.provider_call_id);
    }

    /// Every callback received so far, in arrival order.
    pub fn callbacks(&self) -> Vec<http::Request<Vec<u8>>> {
        self.received.borrow().clone()
    }

    /// Checks `callback` with `adapter` at the current clock, against the
    /// URL the provider was told to call (the receiver's origin plus the
    /// path and query that crossed the socket).
    pub fn verify(
        &self,
        adapter: &dyn Adapter,
        callback: &http::Request<Vec<u8>>,
    ) -> Result<VerifiedWebhook, WebhookError> {
        let path = callback.uri().path_and_query().map_or("/", |p| p.as_str());
        let url = format!("{}{path}", self.webhook_origin);
        let raw = RawWebhook {
            method: callback.method(),
            url: &url,
            headers: callback.headers(),
            body: callback.body(),
        };
        let now_secs = i64::try_from(self.now() / 1000).expect("seconds fit in i64");
        adapter.verify_webhook(&raw, now_secs)
    }

    /// Every received callback verified and parsed by the dialect's adapter.
    pub fn events(&self) -> Vec<ProviderEvent> {
        let mut events = Vec::new();
        for (i, callback) in self.callbacks().iter().enumerate() {
            let verified = self.verify(self.adapter.as_ref(), callback);
            let verified = verified.unwrap_or_else(|e| {
                panic!("[{}] callback {i} does not verify: {e}", self.provider)
            });
            let parsed = self.adapter.parse_webhook(&verified);
            events.extend(parsed.unwrap_or_else(|e| {
                panic!("[{}] callback {i} does not parse: {e}", self.provider)
            }));
        }
        events
    }
}

/// The first seed whose first callee picks up. The callee is drawn when the
/// create arrives, from the seed alone, so an in-memory dry run of the same
/// create predicts the real run exactly.
fn answering_seed(provider: ProviderName, api_base: &str, webhook_url: &str) -> u64 {
    for seed in SEEDS {
        let dialect = for_provider(provider).expect("every provider has a dialect");
        let adapter = dialect.adapter(api_base, webhook_url);
        let mut emulator = Emulator::new(dialect, seed, CALM, webhook_url.to_owned());
        let request = adapter
            .build_request(&create_op(), "dry-run")
            .expect("the create builds");
        emulator.handle_api(&request, T0);
        let answers = emulator
            .calls
            .values()
            .any(|c| matches!(c.callee, Callee::Answers { .. }));
        if answers {
            return seed;
        }
    }
    panic!("[{provider}] no seed in {SEEDS:?} draws a callee who answers");
}
