//! # quire-cli
//!
//! The library behind the `quire` command, so that end-to-end tests drive the same code:
//! [`wallet`] (keys, deposits, L2 transactions, withdrawals, exits, claims, status) and
//! [`devnet`] (anvil + contracts + sequencer + prover in one process tree).

pub mod devnet;
pub mod wallet;
