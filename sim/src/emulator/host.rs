//! The emulator as a turmoil host: the REST API on port 80 under the
//! harness's fault rules, and a loop that lets time pass and delivers
//! callbacks with the provider's retries.

use super::answer;
use super::behaviour::{Delivery, Emulator};
use super::faults::FaultRules;
use crate::clock::now_ms;
use crate::net;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// A REST request a fault rule hit, as the provider saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// When it arrived (ms since the epoch).
    pub at_ms: u64,
    /// Its operation's journal name (`create`, `hangup`, ...).
    pub operation: &'static str,
    /// The call it named or created.
    pub provider_call_id: Option<String>,
    /// The fault's journal name (`reply_lost`, `latency:N`, ...).
    pub fault: String,
    /// Whether the provider carried the request out.
    pub applied: bool,
}

/// The REST fault rules the harness arms, and what they hit: kept apart
/// from the emulator's ground truth, and across restarts of the host.
#[derive(Debug)]
pub struct RestFaults {
    /// The rules in force.
    pub rules: FaultRules,
    /// Every request a rule hit, in arrival order.
    pub hits: Vec<Hit>,
}

impl RestFaults {
    /// No rules; draws (for rules that are not certain) from `seed`.
    pub fn new(seed: u64) -> RestFaults {
        RestFaults {
            rules: FaultRules::new(seed),
            hits: Vec::new(),
        }
    }
}

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
pub async fn run(
    emulator: Rc<RefCell<Emulator>>,
    faults: Rc<RefCell<RestFaults>>,
) -> turmoil::Result {
    let api = emulator.clone();
    tokio::task::spawn_local(net::serve_or_reset(PORT, move |request| {
        let (api, faults) = (api.clone(), faults.clone());
        async move { serve(&api, &faults, request).await }
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

/// One REST request under the rules: applied (or not) at once, its reply
/// then sent, delayed or withheld as the rule that hit it says.
async fn serve(
    emulator: &RefCell<Emulator>,
    faults: &RefCell<RestFaults>,
    request: http::Request<Vec<u8>>,
) -> net::Reply {
    let now = now_ms();
    let served = {
        let mut f = faults.borrow_mut();
        let served = emulator.borrow_mut().serve(&request, now, &mut f.rules);
        if let Some(fault) = served.fault.clone().filter(|f| f != "outage") {
            f.hits.push(Hit {
                at_ms: now,
                operation: served.operation,
                provider_call_id: served.provider_call_id.clone(),
                fault,
                applied: served.applied,
            });
        }
        served
    };
    if served.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(served.delay_ms)).await;
    }
    served.response
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
