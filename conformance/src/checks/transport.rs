//! An exchange lost in transport (refused, reset, cut short, not HTTP, too
//! slow) leaves the operation's outcome unknown: `ProviderError::Transient`,
//! never a success and never a verdict about the call.

use super::util::buildable;
use super::{CheckFamily, CheckResult, Tally};
use crate::http::{execute, DEFAULT_TIMEOUT};
use crate::subject::{Canned, CannedResponse, ResponseClass, Subject, COMMAND_ID};
use callproof_core::provider::ProviderError;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The client's patience in the timeout scenario.
const SHORT_TIMEOUT: Duration = Duration::from_millis(250);

/// A response that starts well and stops: headers promise more body than comes.
const CUT_SHORT: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{\"id\":";

/// Not HTTP at all.
const NOT_HTTP: &[u8] = b"SSH-2.0-OpenSSH_9.6\r\n";

/// Sends every buildable op into each broken exchange.
pub async fn dropped_connection_is_transient<S: Subject>() -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::DroppedConnection);
    let ops = buildable::<S>();

    // Reset by the server before any response.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with_err(|_: &wiremock::Request| {
            std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by the test")
        })
        .mount(&server)
        .await;
    let adapter = S::adapter(&server.uri());
    for (case, op) in &ops {
        let got = execute(&adapter, op, COMMAND_ID, DEFAULT_TIMEOUT).await;
        tally.case(format!("{}/reset", case.name()), transient(&got));
    }

    // Too slow: the documented success answer, after the client gave up.
    for (case, op) in &ops {
        let canned = match S::canned_response(*case, ResponseClass::Success) {
            Canned::Respond(r) => r,
            Canned::NotApplicable(_) => CannedResponse::empty(200),
        };
        server.reset().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(canned.status)
                    .set_body_bytes(canned.body.clone())
                    .set_delay(SHORT_TIMEOUT * 8),
            )
            .mount(&server)
            .await;
        let got = execute(&adapter, op, COMMAND_ID, SHORT_TIMEOUT).await;
        tally.case(format!("{}/timeout", case.name()), transient(&got));
    }

    // Nobody listening.
    match refused_base().await {
        Ok(base) => {
            let adapter = S::adapter(&base);
            for (case, op) in &ops {
                let got = execute(&adapter, op, COMMAND_ID, DEFAULT_TIMEOUT).await;
                tally.case(format!("{}/refused", case.name()), transient(&got));
            }
        }
        Err(e) => tally.fail("refused/setup", e),
    }

    // Raw servers that misbehave below HTTP.
    for (scenario, reply) in [
        ("closed-before-response", &b""[..]),
        ("cut-short", CUT_SHORT),
        ("not-http", NOT_HTTP),
    ] {
        let (base, task) = match raw_server(reply).await {
            Ok(pair) => pair,
            Err(e) => {
                tally.fail(format!("{scenario}/setup"), e);
                continue;
            }
        };
        let adapter = S::adapter(&base);
        for (case, op) in &ops {
            let got = execute(&adapter, op, COMMAND_ID, DEFAULT_TIMEOUT).await;
            tally.case(format!("{}/{scenario}", case.name()), transient(&got));
        }
        task.abort();
    }
    tally.finish()
}

fn transient<T: std::fmt::Debug>(got: &Result<T, ProviderError>) -> Result<(), String> {
    match got {
        Err(ProviderError::Transient { .. }) => Ok(()),
        other => Err(format!(
            "expected Err(Transient) (outcome unknown), got {other:?}"
        )),
    }
}

/// A loopback address where nothing listens.
async fn refused_base() -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    drop(listener);
    Ok(format!("http://{addr}"))
}

/// A server that reads the request, writes `reply` and closes.
async fn raw_server(reply: &'static [u8]) -> Result<(String, tokio::task::JoinHandle<()>), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let task = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 8192];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(reply).await;
            let _ = socket.shutdown().await;
        }
    });
    Ok((format!("http://{addr}"), task))
}
