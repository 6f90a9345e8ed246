//! Everything a run does, drawn from its seed: the manager's settings, the
//! operator's workload, inbound callers, callee and callback behaviour, and
//! the fault schedule. One seed, one scenario, exactly.

use crate::clock::EPOCH_MS;
use crate::emulator::faults::Operation;
use crate::emulator::EmulatorProfile;
use crate::gateway::{Job, Work};
use callproof_core::manager::{Config, InboundPolicy};
use callproof_core::provider::ProviderName;
use callproof_core::record::CallMode;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Numbers inbound callers use: one allowed, one not, one withheld.
pub const ALLOWED_CALLER: &str = "+15551110001";
/// A caller not on any allowlist.
pub const UNKNOWN_CALLER: &str = "+15559990000";
/// The callee of the liveness probe: placed once faults have stopped and
/// every earlier call must have ended.
pub const PROBE_NUMBER: &str = "+15553330000";
/// A withheld caller id.
pub const ANONYMOUS_CALLER: &str = "anonymous";
/// Another country's number whose digits end with the allowed caller's.
pub const SUFFIX_CALLER: &str = "+4415551110001";
/// A caller id cut short (seven digits): not E.164, refused under every
/// policy, the open one included.
pub const TRUNCATED_CALLER: &str = "+4415551";

/// A REST operation the gateway sends, as the reply-loss faults aim at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LostOp {
    /// Place a call.
    Create,
    /// End a call.
    Hangup,
    /// Ask about a call.
    Status,
    /// Speak into a call.
    Speak,
    /// Start or stop transcribing.
    Listen,
}

impl LostOp {
    /// Every operation, in drawing order.
    pub const ALL: [LostOp; 5] = [
        LostOp::Create,
        LostOp::Hangup,
        LostOp::Status,
        LostOp::Speak,
        LostOp::Listen,
    ];

    /// The emulator's fault-rule operation.
    pub fn operation(self) -> Operation {
        match self {
            LostOp::Create => Operation::Create,
            LostOp::Hangup => Operation::Hangup,
            LostOp::Status => Operation::Status,
            LostOp::Speak => Operation::Speak,
            LostOp::Listen => Operation::Listen,
        }
    }

    /// The operation of a request the emulator journaled by `name`.
    pub fn of_journal_name(name: &str) -> Option<LostOp> {
        Some(match name {
            "create" => LostOp::Create,
            "hangup" => LostOp::Hangup,
            "status" => LostOp::Status,
            "speak" => LostOp::Speak,
            "start_listening" | "stop_listening" => LostOp::Listen,
            _ => return None,
        })
    }
}

/// How a reply the provider owes is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostReply {
    /// The connection resets right after the provider acted.
    Reset,
    /// The reply leaves `ms` later, beyond the gateway's request timeout.
    Late {
        /// The delay.
        ms: u64,
    },
}

/// A fault the harness injects at a simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Power loss of the gateway (unsynced writes torn), back after `down_ms`.
    Crash {
        /// Downtime.
        down_ms: u64,
    },
    /// Gateway and provider cannot connect, both ways, for `ms`.
    Partition {
        /// Duration.
        ms: u64,
    },
    /// Messages between gateway and provider are held (a blackhole), then released.
    Blackhole {
        /// Duration.
        ms: u64,
    },
    /// Power loss right after the provider accepts the next create, before its
    /// reply (and so the provider's id) reaches the journal (B5-W2).
    CrashAfterCreate {
        /// Downtime.
        down_ms: u64,
    },
    /// A crash whose restart happens while the provider is unreachable.
    CrashIntoOutage {
        /// Downtime.
        down_ms: u64,
        /// How long the provider stays unreachable after the restart.
        outage_ms: u64,
    },
    /// The gateway's disk refuses every write for `ms` (full or failing).
    DiskFull {
        /// Duration.
        ms: u64,
    },
    /// The gateway's disk stops completing fsyncs for `stall_ms`, then the
    /// gateway loses power (a hung disk and a watchdog reboot): whatever was
    /// not durable is lost.
    DiskStallCrash {
        /// How long writes hang.
        stall_ms: u64,
        /// Downtime after the power loss.
        down_ms: u64,
    },
    /// The provider delivers again every callback of the last `window_ms`
    /// (its own delivery incident catching up: at-least-once delivery).
    CallbackReplay {
        /// How far back.
        window_ms: u64,
    },
    /// Power loss; once the gateway is back and has recovered, the provider
    /// delivers again every callback of the `window_ms` before the crash
    /// (webhooks that failed or went unanswered while it was down: Twilio
    /// and Plivo retry them). A restarted gateway must still know the calls
    /// that ended before it went down, or it takes a retried start of an
    /// ended inbound call for a new one.
    CrashThenReplay {
        /// Downtime.
        down_ms: u64,
        /// How far back before the crash the provider redelivers.
        window_ms: u64,
    },
    /// Power loss in the middle of the gateway's next journal compaction:
    /// while the checkpoint is being fsynced, or (`after_rename`) once it has
    /// been renamed over the journal and the directory is being fsynced.
    CrashDuringCompaction {
        /// Crash at the directory fsync rather than the checkpoint's.
        after_rename: bool,
        /// Downtime.
        down_ms: u64,
    },
    /// The provider's API answers 429 (`rate_limited`) or 503 for `ms`.
    ApiOutage {
        /// Duration.
        ms: u64,
        /// 429 rather than 503.
        rate_limited: bool,
    },
    /// An indeterminate operation: the provider carries out the next `op`
    /// request from then on (places the call, hangs it up, speaks) and the
    /// gateway never gets the reply in time.
    ReplyLost {
        /// Which request.
        op: LostOp,
        /// How its reply is lost.
        reply: LostReply,
    },
}

impl FaultKind {
    /// A short name for tables.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Crash { .. } => "crash",
            FaultKind::CrashAfterCreate { .. } => "crash-after-create",
            FaultKind::CrashIntoOutage { .. } => "crash-into-outage",
            FaultKind::Partition { .. } => "partition",
            FaultKind::Blackhole { .. } => "blackhole",
            FaultKind::DiskFull { .. } => "disk-full",
            FaultKind::DiskStallCrash { .. } => "disk-stall-crash",
            FaultKind::CallbackReplay { .. } => "callback-replay",
            FaultKind::CrashThenReplay { .. } => "crash-then-replay",
            FaultKind::CrashDuringCompaction { .. } => "crash-during-compaction",
            FaultKind::ApiOutage {
                rate_limited: true, ..
            } => "api-429",
            FaultKind::ApiOutage {
                rate_limited: false,
                ..
            } => "api-5xx",
            FaultKind::ReplyLost { op, reply } => match (reply, op) {
                (LostReply::Reset, LostOp::Create) => "reset-after-create",
                (LostReply::Reset, LostOp::Hangup) => "reset-after-hangup",
                (LostReply::Reset, LostOp::Status) => "reset-after-status",
                (LostReply::Reset, LostOp::Speak) => "reset-after-speak",
                (LostReply::Reset, LostOp::Listen) => "reset-after-listen",
                (LostReply::Late { .. }, LostOp::Create) => "late-reply-create",
                (LostReply::Late { .. }, LostOp::Hangup) => "late-reply-hangup",
                (LostReply::Late { .. }, LostOp::Status) => "late-reply-status",
                (LostReply::Late { .. }, LostOp::Speak) => "late-reply-speak",
                (LostReply::Late { .. }, LostOp::Listen) => "late-reply-listen",
            },
        }
    }
}

/// One scheduled fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// When, ms after the start.
    pub at_ms: u64,
    /// What.
    pub kind: FaultKind,
}

/// An inbound caller, at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundCall {
    /// When, ms after the start.
    pub at_ms: u64,
    /// Caller id.
    pub from: String,
}

/// A fault profile: how much goes wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    /// Its name.
    pub name: &'static str,
    /// Faults per run (crashes included), at least one crash.
    pub faults: (usize, usize),
    /// Callback delivery behaviour.
    pub callbacks: EmulatorProfile,
}

impl Profile {
    /// The default campaign profile.
    pub fn standard() -> Profile {
        Profile {
            name: "standard",
            faults: (2, 6),
            callbacks: EmulatorProfile {
                loss: 0.05,
                duplicate: 0.15,
                max_delay_ms: 2_000,
                retries: 4,
                retry_delay_ms: 2_000,
            },
        }
    }
}

/// Everything one run does.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The seed it came from.
    pub seed: u64,
    /// The provider.
    pub provider: ProviderName,
    /// Manager settings.
    pub config: Config,
    /// Operator commands (absolute times).
    pub workload: Vec<Work>,
    /// Inbound callers.
    pub inbound: Vec<InboundCall>,
    /// Faults, in time order.
    pub faults: Vec<Fault>,
    /// Callback behaviour.
    pub callbacks: EmulatorProfile,
    /// When faults stop (ms after start): the liveness phase begins.
    pub faults_end_ms: u64,
    /// When the liveness probe call is placed (ms after start).
    pub probe_at_ms: u64,
    /// When the run ends (ms after start).
    pub end_ms: u64,
}

/// The window in which workload and faults happen.
const ACTIVE_MS: u64 = 600_000;

/// How late a late reply is: always past the gateway's 5 s request timeout
/// (`gateway::REQUEST_TIMEOUT`), so the gateway never sees it.
pub const LATE_REPLY_MS: (u64, u64) = (5_500, 20_000);

impl Scenario {
    /// The numbers the workload calls in notify mode: the oracle judges
    /// those calls' hang-ups by the notify rules.
    pub fn notify_numbers(&self) -> std::collections::BTreeSet<&str> {
        self.workload
            .iter()
            .filter_map(|w| match &w.job {
                Job::Place {
                    to,
                    mode: CallMode::Notify,
                    ..
                } => Some(to.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Draws the scenario of `seed`.
    pub fn draw(seed: u64, provider: ProviderName, profile: &Profile) -> Scenario {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut config = Config::openclaw_defaults(provider);
        config.max_concurrent_calls = rng.random_range(1..=4);
        config.max_duration_ms = rng.random_range(4..=12) * 10_000;
        config.stale_call_ms = 60_000;
        config.ring_timeout_secs = 30;
        config.notify_hangup_delay_ms = 3_000;
        config.transcript_timeout_ms = 20_000;
        config.backoff.max_ms = 10_000;
        config.provider_slack_ms = 15_000;
        config.inbound = match rng.random_range(0..3) {
            0 => InboundPolicy::Disabled,
            1 => InboundPolicy::Allowlist(vec![ALLOWED_CALLER.to_owned()]),
            _ => InboundPolicy::Open,
        };
        let mut workload = Vec::new();
        let calls = rng.random_range(20..=26);
        for i in 0..calls {
            let at = EPOCH_MS + 2_000 + i * (ACTIVE_MS / calls) + rng.random_range(0..5_000);
            let notify = rng.random_bool(0.4);
            workload.push(Work {
                at,
                job: Job::Place {
                    to: format!("+1555200{i:04}"),
                    mode: if notify {
                        CallMode::Notify
                    } else {
                        CallMode::Conversation
                    },
                    message: Some(
                        if notify {
                            "Your table is ready."
                        } else {
                            "Hello, this is the assistant."
                        }
                        .to_owned(),
                    ),
                },
            });
        }
        // Speak, listen and bot hangups aimed at whichever calls are up then.
        for _ in 0..rng.random_range(4..10) {
            let at = EPOCH_MS + rng.random_range(10_000..ACTIVE_MS);
            let nth = rng.random_range(0..4);
            let job = match rng.random_range(0..3) {
                0 => Job::Speak(nth),
                1 => Job::Continue(nth),
                _ => Job::End(nth),
            };
            workload.push(Work { at, job });
        }
        let mut inbound = Vec::new();
        for _ in 0..rng.random_range(1..=4) {
            let from = [
                ALLOWED_CALLER,
                UNKNOWN_CALLER,
                ANONYMOUS_CALLER,
                SUFFIX_CALLER,
            ][rng.random_range(0..4)];
            inbound.push(InboundCall {
                at_ms: rng.random_range(5_000..ACTIVE_MS),
                from: from.to_owned(),
            });
        }
        let mut faults = vec![Fault {
            at_ms: rng.random_range(10_000..ACTIVE_MS - 30_000),
            kind: FaultKind::Crash {
                down_ms: rng.random_range(500..20_000),
            },
        }];
        for _ in 1..rng.random_range(profile.faults.0..=profile.faults.1) {
            let at_ms = rng.random_range(5_000..ACTIVE_MS);
            let kind = match rng.random_range(0..11) {
                0 | 7 => FaultKind::Crash {
                    down_ms: rng.random_range(500..30_000),
                },
                1 => FaultKind::CrashAfterCreate {
                    down_ms: rng.random_range(500..20_000),
                },
                2 => FaultKind::Partition {
                    ms: rng.random_range(1_000..40_000),
                },
                3 => FaultKind::Blackhole {
                    ms: rng.random_range(1_000..20_000),
                },
                6 => FaultKind::CrashIntoOutage {
                    down_ms: rng.random_range(500..10_000),
                    outage_ms: rng.random_range(3_000..30_000),
                },
                8 => FaultKind::DiskFull {
                    ms: rng.random_range(2_000..20_000),
                },
                9 => FaultKind::DiskStallCrash {
                    stall_ms: rng.random_range(1_000..15_000),
                    down_ms: rng.random_range(500..10_000),
                },
                10 => FaultKind::CallbackReplay {
                    window_ms: rng.random_range(30_000..240_000),
                },
                // 4 and 5: the API fails.
                _ => FaultKind::ApiOutage {
                    ms: rng.random_range(2_000..40_000),
                    rate_limited: rng.random_bool(0.5),
                },
            };
            faults.push(Fault { at_ms, kind });
        }
        // Drawn after everything else, so every draw above is what it was
        // before this fault kind existed.
        if rng.random_bool(0.6) {
            faults.push(Fault {
                at_ms: rng.random_range(5_000..ACTIVE_MS / 2),
                kind: FaultKind::CrashDuringCompaction {
                    after_rename: rng.random_bool(0.5),
                    down_ms: rng.random_range(500..20_000),
                },
            });
        }
        // Indeterminate operations (issue 13 item 1), drawn after the
        // compaction crash for the same reason. Each waits for the next
        // request of its operation, so it is armed well before faults stop.
        for _ in 0..rng.random_range(1..=3) {
            let op = LostOp::ALL[rng.random_range(0..LostOp::ALL.len())];
            let reply = if rng.random_bool(0.5) {
                LostReply::Reset
            } else {
                LostReply::Late {
                    ms: rng.random_range(LATE_REPLY_MS.0..LATE_REPLY_MS.1),
                }
            };
            faults.push(Fault {
                at_ms: rng.random_range(5_000..ACTIVE_MS - 60_000),
                kind: FaultKind::ReplyLost { op, reply },
            });
        }
        // Conversations (issue 13 item 3), from draws of their own so every
        // draw above stays where it was.
        let mut talk = SmallRng::seed_from_u64(seed ^ 0x7a1c_5eed_u64);
        for _ in 0..talk.random_range(8..=14) {
            let at = EPOCH_MS + talk.random_range(10_000..ACTIVE_MS);
            let job = Job::Converse {
                nth: talk.random_range(0..4),
                turns: talk.random_range(2..=4),
            };
            workload.push(Work { at, job });
        }
        // A caller id cut short by a carrier, from draws of its own.
        let mut short = SmallRng::seed_from_u64(seed ^ 0x5407_7ca1_u64);
        if short.random_bool(0.5) {
            inbound.push(InboundCall {
                at_ms: short.random_range(5_000..ACTIVE_MS),
                from: TRUNCATED_CALLER.to_owned(),
            });
        }
        // A provider retrying across a restart, from draws of its own too.
        let mut retry = SmallRng::seed_from_u64(seed ^ 0x2e7d_e11e_u64);
        if retry.random_bool(0.5) {
            faults.push(Fault {
                at_ms: retry.random_range(20_000..ACTIVE_MS - 40_000),
                kind: FaultKind::CrashThenReplay {
                    down_ms: retry.random_range(500..10_000),
                    window_ms: retry.random_range(60_000..180_000),
                },
            });
        }
        faults.sort_by_key(|f| f.at_ms);
        workload.sort_by_key(|w| w.at);
        // The harness rings callers in this order (it walks the list).
        inbound.sort_by_key(|c| c.at_ms);
        let faults_end_ms = faults
            .iter()
            .map(|f| f.at_ms + fault_len(&f.kind))
            .max()
            .unwrap_or(0)
            .max(ACTIVE_MS);
        // Liveness: every call must be over by max duration + ring timeout +
        // slack after the last fault; then a new call must get through.
        let settle = config.max_duration_ms
            + u64::from(config.ring_timeout_secs) * 1000
            + config.provider_slack_ms
            + 60_000;
        let probe_at_ms = faults_end_ms + settle;
        workload.push(Work {
            at: EPOCH_MS + probe_at_ms,
            job: Job::Place {
                to: PROBE_NUMBER.to_owned(),
                mode: CallMode::Conversation,
                message: None,
            },
        });
        Scenario {
            seed,
            provider,
            config,
            workload,
            inbound,
            faults,
            callbacks: profile.callbacks,
            faults_end_ms,
            probe_at_ms,
            end_ms: probe_at_ms + 30_000,
        }
    }

    /// The same scenario with only the faults at `keep` (for shrinking).
    pub fn with_faults(&self, keep: &[usize]) -> Scenario {
        let mut s = self.clone();
        s.faults = keep
            .iter()
            .filter_map(|i| self.faults.get(*i).copied())
            .collect();
        s
    }
}

/// How long after a [`FaultKind::CrashThenReplay`] restart the provider
/// redelivers: recovery has finished by then.
pub const REPLAY_AFTER_RESTART_MS: u64 = 2_000;

/// How long a fault lasts.
pub fn fault_len(kind: &FaultKind) -> u64 {
    match *kind {
        FaultKind::Crash { down_ms }
        | FaultKind::CrashAfterCreate { down_ms }
        | FaultKind::CrashDuringCompaction { down_ms, .. } => down_ms,
        FaultKind::CrashIntoOutage { down_ms, outage_ms } => down_ms + outage_ms,
        FaultKind::DiskStallCrash { stall_ms, down_ms } => stall_ms + down_ms,
        FaultKind::CallbackReplay { .. } => 5_000,
        FaultKind::CrashThenReplay { down_ms, .. } => down_ms + REPLAY_AFTER_RESTART_MS + 5_000,
        FaultKind::ReplyLost { reply, .. } => match reply {
            LostReply::Reset => 1_000,
            LostReply::Late { ms } => ms,
        },
        FaultKind::Partition { ms }
        | FaultKind::Blackhole { ms }
        | FaultKind::DiskFull { ms }
        | FaultKind::ApiOutage { ms, .. } => ms,
    }
}
