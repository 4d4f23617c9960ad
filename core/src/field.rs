//! The Goldilocks field (p = 2^64 − 2^32 + 1), re-exported from plonky2.
//!
//! Quire never implements field arithmetic itself: every value that ends up in a Merkle
//! node, a signing hash or a circuit is a plonky2 `GoldilocksField` element.

pub use plonky2_field::goldilocks_field::GoldilocksField;
pub use plonky2_field::types::{Field, Field64, PrimeField64};

/// The base field of every Quire hash and circuit.
pub type F = GoldilocksField;

/// The Goldilocks modulus p = 2^64 − 2^32 + 1.
pub const GOLDILOCKS_ORDER: u64 = 0xFFFF_FFFF_0000_0001;

/// Converts a `u64` to a field element if it is canonical (`< p`), else `None`.
///
/// Decoders use this so that two byte strings never decode to the same element.
pub fn canonical_from_u64(v: u64) -> Option<F> {
    (v < GOLDILOCKS_ORDER).then(|| F::from_canonical_u64(v))
}
