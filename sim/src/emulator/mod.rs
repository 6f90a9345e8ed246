//! Provider emulators: one shared behaviour (ground truth, callees, time
//! limits, callback delivery) spoken through a per-provider [`Dialect`].

pub mod behaviour;
pub mod dialect;
pub mod host;
pub mod serve;
pub mod truth;

pub use behaviour::{Delivery, Emulator, EmulatorProfile, EmulatorStats};
pub use dialect::Dialect;
