//! Conversions between Quire's field, extension and digest types and plonky2's, for the
//! circuits (feature `plonky2`).
//!
//! The types are the same mathematical objects with the same limb order; conversions copy
//! canonical limbs, so a value read back from plonky2 is always stored canonically.

use plonky2::field::extension::quintic::QuinticExtension;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field as _, PrimeField64 as _};
use plonky2::hash::hash_types::HashOut;

use crate::ecgfp5::Gfp5;
use crate::field::F;
use crate::hash::Digest;

impl From<F> for GoldilocksField {
    fn from(x: F) -> Self {
        GoldilocksField::from_canonical_u64(x.to_canonical_u64())
    }
}

impl From<GoldilocksField> for F {
    fn from(x: GoldilocksField) -> Self {
        F::from_canonical_u64(x.to_canonical_u64())
    }
}

/// A slice of Quire field elements as plonky2's.
pub fn to_plonky2(xs: &[F]) -> Vec<GoldilocksField> {
    xs.iter().map(|&x| x.into()).collect()
}

/// A slice of plonky2 field elements as Quire's.
pub fn from_plonky2(xs: &[GoldilocksField]) -> Vec<F> {
    xs.iter().map(|&x| x.into()).collect()
}

impl Digest {
    /// As a plonky2 `HashOut`.
    pub fn to_hash_out(&self) -> HashOut<GoldilocksField> {
        HashOut {
            elements: self.0.map(GoldilocksField::from_canonical_u64),
        }
    }

    /// The four limbs as plonky2 field elements.
    pub fn plonky2_elements(&self) -> [GoldilocksField; 4] {
        self.to_hash_out().elements
    }
}

impl From<HashOut<GoldilocksField>> for Digest {
    fn from(h: HashOut<GoldilocksField>) -> Self {
        Digest(h.elements.map(|x| x.to_canonical_u64()))
    }
}

impl From<Gfp5> for QuinticExtension<GoldilocksField> {
    fn from(x: Gfp5) -> Self {
        QuinticExtension(
            x.to_canonical_u64s()
                .map(GoldilocksField::from_canonical_u64),
        )
    }
}

impl From<QuinticExtension<GoldilocksField>> for Gfp5 {
    fn from(x: QuinticExtension<GoldilocksField>) -> Self {
        Gfp5::from_canonical_u64s(x.0.map(|c| c.to_canonical_u64()))
    }
}

/// Core's Poseidon `hash_no_pad` ([`crate::hash::hash_elements`]) on plonky2 elements: the
/// native twin of the circuits' `hash_n_to_hash_no_pad`.
pub fn hash_plonky2(input: &[GoldilocksField]) -> [GoldilocksField; 4] {
    crate::hash::hash_elements(&from_plonky2(input)).plonky2_elements()
}

impl Gfp5 {
    /// The five canonical limbs as plonky2 field elements.
    pub fn plonky2_limbs(&self) -> [GoldilocksField; 5] {
        self.to_canonical_u64s()
            .map(GoldilocksField::from_canonical_u64)
    }

    /// An element from five plonky2 limbs.
    pub fn from_plonky2_limbs(limbs: [GoldilocksField; 5]) -> Self {
        Gfp5::from_canonical_u64s(limbs.map(|c| c.to_canonical_u64()))
    }
}
