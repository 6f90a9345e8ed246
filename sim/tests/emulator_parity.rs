//! Parity between each provider's adapter and its emulator: every check is
//! written once and run for all four providers, with the emulator served on
//! real loopback TCP and the adapter its dialect hands out, so an adapter and
//! the emulator the simulator trusts cannot drift apart unnoticed.

#[path = "emulator_parity/harness.rs"]
mod harness;

use base64::Engine as _;
use callproof_core::adapters::mock::{MockAdapter, MockConfig};
use callproof_core::adapters::plivo::{PlivoAdapter, PlivoConfig};
use callproof_core::adapters::telnyx::{TelnyxAdapter, TelnyxConfig};
use callproof_core::adapters::twilio::{TwilioAdapter, TwilioConfig};
use callproof_core::adapters::Adapter;
use callproof_core::provider::{
    CallRef, EventKind, OpOutcome, ProviderCallStatus, ProviderError, ProviderName, ProviderOp,
};
use callproof_core::state::CallState;
use callproof_core::webhook::WebhookError;
use callproof_sim::emulator::truth::Phase;
use harness::{create_op, Harness, CALL_ID};

/// Runs one check for every provider, each as a test of its own.
macro_rules! for_every_provider {
    ($check:ident) => {
        mod $check {
            use callproof_core::provider::ProviderName;

            fn run(provider: ProviderName) {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, super::$check(provider));
            }

            #[test]
            fn twilio() {
                run(ProviderName::Twilio)
            }
            #[test]
            fn plivo() {
                run(ProviderName::Plivo)
            }
            #[test]
            fn telnyx() {
                run(ProviderName::Telnyx)
            }
            #[test]
            fn mock() {
                run(ProviderName::Mock)
            }
        }
    };
}

for_every_provider!(a_call_is_created_answered_and_hung_up_alike_on_both_sides);
for_every_provider!(an_api_outage_is_transient_for_create_status_and_hangup);
for_every_provider!(the_emulator_refuses_an_adapter_holding_another_secret);
for_every_provider!(every_callback_of_a_call_verifies_and_names_the_call);

fn status(call: &CallRef) -> ProviderOp {
    ProviderOp::Status { call: call.clone() }
}

fn hangup(call: &CallRef, answered: bool) -> ProviderOp {
    ProviderOp::Hangup {
        call: call.clone(),
        answered,
    }
}

fn speak(call: &CallRef) -> ProviderOp {
    ProviderOp::Speak {
        call: call.clone(),
        text: "Are you still there?".to_owned(),
    }
}

/// Whether the provider's status answer can say the callee picked up. The
/// Telnyx `Call` resource has only `is_alive`, so its adapter documents that
/// a live call always reads `Live { answered: false }`.
fn status_shows_answer(provider: ProviderName) -> bool {
    provider != ProviderName::Telnyx
}

async fn a_call_is_created_answered_and_hung_up_alike_on_both_sides(provider: ProviderName) {
    let h = Harness::start(provider).await;
    let step = |s: &str| format!("[{provider}] a call's life: {s}");

    let (created, mut call) = h.place_call().await;
    let truth = h.truth();
    let expected = if h.emulator.borrow().dialect().create_returns_call_id() {
        OpOutcome::Created {
            provider_call_id: Some(truth.provider_call_id.clone()),
            request_id: None,
        }
    } else {
        OpOutcome::Created {
            provider_call_id: None,
            request_id: truth.request_id.clone(),
        }
    };
    assert_eq!(created, Ok(expected), "{}", step("create"));
    assert_eq!(
        truth.call_id.as_deref(),
        Some(CALL_ID),
        "{}",
        step("create carries our call id")
    );

    let queued = h.op(&status(&call)).await;
    let live = OpOutcome::Status(ProviderCallStatus::Live { answered: false });
    assert_eq!(queued, Ok(live), "{}", step("status of the queued call"));

    h.advance_until_answered().await;
    h.learn_provider_call_id(&mut call);
    assert_eq!(
        call.provider_call_id.as_deref(),
        Some(truth.provider_call_id.as_str()),
        "{}",
        step("the provider's call id, from the create or the callbacks")
    );
    let answered = status_shows_answer(provider);
    let live = OpOutcome::Status(ProviderCallStatus::Live { answered });
    assert_eq!(
        h.op(&status(&call)).await,
        Ok(live),
        "{}",
        step("status once answered")
    );

    let hung_up = h.op(&hangup(&call, true)).await;
    assert_eq!(hung_up, Ok(OpOutcome::Done), "{}", step("hangup"));
    assert_eq!(
        h.truth().phase,
        Phase::Ended(CallState::HangupBot),
        "{}",
        step("the emulator ended the call")
    );

    let after = h.op(&status(&call)).await;
    assert!(
        matches!(
            after,
            Ok(OpOutcome::Status(ProviderCallStatus::Ended { .. }))
                | Err(ProviderError::NotFound { .. })
        ),
        "{}: {after:?}",
        step("status of the ended call is an end or not-found, never live")
    );

    let again = h.op(&hangup(&call, true)).await;
    assert!(
        matches!(again, Err(ProviderError::NotFound { .. })),
        "{}: {again:?}",
        step("hanging up the ended call again")
    );
    if call.request_id.is_some() {
        // Plivo, by request uuid only: the adapter documents a 404 there as
        // "no longer queued", not proof of an end, hence Transient.
        let by_request = CallRef {
            provider_call_id: None,
            ..call.clone()
        };
        let again = h.op(&hangup(&by_request, true)).await;
        assert!(
            matches!(again, Err(ProviderError::Transient { .. })),
            "{}: {again:?}",
            step("hanging up the ended call again by its request id")
        );
    }

    let spoken = h.op(&speak(&call)).await;
    assert!(
        matches!(spoken, Err(ProviderError::NotFound { .. })),
        "{}: {spoken:?}",
        step("speaking into the ended call")
    );
}

async fn an_api_outage_is_transient_for_create_status_and_hangup(provider: ProviderName) {
    let h = Harness::start(provider).await;
    let (created, mut call) = h.place_call().await;
    assert!(
        created.is_ok(),
        "[{provider}] outage: create before it: {created:?}"
    );
    h.advance(1_000).await;
    h.learn_provider_call_id(&mut call);

    for rate_limited in [true, false] {
        let what = if rate_limited { "429" } else { "503" };
        let until = h.now() + 100;
        h.emulator.borrow_mut().api_outage(until, rate_limited);
        for op in [create_op(), status(&call), hangup(&call, false)] {
            let got = h.op(&op).await;
            assert!(
                matches!(got, Err(ProviderError::Transient { .. })),
                "[{provider}] outage ({what}): {} is Transient: {got:?}",
                op.kind()
            );
        }
        let truth = h.truth();
        assert!(
            truth.is_live(),
            "[{provider}] outage ({what}) changed nothing"
        );
        h.advance(100).await;
        let back = h.op(&status(&call)).await;
        assert!(
            matches!(back, Ok(OpOutcome::Status(ProviderCallStatus::Live { .. }))),
            "[{provider}] after the outage ({what}) the call is live again: {back:?}"
        );
    }
}

async fn the_emulator_refuses_an_adapter_holding_another_secret(provider: ProviderName) {
    let h = Harness::start(provider).await;
    let (created, mut call) = h.place_call().await;
    assert!(
        created.is_ok(),
        "[{provider}] wrong secret: genuine create: {created:?}"
    );
    h.advance(1_000).await;
    h.learn_provider_call_id(&mut call);

    let wrong = other_secret_adapter(&h);
    for op in [create_op(), status(&call), hangup(&call, false)] {
        let got = h.op_with(wrong.as_ref(), &op).await;
        assert!(
            matches!(got, Err(ProviderError::Unauthorized { .. })),
            "[{provider}] wrong secret: {} is Unauthorized: {got:?}",
            op.kind()
        );
    }
    assert!(
        h.truth().is_live(),
        "[{provider}] wrong secret changed nothing"
    );

    let callbacks = h.callbacks();
    assert!(
        !callbacks.is_empty(),
        "[{provider}] wrong secret: callbacks arrived"
    );
    for (i, callback) in callbacks.iter().enumerate() {
        let got = h.verify(wrong.as_ref(), callback).map(|_| ());
        assert_eq!(
            got,
            Err(WebhookError::BadSignature),
            "[{provider}] wrong secret: genuine callback {i} is refused"
        );
    }
}

/// The adapter configured like the dialect's but with another secret. The
/// account id and connection id are read from the dialect adapter's own
/// requests: the dialects keep their account constants private.
fn other_secret_adapter(h: &Harness) -> Box<dyn Adapter> {
    let api_base = h.api_base.clone();
    let webhook_url = h.webhook_url.clone();
    let request = h
        .adapter
        .build_request(&create_op(), "peek")
        .expect("create builds");
    let basic_user = || {
        let header = request.headers().get(http::header::AUTHORIZATION);
        let encoded = header.and_then(|v| v.to_str().ok()?.strip_prefix("Basic "));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.expect("Basic auth"))
            .expect("base64");
        let text = String::from_utf8(decoded).expect("utf-8");
        text.split_once(':').expect("user:password").0.to_owned()
    };
    match h.provider {
        ProviderName::Twilio => Box::new(TwilioAdapter::new(TwilioConfig {
            api_base,
            account_sid: basic_user(),
            auth_token: "ffffffffffffffffffffffffffffffff".to_owned(),
            webhook_url,
            shared_key: None,
        })),
        ProviderName::Plivo => Box::new(PlivoAdapter::new(PlivoConfig {
            api_base,
            auth_id: basic_user(),
            auth_token: "bm90LXRoZS1zaW11bGF0ZWQtYWNjb3VudC10b2tlbg".to_owned(),
            webhook_url,
        })),
        ProviderName::Telnyx => {
            let body: serde_json::Value =
                serde_json::from_slice(request.body()).expect("dial body is JSON");
            let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
            let config = TelnyxConfig {
                api_base,
                api_key: "KEY0190A1C2E3F4CALLPROOF_SomeoneElsesKey0001".to_owned(),
                connection_id: body["connection_id"]
                    .as_str()
                    .expect("connection_id")
                    .to_owned(),
                webhook_url,
                public_key_base64: base64::engine::general_purpose::STANDARD.encode(key.as_bytes()),
                tolerance_secs: TelnyxConfig::DEFAULT_TOLERANCE_SECS,
            };
            Box::new(TelnyxAdapter::new(config).expect("a valid Telnyx config"))
        }
        ProviderName::Mock => Box::new(MockAdapter::new(MockConfig {
            api_base,
            token: "someone-elses-token".to_owned(),
            webhook_url,
        })),
    }
}

async fn every_callback_of_a_call_verifies_and_names_the_call(provider: ProviderName) {
    let h = Harness::start(provider).await;
    let (created, mut call) = h.place_call().await;
    assert!(
        created.is_ok(),
        "[{provider}] callbacks: create: {created:?}"
    );
    h.advance_until_answered().await;
    h.learn_provider_call_id(&mut call);
    let hung_up = h.op(&hangup(&call, true)).await;
    assert_eq!(
        hung_up,
        Ok(OpOutcome::Done),
        "[{provider}] callbacks: hangup"
    );
    h.advance(1_000).await;

    let callbacks = h.callbacks();
    let queued = h.emulator.borrow().stats.callbacks;
    assert_eq!(
        callbacks.len() as u64,
        queued,
        "[{provider}] callbacks: every queued callback arrived"
    );
    let pid = h.truth().provider_call_id;
    let mut kinds = Vec::new();
    let mut bodies_by_key = std::collections::BTreeMap::new();
    for (i, callback) in callbacks.iter().enumerate() {
        let verified = h.verify(h.adapter.as_ref(), callback);
        let verified = verified.unwrap_or_else(|e| panic!("[{provider}] callback {i}: {e}"));
        let events = h.adapter.parse_webhook(&verified);
        let events = events.unwrap_or_else(|e| panic!("[{provider}] callback {i} parses: {e}"));
        assert!(
            !events.is_empty(),
            "[{provider}] callback {i} says something"
        );
        for event in events {
            assert_eq!(
                event.call_id.as_deref(),
                Some(CALL_ID),
                "[{provider}] callback {i}: call_id"
            );
            assert_eq!(
                event.provider_call_id.as_deref(),
                Some(pid.as_str()),
                "[{provider}] callback {i}: provider_call_id"
            );
            kinds.push(event.kind);
            // One key for one callback: a key seen before must come with the
            // same bytes (a redelivery), never with a different callback.
            let first = bodies_by_key
                .entry(event.dedupe_key.clone())
                .or_insert(callback.body());
            assert!(
                *first == callback.body(),
                "[{provider}] callback {i}: dedupe key {} names another callback",
                event.dedupe_key
            );
        }

        let mut tampered = callback.clone();
        let last = tampered
            .body_mut()
            .last_mut()
            .expect("callbacks have a body");
        *last = if *last == b'x' { b'y' } else { b'x' };
        let got = h.verify(h.adapter.as_ref(), &tampered).map(|_| ());
        assert_eq!(
            got,
            Err(WebhookError::BadSignature),
            "[{provider}] callback {i} tampered"
        );
    }
    assert!(
        kinds.contains(&EventKind::Answered)
            && matches!(kinds.last(), Some(EventKind::Ended { .. })),
        "[{provider}] callbacks tell the answer and end last: {kinds:?}"
    );
}
