//! `callproof emulate`: parses the flags, binds the port, prints the
//! address and the credentials a gateway needs, and serves until killed.

use callproof_core::adapters::twilio::SignatureAlgorithm;
use callproof_core::provider::ProviderName;
use callproof_sim::emulate::{self, ClockMode, Config};
use callproof_sim::emulator::dialect::{plivo_credentials, telnyx_credentials, twilio_credentials};
use std::io::Write as _;
use std::process::ExitCode;

/// A provider as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProviderArg {
    /// Twilio Programmable Voice.
    Twilio,
    /// Plivo Voice.
    Plivo,
    /// Telnyx Call Control.
    Telnyx,
}

impl ProviderArg {
    fn name(self) -> ProviderName {
        match self {
            ProviderArg::Twilio => ProviderName::Twilio,
            ProviderArg::Plivo => ProviderName::Plivo,
            ProviderArg::Telnyx => ProviderName::Telnyx,
        }
    }
}

/// Where time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockArg {
    /// Wall time.
    Real,
    /// Only `POST /_callproof/clock/advance` moves time.
    Manual,
}

#[derive(clap::Args)]
pub struct EmulateArgs {
    /// A provider to serve (repeatable; default: all three).
    #[arg(long = "provider", value_enum)]
    providers: Vec<ProviderArg>,
    /// The address to listen on (port 0: any free port, printed on the first line).
    #[arg(long, default_value = "127.0.0.1:4010")]
    listen: String,
    /// Seeds ids and every random draw.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// `real` or `manual`.
    #[arg(long, value_enum, default_value_t = ClockArg::Real)]
    clock: ClockArg,
    /// Where a manual clock starts, ms since the Unix epoch.
    #[arg(long)]
    start_ms: Option<u64>,
    /// PUBLIC_PREFIX=LOCAL_PREFIX: send callbacks for the public URL to the
    /// local one (as a tunnel would), still signed over the public URL.
    #[arg(long = "map-url", value_parser = split_pair)]
    map_url: Vec<(String, String)>,
    /// PROVIDER=URL: where inbound calls' callbacks go.
    #[arg(long = "webhook", value_parser = split_pair)]
    webhook: Vec<(String, String)>,
    /// Sign Twilio callbacks as a Webhook Rule does: with the account's
    /// SharedKey (printed as TWILIO_SHARED_KEY) and this algorithm, announced
    /// in X-Twilio-Webhooks-Signature-Settings.
    #[arg(long, value_enum)]
    twilio_webhook_rule: Option<RuleArg>,
}

/// A Twilio Webhook Rule's signing algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleArg {
    /// HMAC-SHA1 with the SharedKey.
    Sha1,
    /// HMAC-SHA256 with the SharedKey.
    Sha256,
}

fn split_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .ok_or_else(|| format!("expected A=B, got {text:?}"))
}

pub fn main(args: EmulateArgs) -> ExitCode {
    let mut config = Config::new();
    if !args.providers.is_empty() {
        config.providers = Vec::new();
        for p in &args.providers {
            if !config.providers.contains(&p.name()) {
                config.providers.push(p.name());
            }
        }
    }
    config.seed = args.seed;
    config.clock = match args.clock {
        ClockArg::Real => ClockMode::Real,
        ClockArg::Manual => ClockMode::Manual,
    };
    if let Some(start) = args.start_ms {
        config.start_ms = start;
    }
    config.url_map = args.map_url;
    config.twilio_webhook_rule = args.twilio_webhook_rule.map(|r| match r {
        RuleArg::Sha1 => SignatureAlgorithm::HmacSha1,
        RuleArg::Sha256 => SignatureAlgorithm::HmacSha256,
    });
    for (provider, url) in args.webhook {
        match ProviderName::parse(&provider) {
            Some(p) => config.inbound_webhooks.push((p, url)),
            None => {
                eprintln!("callproof emulate: unknown provider {provider:?} in --webhook");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("callproof emulate: cannot start a runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let listener = match tokio::net::TcpListener::bind(&args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("callproof emulate: cannot listen on {}: {e}", args.listen);
                return ExitCode::from(1);
            }
        };
        let base = match listener.local_addr() {
            Ok(addr) => format!("http://{addr}"),
            Err(e) => {
                eprintln!("callproof emulate: no local address: {e}");
                return ExitCode::from(1);
            }
        };
        print_banner(&base, &config);
        emulate::serve(config, listener).await;
        ExitCode::SUCCESS
    })
}

/// The first line is for machines (`callproof-emulate listening on URL`);
/// the rest is what a newcomer pastes into a gateway's config.
fn print_banner(base: &str, config: &Config) {
    let mut lines = vec![format!("callproof-emulate listening on {base}")];
    for provider in &config.providers {
        match provider {
            ProviderName::Twilio => {
                let (sid, token) = twilio_credentials();
                lines.push(format!(
                    "twilio  base URL {base}  (instead of https://api.twilio.com)"
                ));
                lines.push(format!("        TWILIO_ACCOUNT_SID={sid}"));
                lines.push(format!("        TWILIO_AUTH_TOKEN={token}"));
                if let Some(rule) = config.twilio_webhook_rule {
                    lines.push(format!(
                        "        TWILIO_SHARED_KEY={}  (webhooks signed {})",
                        callproof_sim::emulator::dialect::credentials::TWILIO_SHARED_KEY,
                        rule.as_str()
                    ));
                }
            }
            ProviderName::Plivo => {
                let (id, token) = plivo_credentials();
                lines.push(format!(
                    "plivo   base URL {base}  (instead of https://api.plivo.com)"
                ));
                lines.push(format!("        PLIVO_AUTH_ID={id}"));
                lines.push(format!("        PLIVO_AUTH_TOKEN={token}"));
            }
            ProviderName::Telnyx | ProviderName::Mock => {
                let (key, public_key, connection) = telnyx_credentials();
                lines.push(format!(
                    "telnyx  base URL {base}  (instead of https://api.telnyx.com)"
                ));
                lines.push(format!("        TELNYX_API_KEY={key}"));
                lines.push(format!("        TELNYX_PUBLIC_KEY={public_key}"));
                lines.push(format!("        TELNYX_CONNECTION_ID={connection}"));
            }
        }
    }
    lines.push(format!(
        "control {base}/_callproof/  clock {}  seed {}",
        config.clock.as_str(),
        config.seed
    ));
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
}
