//! # quire-evm-verifier
//!
//! The on-chain verifier of the EVM wrapper proof (issue #7): a generator of Solidity and
//! Yul from the wrapper circuit that `quire-circuits` builds, and the forge fixtures that
//! test what it generates.
//!
//! The verifier is generated for the devnet's wrapper circuit ([`fixtures::target_circuit`]:
//! `BatchShape::DEVNET`, the chain id and pools of `deploy/genesis.example.json`), whose
//! public inputs are D9's 24 (`Rollup.batchPublicInputs`).
//!
//! The compact proof encoding the contract parses is `quire_circuits::calldata` (the
//! prover writes it, the generated contract reads it).
//!
//! - [`transcript`]: plonky2's Fiat–Shamir transcript replayed stage by stage (fixtures);
//! - [`gates`]: the circuit's gates and selectors, and the Yul of each gate's constraints;
//! - [`yul`]: field, extension and extension-algebra helpers shared by the contracts;
//! - [`solidity`]: the Solidity/Yul generator (`quire-prover export-verifier`): QuireVerifier
//!   (parsing, transcript, PoW), QuireGates (vanishing polynomial and quotient at ζ),
//!   QuireFri (FRI);
//! - [`fixtures`]: a real wrapper proof, plonky2's intermediate values and verdicts on altered
//!   proofs, and a proof of another circuit, for the forge tests;
//! - [`test_wrapper`]: that other circuit (Poseidon inner proof verified in a
//!   `KeccakGoldilocksConfig` circuit), also used by the unit tests.

pub mod fixtures;
pub mod gates;
pub mod solidity;
pub mod test_wrapper;
pub mod transcript;
pub mod yul;
