//! Plumbing that the sequencer, the prover service and `quire-devnet` share, kept in one
//! place so that they cannot drift apart:
//!
//! - [`config`]: the one configuration layering of every service (defaults → TOML file →
//!   environment, through each service's table of variables → flags, on figment), the error
//!   that names the file, variable or setting, and key files;
//! - [`metrics_handle`]: the process's one Prometheus recorder;
//! - [`shutdown_signal`]: what stops a service (Ctrl-C, SIGTERM);
//! - [`init_tracing`]: log output in the format an operator chose.
//!
//! Nothing here knows about rollup state; the services' typed configurations stay in their
//! own crates, and the database they share (schema, connection settings, every query) is
//! `quire-storage`.

pub mod config;
mod metrics;
mod signal;
mod telemetry;

pub use metrics::metrics_handle;
pub use signal::shutdown_signal;
pub use telemetry::{init_tracing, LogOutput};
