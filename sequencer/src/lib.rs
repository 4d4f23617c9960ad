//! # quire-sequencer
//!
//! The operator-facing service that orders and executes Quire's L2 transactions.
//!
//! - [`executor`]: the parallel batch executor over a conflict-free state diff, whose
//!   result equals `quire_core`'s sequential reference transition on every input;
//! - [`workload`]: generators of funded states and transaction batches, shared by the
//!   executor's benchmarks, its property tests and the load generator.
//!
//! - [`api`]: the axum HTTP API; [`mempool`]: nonce queues with bounds; [`batcher`]: closes,
//!   executes and stores batches; [`storage`]: sqlx over SQLite or PostgreSQL; [`node`] and
//!   [`app`]: start-up, recovery and graceful shutdown; [`config`]: file, env and flags.
//!
//! - [`l1`]: with an `[l1]` configuration section, the L1 watcher (deposits and full exits,
//!   exactly once) and the settlement task (commit, execute, batch stages from L1).

pub mod api;
pub mod app;
pub mod batcher;
pub mod config;
pub mod executor;
pub mod l1;
pub mod loadgen;
pub mod mempool;
pub mod node;
pub mod storage;
pub mod workload;
