//! # quire-sequencer
//!
//! The operator-facing service that orders and executes Quire's L2 transactions. Its
//! in-memory core is `quire-executor` (the parallel executor, whose result equals
//! `quire_core`'s sequential reference transition on every input, and the mempool); the
//! API's wire types, error codes and client are `quire-api`.
//!
//! - [`api`]: the axum HTTP API; [`batcher`]: closes, executes and stores batches (in
//!   `quire-storage`, the database it shares with the provers: SQLite or PostgreSQL);
//!   [`node`] and [`app`]: start-up, recovery and graceful shutdown; [`config`]: file, env
//!   and flags.
//!
//! - [`l1`]: with an `[l1]` configuration section, the L1 watcher (deposits and full exits,
//!   exactly once) and the settlement task (commit, execute, batch stages from L1).

pub mod api;
pub mod app;
pub mod batcher;
pub mod config;
pub mod l1;
pub mod node;
