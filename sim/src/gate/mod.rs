//! `callproof gate`: the black-box crash gate for a real gateway process.
//!
//! In the manner of Jepsen and Maelstrom, the gate starts a *subject* (any
//! gateway process that speaks the subject contract of `sim/CONTRACTS.md`,
//! section 2, directly or through a small driver), points it at
//! `callproof emulate`, and runs named scenarios against it: operator calls
//! through its control API, callee and caller behaviour and faults through
//! the emulator's control API, SIGKILLs and restarts on the same store.
//! Verdicts come from the emulator's ground truth and the subject's
//! observable answers only ([`check`]), and a failure cites its evidence
//! ([`evidence`]): the REST requests the subject sent and their answers,
//! the callbacks and its answers, its log lines around each crash, and its
//! journal when it keeps one.
//!
//! Only the runner touches processes, sockets and the wall clock; the
//! scenario catalogue, the random schedules and the checkers are pure.

pub mod catalogue;
pub mod check;
pub mod emulator;
pub mod evidence;
pub mod http;
pub mod observe;
pub mod random;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod session;
pub mod subject;
pub mod truth;
