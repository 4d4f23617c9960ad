//! The on-chain verifier of the EVM wrapper proof (issue #7).
//!
//! - [`test_wrapper`]: a stand-in wrapper circuit (Poseidon inner proof verified in a
//!   `KeccakGoldilocksConfig` circuit) until issue #6 delivers the real one;
//! - [`layout`]: the compact proof encoding the contract parses;
//! - [`transcript`]: plonky2's Fiat–Shamir transcript replayed stage by stage (fixtures);
//! - [`solidity`]: the Solidity/Yul generator (`quire-prover export-verifier`);
//! - [`fixtures`]: proofs, altered proofs and intermediate values for the forge tests.

pub mod fixtures;
pub mod gates;
pub mod layout;
pub mod solidity;
pub mod test_wrapper;
pub mod transcript;
pub mod yul;
