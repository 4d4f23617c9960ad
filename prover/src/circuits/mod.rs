//! The batch circuits: the transaction step of every operation kind ([`step`], with the
//! AMM's integer arithmetic in [`bigint`]), chunks of k steps ([`chunk`]), binary
//! aggregation and the EVM wrapper ([`aggregate`]), and a keccak-256 gadget ([`keccak`]).
//!
//! Not yet wired: the keccak-256 pubdata and priority commitments of decision D9 (the
//! chunks still expose an interim Poseidon digest of the pubdata; see `prover/README.md`).

pub mod aggregate;
pub mod bigint;
pub mod chunk;
pub mod keccak;
pub mod step;

use plonky2::plonk::config::PoseidonGoldilocksConfig;

/// The configuration of the batch proofs (steps, chunks, aggregation).
pub type C = PoseidonGoldilocksConfig;
