//! # quire-circuits
//!
//! Every plonky2 circuit of a Quire batch proof, and the native code each one is checked
//! against. No I/O: the prover service (`quire-prover`) feeds it batches from its job queue,
//! the Solidity generator (`quire-evm-verifier`) reads the wrapper circuit it builds.
//!
//! - [`gadgets`]: EcGFp5 and Schnorr verification as builder extensions and custom gates,
//!   each checked against `quire_core`'s native twin;
//! - [`witness`]: replays a batch on its own copy of the state and produces one
//!   [`witness::StepWitness`] per operation (Merkle paths, values before and after);
//! - [`step`]: the transaction step of every operation kind, with the AMM's integer
//!   arithmetic in [`bigint`]; [`chunk`]: k steps in one proof;
//! - [`aggregate`]: binary aggregation of chunk proofs, the batch node and the EVM wrapper,
//!   on [`recursion`]'s node over two proofs of one child;
//! - [`commitment`]: D9's keccak commitments over the step records, on the [`keccak`]
//!   gadget;
//! - [`pipeline`]: the circuits of one chain and [`BatchShape`] built together, and the
//!   order their proofs are made in;
//! - [`calldata`]: the wrapper proof's encoding in `Rollup.proveBatch` calldata;
//! - [`config`]: every circuit's `CircuitConfig`; [`shape`]: [`BatchShape`];
//! - [`stats`]: circuit measurements (`quire-prover circuit-stats`).
//!
//! A batch of one [`BatchShape`] is proven as `2^levels` chunk proofs, aggregated pairwise,
//! plus `2^segment_levels` commitment segment proofs, aggregated pairwise under one
//! commitment root; the batch node checks the top chunk aggregate and the root and exposes
//! D9's 24 public inputs, which the wrapper re-exposes for L1.

pub mod aggregate;
pub mod bigint;
pub mod calldata;
pub mod chunk;
pub mod commitment;
pub mod config;
pub mod gadgets;
pub mod keccak;
pub mod pipeline;
pub mod recursion;
pub mod shape;
pub mod stats;
pub mod step;
pub mod witness;

pub use config::C;
pub use pipeline::{BatchCircuits, NoHooks, PipelineError, PipelineHooks};
pub use shape::{batch_public_inputs, BatchShape};
