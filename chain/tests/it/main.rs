//! The integration tests of `quire-chain`, one binary.

mod mirror_anvil;
