//! The integration tests of `quire-cli`, in one test binary (one link instead of one per
//! file):
//! - [`wallet_l2`]: keys on disk and the L2 commands against the real sequencer, in-process;
//! - [`wallet_l1`]: the L1 commands against anvil with the contracts deployed.
//!
//! Run one part with `cargo test -p quire-cli --test it wallet_l1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod wallet_l1;
mod wallet_l2;
