//! The emulator as a turmoil host: the REST API on port 80 and a loop that
//! lets time pass and delivers callbacks with the provider's retries.

use super::answer;
use super::behaviour::{Delivery, Emulator};
use crate::clock::now_ms;
use crate::net;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// The emulated provider's host name.
pub const HOST: &str = "provider";
/// Its API port.
pub const PORT: u16 = 80;
/// The header by which the gateway says whether it answers an inbound call
/// (the neutral stand-in for TwiML / XML / an answer action; see README).
pub use super::answer::ANSWER_HEADER;
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
            let answer = answer::from_header(response.headers());
            e.callback_answered(&delivery.provider_call_id, delivery.kind, answer, now);
        }
        _ => e.delivery_failed(delivery, now),
    }
}
