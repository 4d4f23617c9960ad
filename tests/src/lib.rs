//! # quire-e2e
//!
//! End-to-end tests of the whole system: anvil as L1, the deployed contracts, the
//! sequencer and the prover, driven through the wallet CLI and HTTP API (issue #9).
//!
//! Nothing here yet: this crate exists so that the workspace layout is the final one.
