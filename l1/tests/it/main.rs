//! The integration tests of `quire-l1`, one binary: ABI freshness, the deploy binary, and the
//! client against the contracts on anvil.

mod abi_fresh;
mod common;
mod deploy_bin;
mod l1_anvil;
