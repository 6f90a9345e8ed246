//! The emulator over real TCP: the same behaviour the simulator serves over
//! turmoil, behind a real socket, so the checks an adapter passes against a
//! canned server can also be run against the emulator of its provider.
//!
//! The emulator is not `Send` (its dialect is a plain trait object), so
//! everything here runs on the current thread: call these inside a
//! `tokio::task::LocalSet`.

use super::behaviour::Emulator;
use crate::net::serve_connection;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The largest request body read; anything bigger is answered 413.
pub use crate::net::BODY_LIMIT;

/// Serves HTTP/1 on `listener` forever, answering each request (body
/// collected) with `handler`. A failed accept is retried, never fatal.
pub async fn serve<H>(listener: tokio::net::TcpListener, handler: H)
where
    H: Fn(http::Request<Vec<u8>>) -> http::Response<Vec<u8>> + Clone + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let handler = handler.clone();
        tokio::task::spawn_local(serve_connection(stream, move |request| {
            std::future::ready(handler(request))
        }));
    }
}

/// Serves `emulator`'s REST API on `listener`. Time is whatever `clock`
/// holds (ms since the epoch), never the OS clock: the caller moves it, and
/// also calls [`Emulator::advance`] and [`Emulator::take_due`] itself, so a
/// run over real TCP is as reproducible as one over turmoil.
pub async fn serve_api(
    listener: tokio::net::TcpListener,
    emulator: Rc<RefCell<Emulator>>,
    clock: Rc<Cell<u64>>,
) {
    serve(listener, move |request| {
        emulator.borrow_mut().handle_api(&request, clock.get())
    })
    .await
}
