//! The control API under `/_callproof/`: the ground truth and the knobs
//! (`sim/CONTRACTS.md` section 1). JSON in, JSON out; bad input is a 4xx
//! with `{"error": "…"}`, never a panic.

use super::render;
use super::state::State;
use crate::emulator::faults::{FaultAction, Rule, RuleError, WebhookRule};
use crate::emulator::truth::Callee;
use callproof_core::provider::ProviderName;
use serde::Deserialize;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// The most one advance may move the clock (a year), so times stay far
/// from overflow.
const MAX_ADVANCE_MS: u64 = 365 * 24 * 3_600 * 1_000;
/// How long a voicemail machine takes to pick up, unless told.
const VOICEMAIL_PICKUP_MS: u64 = 4_000;
/// How long it records before it hangs up, unless told.
const VOICEMAIL_MESSAGE_MS: u64 = 20_000;

/// A callee behaviour as the control API takes it.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Behaviour {
    Answer {
        #[serde(default)]
        after_ms: u64,
        #[serde(default)]
        hangup_after_ms: Option<u64>,
    },
    Busy,
    NoAnswer,
    CarrierFailure,
    NetworkError,
    Declines {
        #[serde(default)]
        after_ms: u64,
    },
    RingsOut {
        #[serde(default)]
        after_ms: u64,
    },
    Voicemail {
        #[serde(default)]
        after_ms: Option<u64>,
        #[serde(default)]
        message_ms: Option<u64>,
    },
}

impl Behaviour {
    fn callee(self) -> Callee {
        match self {
            Behaviour::Answer {
                after_ms,
                hangup_after_ms,
            } => Callee::Answers {
                after_ms,
                talk_ms: hangup_after_ms,
            },
            Behaviour::Busy => Callee::Busy,
            Behaviour::NoAnswer => Callee::NoAnswer,
            Behaviour::CarrierFailure => Callee::CarrierFailure,
            Behaviour::NetworkError => Callee::NetworkError,
            Behaviour::Declines { after_ms } => Callee::Declines { after_ms },
            Behaviour::RingsOut { after_ms } => Callee::RingsOut { after_ms },
            Behaviour::Voicemail {
                after_ms,
                message_ms,
            } => Callee::Voicemail {
                after_ms: after_ms.unwrap_or(VOICEMAIL_PICKUP_MS),
                message_ms: message_ms.unwrap_or(VOICEMAIL_MESSAGE_MS),
            },
        }
    }
}

#[derive(Debug, Deserialize)]
struct CalleeScript {
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    behaviour: Behaviour,
}

#[derive(Debug, Deserialize)]
struct Inbound {
    provider: String,
    #[serde(default)]
    from: String,
    to: String,
    #[serde(default)]
    webhook_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Redeliver {
    #[serde(default)]
    provider: Option<String>,
    window_ms: u64,
}

#[derive(Debug, Deserialize)]
struct Outage {
    #[serde(default)]
    provider: Option<String>,
    ms: u64,
    #[serde(default)]
    rate_limited: bool,
}

#[derive(Debug, Deserialize, Default)]
struct Reset {
    #[serde(default)]
    seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Advance {
    ms: u64,
}

/// Answers one control request.
pub(super) async fn handle(
    state: Rc<RefCell<State>>,
    lock: Rc<tokio::sync::Mutex<()>>,
    request: http::Request<Vec<u8>>,
) -> http::Response<Vec<u8>> {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let segments: Vec<&str> = path
        .trim_start_matches("/_callproof")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let method = request.method().clone();
    let body = request.body();
    use http::Method as M;
    match (method, segments.as_slice()) {
        (M::POST, ["clock", "advance"]) => {
            let advance: Advance = match parse(body) {
                Ok(a) => a,
                Err(r) => return r,
            };
            if advance.ms > MAX_ADVANCE_MS {
                return error(400, "ms must be at most a year (31536000000)");
            }
            let _serial = lock.lock().await;
            match super::deliver::advance(&state, advance.ms).await {
                Some(now) => ok(json!({ "now_ms": now })),
                None => error(
                    409,
                    "the clock is real: start with --clock manual to advance it",
                ),
            }
        }
        (method, segments) => sync(&mut state.borrow_mut(), &method, segments, &query, body),
    }
}

fn sync(
    s: &mut State,
    method: &http::Method,
    segments: &[&str],
    query: &str,
    body: &[u8],
) -> http::Response<Vec<u8>> {
    use http::Method as M;
    let now = s.now();
    match (method.clone(), segments) {
        (M::GET, ["health"]) => ok(json!({
            "ok": true,
            "providers": s.emulators.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            "clock": s.config.clock.as_str(),
            "now_ms": now,
            "seed": s.seed,
        })),
        (M::GET, ["calls"]) => {
            let only = query_value(query, "provider");
            let calls: Vec<Value> = s
                .emulators
                .iter()
                .filter(|(p, _)| only.as_deref().is_none_or(|o| o == p.as_str()))
                .flat_map(|(p, e)| {
                    e.calls
                        .values()
                        .map(|c| render::call(*p, c, e.log.get(&c.provider_call_id)))
                })
                .collect();
            ok(json!({ "now_ms": now, "calls": calls }))
        }
        (M::GET, ["requests"]) => match since(query) {
            Ok(since) => {
                let list: Vec<Value> = s
                    .requests
                    .since(since)
                    .map(|(seq, e)| render::request(seq, e))
                    .collect();
                ok(json!({ "requests": list }))
            }
            Err(r) => r,
        },
        (M::GET, ["webhooks"]) => match since(query) {
            Ok(since) => {
                let list: Vec<Value> = s
                    .webhooks
                    .since(since)
                    .map(|(seq, e)| render::delivery(seq, e))
                    .collect();
                ok(json!({ "webhooks": list }))
            }
            Err(r) => r,
        },
        (M::POST, ["reset"]) => {
            let reset: Reset = if body.iter().all(u8::is_ascii_whitespace) {
                Reset::default()
            } else {
                match parse(body) {
                    Ok(r) => r,
                    Err(r) => return r,
                }
            };
            s.reset(reset.seed);
            ok(json!({ "ok": true, "seed": s.seed, "now_ms": s.now() }))
        }
        (M::POST, ["callees"]) => {
            let script: CalleeScript = match parse(body) {
                Ok(c) => c,
                Err(r) => return r,
            };
            let providers = match providers_named(s, script.provider.as_deref()) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let callee = script.behaviour.callee();
            if !callee_in_bounds(callee) {
                return error(400, "every time must be at most a year in ms");
            }
            for provider in providers {
                if let Some(e) = s.emulator(provider) {
                    e.callees.set(script.number.as_deref(), callee);
                }
            }
            ok(json!({ "ok": true }))
        }
        (M::POST, ["calls", pid, "end"]) => match s.find_call(pid) {
            Some((_, e)) => {
                if e.far_end_hangs_up(pid, now) {
                    ok(json!({ "ok": true }))
                } else {
                    error(409, "the call has already ended")
                }
            }
            None => error(404, &format!("no call {pid}")),
        },
        (M::POST, ["inbound"]) => inbound(s, body, now),
        (M::POST, ["faults"]) => {
            let rule: Rule = match parse(body) {
                Ok(r) => r,
                Err(r) => return r,
            };
            let latency = match rule.action {
                FaultAction::Latency { ms } | FaultAction::ReplyCut { ms } => ms,
                _ => 0,
            };
            if latency > MAX_ADVANCE_MS || rule.for_ms.is_some_and(|ms| ms > MAX_ADVANCE_MS) {
                return error(400, "every time must be at most a year in ms");
            }
            if let Err(r) = providers_named(s, rule.provider.as_deref()) {
                return r;
            }
            added(s.rules.add(rule, now))
        }
        (M::GET, ["faults"]) => {
            let rules: Vec<Value> = s
                .rules
                .rules()
                .map(|(id, r)| json!({ "id": id, "rule": r }))
                .collect();
            ok(json!({ "faults": rules }))
        }
        (M::POST, ["webhook-faults"]) => {
            let rule: WebhookRule = match parse(body) {
                Ok(r) => r,
                Err(r) => return r,
            };
            if rule.delay_ms > MAX_ADVANCE_MS {
                return error(400, "delay_ms must be at most a year");
            }
            if let Err(r) = providers_named(s, rule.provider.as_deref()) {
                return r;
            }
            added(s.rules.add_webhook(rule, now))
        }
        (M::GET, ["webhook-faults"]) => {
            let rules: Vec<Value> = s
                .rules
                .webhook_rules()
                .map(|(id, r)| json!({ "id": id, "rule": r }))
                .collect();
            ok(json!({ "webhook_faults": rules }))
        }
        (M::DELETE, ["faults"]) => {
            s.rules.clear_rest();
            ok(json!({ "ok": true }))
        }
        (M::DELETE, ["webhook-faults"]) => {
            s.rules.clear_webhooks();
            ok(json!({ "ok": true }))
        }
        (M::DELETE, ["faults" | "webhook-faults", id]) => match id.parse::<u64>() {
            Ok(id) if s.rules.remove(id) => ok(json!({ "ok": true })),
            _ => error(404, &format!("no rule {id}")),
        },
        (M::POST, ["redeliver"]) => {
            let r: Redeliver = match parse(body) {
                Ok(r) => r,
                Err(r) => return r,
            };
            let window_ms = r.window_ms.min(MAX_ADVANCE_MS);
            let providers = match providers_named(s, r.provider.as_deref()) {
                Ok(p) => p,
                Err(r) => return r,
            };
            for provider in providers {
                if let Some(e) = s.emulator(provider) {
                    e.redeliver(now, window_ms);
                }
            }
            ok(json!({ "ok": true }))
        }
        (M::POST, ["outage"]) => {
            let o: Outage = match parse(body) {
                Ok(o) => o,
                Err(r) => return r,
            };
            if o.ms > MAX_ADVANCE_MS {
                return error(400, "ms must be at most a year");
            }
            let providers = match providers_named(s, o.provider.as_deref()) {
                Ok(p) => p,
                Err(r) => return r,
            };
            for provider in providers {
                if let Some(e) = s.emulator(provider) {
                    e.api_outage(now.saturating_add(o.ms), o.rate_limited);
                }
            }
            ok(json!({ "ok": true, "until_ms": now.saturating_add(o.ms) }))
        }
        (
            _,
            ["health" | "calls" | "requests" | "webhooks" | "reset" | "callees" | "inbound"
            | "faults" | "webhook-faults" | "redeliver" | "outage" | "clock", ..],
        ) => error(405, "method not allowed on this route"),
        _ => error(404, "no such control route"),
    }
}

/// Whether every time in `callee` is at most a year, so the behaviour's
/// sums of times cannot overflow.
fn callee_in_bounds(callee: Callee) -> bool {
    let times = match callee {
        Callee::Answers { after_ms, talk_ms } => [after_ms, talk_ms.unwrap_or(0)],
        Callee::Voicemail {
            after_ms,
            message_ms,
        } => [after_ms, message_ms],
        Callee::Declines { after_ms } | Callee::RingsOut { after_ms } => [after_ms, 0],
        Callee::Busy | Callee::NoAnswer | Callee::CarrierFailure | Callee::NetworkError => [0, 0],
    };
    times.iter().all(|t| *t <= MAX_ADVANCE_MS)
}

fn inbound(s: &mut State, body: &[u8], now: u64) -> http::Response<Vec<u8>> {
    let call: Inbound = match parse(body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let provider = match providers_named(s, Some(&call.provider)) {
        Ok(p) => p[0],
        Err(r) => return r,
    };
    let Some(e) = s.emulator(provider) else {
        return error(404, "provider not served");
    };
    if let Some(url) = call.webhook_url {
        e.gateway_webhook = url;
    }
    if e.gateway_webhook.is_empty() {
        return error(
            409,
            "no webhook for inbound calls: start with --webhook PROVIDER=URL or send webhook_url",
        );
    }
    let pid = e.start_inbound(&call.from, &call.to, now);
    ok(json!({ "provider_call_id": pid }))
}

/// The providers a request names (all served ones for `None`).
// The refusal is the whole answer by design, as in `Dialect::parse`.
#[allow(clippy::result_large_err)]
fn providers_named(
    s: &State,
    name: Option<&str>,
) -> Result<Vec<ProviderName>, http::Response<Vec<u8>>> {
    let served: Vec<ProviderName> = s.emulators.iter().map(|(p, _)| *p).collect();
    match name {
        None => Ok(served),
        Some(name) => match ProviderName::parse(name).filter(|p| served.contains(p)) {
            Some(p) => Ok(vec![p]),
            None => Err(error(
                400,
                &RuleError::Provider(name.to_owned()).to_string(),
            )),
        },
    }
}

fn added(result: Result<u64, RuleError>) -> http::Response<Vec<u8>> {
    match result {
        Ok(id) => ok(json!({ "id": id })),
        Err(e) => error(400, &e.to_string()),
    }
}

// The refusal is the whole answer by design, as in `Dialect::parse`.
#[allow(clippy::result_large_err)]
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, http::Response<Vec<u8>>> {
    serde_json::from_slice(body).map_err(|e| error(400, &format!("bad JSON body: {e}")))
}

// The refusal is the whole answer by design, as in `Dialect::parse`.
#[allow(clippy::result_large_err)]
fn since(query: &str) -> Result<u64, http::Response<Vec<u8>>> {
    match query_value(query, "since") {
        None => Ok(0),
        Some(v) => v
            .parse()
            .map_err(|_| error(400, "since must be a whole number")),
    }
}

fn query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A 404 for a path no provider or control route has.
pub(super) fn not_found(path: &str) -> http::Response<Vec<u8>> {
    error(404, &format!("no route {path}"))
}

fn ok(body: Value) -> http::Response<Vec<u8>> {
    respond(200, &body)
}

fn error(status: u16, message: &str) -> http::Response<Vec<u8>> {
    respond(status, &json!({ "error": message }))
}

fn respond(status: u16, body: &Value) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(serde_json::to_vec(body).unwrap_or_default());
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}
