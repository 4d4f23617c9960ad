//! The Goldilocks field GF(p), p = 2^64 − 2^32 + 1: the base field of every Quire hash,
//! key and circuit.
//!
//! Quire implements it here rather than taking plonky2's so that the wallet, the
//! sequencer and the executor do not link a proving system to sign or check a
//! transaction (decision D20). The circuits still compute over plonky2's
//! `GoldilocksField`; the two are the same field with the same representation, and
//! `core/tests/it/plonky2_twins.rs` checks every operation against plonky2's.
//!
//! Representation (the trade-off that makes it fast): an element holds *any* `u64`, and its
//! value is that integer mod p. Only 2^32 − 1 integers (p..2^64) have a second
//! representative, so arithmetic never has to canonicalize: it only has to stay below
//! 2^64. Equality, hashing, ordering and every encoding go through
//! [`Goldilocks::to_canonical_u64`].
//!
//! The reductions rest on two identities mod p: 2^64 ≡ 2^32 − 1 (called ε below) and
//! 2^96 ≡ −1.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::iter::{Product, Sum};
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// The Goldilocks modulus p = 2^64 − 2^32 + 1.
pub const GOLDILOCKS_ORDER: u64 = 0xFFFF_FFFF_0000_0001;

/// ε = 2^64 mod p = 2^32 − 1: what a carry out of bit 64 is worth.
const EPSILON: u64 = 0xFFFF_FFFF;

/// An element of GF(p), held as any `u64` congruent to it (see the module notes).
#[derive(Clone, Copy, Default)]
#[repr(transparent)]
pub struct Goldilocks(u64);

/// The base field of every Quire hash and circuit.
pub type F = Goldilocks;

impl Goldilocks {
    /// 0.
    pub const ZERO: Self = Self(0);
    /// 1.
    pub const ONE: Self = Self(1);
    /// 2.
    pub const TWO: Self = Self(2);
    /// −1 = p − 1.
    pub const NEG_ONE: Self = Self(GOLDILOCKS_ORDER - 1);
    /// A generator of the multiplicative group (the same one plonky2 uses).
    pub const MULTIPLICATIVE_GENERATOR: Self = Self(7);
    /// A primitive 2^32-th root of unity: 7^((p − 1)/2^32).
    pub const POWER_OF_TWO_GENERATOR: Self = Self(0x1856_29DC_DA58_878C);

    /// The element `v`, which must be below p (checked in debug builds; decoders that take
    /// untrusted input use [`canonical_from_u64`] instead).
    #[inline]
    pub const fn from_canonical_u64(v: u64) -> Self {
        debug_assert!(v < GOLDILOCKS_ORDER);
        Self(v)
    }

    /// `v mod p`, for any `u64`.
    #[inline]
    pub const fn from_noncanonical_u64(v: u64) -> Self {
        Self(v)
    }

    /// A 32-bit integer (always canonical).
    #[inline]
    pub const fn from_canonical_u32(v: u32) -> Self {
        Self(v as u64)
    }

    /// `v mod p`, for any `u128`.
    #[inline]
    pub fn from_noncanonical_u128(v: u128) -> Self {
        reduce128(v)
    }

    /// The canonical representative, in `[0, p)`.
    #[inline]
    pub const fn to_canonical_u64(self) -> u64 {
        // One conditional subtraction suffices: the stored integer is below 2^64 < 2p.
        if self.0 >= GOLDILOCKS_ORDER {
            self.0 - GOLDILOCKS_ORDER
        } else {
            self.0
        }
    }

    /// The stored integer, which may be ≥ p (for code that reduces later itself).
    #[inline]
    pub const fn to_noncanonical_u64(self) -> u64 {
        self.0
    }

    /// Whether this is 0.
    #[inline]
    pub const fn is_zero(self) -> bool {
        self.to_canonical_u64() == 0
    }

    /// Whether this is 1.
    #[inline]
    pub const fn is_one(self) -> bool {
        self.to_canonical_u64() == 1
    }

    /// 2·self.
    #[inline]
    pub fn double(self) -> Self {
        self + self
    }

    /// self².
    #[inline]
    pub fn square(self) -> Self {
        self * self
    }

    /// self^e, by square-and-multiply (variable time in `e`, which is always public here).
    pub fn exp_u64(self, e: u64) -> Self {
        pow_u64(self, Self::ONE, e, Self::square)
    }

    /// The multiplicative inverse, or `None` for 0 (Fermat: x^(p − 2)).
    pub fn try_inverse(self) -> Option<Self> {
        if self.is_zero() {
            None
        } else {
            Some(self.exp_u64(GOLDILOCKS_ORDER - 2))
        }
    }

    /// The multiplicative inverse; panics on 0, which is a caller bug.
    pub fn inverse(self) -> Self {
        self.try_inverse()
            .expect("the inverse of zero in GF(p) was asked for")
    }

    /// self + c for a canonical `c` (below p), e.g. a round constant: one carry fold
    /// suffices (see [`add_carry_fold`]), half the work of a general addition.
    #[inline]
    pub fn add_canonical_u64(self, c: u64) -> Self {
        debug_assert!(c < GOLDILOCKS_ORDER);
        add_carry_fold(self.0, c)
    }

    /// self + a·b with one reduction: (2^64 − 1) + (2^64 − 1)² < 2^128, so the exact sum
    /// fits a `u128`.
    #[inline]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        reduce128(self.0 as u128 + a.0 as u128 * b.0 as u128)
    }

    /// Reduces `hi·2^128 + lo` mod p, for `hi < 2^31`: the accumulator of a sum of a few
    /// 128-bit products (GF(p^5) multiplication, Poseidon's dense matrix).
    ///
    /// With x = a·2^96 + m·2^64 + l (a = bits 96.., m = bits 64..96, l = bits 0..64):
    /// x ≡ l − a + m·ε, the same two identities as [`reduce128`] with a wider `a`.
    #[inline]
    pub(crate) fn from_u160(lo: u128, hi: u32) -> Self {
        debug_assert!(hi < 1 << 31);
        let a = ((lo >> 96) as u64) | ((hi as u64) << 32);
        let m = (lo >> 64) as u32 as u64;
        let (mut t, borrow) = (lo as u64).overflowing_sub(a);
        if borrow {
            // t = l − a + 2^64 ≥ 2^64 − a > 2^63 > ε, as a < 2^63.
            t = sub_epsilon_cold(t);
        }
        add_carry_fold(t, m * EPSILON)
    }
}

/// An exact sum of up to 2^31 products of two stored integers (each below 2^128): the
/// accumulator of GF(p^5) multiplication and of Poseidon's matrix–vector products, which
/// reduce once per output instead of after every product.
#[derive(Clone, Copy, Default)]
pub(crate) struct Acc160 {
    lo: u128,
    hi: u32,
}

impl Acc160 {
    /// Adds a 128-bit term.
    #[inline(always)]
    pub(crate) fn add(&mut self, x: u128) {
        let (lo, carry) = self.lo.overflowing_add(x);
        self.lo = lo;
        self.hi += carry as u32;
    }

    /// Adds a·b.
    #[inline(always)]
    pub(crate) fn add_product(&mut self, a: Goldilocks, b: Goldilocks) {
        self.add(a.0 as u128 * b.0 as u128);
    }

    /// The sum mod p, in one pass ([`Goldilocks::from_u160`]).
    #[inline(always)]
    pub(crate) fn reduce(self) -> Goldilocks {
        Goldilocks::from_u160(self.lo, self.hi)
    }

    /// The same value as [`Acc160::reduce`], as reduce128(lo) − hi·2^32 (2^128 ≡ −2^32):
    /// measured faster inside the Poseidon permutation (1.23 against 1.42 µs), while the
    /// one-pass form is faster in GF(p^5) multiplication.
    #[inline(always)]
    pub(crate) fn reduce_split(self) -> Goldilocks {
        reduce128(self.lo) - Goldilocks((self.hi as u64) << 32)
    }
}

/// `x mod p` for a 128-bit `x = hi·2^64 + lo`, with `hi = hh·2^32 + hl`:
/// x ≡ lo − hh + hl·ε (2^96 ≡ −1, 2^64 ≡ ε). The result is some representative below 2^64.
#[inline]
fn reduce128(x: u128) -> Goldilocks {
    let lo = x as u64;
    let hi = (x >> 64) as u64;
    let hi_hi = hi >> 32;
    let hi_lo = hi & EPSILON;
    // lo − hh: a borrow means we wrapped by 2^64 ≡ ε too much; subtract it back.
    let (mut t, borrow) = lo.overflowing_sub(hi_hi);
    if borrow {
        // t ≥ 2^64 − 2^32 here (hh < 2^32), so this never wraps again. Rare for products
        // of random elements (lo < hh), so a predicted branch beats a conditional move:
        // the out-of-line call keeps the compiler from turning it into one.
        t = sub_epsilon_cold(t);
    }
    // hl·ε < 2^64: hl < 2^32 and ε < 2^32.
    let u = hi_lo * EPSILON;
    add_carry_fold(t, u)
}

/// The rare correction of the reductions, out of line so that the compiler keeps a
/// well-predicted branch instead of conditional moves on the hot path (measured: a chain
/// of multiplications 12% faster).
#[cold]
#[inline(never)]
fn sub_epsilon_cold(t: u64) -> u64 {
    t.wrapping_sub(EPSILON)
}

/// t + u for u ≤ p (a canonical element, or ε² in [`reduce128`]): a carry out of 2^64 is
/// worth ε, and after a carry the wrapped sum is below u, so adding ε cannot carry again.
#[inline]
fn add_carry_fold(a: u64, b: u64) -> Goldilocks {
    let (sum, carry) = a.overflowing_add(b);
    // 0 or ε without a multiplication: a 32-bit negation of the carry, zero-extended.
    Goldilocks(sum.wrapping_add((carry as u32).wrapping_neg() as u64))
}

impl Add for Goldilocks {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        // A carry is worth ε. The wrapped sum is at most 2^64 − 2, so adding ε can carry
        // once more, and then what is left is below ε: the third step cannot wrap.
        // (Branch-free: a cold branch for the rare second carry measured slower in the
        // curve formulas.)
        let (sum, carry) = self.0.overflowing_add(rhs.0);
        let (sum, carry) = sum.overflowing_add((carry as u32).wrapping_neg() as u64);
        Self(sum.wrapping_add((carry as u32).wrapping_neg() as u64))
    }
}

impl Sub for Goldilocks {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        // A borrow wrapped by +2^64 ≡ +ε too much: subtract ε, twice if that borrows again.
        let (diff, borrow) = self.0.overflowing_sub(rhs.0);
        let (diff, borrow) = diff.overflowing_sub((borrow as u32).wrapping_neg() as u64);
        Self(diff.wrapping_sub((borrow as u32).wrapping_neg() as u64))
    }
}

impl Mul for Goldilocks {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        reduce128(self.0 as u128 * rhs.0 as u128)
    }
}

impl Neg for Goldilocks {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::ZERO - self
    }
}

impl AddAssign for Goldilocks {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl SubAssign for Goldilocks {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl MulAssign for Goldilocks {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl Sum for Goldilocks {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

impl Product for Goldilocks {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |a, b| a * b)
    }
}

impl PartialEq for Goldilocks {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.to_canonical_u64() == other.to_canonical_u64()
    }
}

impl Eq for Goldilocks {}

impl Hash for Goldilocks {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.to_canonical_u64().hash(state);
    }
}

impl PartialOrd for Goldilocks {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Goldilocks {
    /// The order of the canonical integers (for sorted maps, not arithmetic meaning).
    fn cmp(&self, other: &Self) -> Ordering {
        self.to_canonical_u64().cmp(&other.to_canonical_u64())
    }
}

impl fmt::Debug for Goldilocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_canonical_u64(), f)
    }
}

impl fmt::Display for Goldilocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_canonical_u64(), f)
    }
}

/// base^e by square-and-multiply from the least significant bit, for any multiplication
/// (GF(p) and GF(p^5) share it); variable time in `e`, which is always public here.
pub(crate) fn pow_u64<T: Copy + Mul<Output = T>>(
    mut base: T,
    one: T,
    mut e: u64,
    square: impl Fn(T) -> T,
) -> T {
    let mut acc = one;
    while e != 0 {
        if e & 1 == 1 {
            acc = acc * base;
        }
        base = square(base);
        e >>= 1;
    }
    acc
}

/// Converts a `u64` to a field element if it is canonical (`< p`), else `None`.
///
/// Decoders use this so that two byte strings never decode to the same element.
pub fn canonical_from_u64(v: u64) -> Option<F> {
    (v < GOLDILOCKS_ORDER).then(|| F::from_canonical_u64(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference arithmetic on u128 integers.
    fn r(x: u64) -> u128 {
        x as u128 % GOLDILOCKS_ORDER as u128
    }

    /// Edge representatives: around 0, p, 2^32 and 2^64.
    const EDGES: [u64; 12] = [
        0,
        1,
        2,
        EPSILON - 1,
        EPSILON,
        1 << 32,
        GOLDILOCKS_ORDER - 2,
        GOLDILOCKS_ORDER - 1,
        GOLDILOCKS_ORDER,
        GOLDILOCKS_ORDER + 1,
        u64::MAX - 1,
        u64::MAX,
    ];

    #[test]
    fn arithmetic_on_non_canonical_edges_matches_integers() {
        let p = GOLDILOCKS_ORDER as u128;
        for &a in &EDGES {
            for &b in &EDGES {
                let (x, y) = (F::from_noncanonical_u64(a), F::from_noncanonical_u64(b));
                assert_eq!(
                    (x + y).to_canonical_u64() as u128,
                    (r(a) + r(b)) % p,
                    "{a}+{b}"
                );
                assert_eq!(
                    (x - y).to_canonical_u64() as u128,
                    (r(a) + p - r(b)) % p,
                    "{a}-{b}"
                );
                assert_eq!(
                    (x * y).to_canonical_u64() as u128,
                    r(a) * r(b) % p,
                    "{a}*{b}"
                );
            }
        }
    }

    #[test]
    fn u128_and_u160_reduction() {
        let p = GOLDILOCKS_ORDER as u128;
        for v in [0u128, 1, p, p * p, u128::MAX, u128::MAX - 5, (1 << 96) + 7] {
            assert_eq!(
                F::from_noncanonical_u128(v).to_canonical_u64() as u128,
                v % p
            );
        }
        // 2^128 ≡ p − 2^32.
        let two_128 = F::from_u160(0, 1);
        assert_eq!(two_128.to_canonical_u64(), GOLDILOCKS_ORDER - (1 << 32));
        let hi = (1u32 << 31) - 1;
        let big = F::from_u160(u128::MAX, hi);
        let expect = (F::from_noncanonical_u128(u128::MAX) + F::from_canonical_u32(hi) * two_128)
            .to_canonical_u64();
        assert_eq!(big.to_canonical_u64(), expect);
        // The accumulator's two reductions agree.
        let acc = Acc160 {
            lo: u128::MAX - 3,
            hi,
        };
        assert_eq!(acc.reduce(), acc.reduce_split());
        assert_eq!(
            acc.reduce().to_canonical_u64(),
            F::from_u160(u128::MAX - 3, hi).to_canonical_u64()
        );
    }

    #[test]
    fn inverse_and_roots_of_unity() {
        for v in [1u64, 2, 7, GOLDILOCKS_ORDER - 1, 0xDEAD_BEEF_1234] {
            let x = F::from_canonical_u64(v);
            assert_eq!(x * x.inverse(), F::ONE);
        }
        assert_eq!(F::ZERO.try_inverse(), None);
        let g = F::POWER_OF_TWO_GENERATOR;
        assert_eq!(g.exp_u64(1 << 32), F::ONE);
        assert_eq!(g.exp_u64(1 << 31), F::NEG_ONE);
        assert_eq!(
            F::MULTIPLICATIVE_GENERATOR.exp_u64((GOLDILOCKS_ORDER - 1) >> 32),
            g
        );
    }

    #[test]
    fn equality_and_hash_are_canonical() {
        let a = F::from_noncanonical_u64(GOLDILOCKS_ORDER + 3);
        let b = F::from_canonical_u64(3);
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), "3");
        assert!(F::NEG_ONE > b);
    }
}
