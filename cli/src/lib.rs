//! # quire-cli
//!
//! The library behind the `quire` command, so that end-to-end tests drive the same code:
//! [`wallet`] (keys, deposits, L2 transactions, withdrawals, exits, claims, status). The
//! devnet is a binary of its own (`quire-devnet`), so that this crate links neither the
//! sequencer nor the prover.

pub mod wallet;
