//! `callproof gateway`: the reference call manager as a real process. The
//! same driver the simulator runs, on real TCP, a real journal file and the
//! system clock, with the control API of `sim/CONTRACTS.md` section 2.
//!
//! Settings come from flags, each also readable from its environment
//! variable (the subject contract's names), and from an optional JSON file
//! using OpenClaw's names (`maxConcurrentCalls`, `serve.port`, ...). A flag
//! or variable beats the file; the file beats the defaults.

use callproof_core::adapters::plivo::{PlivoAdapter, PlivoConfig};
use callproof_core::adapters::telnyx::{TelnyxAdapter, TelnyxConfig};
use callproof_core::adapters::twilio::{TwilioAdapter, TwilioConfig};
use callproof_core::adapters::Adapter;
use callproof_core::manager::{Config, InboundPolicy};
use callproof_core::provider::ProviderName;
use callproof_sim::gateway::core::Reference;
use callproof_sim::gateway::io::{Io, RealIo};
use callproof_sim::gateway::{
    self, control, AdapterSource, ControlRequest, GatewayLog, GatewaySpec,
    DEFAULT_COMPACT_AFTER_BYTES,
};
use serde::Deserialize;
use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

/// Flags of `callproof gateway`.
#[derive(clap::Args, Debug, Default)]
pub struct GatewayArgs {
    /// A JSON settings file with OpenClaw's names (see the README).
    #[arg(long, env = "CALLPROOF_CONFIG")]
    config: Option<PathBuf>,
    /// twilio, plivo or telnyx.
    #[arg(long, env = "CALLPROOF_PROVIDER")]
    provider: Option<String>,
    /// The provider's REST base URL (http:// only: `callproof emulate`, or a
    /// local TLS proxy).
    #[arg(long, env = "CALLPROOF_API_BASE")]
    api_base: Option<String>,
    /// The number calls are placed from and received on (fromNumber).
    #[arg(long, env = "CALLPROOF_FROM_NUMBER")]
    from_number: Option<String>,
    /// The webhook server's port on 127.0.0.1 (serve.port).
    #[arg(long, env = "CALLPROOF_WEBHOOK_PORT")]
    webhook_port: Option<u16>,
    /// The public webhook URL given to the provider (publicUrl).
    #[arg(long, env = "CALLPROOF_PUBLIC_URL")]
    public_url: Option<String>,
    /// The control API's port on 127.0.0.1.
    #[arg(long, env = "CALLPROOF_CONTROL_PORT")]
    control_port: Option<u16>,
    /// The store directory: the journal lives there (store).
    #[arg(long, env = "CALLPROOF_STORE")]
    store: Option<PathBuf>,
    /// maxConcurrentCalls.
    #[arg(long, env = "CALLPROOF_MAX_CONCURRENT_CALLS")]
    max_concurrent_calls: Option<usize>,
    /// maxDurationSeconds.
    #[arg(long, env = "CALLPROOF_MAX_DURATION_SECONDS")]
    max_duration_seconds: Option<u64>,
    /// inboundPolicy: disabled, allowlist or open.
    #[arg(long, env = "CALLPROOF_INBOUND_POLICY")]
    inbound_policy: Option<String>,
    /// allowFrom: comma-separated E.164 numbers.
    #[arg(long, env = "CALLPROOF_ALLOW_FROM", value_delimiter = ',')]
    allow_from: Option<Vec<String>>,
    /// notifyHangupDelaySec.
    #[arg(long, env = "CALLPROOF_NOTIFY_HANGUP_DELAY_SEC")]
    notify_hangup_delay_sec: Option<u64>,
    /// Compact the journal once it grows past this many bytes.
    #[arg(long, env = "CALLPROOF_COMPACT_AFTER_BYTES")]
    compact_after_bytes: Option<u64>,
    /// Twilio account SID.
    #[arg(long, env = "TWILIO_ACCOUNT_SID", hide_env_values = true)]
    twilio_account_sid: Option<String>,
    /// Twilio auth token.
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    twilio_auth_token: Option<String>,
    /// The secret of the Twilio SharedKey a Webhook Rule signs webhooks with
    /// (announced in `X-Twilio-Webhooks-Signature-Settings`), if any.
    #[arg(long, env = "TWILIO_SHARED_KEY", hide_env_values = true)]
    twilio_shared_key: Option<String>,
    /// Plivo auth id.
    #[arg(long, env = "PLIVO_AUTH_ID", hide_env_values = true)]
    plivo_auth_id: Option<String>,
    /// Plivo auth token.
    #[arg(long, env = "PLIVO_AUTH_TOKEN", hide_env_values = true)]
    plivo_auth_token: Option<String>,
    /// Telnyx API key.
    #[arg(long, env = "TELNYX_API_KEY", hide_env_values = true)]
    telnyx_api_key: Option<String>,
    /// Telnyx public key (base64), for webhook signatures.
    #[arg(long, env = "TELNYX_PUBLIC_KEY", hide_env_values = true)]
    telnyx_public_key: Option<String>,
    /// Telnyx Call Control connection id.
    #[arg(long, env = "TELNYX_CONNECTION_ID", hide_env_values = true)]
    telnyx_connection_id: Option<String>,
}

/// The JSON file: OpenClaw's names where they exist.
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct FileConfig {
    provider: Option<String>,
    api_base: Option<String>,
    from_number: Option<String>,
    public_url: Option<String>,
    control_port: Option<u16>,
    store: Option<PathBuf>,
    max_concurrent_calls: Option<usize>,
    max_duration_seconds: Option<u64>,
    inbound_policy: Option<String>,
    allow_from: Option<Vec<String>>,
    notify_hangup_delay_sec: Option<u64>,
    compact_after_bytes: Option<u64>,
    serve: Option<ServeConfig>,
    twilio: Option<Credentials>,
    plivo: Option<Credentials>,
    telnyx: Option<Credentials>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct ServeConfig {
    port: Option<u16>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct Credentials {
    account_sid: Option<String>,
    auth_token: Option<String>,
    auth_id: Option<String>,
    api_key: Option<String>,
    public_key: Option<String>,
    connection_id: Option<String>,
}

/// Everything resolved: what the gateway runs with.
struct Settings {
    spec: GatewaySpec,
    control_port: u16,
}

/// OpenClaw's default webhook port (`serve.port`).
const DEFAULT_WEBHOOK_PORT: u16 = 3334;
/// The control API's default port.
const DEFAULT_CONTROL_PORT: u16 = 3335;

fn pick<T>(flag: Option<T>, file: Option<T>) -> Option<T> {
    flag.or(file)
}

fn required<T>(value: Option<T>, what: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("{what} is required"))
}

fn resolve(args: GatewayArgs) -> Result<Settings, String> {
    let file: FileConfig = match &args.config {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_slice(&bytes)
                .map_err(|e| format!("{} is not a valid settings file: {e}", path.display()))?
        }
        None => FileConfig::default(),
    };
    let provider_name = required(
        pick(args.provider, file.provider),
        "the provider (--provider / CALLPROOF_PROVIDER)",
    )?;
    let provider = match ProviderName::parse(&provider_name) {
        Some(p @ (ProviderName::Twilio | ProviderName::Plivo | ProviderName::Telnyx)) => p,
        _ => {
            return Err(format!(
                "provider {provider_name:?}: use twilio, plivo or telnyx"
            ))
        }
    };
    let mut config = Config::openclaw_defaults(provider);
    config.from_number = required(
        pick(args.from_number, file.from_number),
        "the from number (--from-number / CALLPROOF_FROM_NUMBER)",
    )?;
    if !callproof_core::manager::is_e164(&config.from_number) {
        return Err(format!("from number {:?} is not E.164", config.from_number));
    }
    if let Some(n) = pick(args.max_concurrent_calls, file.max_concurrent_calls) {
        config.max_concurrent_calls = n;
    }
    if let Some(s) = pick(args.max_duration_seconds, file.max_duration_seconds) {
        config.max_duration_ms = s.saturating_mul(1000);
    }
    if let Some(s) = pick(args.notify_hangup_delay_sec, file.notify_hangup_delay_sec) {
        config.notify_hangup_delay_ms = s.saturating_mul(1000);
    }
    let allow = pick(args.allow_from, file.allow_from).unwrap_or_default();
    config.inbound = match pick(args.inbound_policy, file.inbound_policy).as_deref() {
        None | Some("disabled") => InboundPolicy::Disabled,
        Some("allowlist") => {
            InboundPolicy::Allowlist(allow.into_iter().map(|n| n.trim().to_owned()).collect())
        }
        Some("open") => InboundPolicy::Open,
        Some(other) => {
            return Err(format!(
                "inbound policy {other:?}: use disabled, allowlist or open"
            ))
        }
    };
    let webhook_port =
        pick(args.webhook_port, file.serve.and_then(|s| s.port)).unwrap_or(DEFAULT_WEBHOOK_PORT);
    let public_url = pick(args.public_url, file.public_url)
        .unwrap_or_else(|| format!("http://127.0.0.1:{webhook_port}/voice/webhook"));
    let api_base = pick(args.api_base, file.api_base).unwrap_or_else(|| {
        match provider {
            ProviderName::Twilio => "https://api.twilio.com",
            ProviderName::Plivo => "https://api.plivo.com",
            _ => "https://api.telnyx.com",
        }
        .to_owned()
    });
    if !api_base.starts_with("http://") {
        return Err(format!(
            "API base {api_base:?}: this build speaks plain http only; point --api-base at `callproof emulate` or a local TLS proxy"
        ));
    }
    let creds = match provider {
        ProviderName::Twilio => file.twilio,
        ProviderName::Plivo => file.plivo,
        _ => file.telnyx,
    }
    .unwrap_or_default();
    let build = adapter_builder(
        provider,
        AdapterCredentials {
            twilio_account_sid: pick(args.twilio_account_sid, creds.account_sid.clone()),
            twilio_auth_token: pick(args.twilio_auth_token, creds.auth_token.clone()),
            twilio_shared_key: args.twilio_shared_key,
            plivo_auth_id: pick(args.plivo_auth_id, creds.auth_id),
            plivo_auth_token: pick(args.plivo_auth_token, creds.auth_token),
            telnyx_api_key: pick(args.telnyx_api_key, creds.api_key),
            telnyx_public_key: pick(args.telnyx_public_key, creds.public_key),
            telnyx_connection_id: pick(args.telnyx_connection_id, creds.connection_id),
        },
        &api_base,
        &public_url,
    )?;
    let spec = GatewaySpec {
        provider,
        config,
        workload: Vec::new(),
        core: Rc::new(Reference),
        adapter: AdapterSource::Custom(build),
        api_base,
        public_url,
        webhook_port,
        store: pick(args.store, file.store).unwrap_or_else(|| PathBuf::from("callproof-store")),
        compact_after_bytes: pick(args.compact_after_bytes, file.compact_after_bytes)
            .unwrap_or(DEFAULT_COMPACT_AFTER_BYTES),
    };
    Ok(Settings {
        spec,
        control_port: pick(args.control_port, file.control_port).unwrap_or(DEFAULT_CONTROL_PORT),
    })
}

struct AdapterCredentials {
    twilio_account_sid: Option<String>,
    twilio_auth_token: Option<String>,
    twilio_shared_key: Option<String>,
    plivo_auth_id: Option<String>,
    plivo_auth_token: Option<String>,
    telnyx_api_key: Option<String>,
    telnyx_public_key: Option<String>,
    telnyx_connection_id: Option<String>,
}

type Builder = gateway::AdapterBuilder;

/// The provider's adapter, built once from the credentials (so a bad key is
/// refused at start), handed out as a copy at every boot.
fn adapter_builder(
    provider: ProviderName,
    c: AdapterCredentials,
    api_base: &str,
    webhook_url: &str,
) -> Result<Builder, String> {
    let (api_base, webhook_url) = (api_base.to_owned(), webhook_url.to_owned());
    Ok(match provider {
        ProviderName::Twilio => {
            let adapter = TwilioAdapter::new(TwilioConfig {
                api_base,
                account_sid: required(c.twilio_account_sid, "TWILIO_ACCOUNT_SID")?,
                auth_token: required(c.twilio_auth_token, "TWILIO_AUTH_TOKEN")?,
                webhook_url,
                shared_key: c.twilio_shared_key,
            });
            Rc::new(move |_: &str, _: &str| -> Box<dyn Adapter> { Box::new(adapter.clone()) })
        }
        ProviderName::Plivo => {
            let adapter = PlivoAdapter::new(PlivoConfig {
                api_base,
                auth_id: required(c.plivo_auth_id, "PLIVO_AUTH_ID")?,
                auth_token: required(c.plivo_auth_token, "PLIVO_AUTH_TOKEN")?,
                webhook_url,
            });
            Rc::new(move |_: &str, _: &str| -> Box<dyn Adapter> { Box::new(adapter.clone()) })
        }
        _ => {
            let adapter = TelnyxAdapter::new(TelnyxConfig {
                api_base,
                api_key: required(c.telnyx_api_key, "TELNYX_API_KEY")?,
                connection_id: required(c.telnyx_connection_id, "TELNYX_CONNECTION_ID")?,
                webhook_url,
                public_key_base64: required(c.telnyx_public_key, "TELNYX_PUBLIC_KEY")?,
                tolerance_secs: TelnyxConfig::DEFAULT_TOLERANCE_SECS,
            })
            .map_err(|e| format!("TELNYX_PUBLIC_KEY is not usable: {e}"))?;
            Rc::new(move |_: &str, _: &str| -> Box<dyn Adapter> { Box::new(adapter.clone()) })
        }
    })
}

/// Runs the gateway until SIGTERM (or SIGINT) has drained it.
pub fn main(args: GatewayArgs) -> ExitCode {
    main_with(args, Rc::new(Reference))
}

/// Runs the gateway with `core` built at every boot. The shipped binary
/// passes only [`Reference`]; the gate's self-test example passes a canary.
pub fn main_with(
    args: GatewayArgs,
    core: Rc<dyn callproof_sim::gateway::core::CoreFactory>,
) -> ExitCode {
    let mut settings = match resolve(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("callproof gateway: {e}");
            return ExitCode::from(2);
        }
    };
    settings.spec.core = core;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("callproof gateway: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let local = tokio::task::LocalSet::new();
    match local.block_on(&runtime, serve(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("stopped: {e}");
            eprintln!("callproof gateway: {e}");
            ExitCode::from(1)
        }
    }
}

async fn serve(settings: Settings) -> std::io::Result<()> {
    let Settings { spec, control_port } = settings;
    let log = Rc::new(RefCell::new(GatewayLog::default()));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let listener = RealIo.listen(control_port).await.map_err(|e| {
        std::io::Error::other(format!("control port 127.0.0.1:{control_port}: {e}"))
    })?;
    tracing::info!(
        provider = spec.provider.as_str(),
        control = %format!("127.0.0.1:{control_port}"),
        webhooks = %format!("127.0.0.1:{}", spec.webhook_port),
        public_url = %spec.public_url,
        api_base = %spec.api_base,
        store = %spec.store.display(),
        "callproof gateway starting"
    );
    {
        let (tx, log) = (tx.clone(), log.clone());
        tokio::task::spawn_local(callproof_sim::net::serve_on::<RealIo, _, _>(
            listener,
            move |request| control::handle(request, tx.clone(), log.clone()),
        ));
    }
    tokio::task::spawn_local(announce_ready(log.clone()));
    tokio::task::spawn_local(shutdown_on_signal(tx));
    gateway::run(RealIo, Rc::new(spec), log, Some(rx)).await
}

/// Prints the subject contract's ready line once recovery has finished.
async fn announce_ready(log: Rc<RefCell<GatewayLog>>) {
    while !log.borrow().ready {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    println!("callproof-subject ready");
}

/// SIGTERM or SIGINT: ask the driver to drain and stop.
async fn shutdown_on_signal(tx: tokio::sync::mpsc::UnboundedSender<gateway::ControlMsg>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for SIGTERM: stop the gateway with SIGKILL");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM"),
        _ = int.recv() => tracing::info!("SIGINT"),
    }
    let (answer, _) = tokio::sync::oneshot::channel();
    let _ = tx.send((ControlRequest::Shutdown, answer));
}
