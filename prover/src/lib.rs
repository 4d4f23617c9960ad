//! # quire-prover
//!
//! The service that proves every executed Quire batch with plonky2.
//!
//! - [`gadgets`]: EcGFp5 and Schnorr verification as plonky2 builder extensions and custom
//!   gates, checked against `quire_core`'s native implementation on the shared
//!   known-answer vectors (issue #5);
//! - [`witness`]: replays a stored batch on its own copy of the state and produces
//!   per-operation witnesses (Merkle paths, values before and after);
//! - [`circuits`]: the transaction-step circuit for every operation kind, chunks of steps,
//!   binary aggregation and the EVM wrapper proof (issue #6);
//! - [`evm_verifier`]: generates the Solidity verifier of the wrapper proof (issue #7);
//! - [`service`]: the job-queue worker behind `quire-prover run`;
//! - [`stats`]: circuit measurements (`quire-prover circuit-stats`).

pub mod circuits;
pub mod evm_verifier;
pub mod gadgets;
pub mod service;
pub mod stats;
pub mod witness;
