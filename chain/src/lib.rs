//! # quire-chain
//!
//! Quire from L1 data alone, for verifiers and for users leaving in exodus: nothing here
//! talks to the sequencer or trusts the operator.
//!
//! - [`mirror`]: a file ([`store`], SQLite) holding the rollup's events decoded with the
//!   calldata they need ([`events`]: each commit's pubdata, each proof), read in pages of
//!   confirmed blocks through `quire_l1::LogPager`, resumable, rolled back past deep reorgs;
//! - [`source`]: the flags naming a rollup, shared by `quire exodus` and `quire-verifier`;
//! - [`view`]: what those events say: tokens, the priority queue, each batch and its stage;
//! - [`rebuild`]: the L2 state replayed from the genesis file and every batch's pubdata
//!   (`quire_core::state::State::replay_batch`), each root checked against L1's;
//! - [`exodus`]: the queue's status, reclaimable deposits, and each account's exits with
//!   their proofs (pool shares paid out of their pool's settled reserves).

pub mod error;
pub mod events;
pub mod exodus;
pub mod mirror;
pub mod rebuild;
pub mod source;
pub mod store;
pub mod view;

#[cfg(feature = "test-utils")]
pub mod test_utils;

pub use error::ChainError;
pub use events::ChainEvent;
pub use exodus::{plan_exit, reclaimable_deposits, ExitError, ExitPlan, QueueStatus, ShareExit};
pub use mirror::{deployment_block, Mirror, MirrorConfig, SyncReport};
pub use rebuild::Rebuilt;
pub use source::{ChainArgs, ChainSource, FlagError};
pub use view::{BatchRecord, ChainView, L1Stage};
