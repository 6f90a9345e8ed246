//! The emulator as a turmoil host: the REST API on port 80 and a loop that
//! lets time pass and delivers callbacks with the provider's retries.

use super::behaviour::{Delivery, Emulator};
use super::dialect::CallbackKind;
use crate::clock::now_ms;
use crate::net;
use callproof_core::record::Direction;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// The emulated provider's host name.
pub const HOST: &str = "provider";
/// Its API port.
pub const PORT: u16 = 80;
/// The header by which the gateway says whether it answers an inbound call
/// (the neutral stand-in for TwiML / XML / an answer action; see README).
pub const ANSWER_HEADER: &str = "x-callproof-answer";
/// How long the provider waits for the gateway to answer a callback.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The host's software: rebuilt from the shared emulator on every start.
pub async fn run(emulator: Rc<RefCell<Emulator>>) -> turmoil::Result {
    let api = emulator.clone();
    tokio::task::spawn_local(net::serve(PORT, move |request| {
        let api = api.clone();
        async move { api.borrow_mut().handle_api(&request, now_ms()) }
    }));
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = now_ms();
        let due = {
            let mut e = emulator.borrow_mut();
            e.advance(now);
            e.take_due(now)
        };
        for delivery in due {
            tokio::task::spawn_local(deliver(emulator.clone(), delivery));
        }
    }
}

async fn deliver(emulator: Rc<RefCell<Emulator>>, delivery: Delivery) {
    let uri = delivery.request.uri().clone();
    let host = uri.host().unwrap_or("gateway").to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let request = delivery.request.clone();
    let result = net::send(&host, port, request, DELIVERY_TIMEOUT).await;
    let now = now_ms();
    let mut e = emulator.borrow_mut();
    match result {
        Ok(response) if response.status().is_success() => {
            let accepted = response
                .headers()
                .get(ANSWER_HEADER)
                .is_some_and(|v| v.as_bytes() == b"accept");
            if let (CallbackKind::Ended(_), true) = (delivery.kind, accepted) {
                if let Some(c) = e.calls.get_mut(&delivery.provider_call_id) {
                    c.end_accepted = true;
                }
            }
            let inbound_start = delivery.kind == CallbackKind::Initiated
                && e.calls
                    .get(&delivery.provider_call_id)
                    .is_some_and(|c| c.direction == Direction::Inbound);
            if inbound_start {
                let answer = response
                    .headers()
                    .get(ANSWER_HEADER)
                    .and_then(|v| v.to_str().ok());
                match answer {
                    Some("accept") => e.inbound_decision(&delivery.provider_call_id, true, now),
                    Some("reject") => e.inbound_decision(&delivery.provider_call_id, false, now),
                    _ => {}
                }
            }
        }
        _ => e.delivery_failed(delivery, now),
    }
}
