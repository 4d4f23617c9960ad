//! # quire-prover
//!
//! The service that proves every executed Quire batch with plonky2.
//!
//! - [`gadgets`]: EcGFp5 and Schnorr verification as plonky2 builder extensions and custom
//!   gates, checked against `quire_core`'s native implementation on the shared
//!   known-answer vectors (issue #5);
//! - [`stats`]: circuit measurements (`quire-prover circuit-stats`).
//!
//! Planned (see `shared/DESIGN.md`, issues #6 and #7): `witness` (replays a stored batch to
//! produce per-transaction witnesses), `circuits` (the transaction-step circuit, chunk
//! aggregation, binary recursion and the EVM wrapper proof), `worker` (the job loop) and
//! `verifier_gen` (the Solidity verifier generator).

pub mod circuits;
pub mod evm_verifier;
pub mod gadgets;
pub mod service;
pub mod stats;
pub mod witness;
