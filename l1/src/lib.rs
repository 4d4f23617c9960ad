//! # quire-l1
//!
//! Everything that talks to Ethereum L1, shared by the sequencer, the prover and the CLI:
//!
//! - [`bindings`]: ethers bindings generated (`abigen!`) from the forge artifacts of
//!   `contracts/`, committed under `l1/abi/` and checked for staleness by `tests/abi_fresh.rs`;
//! - [`mod@deploy`]: deployment of the verifier and `Rollup` to any RPC, token registration, and
//!   the [`deploy::Deployment`] file services read (also the `quire-l1-deploy` binary);
//! - [`log_pages`]: the rollup's logs in reorg-checked pages of confirmed blocks, the one
//!   reader of L1 history;
//! - [`watcher`]: priority operations (deposits, full exits) from confirmed blocks, resumable
//!   from a cursor, reorg-checked;
//! - [`committer`]: `commitBatch` / `proveBatch` / `executeBatch` with nonce management and
//!   fee bumping of stuck transactions;
//! - [`user`]: what a wallet does on L1 (deposits, full-exit requests, claims);
//! - [`flood`]: what forcing exodus by flooding the priority queue costs (the fee and deadline
//!   defaults of production deployments);
//! - [`tokens`]: the tokens the contract has registered (it may register more at any time);
//! - [`client`]: an HTTP provider with a local signing key;
//! - [`anvil`]: a local L1 for the devnet and tests;
//! - `test_chain` (feature `test-doubles`): anvil with the test doubles and the rollup
//!   deployed, the common starting point of every L1 test.
//!
//! When a contract in `contracts/src` changes, run `l1/abi/update.sh` and commit the new
//! copies under `l1/abi/`; `cargo test -p quire-l1 --test it abi_fresh` fails until then.
//!
//! The verifier the rollup is bound to is a deployment parameter ([`VerifierChoice`]): the
//! generated plonky2 verifier `contracts/src/verifier/QuireVerifier.sol` (which accepts
//! exactly the proofs of the wrapper circuit it was generated from), or an existing address.
//! The forge test double `TestBatchVerifier` is bound only behind the `test-doubles` feature,
//! for tests and never for deployments.

pub mod anvil;
pub mod artifacts;
pub mod bindings;
pub mod client;
pub mod committer;
pub mod convert;
pub mod deploy;
pub mod error;
pub mod flood;
pub mod gas;
pub mod log_pages;
pub mod tokens;
pub mod types;
pub mod user;
pub mod watcher;

#[cfg(feature = "test-doubles")]
pub mod test_chain;

pub use client::{connect, L1Client, Secret};
pub use committer::{BatchAction, Committer, CommitterConfig, SentTx, Settled};
pub use deploy::{deploy, DeployConfig, DeployedToken, Deployment, VerifierChoice};
pub use error::L1Error;
pub use log_pages::{BlockRef, LogPage, LogPager, PageCursor};
pub use types::{
    payout_pages, BatchHeader, CommittedBatch, PayoutPage, StoredBatch, PAYOUTS_PER_PAGE,
    PAYOUT_BYTES,
};
pub use watcher::{
    committed_batch_in, rollup_status, CheckedBatch, L1Watcher, RollupStatus, WatchPoll, WatchedOp,
    WatcherConfig, WatcherCursor,
};

/// The JSON-RPC chain id anvil uses by default (the devnet's L1).
pub const ANVIL_CHAIN_ID: u64 = 31337;
