//! # quire-e2e
//!
//! End-to-end tests of the whole system (issue #9): anvil as L1, the deployed contracts
//! (with the real generated `QuireVerifier`), the sequencer and the prover, started by the
//! same library code as `quire-devnet` (`quire_devnet`) and driven through the
//! sequencer's HTTP API (`quire_api::Client`) and L1 (`quire_l1::user`).
//!
//! The tests live in `tests/tests/it/` (one binary); run them with `cargo test -p quire-e2e` (they need the
//! L1 toolchain: `scripts/install-l1-toolchain.sh`). Long runs: build with
//! `cargo test -p quire-e2e --no-run` and run the printed binary.
