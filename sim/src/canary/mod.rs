//! Canaries: gateway variants that each reproduce exactly one way a real call
//! manager lost track of calls (`bug-history.md`, B1 to B12), and nothing
//! else. The self-test runs them to prove the oracle and the conformance
//! checks catch every one.
//!
//! Canaries are test-only by construction. Each is a wrapper around the pure
//! `Manager` (or, for B7, around an adapter) that lives in this crate-private
//! module; the only code that builds one is [`crate::selftest`]. The shipped
//! gateway is `gateway::core::Reference`, which builds the manager directly.
//! `callproof-core` does not know canaries exist: the one seam it offers is
//! the manager's inbound-rule type parameter, fixed to `ExactE164` for the
//! `Manager` a gateway ships.

mod adapter;
mod core;
mod rule;

pub use rule::SuffixMatch;

use crate::gateway::core::CoreFactory;
use std::rc::Rc;

/// One canary: the bug class it reproduces, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Canary {
    /// B1: every record whose last line is non-terminal is reloaded as active
    /// at restart, and nothing ever asks the provider about it.
    StaleReload,
    /// B2: like B1, but non-terminal records older than max duration are
    /// skipped at load time, without a hangup.
    TimeOnlyCleanup,
    /// B3: a status lookup that fails (unreachable, 5xx, 401) is taken as
    /// proof that the call ended.
    UnconfirmedDropped,
    /// B4: no timer is re-armed after a restore.
    NoTimersAfterRestore,
    /// B5-W1: a failed journal write leaves the in-memory record (and the
    /// rest of the operation is abandoned): memory stays ahead of the disk.
    PublishedBeforePersisted,
    /// B5-W2: at restart, a record without a provider id is skipped: never
    /// finalized, never adopted.
    NoIdSkipped,
    /// B6: fire-and-forget appends; two writes in flight land out of order.
    AppendsOutOfOrder,
    /// B6: fire-and-forget appends; the callback is acknowledged before its
    /// write is durable.
    AckBeforeWrite,
    /// B7: event ids are random per HTTP request, so a retried callback is
    /// never recognised as a duplicate.
    RandomEventIds,
    /// B8: after a restart ended calls are forgotten, and a late ringing or
    /// in-progress callback for one becomes a new inbound call.
    LateCallbackRevives,
    /// B9: an inbound call the policy rejects is never hung up.
    RejectedNotHungUp,
    /// B10: the allowlist matches digit suffixes.
    SuffixAllowlist,
    /// B12: the notify-mode hangup lives only in memory.
    NotifyHangupInMemory,
}

impl Canary {
    /// Every canary, in bug-history order.
    pub const ALL: [Canary; 13] = [
        Canary::StaleReload,
        Canary::TimeOnlyCleanup,
        Canary::UnconfirmedDropped,
        Canary::NoTimersAfterRestore,
        Canary::PublishedBeforePersisted,
        Canary::NoIdSkipped,
        Canary::AppendsOutOfOrder,
        Canary::AckBeforeWrite,
        Canary::RandomEventIds,
        Canary::LateCallbackRevives,
        Canary::RejectedNotHungUp,
        Canary::SuffixAllowlist,
        Canary::NotifyHangupInMemory,
    ];

    /// Its name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Canary::StaleReload => "stale-reload",
            Canary::TimeOnlyCleanup => "time-only-cleanup",
            Canary::UnconfirmedDropped => "unconfirmed-dropped",
            Canary::NoTimersAfterRestore => "no-timers-after-restore",
            Canary::PublishedBeforePersisted => "published-before-persisted",
            Canary::NoIdSkipped => "no-id-skipped",
            Canary::AppendsOutOfOrder => "appends-out-of-order",
            Canary::AckBeforeWrite => "ack-before-write",
            Canary::RandomEventIds => "random-event-ids",
            Canary::LateCallbackRevives => "late-callback-revives",
            Canary::RejectedNotHungUp => "rejected-not-hung-up",
            Canary::SuffixAllowlist => "suffix-allowlist",
            Canary::NotifyHangupInMemory => "notify-hangup-in-memory",
        }
    }

    /// The bug-history entry it comes from.
    pub fn class(self) -> &'static str {
        match self {
            Canary::StaleReload => "B1",
            Canary::TimeOnlyCleanup => "B2",
            Canary::UnconfirmedDropped => "B3",
            Canary::NoTimersAfterRestore => "B4",
            Canary::PublishedBeforePersisted => "B5-W1",
            Canary::NoIdSkipped => "B5-W2",
            Canary::AppendsOutOfOrder => "B6-order",
            Canary::AckBeforeWrite => "B6-crash",
            Canary::RandomEventIds => "B7",
            Canary::LateCallbackRevives => "B8",
            Canary::RejectedNotHungUp => "B9",
            Canary::SuffixAllowlist => "B10",
            Canary::NotifyHangupInMemory => "B12",
        }
    }

    /// The historical behaviour, as `bug-history.md` records it.
    pub fn history(self) -> &'static str {
        match self {
            Canary::StaleReload => "On restart every record whose last line is non-terminal is loaded as active.",
            Canary::TimeOnlyCleanup => "Skipping non-terminal records older than maxDurationSeconds at load time.",
            Canary::UnconfirmedDropped => "A variant of the Plivo adapter reported every failed status lookup as terminal, so live calls were dropped.",
            Canary::NoTimersAfterRestore => "Before the fix no timer was re-armed after a restore.",
            Canary::PublishedBeforePersisted => "The call was published as active before its record was persisted; a failed write left an in-memory record that blocked all capacity.",
            Canary::NoIdSkipped => "After restart the record has no provider id: it was skipped and never finalized, and the live call was never adopted.",
            Canary::AppendsOutOfOrder => "Two appends in flight (answered, then completed) can land out of order.",
            Canary::AckBeforeWrite => "A crash after the in-memory change but before the write lands loses the terminal record or the processed event ids.",
            Canary::RandomEventIds => "Event ids were random per HTTP request, so a carrier retry of the same callback was never recognised as a duplicate.",
            Canary::LateCallbackRevives => "After a restart, terminal calls were not in memory; a late ringing/in-progress callback created a new inbound call in ringing.",
            Canary::RejectedNotHungUp => "Inbound policy rejected the caller and simply returned: the caller rang until the carrier timed out.",
            Canary::SuffixAllowlist => "normalized.endsWith(allowed) || allowed.endsWith(normalized) on digits only.",
            Canary::NotifyHangupInMemory => "Notify-mode calls scheduled the hangup with an untracked timer; after a crash only max duration ended them.",
        }
    }

    /// Parses a name from [`Canary::name`].
    pub fn parse(name: &str) -> Option<Canary> {
        Canary::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The gateway core with this canary's behaviour. Crate-private: only
    /// the self-test builds canaries.
    pub(crate) fn factory(self) -> Rc<dyn CoreFactory> {
        Rc::new(core::CanaryFactory(self))
    }

    /// The broken adapter this canary ships, if its bug lives in the adapter.
    pub(crate) fn wrap_adapter(
        self,
        inner: Box<dyn callproof_core::adapters::Adapter>,
    ) -> Box<dyn callproof_core::adapters::Adapter> {
        match self {
            Canary::RandomEventIds => Box::new(adapter::RandomEventIds::new(inner)),
            _ => inner,
        }
    }
}
