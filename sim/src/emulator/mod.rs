//! Provider emulators: one shared behaviour (ground truth, callees, time
//! limits, callback delivery) spoken through a per-provider [`Dialect`].

pub mod dialect;
pub mod truth;

pub use dialect::Dialect;
