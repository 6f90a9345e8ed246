//! callproof-sim: the deterministic simulator and the `callproof` command line.
#![warn(missing_docs)]

pub mod emulator;
pub mod journal_check;
