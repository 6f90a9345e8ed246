//! A provider REST request: served by that provider's emulator under the
//! fault rules, journaled, and the rule's decision carried out (a delay, or
//! a connection closed without a reply).

use super::http::Reply;
use super::journal::{body_text, RequestEntry};
use super::state::State;
use callproof_core::provider::ProviderName;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// Answers `request` as `provider` would.
pub(super) async fn handle(
    state: Rc<RefCell<State>>,
    provider: ProviderName,
    request: http::Request<Vec<u8>>,
) -> Reply {
    let served = {
        let mut guard = state.borrow_mut();
        let s = &mut *guard;
        let now = s.now();
        let Some((_, emulator)) = s.emulators.iter_mut().find(|(p, _)| *p == provider) else {
            return Some(super::control::not_found(request.uri().path()));
        };
        let served = emulator.serve(&request, now, &mut s.rules);
        let path = request.uri().path_and_query().map_or_else(
            || request.uri().path().to_owned(),
            |p| p.as_str().to_owned(),
        );
        s.requests.push(RequestEntry {
            at_ms: now,
            provider: provider.as_str(),
            method: request.method().as_str().to_owned(),
            path,
            operation: served.operation,
            provider_call_id: served.provider_call_id.clone(),
            status: if served.response.is_some() {
                served.status
            } else {
                0
            },
            fault: served.fault.clone(),
            applied: served.applied,
            request_body: body_text(request.body()),
            response_body: served
                .response
                .as_ref()
                .map(|r| body_text(r.body()))
                .unwrap_or_default(),
        });
        served
    };
    if served.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(served.delay_ms)).await;
    }
    served.response
}
