//! GF(p^5) = GF(p)\[z\]/(z^5 − 3), the base field of EcGFp5.
//!
//! The arithmetic itself (addition, the delayed-reduction multiplication, inversion) is
//! plonky2's `QuinticExtension<GoldilocksField>`, which is exactly this field: plonky2's
//! `Extendable<5>` for Goldilocks uses W = 3. Reusing it means the native code and any
//! plonky2 gadget share one definition of the field. This module adds what the curve needs
//! on top: a canonical byte encoding, the Legendre symbol and square roots.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use plonky2_field::extension::quintic::QuinticExtension;
use plonky2_field::extension::Frobenius;
use plonky2_field::goldilocks_field::GoldilocksField;
use plonky2_field::ops::Square;
use plonky2_field::types::{Field, PrimeField64};
use rand::Rng;

use crate::field::{F, GOLDILOCKS_ORDER};

/// An element of GF(p^5), p = 2^64 − 2^32 + 1, written c0 + c1·z + … + c4·z^4 with
/// z^5 = 3.
///
/// A newtype rather than an alias so that the encoding and square-root methods can be
/// inherent (no extension trait to import) and so that equality, hashing and `Debug` are
/// defined on canonical limbs.
#[derive(Clone, Copy, Default)]
pub struct Gfp5(pub QuinticExtension<F>);

/// (p + 1) / 2, the inverse of 2 in GF(p).
const HALF: u64 = 0x7FFF_FFFF_8000_0001;

impl Gfp5 {
    /// The additive identity.
    pub const ZERO: Self = Self::from_canonical_u64s([0; 5]);
    /// The multiplicative identity.
    pub const ONE: Self = Self::from_canonical_u64s([1, 0, 0, 0, 0]);

    /// Builds an element from five canonical coefficients (little-endian in z).
    ///
    /// `const` so that curve constants can be written down; panics (at compile time for
    /// constants) if a coefficient is not below p.
    pub const fn from_canonical_u64s(c: [u64; 5]) -> Self {
        let mut i = 0;
        while i < 5 {
            assert!(c[i] < GOLDILOCKS_ORDER, "non-canonical GF(p) limb");
            i += 1;
        }
        Self(QuinticExtension([
            GoldilocksField(c[0]),
            GoldilocksField(c[1]),
            GoldilocksField(c[2]),
            GoldilocksField(c[3]),
            GoldilocksField(c[4]),
        ]))
    }

    /// Builds an element from its five coefficients.
    pub fn from_limbs(limbs: [F; 5]) -> Self {
        Self(QuinticExtension(limbs))
    }

    /// The embedding of a base-field element.
    pub fn from_base(c: F) -> Self {
        Self(QuinticExtension([c, F::ZERO, F::ZERO, F::ZERO, F::ZERO]))
    }

    /// The five coefficients, each normalized to its canonical representative.
    ///
    /// plonky2 lets a `GoldilocksField` hold a non-reduced `u64`; hashing and circuits
    /// must see the canonical value, so this normalizes.
    pub fn limbs(&self) -> [F; 5] {
        self.to_canonical_u64s().map(F::from_canonical_u64)
    }

    /// The five coefficients as canonical integers in `[0, p)`.
    pub fn to_canonical_u64s(&self) -> [u64; 5] {
        self.0 .0.map(|c| c.to_canonical_u64())
    }

    /// The canonical 40-byte encoding: five little-endian `u64` limbs, each `< p`,
    /// constant term first.
    pub fn to_bytes(&self) -> [u8; 40] {
        let mut out = [0u8; 40];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(self.to_canonical_u64s()) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        out
    }

    /// Decodes the 40-byte encoding, returning `None` unless every limb is `< p`, so
    /// that each element has exactly one accepted encoding.
    pub fn from_bytes(bytes: &[u8; 40]) -> Option<Self> {
        let mut limbs = [0u64; 5];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *limb = u64::from_le_bytes(b);
            if *limb >= GOLDILOCKS_ORDER {
                return None;
            }
        }
        Some(Self::from_canonical_u64s(limbs))
    }

    /// A uniformly random element.
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut c = [0u64; 5];
        for limb in c.iter_mut() {
            *limb = rng.gen_range(0..GOLDILOCKS_ORDER);
        }
        Self::from_canonical_u64s(c)
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == QuinticExtension::ZERO
    }

    /// self².
    pub fn square(&self) -> Self {
        // plonky2's squaring is the generic one, while its multiplication has a
        // Goldilocks-specific delayed-reduction kernel; the latter is faster.
        Self(self.0 * self.0)
    }

    /// 2·self.
    pub fn double(&self) -> Self {
        Self(self.0 + self.0)
    }

    /// self / 2.
    pub fn half(&self) -> Self {
        self.mul_base(F::from_canonical_u64(HALF))
    }

    /// Multiplication by a base-field element (five base multiplications).
    pub fn mul_base(&self, k: F) -> Self {
        Self(QuinticExtension(self.0 .0.map(|c| c * k)))
    }

    /// Multiplication by a small integer constant.
    pub fn mul_small(&self, k: u64) -> Self {
        self.mul_base(F::from_noncanonical_u64(k))
    }

    /// Multiplication by z: (c0, …, c4) ↦ (3·c4, c0, c1, c2, c3). Free apart from one
    /// base multiplication, which is why the curve constant b = 263·z is cheap.
    pub fn mul_z(&self) -> Self {
        let [c0, c1, c2, c3, c4] = self.0 .0;
        Self(QuinticExtension([
            c4 * F::from_canonical_u64(3),
            c0,
            c1,
            c2,
            c3,
        ]))
    }

    /// The multiplicative inverse, or `None` for zero.
    pub fn try_inverse(&self) -> Option<Self> {
        self.0.try_inverse().map(Self)
    }

    /// The multiplicative inverse, with 0 ↦ 0 (handy for encodings, where the neutral
    /// point's u = 0 must encode to w = 0).
    pub fn inverse_or_zero(&self) -> Self {
        self.try_inverse().unwrap_or(Self::ZERO)
    }

    /// self^e for a 64-bit exponent.
    pub fn exp_u64(&self, e: u64) -> Self {
        Self(self.0.exp_u64(e))
    }

    /// x^(p^k), the k-th power of the Frobenius automorphism.
    fn frobenius(&self, k: usize) -> Self {
        Self(self.0.repeated_frobenius(k))
    }

    /// The norm N(x) = x^(1 + p + p² + p³ + p⁴), an element of GF(p).
    ///
    /// With r = 1 + p + … + p⁴ we have p^5 − 1 = (p − 1)·r, so x^r is fixed by the
    /// Frobenius and lies in GF(p). x^(r−1) = x^(p+p²+p³+p⁴) takes two multiplications
    /// and three Frobenius maps (Itoh–Tsujii): d = x^p, e = d·d^p = x^(p+p²),
    /// e·e^(p²) = x^(p+p²+p³+p⁴).
    pub fn norm(&self) -> F {
        let d = self.frobenius(1);
        let e = d * d.frobenius(1);
        let f = e * e.frobenius(2);
        let n = *self * f;
        debug_assert!(n.0 .0[1..].iter().all(|c| c.is_zero()));
        n.0 .0[0]
    }

    /// The Legendre symbol x^((p^5−1)/2): 0 for zero, 1 for a nonzero square, −1 for a
    /// non-square.
    ///
    /// Since (p^5 − 1)/2 = r·(p − 1)/2, this is the Legendre symbol of the norm in GF(p),
    /// which is far cheaper than a 320-bit exponentiation.
    pub fn legendre(&self) -> i8 {
        legendre_base(self.norm())
    }

    /// Whether this is a square (zero included).
    pub fn is_square(&self) -> bool {
        self.legendre() >= 0
    }

    /// A square root, or `None` if this is not a square. Which of the two roots is
    /// returned is unspecified; callers that need a particular one must normalize.
    ///
    /// Method: with r as in [`Gfp5::norm`], x = x^r / x^(r−1), and r − 1 is even, so
    /// √x = √(x^r) / x^((r−1)/2) where x^r ∈ GF(p) needs only a base-field square root.
    /// (r − 1)/2 = p·(1 + p²)·(p + 1)/2, hence x^((r−1)/2) = φ(d·φ²(d)) with
    /// d = x^((p+1)/2) and φ the Frobenius.
    pub fn sqrt(&self) -> Option<Self> {
        if self.is_zero() {
            return Some(Self::ZERO);
        }
        let d = self.exp_u64(HALF);
        let e = (d * d.frobenius(2)).frobenius(1); // x^((r-1)/2)
        let g = *self * e.square(); // x^r, in GF(p)
        debug_assert!(g.0 .0[1..].iter().all(|c| c.is_zero()));
        let s = sqrt_base(g.0 .0[0])?;
        // e != 0 because x != 0.
        Some(e.inverse_or_zero().mul_base(s))
    }
}

/// The Legendre symbol in GF(p) by Euler's criterion.
fn legendre_base(x: F) -> i8 {
    let t = x.exp_u64((GOLDILOCKS_ORDER - 1) / 2);
    if t.is_zero() {
        0
    } else if t.is_one() {
        1
    } else {
        -1
    }
}

/// Square root in GF(p) by Tonelli–Shanks (p − 1 = 2^32·q, q = 2^32 − 1), or `None` for
/// a non-square. Variable-time: only ever applied to public data (point decoding).
fn sqrt_base(x: F) -> Option<F> {
    const Q: u64 = (1 << 32) - 1;
    if x.is_zero() {
        return Some(F::ZERO);
    }
    // c: a primitive 2^32-th root of unity; invariants: r² = x·t, t^(2^(m−1)) = ±1.
    let mut m = 32u32;
    let mut c = F::POWER_OF_TWO_GENERATOR;
    let mut t = x.exp_u64(Q);
    let mut r = x.exp_u64(Q.div_ceil(2));
    while !t.is_one() {
        // Least i with t^(2^i) = 1.
        let mut i = 0u32;
        let mut t2 = t;
        while !t2.is_one() {
            t2 = t2.square();
            i += 1;
            if i == m {
                // t has order 2^m: x^((p−1)/2) = −1, not a square.
                return None;
            }
        }
        let mut b = c;
        for _ in 0..(m - i - 1) {
            b = b.square();
        }
        m = i;
        c = b.square();
        t *= c;
        r *= b;
    }
    Some(r)
}

impl PartialEq for Gfp5 {
    fn eq(&self, other: &Self) -> bool {
        // QuinticExtension's equality compares GoldilocksField values, which compare
        // canonically.
        self.0 == other.0
    }
}

impl Eq for Gfp5 {}

impl Hash for Gfp5 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.to_canonical_u64s().hash(state);
    }
}

impl fmt::Debug for Gfp5 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gfp5({:?})", self.to_canonical_u64s())
    }
}

impl fmt::Display for Gfp5 {
    /// The canonical encoding as `0x`-prefixed hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.to_bytes()))
    }
}

impl From<QuinticExtension<F>> for Gfp5 {
    fn from(x: QuinticExtension<F>) -> Self {
        Self(x)
    }
}

impl From<Gfp5> for QuinticExtension<F> {
    fn from(x: Gfp5) -> Self {
        x.0
    }
}

impl Add for Gfp5 {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl Sub for Gfp5 {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        Self(self.0 - rhs.0)
    }
}

impl Mul for Gfp5 {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        Self(self.0 * rhs.0)
    }
}

impl Neg for Gfp5 {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self(-self.0)
    }
}

impl AddAssign for Gfp5 {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl SubAssign for Gfp5 {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl MulAssign for Gfp5 {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn base_sqrt_and_legendre() {
        for v in [0u64, 1, 2, 3, 4, 7, 9, GOLDILOCKS_ORDER - 1, 1 << 40] {
            let x = F::from_canonical_u64(v);
            let l = legendre_base(x);
            match sqrt_base(x) {
                Some(r) => {
                    assert_eq!(r * r, x);
                    assert!(l >= 0);
                }
                None => assert_eq!(l, -1),
            }
        }
        // 7 generates GF(p)*, so it is not a square.
        assert_eq!(legendre_base(F::from_canonical_u64(7)), -1);
    }

    #[test]
    fn sqrt_and_inverse_random() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut squares = 0;
        for _ in 0..64 {
            let x = Gfp5::random(&mut rng);
            let sq = x.square();
            assert_eq!(sq.legendre(), 1);
            let r = sq.sqrt().expect("a square has a root");
            assert_eq!(r.square(), sq);
            assert_eq!(x * x.try_inverse().expect("nonzero"), Gfp5::ONE);
            match x.sqrt() {
                Some(r) => {
                    squares += 1;
                    assert_eq!(r.square(), x);
                    assert_eq!(x.legendre(), 1);
                }
                None => assert_eq!(x.legendre(), -1),
            }
        }
        assert!(squares > 10 && squares < 54);
        assert_eq!(Gfp5::ZERO.legendre(), 0);
        assert_eq!(Gfp5::ZERO.sqrt(), Some(Gfp5::ZERO));
    }

    #[test]
    fn encoding_is_canonical() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let x = Gfp5::random(&mut rng);
        assert_eq!(Gfp5::from_bytes(&x.to_bytes()), Some(x));
        let mut b = [0u8; 40];
        b[..8].copy_from_slice(&GOLDILOCKS_ORDER.to_le_bytes());
        assert_eq!(Gfp5::from_bytes(&b), None);
        // A non-reduced internal limb still encodes canonically.
        let y = Gfp5::from_limbs([
            GoldilocksField(GOLDILOCKS_ORDER + 5),
            F::ZERO,
            F::ZERO,
            F::ZERO,
            F::ZERO,
        ]);
        assert_eq!(y, Gfp5::from_canonical_u64s([5, 0, 0, 0, 0]));
        assert_eq!(y.to_bytes()[0], 5);
    }

    #[test]
    fn mul_z_matches_multiplication() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let x = Gfp5::random(&mut rng);
        let z = Gfp5::from_canonical_u64s([0, 1, 0, 0, 0]);
        assert_eq!(x.mul_z(), x * z);
        assert_eq!(x.half().double(), x);
    }
}
