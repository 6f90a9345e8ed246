//! callproof-core: the pure call manager and the provider adapters.
//!
//! (The crate contract is written in `manager`'s module docs.)
#![warn(missing_docs)]

pub mod adapters;
pub mod calendar;
pub mod journal;
pub mod manager;
pub mod provider;
pub mod record;
pub mod recording;
pub mod state;
pub mod webhook;
