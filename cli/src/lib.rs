//! # quire-cli
//!
//! The library behind the `quire` command, so that end-to-end tests drive the same code:
//! [`wallet`] (keys, deposits, L2 transactions, withdrawals, exits, claims, status) and
//! [`commands`] (the clap commands over it and what they print; the binary only parses).
//! The devnet is a binary of its own (`quire-devnet`), so that this crate links neither the
//! sequencer nor the prover.

pub mod commands;
pub mod wallet;
