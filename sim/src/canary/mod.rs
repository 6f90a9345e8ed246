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
mod status;
mod transcript;
mod vocab;

pub use rule::SuffixMatch;

use crate::gateway::core::CoreFactory;
use std::rc::Rc;

/// One canary: the bug class it reproduces, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Canary {
    /// B1, "Stale non-terminal records reloaded forever" (issues #6721,
    /// #9707): "on restart every record whose last line is non-terminal is
    /// loaded as active". Nothing asks the provider about them or times them.
    StaleReload,
    /// B2, "Time-only cleanup" (PR #2810): "skipping non-terminal records
    /// older than `maxDurationSeconds` at load time", without a hangup; the
    /// younger ones load as in B1.
    TimeOnlyCleanup,
    /// B3, "Calls the provider could not confirm are dropped": "a variant of
    /// the Plivo adapter reported every failed status lookup as terminal".
    UnconfirmedDropped,
    /// B4, "Max-duration timers after restore": "before the fix no timer was
    /// re-armed after a restore".
    NoTimersAfterRestore,
    /// B5 W1, "Crash windows around placing an outbound call": "the call was
    /// published as active before its record was persisted; a failed write
    /// left an in-memory record". The write error aborts the rest of the
    /// operation; memory keeps the change.
    PublishedBeforePersisted,
    /// B5 W2: "after restart the record has no provider id: it was skipped
    /// and never finalized, and the live call was never adopted".
    NoIdSkipped,
    /// B6, "Fire-and-forget appends" (issue #18851): "two appends in flight
    /// (`answered`, then `completed`) can land out of order".
    AppendsOutOfOrder,
    /// B6: "a crash after the in-memory change but before the write lands
    /// loses the terminal record or the processed event ids": the callback is
    /// acknowledged before its write is durable.
    AckBeforeWrite,
    /// B7, "Retried or duplicated webhooks processed twice": "event ids were
    /// random per HTTP request, so a carrier retry of the same callback was
    /// never recognised as a duplicate".
    RandomEventIds,
    /// B8, "Late callbacks after restart resurrect ended calls": "after a
    /// restart, terminal calls were not in memory; a late or retried
    /// `ringing`/`in-progress` callback ... created a new inbound call".
    LateCallbackRevives,
    /// B9, "Rejected inbound calls never hung up" (issue #13242): "inbound
    /// policy rejected the caller and simply returned".
    RejectedNotHungUp,
    /// B10, "Allowlist suffix matching" (PRs #8104, #9188):
    /// "`normalized.endsWith(allowed) || allowed.endsWith(normalized)` on
    /// digits only".
    SuffixAllowlist,
    /// B12, "Timers and provider state that lived only in memory":
    /// "notify-mode calls ... scheduled the hangup with an untracked timer;
    /// after a crash the restored call had neither its message nor its
    /// hangup".
    NotifyHangupInMemory,
    /// Issue 13 item 2, of the class of B2 ("Time-only cleanup") and the
    /// history's "stale-call reaper 120 s (0 when it was introduced)": a
    /// reaper by time alone that ends calls that are connected, as OpenClaw's
    /// did to live calls in `speaking` after about two minutes.
    ReaperCutsConnected,
    /// Issue 13 item 5, of the class of B3 ("Only proof of termination ...
    /// may release capacity, and an unknown call must still be driven to an
    /// end"), the other way round: proof of the end taken as no proof. A
    /// hangup answered "already ended" is retried as if the provider were
    /// unreachable, and the slot stays taken until a deadline.
    EndedHangupRetried,
    /// Issue 13 item 4, of the class of B3 ("Only proof of termination (a
    /// terminal status, or not-found) may release capacity"): an adapter that
    /// reads a status word it does not know, one the provider added later, as
    /// the end of the call, so a live call is dropped.
    UnknownStatusEnds,
    /// Issue 13 item 1, of the class of B3 ("Only proof of termination ...
    /// may release capacity"): a create whose outcome is unknown (the reply
    /// reset, late or unreadable) is taken as refused, so the manager frees
    /// the slot and forgets a call the provider placed: an orphan, and a
    /// capacity overrun once the slot is given away.
    LostCreateFreed,
    /// Issue 13 item 3, of the class of B7 ("a carrier retry of the same
    /// callback was never recognised as a duplicate (transcripts doubled
    /// ...)"): final transcripts keyed per delivery, so a retried or
    /// redelivered one is applied again.
    TranscriptKeyIgnored,
    /// Issue 13 item 4, of the class of B3 ("Only proof of termination (a
    /// terminal status, or not-found) may release capacity"): an adapter that
    /// reads the providers' words for a call that never connected (Twilio
    /// `busy` and `canceled`, Plivo `timeout` and `cancel`, Telnyx causes
    /// beyond `normal_clearing`) as a call still ringing, so the gateway keeps
    /// counting a call the provider ended.
    EndWordsLive,
}

impl Canary {
    /// Every canary, in bug-history order.
    pub const ALL: [Canary; 19] = [
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
        Canary::ReaperCutsConnected,
        Canary::EndedHangupRetried,
        Canary::UnknownStatusEnds,
        Canary::LostCreateFreed,
        Canary::TranscriptKeyIgnored,
        Canary::EndWordsLive,
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
            Canary::ReaperCutsConnected => "reaper-cuts-connected",
            Canary::EndedHangupRetried => "ended-hangup-retried",
            Canary::UnknownStatusEnds => "unknown-status-ends",
            Canary::LostCreateFreed => "lost-create-freed",
            Canary::TranscriptKeyIgnored => "transcript-key-ignored",
            Canary::EndWordsLive => "end-words-live",
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
            Canary::ReaperCutsConnected => "B2-reaper",
            Canary::EndedHangupRetried => "B3-proof",
            Canary::UnknownStatusEnds => "B3-status",
            Canary::LostCreateFreed => "B3-create",
            Canary::TranscriptKeyIgnored => "B7-transcript",
            Canary::EndWordsLive => "B3-words",
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
            Canary::ReaperCutsConnected => "Time-only cleanup; a stale-call reaper (120 s, 0 when introduced) that ended live calls in speaking after about two minutes.",
            Canary::UnknownStatusEnds => "Only proof of termination (a terminal status, or not-found) may release capacity: here a status word the provider added later is read as the end, and the live call is dropped.",
            Canary::LostCreateFreed => "Only proof of termination (a terminal status, or not-found) may release capacity: here a create whose reply was lost is taken as refused, the slot freed and the call the provider placed forgotten.",
            Canary::TranscriptKeyIgnored => "Event ids were random per HTTP request, so a carrier retry of the same callback was never recognised as a duplicate (transcripts doubled): here the final transcripts' ids.",
            Canary::EndWordsLive => "Only proof of termination (a terminal status, or not-found) may release capacity: here the terminal statuses of a call that never connected (busy, canceled, timeout, user_busy, call_rejected ...) are read as still ringing, and the ended call keeps its slot.",
            Canary::EndedHangupRetried => "Only proof of termination (a terminal status, or not-found) may release capacity: here the proof is retried as unknown and the slot held to a deadline.",
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

    /// The canary's core for a real gateway process: only the gate's
    /// self-test example (`sim/examples/canary_gateway.rs`, built for the
    /// test suite and never shipped) calls it, to prove the gate fails a
    /// gateway for the right reason. Not part of the API.
    #[doc(hidden)]
    pub fn gate_selftest_core(self) -> Rc<dyn CoreFactory> {
        self.factory()
    }

    /// The broken adapter this canary ships, if its bug lives in the adapter.
    pub(crate) fn wrap_adapter(
        self,
        inner: Box<dyn callproof_core::adapters::Adapter>,
    ) -> Box<dyn callproof_core::adapters::Adapter> {
        match self {
            Canary::RandomEventIds => Box::new(adapter::BentParse::new(
                inner,
                adapter::RandomEventIds::default(),
            )),
            Canary::UnknownStatusEnds => Box::new(adapter::BentParse::new(
                inner,
                status::UnknownStatusEnds::default(),
            )),
            Canary::TranscriptKeyIgnored => Box::new(adapter::BentParse::new(
                inner,
                transcript::TranscriptKeyIgnored::default(),
            )),
            Canary::EndWordsLive => Box::new(adapter::BentParse::new(inner, vocab::EndWordsLive)),
            _ => inner,
        }
    }
}
