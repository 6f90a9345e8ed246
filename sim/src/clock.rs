//! Simulated time. The epoch is pinned so one seed replays one run exactly.

/// The simulation's epoch: 2023-11-14T22:13:20Z, ms since the Unix epoch
/// (also the Telnyx signature vectors' clock).
pub const EPOCH_MS: u64 = 1_700_000_000_000;

/// Now, in ms since the Unix epoch, inside a simulated host.
pub fn now_ms() -> u64 {
    EPOCH_MS + turmoil::sim_elapsed().map_or(0, |d| d.as_millis() as u64)
}
