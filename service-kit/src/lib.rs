//! Plumbing that the sequencer, the prover service and `quire-devnet` share, kept in one
//! place so that they cannot drift apart:
//!
//! - [`config`]: the configuration error that names the setting, TOML files, environment
//!   values and key files;
//! - [`db`]: the one database the sequencer writes and the provers read and claim jobs
//!   from (URL → driver, SQLite durability settings, migrations);
//! - [`shutdown_signal`]: what stops a service (Ctrl-C, SIGTERM);
//! - [`init_tracing`]: log output in the format an operator chose.
//!
//! Nothing here knows about rollup state; the services' typed configurations and storage
//! queries stay in their own crates.

pub mod config;
pub mod db;
mod signal;
mod telemetry;

pub use signal::shutdown_signal;
pub use telemetry::{init_tracing, LogOutput};
