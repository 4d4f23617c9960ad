//! # quire-core
//!
//! The complete domain model of the Quire rollup, shared by every other crate:
//!
//! - [`field`] and [`hash`]: the Goldilocks field and Poseidon, the same functions as
//!   plonky2's (so native code and circuits compute identical values) but implemented here,
//!   so that signing and checking a transaction does not link a proving system;
//! - [`ecgfp5`] and [`schnorr`]: the EcGFp5 curve (Pornin, eprint 2022/274) and Schnorr
//!   signatures over it with a Poseidon challenge;
//! - [`merkle`]: a sparse Merkle tree of any depth with batch updates from a diff;
//! - [`account`], [`token`], [`amm`]: accounts, tokens with their L1 scale, AMM pools;
//! - [`tx`]: transactions, their canonical binary and JSON codecs, signing hash, pubdata;
//! - [`chain`]: the batch shape and the devnet genesis, fixed for a chain's life;
//! - `test_utils` (feature `test-utils`): fixtures for other crates' tests and benches;
//! - `plonky2_interop` (feature `plonky2`): conversions to and from plonky2's types, for
//!   the circuits;
//! - [`state`]: the rollup state and the sequential reference state transition
//!   [`state::State::apply`], against which the parallel executor and the circuits are
//!   checked.

pub mod account;
pub mod amm;
pub mod chain;
pub mod ecgfp5;
pub mod field;
pub mod hash;
pub mod merkle;
#[cfg(feature = "plonky2")]
pub mod plonky2_interop;
pub mod schnorr;
pub mod state;
#[cfg(any(test, feature = "test-utils"))]
pub mod test_utils;
pub mod token;
pub mod tx;
