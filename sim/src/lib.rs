//! callproof-sim: the deterministic simulator and the `callproof` command line.
#![warn(missing_docs)]

pub mod campaign;
mod canary;
pub mod clock;
pub mod emulate;
pub mod emulator;
pub mod gate;
pub mod gateway;
pub mod journal_check;
pub mod journal_read;
pub mod net;
pub mod oracle;
pub mod report;
pub mod run;
pub mod scenario;
pub mod selftest;
pub mod verdict;

/// The canaries' names and histories (building one is the self-test's alone).
pub use canary::Canary;
