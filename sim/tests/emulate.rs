//! `callproof emulate` as a process on real loopback TCP: every control
//! route, the manual clock's replay, the fault rules, the providers' own
//! errors, and arbitrary input thrown at every route.

#[path = "emulate/harness.rs"]
mod harness;

#[path = "emulate/control.rs"]
mod control;
#[path = "emulate/errors.rs"]
mod errors;
#[path = "emulate/faults.rs"]
mod faults;
#[path = "emulate/fuzz.rs"]
mod fuzz;
#[path = "emulate/inbound.rs"]
mod inbound;
#[path = "emulate/replay.rs"]
mod replay;
