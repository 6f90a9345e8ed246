//! What the driver runs at each boot: the reference call manager, or (in the
//! self-test only) a canary built around it.
//!
//! The seam is here so the self-test can prove the oracle catches every known
//! way to lose a call. The shipped gateway is [`Reference`]: it builds the
//! pure `callproof_core::manager::Manager`, which knows nothing of canaries.

use callproof_core::adapters::Adapter;
use callproof_core::journal::Replay;
use callproof_core::manager::{Config, InboundRule, Input, Manager, Output};
use callproof_core::record::CallRecord;
use std::fmt;

/// What to do after a journal write failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterWriteFailure {
    /// Memory may now be ahead of the disk: throw it away and boot again from
    /// the journal (fail-stop). The reference does this.
    Reboot,
    /// Keep running on what memory holds.
    Continue,
}

/// The manager as the driver sees it.
pub trait CallCore {
    /// Applies one input (see the manager's contract).
    fn handle(&mut self, input: Input, now: u64);
    /// The next output, in order.
    fn poll_output(&mut self) -> Option<Output>;
    /// Ids of the calls counted against capacity, in id order.
    fn live_call_ids(&self) -> Vec<String>;
    /// A `Persist` output could not be written.
    fn after_write_failure(&mut self) -> AfterWriteFailure {
        AfterWriteFailure::Reboot
    }
    /// The current record of a call, for the log line of each call event.
    /// A core that cannot say returns `None` and its events are logged by id.
    fn record(&self, _call_id: &str) -> Option<&CallRecord> {
        None
    }
    /// The records of the calls counted against capacity (the control API's
    /// `GET /calls`). Canaries never serve a control API, so they may keep
    /// the default.
    fn live_records(&self) -> Vec<CallRecord> {
        Vec::new()
    }
    /// A checkpoint of everything the journal must remember, one line per
    /// record, to compact the journal with; `None` if this core cannot make
    /// one (then the journal is never compacted). Asked only when every
    /// output so far has been executed, so memory and disk agree.
    fn checkpoint(&self) -> Option<String> {
        None
    }
}

impl<R: InboundRule> CallCore for Manager<R> {
    fn handle(&mut self, input: Input, now: u64) {
        Manager::handle(self, input, now)
    }

    fn poll_output(&mut self) -> Option<Output> {
        Manager::poll_output(self)
    }

    fn live_call_ids(&self) -> Vec<String> {
        Manager::live_records(self)
            .map(|r| r.call_id.clone())
            .collect()
    }

    fn record(&self, call_id: &str) -> Option<&CallRecord> {
        Manager::record(self, call_id)
    }

    fn live_records(&self) -> Vec<CallRecord> {
        Manager::live_records(self).cloned().collect()
    }

    fn checkpoint(&self) -> Option<String> {
        Some(self.compacted_journal())
    }
}

/// Builds the core at every boot, and the adapter it talks through.
pub trait CoreFactory: fmt::Debug {
    /// The core, recovered from `replay` at `now`.
    fn boot(&self, config: &Config, replay: &Replay, now: u64) -> Box<dyn CallCore>;
    /// The adapter the driver uses (the provider's own by default).
    fn adapter(&self, adapter: Box<dyn Adapter>) -> Box<dyn Adapter> {
        adapter
    }
}

/// The shipped gateway: `Manager::recover`, the provider's own adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reference;

impl CoreFactory for Reference {
    fn boot(&self, config: &Config, replay: &Replay, now: u64) -> Box<dyn CallCore> {
        Box::new(Manager::recover(config.clone(), replay, now))
    }
}
