//! Requests per second and latency of `callproof emulate`'s REST surface
//! on loopback, with keep-alive connections: the server on one thread (it
//! is single-threaded by design), the load on another.
//!
//! Run: `cargo bench -p callproof-sim --bench emulate_rest`
//! (`EMULATE_BENCH_SECS`, `EMULATE_BENCH_CONNECTIONS` to change the run).

use base64::Engine as _;
use bytes::Bytes;
use callproof_sim::emulate::{self, ClockMode, Config};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use std::time::{Duration, Instant};

const SID: &str = "AC5ea872f6da5a21de157d80997a64bd33";
const TOKEN: &str = "0d8e8c3bb1b1c0a6f8f1e2d3c4b5a697";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let secs = env_or("EMULATE_BENCH_SECS", 5);
    let connections = env_or("EMULATE_BENCH_CONNECTIONS", 16) as usize;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("non-blocking");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let local = tokio::task::LocalSet::new();
        local.block_on(&runtime, async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let mut config = Config::new();
            config.clock = ClockMode::Manual;
            emulate::serve(config, listener).await;
        });
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
        );
        let sid = create(addr, &auth).await;
        let path = format!("/2010-04-01/Accounts/{SID}/Calls/{sid}.json");
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (auth, path) = (auth.clone(), path.clone());
            tasks.push(tokio::task::spawn_local(async move {
                load(addr, &auth, &path, deadline).await
            }));
        }
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.extend(t.await.expect("a load task"));
        }
        latencies.sort_unstable();
        let n = latencies.len();
        let at = |q: f64| latencies[((n as f64 * q) as usize).min(n - 1)];
        println!(
            "emulate_rest: {n} GET Calls/{{Sid}}.json in {secs} s over {connections} keep-alive connections: {:.0} req/s, p50 {:?}, p99 {:?}, max {:?}",
            n as f64 / secs as f64,
            at(0.50),
            at(0.99),
            latencies[n - 1]
        );
    });
}

async fn connect(
    addr: std::net::SocketAddr,
) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    sender
}

async fn create(addr: std::net::SocketAddr, auth: &str) -> String {
    let mut sender = connect(addr).await;
    let body = "To=%2B15550001001&From=%2B15550001111&Url=http%3A%2F%2F127.0.0.1%3A9%2Fv";
    let request = http::Request::post(format!("/2010-04-01/Accounts/{SID}/Calls.json"))
        .header("host", "127.0.0.1")
        .header("authorization", auth)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let response = sender.send_request(request).await.expect("create");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    json["sid"].as_str().expect("sid").to_owned()
}

async fn load(
    addr: std::net::SocketAddr,
    auth: &str,
    path: &str,
    deadline: Instant,
) -> Vec<Duration> {
    let mut sender = connect(addr).await;
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        let request = http::Request::get(path)
            .header("host", "127.0.0.1")
            .header("authorization", auth)
            .body(Full::new(Bytes::new()))
            .expect("request");
        let start = Instant::now();
        let response = sender.send_request(request).await.expect("status");
        assert_eq!(response.status(), 200);
        let _ = response.into_body().collect().await.expect("body");
        latencies.push(start.elapsed());
    }
    latencies
}
