//! The server's whole state: one emulator per provider, the fault rules,
//! the journals and the clock. Rebuilt from the [`Config`] (and a seed) by
//! a reset, so a script run after a reset replays exactly.

use super::deliver::Policy;
use super::journal::{DeliveryEntry, Journal, RequestEntry};
use super::{ClockMode, Config};
use crate::emulator::dialect::{for_provider, Dialect, TwilioDialect};
use crate::emulator::faults::FaultRules;
use crate::emulator::{Emulator, EmulatorProfile};
use callproof_core::provider::ProviderName;
use std::collections::BTreeSet;

/// Everything the server knows.
pub struct State {
    /// How it was started.
    pub config: Config,
    /// The seed in force (the config's, or the last reset's).
    pub seed: u64,
    /// One emulator per served provider, in the config's order.
    pub emulators: Vec<(ProviderName, Emulator)>,
    /// REST and callback fault rules.
    pub rules: FaultRules,
    /// Every REST request.
    pub requests: Journal<RequestEntry>,
    /// Every delivery attempt.
    pub webhooks: Journal<DeliveryEntry>,
    /// The manual clock's time (`None` with a real clock).
    manual_now: Option<u64>,
    /// Deliveries already put through the callback rules (by delivery id
    /// and provider), so a delayed one is not delayed again.
    pub(super) faulted: BTreeSet<(ProviderName, u64)>,
}

impl State {
    /// A fresh state for `config`.
    pub fn new(config: Config) -> State {
        let seed = config.seed;
        State::with_seed(config, seed)
    }

    fn with_seed(config: Config, seed: u64) -> State {
        let emulators = config
            .providers
            .iter()
            .filter_map(|&provider| {
                let dialect: Box<dyn Dialect> = match (provider, config.twilio_webhook_rule) {
                    (ProviderName::Twilio, Some(rule)) => {
                        Box::new(TwilioDialect::with_webhook_rule(rule))
                    }
                    _ => for_provider(provider)?,
                };
                let policy = Policy::of(provider);
                let profile = EmulatorProfile {
                    loss: 0.0,
                    duplicate: 0.0,
                    max_delay_ms: 0,
                    retries: policy.retries,
                    retry_delay_ms: policy.retry_delay_ms,
                };
                let webhook = config
                    .inbound_webhooks
                    .iter()
                    .find(|(p, _)| *p == provider)
                    .map(|(_, url)| url.clone())
                    .unwrap_or_default();
                let salt = seed.wrapping_mul(0x1_0000_0000) & 0x0000_ffff_0000_0000;
                let emulator = Emulator::new(dialect, seed, profile, webhook).with_id_salt(salt);
                Some((provider, emulator))
            })
            .collect();
        let manual_now = (config.clock == ClockMode::Manual).then_some(config.start_ms);
        State {
            seed,
            emulators,
            rules: FaultRules::new(seed),
            requests: Journal::default(),
            webhooks: Journal::default(),
            manual_now,
            faulted: BTreeSet::new(),
            config,
        }
    }

    /// Forgets every call, journal entry, rule and script, and restarts the
    /// manual clock; `seed` replaces the seed if given.
    pub fn reset(&mut self, seed: Option<u64>) {
        let seed = seed.unwrap_or(self.seed);
        *self = State::with_seed(self.config.clone(), seed);
    }

    /// Now, in ms since the epoch.
    pub fn now(&self) -> u64 {
        self.manual_now.unwrap_or_else(wall_clock_ms)
    }

    /// Moves the manual clock to `now` (never backwards); false with a
    /// real clock.
    pub fn set_manual_now(&mut self, now: u64) -> bool {
        match &mut self.manual_now {
            Some(t) => {
                *t = (*t).max(now);
                true
            }
            None => false,
        }
    }

    /// The emulator of `provider`, if served.
    pub fn emulator(&mut self, provider: ProviderName) -> Option<&mut Emulator> {
        self.emulators
            .iter_mut()
            .find(|(p, _)| *p == provider)
            .map(|(_, e)| e)
    }

    /// The provider and emulator carrying call `pid`.
    pub fn find_call(&mut self, pid: &str) -> Option<(ProviderName, &mut Emulator)> {
        self.emulators
            .iter_mut()
            .find(|(_, e)| e.calls.contains_key(pid))
            .map(|(p, e)| (*p, e))
    }
}

/// The wall clock, in ms since the Unix epoch: read only here, for a
/// server started with `--clock real`.
fn wall_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
