//! # quire-chain
//!
//! Quire from L1 data alone, for verifiers and for users leaving in exodus: nothing here
//! talks to the sequencer or trusts the operator.
//!
//! - [`mirror`]: a file ([`store`], SQLite) holding the rollup's events decoded with the
//!   calldata they need ([`events`]: each commit's pubdata, each proof), read in pages of
//!   confirmed blocks through `quire_l1::LogPager`, resumable, rolled back past deep reorgs;
//! - [`view`]: what those events say: tokens, the priority queue, each batch and its stage;
//! - [`rebuild`]: the L2 state replayed from the genesis file and every batch's pubdata
//!   (`quire_core::state::State::replay_batch`), each root checked against L1's.

pub mod error;
pub mod events;
pub mod mirror;
pub mod rebuild;
pub mod store;
pub mod view;

#[cfg(feature = "test-utils")]
pub mod test_utils;

pub use error::ChainError;
pub use events::ChainEvent;
pub use mirror::{deployment_block, Mirror, MirrorConfig, SyncReport};
pub use rebuild::Rebuilt;
pub use view::{BatchRecord, ChainView, L1Stage};
