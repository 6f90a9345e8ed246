//! Provider emulators: one shared behaviour (ground truth, callees, time
//! limits, callback delivery) spoken through a per-provider [`Dialect`].

pub mod answer;
pub mod behaviour;
pub mod callees;
pub mod dialect;
pub mod faults;
pub mod host;
pub mod log;
pub mod serve;
pub mod served;
pub mod speech;
mod timers;
pub mod truth;

pub use behaviour::{Delivery, Emulator, EmulatorProfile, EmulatorStats};
pub use dialect::Dialect;
