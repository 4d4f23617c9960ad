//! The wallet commands of `quire`: keys, deposits, L2 transactions, withdrawals, exits,
//! claims and status.
//!
//! Library code, so that the binary and the end-to-end tests run the same paths:
//! - [`keystore`]: named key files (L2 secret, optional L1 key), 0600 in a 0700 directory;
//! - [`amount`]: exact decimal amounts ↔ L1 base units ↔ L2 units (no floats);
//! - [`tokens`]: the registry with each token's decimals;
//! - the sequencer's HTTP API is [`quire_api::Client`], with the server's own types;
//! - [`l2`]: build, sign and submit transfers, swaps, liquidity and withdrawals;
//! - [`l1`]: deposits, full exits, claims on the Rollup contract;
//! - [`exodus`]: the chain read from L1 alone (a `quire_chain` mirror) for exodus;
//! - [`wait`]: following a transaction to soft confirmation, proof and L1 finality.
//!
//! The clap commands and what they print are [`crate::commands`].
//!
//! Errors are [`WalletError`]; [`WalletError::exit_code`] is the CLI's exit status
//! (1 validation, 2 refused by a service, 3 timeout).

pub mod amount;
pub mod error;
pub mod exodus;
pub mod keystore;
pub mod l1;
pub mod l2;
pub mod tokens;
pub mod wait;

pub use error::{WalletError, EXIT_REFUSED, EXIT_TIMEOUT, EXIT_USAGE};
pub use keystore::{Key, Keystore};
pub use l2::Wallet;
pub use wait::{Progress, WaitFor};
