//! The integration tests of `quire-verifier`, one binary.

mod chain_anvil;
