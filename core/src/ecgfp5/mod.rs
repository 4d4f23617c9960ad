//! EcGFp5, the elliptic curve of T. Pornin, "EcGFp5: a Specialized Elliptic Curve"
//! (eprint 2022/274), natively.
//!
//! - [`Gfp5`]: the field GF(p^5) = GF(p)\[z\]/(z^5 − 3), p the Goldilocks prime (plonky2's
//!   quintic extension, implemented here) with a canonical 40-byte encoding, Legendre
//!   symbol and square root;
//! - [`Scalar`]: integers modulo the 319-bit prime group order n;
//! - [`Point`]: the prime-order group built on y² = x(x² + 2x + 263z), with complete
//!   formulas, scalar multiplication (constant-schedule, a precomputed generator table,
//!   and a variable-time s·G + k·Q for verification) and the canonical encoding
//!   w = 1/u ∈ GF(p^5).
//!
//! Every value that leaves this module has exactly one accepted encoding: field elements
//! reject limbs `>= p`, scalars reject values `>= n`, and [`Point::decode`] rejects every
//! field element that is not the encoding of a group element. Known-answer vectors shared
//! with the in-circuit implementation live in `core/tests/vectors/` (see the README there).
//!
//! Security level: n ≈ 2^319 gives about 159 bits against generic discrete-log attacks;
//! the paper argues that the degree-5 extension resists the known extension-field attacks
//! beyond the 128-bit level.

mod curve;
mod field5;
mod scalar;

pub use curve::Point;
pub use field5::Gfp5;
pub use scalar::Scalar;
