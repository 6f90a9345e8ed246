//! The gateway: the pure manager driven by a small tokio driver. A webhook
//! server, a provider client with a timeout on every request, timers from
//! the manager's deadlines and the journal on disk, compacted when it grows.
//! A restart rebuilds everything from the journal alone, and so does a
//! failed journal write (fail-stop: memory may be ahead of the disk).
//!
//! The driver is written once against the [`io::Io`] seam: the simulator
//! runs it on turmoil ([`sim_io::SimIo`]), `callproof gateway` on real TCP,
//! a real file and the real clock ([`io::RealIo`]). The operator's commands
//! come from the scenario's workload in the simulator and from the control
//! API ([`control`]) in the real process.

pub mod control;
pub mod core;
mod describe;
mod driver;
pub mod io;
pub mod journal_file;
pub mod pii;
pub mod sim_io;

use crate::emulator::host::{HOST as PROVIDER_HOST, PORT as PROVIDER_PORT};
use callproof_core::manager::{CommandError, CommandOk, Config};
use callproof_core::provider::ProviderName;
use callproof_core::record::CallRecord;
use core::CoreFactory;
pub use driver::run;
use journal_file::CompactionStep;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::oneshot;

/// The gateway's host name in the simulator.
pub const HOST: &str = "gateway";
/// Its webhook port in the simulator.
pub const PORT: u16 = 8080;
/// The public webhook URL the simulated provider calls.
pub const WEBHOOK_URL: &str = "http://gateway:8080/webhook";
/// Every provider request gives up after this long (outcome unknown).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// The simulated gateway compacts its journal past this many bytes, low so
/// that ordinary seeds compact (a real gateway uses
/// [`DEFAULT_COMPACT_AFTER_BYTES`]).
pub const SIM_COMPACT_AFTER_BYTES: u64 = 12 * 1024;
/// `callproof gateway` compacts its journal past this many bytes (and twice
/// its last checkpoint).
pub const DEFAULT_COMPACT_AFTER_BYTES: u64 = 4 * 1024 * 1024;

/// What the operator asks for. Per-call jobs name "the n-th call that is up
/// then", since the operator picks from the calls the gateway lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Place a call.
    Place {
        /// Callee.
        to: String,
        /// Notify or conversation.
        mode: callproof_core::record::CallMode,
        /// Initial message.
        message: Option<String>,
    },
    /// Speak into the n-th live call.
    Speak(usize),
    /// Speak and listen on the n-th live call.
    Continue(usize),
    /// Hang up the n-th live call.
    End(usize),
    /// Hold a conversation on the n-th connected conversation call: a
    /// `continue`, and once it hears words (or times out in silence)
    /// another, `turns` in all.
    Converse {
        /// Which of the connected conversation calls.
        nth: usize,
        /// How many `continue` commands in a row.
        turns: u32,
    },
    /// The next `continue` of a conversation on one call.
    ContinueOn {
        /// The call.
        call_id: String,
        /// `continue` commands still to come after this one.
        turns_left: u32,
    },
}

impl Job {
    /// For the `continue` of a scripted conversation: how many turns follow.
    pub fn turns_after(&self) -> Option<u32> {
        match self {
            Job::Converse { turns, .. } => Some(turns.saturating_sub(1)),
            Job::ContinueOn { turns_left, .. } => Some(*turns_left),
            _ => None,
        }
    }
}

/// One thing the operator asks, at a simulated time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    /// When, ms since the epoch.
    pub at: u64,
    /// What.
    pub job: Job,
}

/// What the gateway is built from (survives restarts: it is configuration).
#[derive(Debug, Clone)]
pub struct GatewaySpec {
    /// Which provider.
    pub provider: ProviderName,
    /// Manager settings.
    pub config: Config,
    /// The operator's scripted commands over time (the simulator's; empty
    /// for a gateway driven through its control API).
    pub workload: Vec<Work>,
    /// What runs the calls: [`core::Reference`] unless this is a self-test.
    pub core: Rc<dyn CoreFactory>,
    /// The adapter for the provider: built from the API base URL and the
    /// public webhook URL.
    pub adapter: AdapterSource,
    /// The provider's REST base URL (`http://host:port`).
    pub api_base: String,
    /// The public webhook URL given to the provider; signatures are verified
    /// over its origin and the request's path.
    pub public_url: String,
    /// The port the webhook server listens on.
    pub webhook_port: u16,
    /// The store directory (the journal and its checkpoint live there).
    pub store: PathBuf,
    /// Compact the journal once it has grown past this many bytes.
    pub compact_after_bytes: u64,
}

/// Where the adapter's credentials come from.
#[derive(Clone)]
pub enum AdapterSource {
    /// The simulator's emulator dialect (its built-in test credentials).
    Emulator,
    /// Built by the caller (the real gateway's credentials from the
    /// environment), given the API base URL and the public webhook URL.
    Custom(AdapterBuilder),
}

/// Builds the adapter from the API base URL and the public webhook URL.
pub type AdapterBuilder = Rc<dyn Fn(&str, &str) -> Box<dyn callproof_core::adapters::Adapter>>;

impl std::fmt::Debug for AdapterSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdapterSource::Emulator => write!(f, "Emulator"),
            AdapterSource::Custom(_) => write!(f, "Custom(..)"),
        }
    }
}

impl GatewaySpec {
    /// The gateway host of the simulator: talks to the emulator host, keeps
    /// its journal in `/data`, compacts at [`SIM_COMPACT_AFTER_BYTES`].
    pub fn simulated(
        provider: ProviderName,
        config: Config,
        workload: Vec<Work>,
        core: Rc<dyn CoreFactory>,
    ) -> GatewaySpec {
        GatewaySpec {
            provider,
            config,
            workload,
            core,
            adapter: AdapterSource::Emulator,
            api_base: format!("http://{PROVIDER_HOST}:{PROVIDER_PORT}"),
            public_url: WEBHOOK_URL.to_owned(),
            webhook_port: PORT,
            store: PathBuf::from("/data"),
            compact_after_bytes: SIM_COMPACT_AFTER_BYTES,
        }
    }
}

/// What the harness may observe (when `observe` is set, as in the
/// simulator): the journal's durable history, a timeline, command results.
/// Never used for decisions. The real gateway leaves `observe` off, so
/// nothing here grows with its history; only `ready` is kept there.
#[derive(Debug, Default)]
pub struct GatewayLog {
    /// Record the fields below (the simulator does; a real process does not).
    pub observe: bool,
    /// Every journal line ever durable, in order: what the file would hold
    /// had it never been compacted. The oracle judges this.
    pub journal: Vec<u8>,
    /// What the journal file itself durably holds now (a checkpoint plus the
    /// lines after it once compacted).
    pub file: Vec<u8>,
    /// A checkpoint being renamed over the journal, not yet known durable.
    pub checkpoint: Option<Vec<u8>>,
    /// The bytes the latest boot read and how long `journal` was then, for
    /// the harness's compaction check (taken by the harness).
    pub recovered: Option<(Vec<u8>, usize)>,
    /// Compactions finished.
    pub compactions: u64,
    /// The compaction step under way, if any (the harness crashes here).
    pub compacting: Option<CompactionStep>,
    /// Boots so far.
    pub boots: u32,
    /// Timeline lines.
    pub trace: Vec<String>,
    /// Results of commands: when, what, and how many bytes of `journal`
    /// were durable then.
    pub results: Vec<(u64, Result<CommandOk, CommandError>, usize)>,
    /// Webhooks refused (bad signature, malformed).
    pub refused_webhooks: u64,
    /// Journal writes the disk refused.
    pub write_failures: u64,
    /// Recovery has finished: every request the manager made at boot has
    /// been answered or given up (`GET /health`).
    pub ready: bool,
}

impl GatewayLog {
    /// A log that records everything, for the simulator's harness.
    pub fn observing() -> GatewayLog {
        GatewayLog {
            observe: true,
            ..GatewayLog::default()
        }
    }
}

/// What the control API asks the driver.
#[derive(Debug)]
pub enum ControlRequest {
    /// Place a call.
    Place {
        /// Callee.
        to: String,
        /// Notify or conversation.
        mode: callproof_core::record::CallMode,
        /// Spoken once answered.
        message: Option<String>,
    },
    /// Hang up a call.
    End {
        /// Our id.
        call_id: String,
    },
    /// The live calls.
    List,
    /// Stop taking commands, let requests in flight finish, then exit.
    Shutdown,
}

/// The driver's answer to a [`ControlRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum ControlAnswer {
    /// A command's result.
    Done(Result<CommandOk, CommandError>),
    /// The live calls.
    Calls(Vec<CallRecord>),
    /// The gateway is shutting down and takes no more commands.
    ShuttingDown,
}

/// A control request with where to send its answer.
pub type ControlMsg = (ControlRequest, oneshot::Sender<ControlAnswer>);
