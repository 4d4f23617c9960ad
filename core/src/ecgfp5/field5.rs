//! GF(p^5) = GF(p)\[z\]/(z^5 − 3), the base field of EcGFp5.
//!
//! The same field as plonky2's `QuinticExtension<GoldilocksField>` (plonky2's
//! `Extendable<5>` for Goldilocks uses W = 3, and the limbs are in the same order), so
//! the circuits' gadgets and this code agree limb for limb; `core/tests/it/plonky2_twins.rs`
//! checks each operation against plonky2's. Implemented here (decision D20) with:
//! - multiplication and squaring that sum exact 128-bit products per output limb and
//!   reduce once (25 and 15 products);
//! - the Frobenius map as a limb-wise scaling by powers of ω = 3^((p−1)/5);
//! - inversion through the norm (one base-field inversion).
//!
//! On top of it, what the curve needs: a canonical byte encoding, the Legendre symbol and
//! square roots.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use rand::Rng;

use crate::field::{Acc160, F, GOLDILOCKS_ORDER};

/// An element of GF(p^5), p = 2^64 − 2^32 + 1, written c0 + c1·z + … + c4·z^4 with
/// z^5 = 3.
///
/// Limbs may hold non-canonical representatives (see [`crate::field`]); equality,
/// hashing, `Debug` and the encoding are defined on canonical limbs.
#[derive(Clone, Copy, Default)]
pub struct Gfp5([F; 5]);

/// (p + 1) / 2, the inverse of 2 in GF(p).
const HALF: u64 = 0x7FFF_FFFF_8000_0001;

/// ω^i for ω = 3^((p−1)/5), a primitive fifth root of unity: the Frobenius map sends z^i to
/// z^(i·p) = z^i·(z^5)^(i·(p−1)/5) = ω^i·z^i.
const OMEGA_POWERS: [F; 5] = [
    F::from_canonical_u64(1),
    F::from_canonical_u64(0x0E73_6627_A0AE_B983),
    F::from_canonical_u64(0xDB8E_DC80_2DC0_B266),
    F::from_canonical_u64(0x02EF_B5C2_A6F3_5241),
    F::from_canonical_u64(0x130E_0794_8A9D_41D6),
];

/// Exact sum of products of pairs of base-field elements, reduced once.
#[inline(always)]
fn dot<const N: usize>(pairs: [(F, F); N]) -> F {
    let mut acc = Acc160::default();
    for (a, b) in pairs {
        acc.add_product(a, b);
    }
    acc.reduce()
}

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
        Self([
            F::from_canonical_u64(c[0]),
            F::from_canonical_u64(c[1]),
            F::from_canonical_u64(c[2]),
            F::from_canonical_u64(c[3]),
            F::from_canonical_u64(c[4]),
        ])
    }

    /// Builds an element from its five coefficients.
    pub const fn from_limbs(limbs: [F; 5]) -> Self {
        Self(limbs)
    }

    /// The embedding of a base-field element.
    pub const fn from_base(c: F) -> Self {
        Self([c, F::ZERO, F::ZERO, F::ZERO, F::ZERO])
    }

    /// The five coefficients, each normalized to its canonical representative (hashing and
    /// circuits must see the canonical value).
    pub fn limbs(&self) -> [F; 5] {
        self.to_canonical_u64s().map(F::from_canonical_u64)
    }

    /// `a` if `mask == 0` and `b` if `mask == u64::MAX`, limb by limb without branching
    /// on the mask (constant-time table lookups).
    #[inline(always)]
    pub(crate) fn select(mask: u64, a: &Self, b: &Self) -> Self {
        let mut r = a.0;
        for (x, y) in r.iter_mut().zip(&b.0) {
            let (xv, yv) = (x.to_noncanonical_u64(), y.to_noncanonical_u64());
            *x = F::from_noncanonical_u64(xv ^ (mask & (xv ^ yv)));
        }
        Self(r)
    }

    /// The five coefficients as canonical integers in `[0, p)`.
    pub fn to_canonical_u64s(&self) -> [u64; 5] {
        self.0.map(|c| c.to_canonical_u64())
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
        self.0.iter().all(|c| c.is_zero())
    }

    /// self², with the 10 cross products doubled: 15 products instead of 25.
    ///
    /// With z^5 = 3: c0 = a0² + 6(a1a4 + a2a3), c1 = 2a0a1 + 6a2a4 + 3a3²,
    /// c2 = 2a0a2 + a1² + 6a3a4, c3 = 2(a0a3 + a1a2) + 3a4², c4 = 2(a0a4 + a1a3) + a2².
    pub fn square(&self) -> Self {
        let [a0, a1, a2, a3, a4] = self.0;
        let d0 = a0.double();
        let d1 = a1.double();
        let t3 = a3.double() + a3;
        let t4 = a4.double() + a4;
        let s1 = d1.double() + d1;
        let s2 = (a2.double() + a2).double();
        let s3 = t3.double();
        Self([
            dot([(a0, a0), (s1, a4), (s2, a3)]),
            dot([(d0, a1), (s2, a4), (t3, a3)]),
            dot([(d0, a2), (a1, a1), (s3, a4)]),
            dot([(d0, a3), (d1, a2), (t4, a4)]),
            dot([(d0, a4), (d1, a3), (a2, a2)]),
        ])
    }

    /// 2·self.
    pub fn double(&self) -> Self {
        *self + *self
    }

    /// self / 2.
    pub fn half(&self) -> Self {
        self.mul_base(F::from_canonical_u64(HALF))
    }

    /// Multiplication by a base-field element (five base multiplications).
    pub fn mul_base(&self, k: F) -> Self {
        Self(self.0.map(|c| c * k))
    }

    /// Multiplication by a small integer constant.
    pub fn mul_small(&self, k: u64) -> Self {
        self.mul_base(F::from_noncanonical_u64(k))
    }

    /// Multiplication by z: (c0, …, c4) ↦ (3·c4, c0, c1, c2, c3). Free apart from one
    /// base multiplication, which is why the curve constant b = 263·z is cheap.
    pub fn mul_z(&self) -> Self {
        let [c0, c1, c2, c3, c4] = self.0;
        Self([c4.double() + c4, c0, c1, c2, c3])
    }

    /// The multiplicative inverse, or `None` for zero: x^(−1) = x^(r−1) / N(x), with
    /// x^(r−1) from three Frobenius maps (see [`Gfp5::norm`]) and one inversion in GF(p).
    pub fn try_inverse(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        let f = self.norm_cofactor();
        let n = (*self * f).0[0];
        Some(f.mul_base(n.try_inverse()?))
    }

    /// The multiplicative inverse, with 0 ↦ 0 (handy for encodings, where the neutral
    /// point's u = 0 must encode to w = 0).
    pub fn inverse_or_zero(&self) -> Self {
        self.try_inverse().unwrap_or(Self::ZERO)
    }

    /// self^e for a 64-bit exponent (variable time in `e`, which is always public).
    pub fn exp_u64(&self, e: u64) -> Self {
        crate::field::pow_u64(*self, Self::ONE, e, |x| x.square())
    }

    /// x^(p^k), the k-th power of the Frobenius automorphism: limb i times ω^(i·k).
    fn frobenius(&self, k: usize) -> Self {
        Self(core::array::from_fn(|i| {
            self.0[i] * OMEGA_POWERS[(i * k) % 5]
        }))
    }

    /// x^(r−1) = x^(p+p²+p³+p⁴) for r = 1 + p + … + p⁴, by Itoh–Tsujii: d = x^p,
    /// e = d·d^p = x^(p+p²), e·e^(p²) = x^(p+p²+p³+p⁴).
    fn norm_cofactor(&self) -> Self {
        let d = self.frobenius(1);
        let e = d * d.frobenius(1);
        e * e.frobenius(2)
    }

    /// The norm N(x) = x^(1 + p + p² + p³ + p⁴), an element of GF(p).
    ///
    /// With r = 1 + p + … + p⁴ we have p^5 − 1 = (p − 1)·r, so x^r is fixed by the
    /// Frobenius and lies in GF(p).
    pub fn norm(&self) -> F {
        let n = *self * self.norm_cofactor();
        debug_assert!(n.0[1..].iter().all(|c| c.is_zero()));
        n.0[0]
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
        debug_assert!(g.0[1..].iter().all(|c| c.is_zero()));
        let s = sqrt_base(g.0[0])?;
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
        // Base-field equality is canonical.
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

impl Add for Gfp5 {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Self(core::array::from_fn(|i| self.0[i] + rhs.0[i]))
    }
}

impl Sub for Gfp5 {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        Self(core::array::from_fn(|i| self.0[i] - rhs.0[i]))
    }
}

impl Mul for Gfp5 {
    type Output = Self;
    /// Schoolbook with z^5 = 3: c_k = Σ_{i+j=k} a_i·b_j + Σ_{i+j=k+5} a_i·(3·b_j), each
    /// limb an exact sum of five 128-bit products reduced once.
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        let [a0, a1, a2, a3, a4] = self.0;
        let [b0, b1, b2, b3, b4] = rhs.0;
        let [t1, t2, t3, t4] = [b1, b2, b3, b4].map(|b| b.double() + b);
        Self([
            dot([(a0, b0), (a1, t4), (a2, t3), (a3, t2), (a4, t1)]),
            dot([(a0, b1), (a1, b0), (a2, t4), (a3, t3), (a4, t2)]),
            dot([(a0, b2), (a1, b1), (a2, b0), (a3, t4), (a4, t3)]),
            dot([(a0, b3), (a1, b2), (a2, b1), (a3, b0), (a4, t4)]),
            dot([(a0, b4), (a1, b3), (a2, b2), (a3, b1), (a4, b0)]),
        ])
    }
}

impl Neg for Gfp5 {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self(self.0.map(|c| -c))
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
            F::from_noncanonical_u64(GOLDILOCKS_ORDER + 5),
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

    #[test]
    fn square_and_frobenius_agree_with_their_definitions() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        for _ in 0..32 {
            let x = Gfp5::random(&mut rng);
            assert_eq!(x.square(), x * x);
            // The Frobenius is x ↦ x^p, and five of them are the identity.
            assert_eq!(x.frobenius(1), x.exp_u64(GOLDILOCKS_ORDER));
            assert_eq!(x.frobenius(5), x);
            assert_eq!(x.frobenius(2), x.frobenius(1).frobenius(1));
        }
        let max = Gfp5::from_limbs([F::from_noncanonical_u64(u64::MAX); 5]);
        assert_eq!(max.square(), max * max);
        assert_eq!(OMEGA_POWERS[1].exp_u64(5), F::ONE);
        assert_ne!(OMEGA_POWERS[1], F::ONE);
    }
}
