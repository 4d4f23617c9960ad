//! # quire-l1
//!
//! Everything that talks to Ethereum L1, shared by the sequencer, the prover and the CLI.
//!
//! Planned contents (see `shared/DESIGN.md` and issue #9): ethers bindings generated from
//! the forge artifacts in `contracts/`, deployment of the verifier and the `Rollup`
//! contract, and the L1 client with confirmation-depth handling.
//!
//! Nothing here yet: this crate exists so that the workspace layout is the final one.
