//! The batch circuits: the transaction step ([`step`]), chunks of k steps ([`chunk`]).
//!
//! Planned next (issue #6): binary recursion over chunk proofs, the in-circuit keccak-256
//! pubdata and priority commitments, and the EVM wrapper proof.

pub mod aggregate;
pub mod chunk;
pub mod step;

use plonky2::plonk::config::PoseidonGoldilocksConfig;

/// The configuration of the batch proofs (steps, chunks, aggregation).
pub type C = PoseidonGoldilocksConfig;
