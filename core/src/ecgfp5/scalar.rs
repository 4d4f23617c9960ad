//! Integers modulo n, the prime order of the EcGFp5 group (a 319-bit prime).
//!
//! Representation: five little-endian `u64` limbs, always fully reduced (`< n`).
//! Multiplication is Montgomery multiplication with R = 2^320 followed by a second one
//! against R² mod n to leave the Montgomery domain; a scalar product is not on any hot
//! path (one per signature), so keeping values in normal form everywhere is the simpler
//! and less error-prone choice. Arithmetic is branch-free on secret data.

use core::fmt;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use rand::{CryptoRng, RngCore};

/// The group order n, little-endian 64-bit limbs.
/// n = 1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241
pub(crate) const N: [u64; 5] = [
    0xE80F_D996_948B_FFE1,
    0xE888_5C39_D724_A09C,
    0x7FFF_FFE6_CFB8_0639,
    0x7FFF_FFF1_0000_0016,
    0x7FFF_FFFD_8000_0007,
];

/// −n⁻¹ mod 2^64, for Montgomery reduction.
const N0_INV: u64 = 0xD78B_EF72_057B_7BDF;

/// R² mod n with R = 2^320.
const R2: [u64; 5] = [
    0xA010_01DC_E33D_C739,
    0x6C32_28D3_3F62_ACCF,
    0xD1D7_96CC_91CF_8525,
    0xAADF_FF5D_1574_C1D8,
    0x4ACA_13B2_8CA2_51F5,
];

/// An integer modulo n (the EcGFp5 group order), always in `[0, n)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Scalar([u64; 5]);

/// a + b + carry, returning (sum, carry out).
#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// a − b − borrow, returning (difference, borrow out ∈ {0, 1}).
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub((b as u128) + (borrow as u128));
    (t as u64, ((t >> 64) as u64) & 1)
}

/// a + b over 5 limbs, returning the wrapped sum and the final carry.
#[inline(always)]
fn add5(a: &[u64; 5], b: &[u64; 5]) -> ([u64; 5], u64) {
    let mut r = [0u64; 5];
    let mut carry = 0;
    for i in 0..5 {
        (r[i], carry) = adc(a[i], b[i], carry);
    }
    (r, carry)
}

/// a − b over 5 limbs, returning the wrapped difference and the final borrow.
#[inline(always)]
fn sub5(a: &[u64; 5], b: &[u64; 5]) -> ([u64; 5], u64) {
    let mut r = [0u64; 5];
    let mut borrow = 0;
    for i in 0..5 {
        (r[i], borrow) = sbb(a[i], b[i], borrow);
    }
    (r, borrow)
}

/// Returns `a` if `mask == 0`, `b` if `mask == u64::MAX`, without branching.
#[inline(always)]
fn select5(mask: u64, a: &[u64; 5], b: &[u64; 5]) -> [u64; 5] {
    let mut r = [0u64; 5];
    for i in 0..5 {
        r[i] = a[i] ^ (mask & (a[i] ^ b[i]));
    }
    r
}

/// Given a value `hi·2^320 + a` known to be below 2n, returns it reduced modulo n.
#[inline(always)]
fn reduce_once(a: &[u64; 5], hi: u64) -> [u64; 5] {
    let (d, borrow) = sub5(a, &N);
    // The value is >= n iff the subtraction did not borrow past the extra top bit.
    let ge = (borrow ^ 1) | hi;
    select5(0u64.wrapping_sub(ge & 1), a, &d)
}

/// Montgomery product a·b·2^(−320) mod n, for a, b < n (CIOS method).
fn mont_mul(a: &[u64; 5], b: &[u64; 5]) -> [u64; 5] {
    // t holds a value < 2n (< 2^320) between iterations, plus one limb of headroom.
    let mut t = [0u64; 6];
    for &bi in b.iter() {
        // t += a·bi
        let mut carry = 0u64;
        for j in 0..5 {
            let v = (t[j] as u128) + (a[j] as u128) * (bi as u128) + (carry as u128);
            t[j] = v as u64;
            carry = (v >> 64) as u64;
        }
        let (t5, top) = adc(t[5], carry, 0);
        t[5] = t5;
        // t += m·n with m chosen so that the low limb vanishes, then shift down a limb.
        let m = t[0].wrapping_mul(N0_INV);
        let v = (t[0] as u128) + (m as u128) * (N[0] as u128);
        let mut carry = (v >> 64) as u64;
        for j in 1..5 {
            let v = (t[j] as u128) + (m as u128) * (N[j] as u128) + (carry as u128);
            t[j - 1] = v as u64;
            carry = (v >> 64) as u64;
        }
        let (t4, c) = adc(t[5], carry, 0);
        t[4] = t4;
        t[5] = top + c;
    }
    let lo = [t[0], t[1], t[2], t[3], t[4]];
    reduce_once(&lo, t[5])
}

impl Scalar {
    /// 0.
    pub const ZERO: Self = Self([0; 5]);
    /// 1.
    pub const ONE: Self = Self([1, 0, 0, 0, 0]);

    /// The group order n as little-endian limbs (not itself a valid scalar).
    pub const MODULUS: [u64; 5] = N;

    /// The scalar equal to `v` (every `u64` is below n).
    pub const fn from_u64(v: u64) -> Self {
        Self([v, 0, 0, 0, 0])
    }

    /// The scalar Σ limbs\[i\]·2^(64i) of a 256-bit integer; infallible because
    /// 2^256 < n (used for Schnorr challenges, which are four field elements).
    pub const fn from_u256(limbs: [u64; 4]) -> Self {
        Self([limbs[0], limbs[1], limbs[2], limbs[3], 0])
    }

    /// The scalar with these little-endian limbs, or `None` if the value is `>= n`.
    pub fn from_u64_limbs(limbs: [u64; 5]) -> Option<Self> {
        let (_, borrow) = sub5(&limbs, &N);
        (borrow == 1).then_some(Self(limbs))
    }

    /// The value as little-endian 64-bit limbs.
    pub fn to_u64_limbs(&self) -> [u64; 5] {
        self.0
    }

    /// Whether this is 0.
    pub fn is_zero(&self) -> bool {
        self.0.iter().fold(0, |acc, &l| acc | l) == 0
    }

    /// The 40-byte little-endian encoding.
    pub fn to_bytes(&self) -> [u8; 40] {
        let mut out = [0u8; 40];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        out
    }

    /// Decodes 40 little-endian bytes, rejecting values `>= n` so that each scalar has a
    /// single encoding (signatures must not be malleable).
    pub fn from_bytes_canonical(bytes: &[u8; 40]) -> Option<Self> {
        Self::from_u64_limbs(le_limbs::<5>(bytes))
    }

    /// Interprets 64 bytes as a little-endian 512-bit integer and reduces it modulo n.
    ///
    /// Used for hash-to-scalar (SHA-512 output): the bias of a 512-bit value mod a 319-bit
    /// n is below 2^−190.
    pub fn from_bytes_wide(bytes: &[u8; 64]) -> Self {
        let limbs = le_limbs::<8>(bytes);
        // v = lo + hi·2^320 with lo < 2^320 < 3n and hi < 2^192 < n.
        let lo = [limbs[0], limbs[1], limbs[2], limbs[3], limbs[4]];
        let hi = [limbs[5], limbs[6], limbs[7], 0, 0];
        let lo = reduce_once(&reduce_once(&lo, 0), 0);
        // mont_mul(hi, R²) = hi·R²/R = hi·2^320 mod n.
        let hi = mont_mul(&hi, &R2);
        Self(lo) + Self(hi)
    }

    /// A uniformly random scalar (up to a negligible bias).
    pub fn random<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut b = [0u8; 64];
        rng.fill_bytes(&mut b);
        Self::from_bytes_wide(&b)
    }

    /// Bit `i` of the value (little-endian numbering), for public scalars only.
    pub(crate) fn bit(&self, i: usize) -> u64 {
        if i >= 320 {
            0
        } else {
            (self.0[i / 64] >> (i % 64)) & 1
        }
    }

    /// Signed base-2^5 digits d_0..d_63 with s = Σ d_i·2^(5i), d_i ∈ [−15, 16] for
    /// i < 63 and d_63 ∈ [0, 16].
    ///
    /// A regular (every digit used) recoding for the constant-schedule multiplications:
    /// each window is read, and if it exceeds 16 we subtract 32 and carry one into the
    /// next window. 64 windows cover 320 bits; since s < 2^319 the top window is at
    /// most 15 plus a carry, so it never needs a further carry. Branch-free.
    pub(crate) fn recode_signed5(&self) -> [i8; 64] {
        let mut out = [0i8; 64];
        let mut carry = 0u32;
        for (i, d) in out.iter_mut().enumerate() {
            let bit = 5 * i;
            let limb = bit / 64;
            let off = bit % 64;
            let mut w = self.0[limb] >> off;
            if off > 59 && limb + 1 < 5 {
                w |= self.0[limb + 1] << (64 - off);
            }
            let v = (w as u32 & 31) + carry;
            // c = 1 iff v > 16 (v <= 32 always).
            let c = (16u32.wrapping_sub(v) >> 31) & 1;
            *d = (v as i32 - ((c as i32) << 5)) as i8;
            carry = c;
        }
        debug_assert_eq!(carry, 0);
        out
    }

    /// The width-`w` non-adjacent form: digits that are zero or odd with
    /// |d| < 2^(w−1), at most one nonzero per w consecutive positions, and
    /// s = Σ d_i·2^i. Variable-time: for public scalars (verification) only.
    pub(crate) fn wnaf(&self, w: u32) -> Vec<i8> {
        wnaf_of_limbs(&self.0, w)
    }
}

/// Width-`w` NAF of a little-endian integer (see [`Scalar::wnaf`]).
pub(crate) fn wnaf_of_limbs(limbs: &[u64], w: u32) -> Vec<i8> {
    debug_assert!((2..=8).contains(&w));
    // One extra limb absorbs the carry created by negative digits.
    let mut v: Vec<u64> = limbs.iter().copied().chain(core::iter::once(0)).collect();
    let mut out = Vec::with_capacity(64 * v.len());
    let full = 1i64 << w;
    let half = 1i64 << (w - 1);
    while v.iter().any(|&l| l != 0) {
        let mut d = 0i64;
        if v[0] & 1 == 1 {
            d = (v[0] & (full as u64 - 1)) as i64;
            if d >= half {
                d -= full;
            }
            // v -= d
            if d > 0 {
                let mut borrow = d as u64;
                for l in v.iter_mut() {
                    let (r, b) = l.overflowing_sub(borrow);
                    *l = r;
                    borrow = b as u64;
                    if borrow == 0 {
                        break;
                    }
                }
            } else {
                let mut carry = (-d) as u64;
                for l in v.iter_mut() {
                    let (r, c) = l.overflowing_add(carry);
                    *l = r;
                    carry = c as u64;
                    if carry == 0 {
                        break;
                    }
                }
            }
        }
        out.push(d as i8);
        // v >>= 1
        for i in 0..v.len() {
            let next = if i + 1 < v.len() { v[i + 1] << 63 } else { 0 };
            v[i] = (v[i] >> 1) | next;
        }
    }
    out
}

/// Reads `L` little-endian u64 limbs from `8·L` bytes.
fn le_limbs<const L: usize>(bytes: &[u8]) -> [u64; L] {
    debug_assert_eq!(bytes.len(), 8 * L);
    let mut out = [0u64; L];
    for (limb, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(b);
    }
    out
}

impl Add for Scalar {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        // a + b < 2n < 2^320: the sum plus its carry bit is reduced by one subtraction.
        let (r, carry) = add5(&self.0, &rhs.0);
        Self(reduce_once(&r, carry))
    }
}

impl Sub for Scalar {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        let (d, borrow) = sub5(&self.0, &rhs.0);
        // On borrow, add n back (the wrapped difference + n is the true result).
        let mask = 0u64.wrapping_sub(borrow);
        let (r, _) = add5(&d, &N.map(|l| l & mask));
        Self(r)
    }
}

impl Neg for Scalar {
    type Output = Self;
    fn neg(self) -> Self {
        Self::ZERO - self
    }
}

impl Mul for Scalar {
    type Output = Self;
    fn mul(self, rhs: Self) -> Self {
        // (a·b/R)·R²/R = a·b.
        Self(mont_mul(&mont_mul(&self.0, &rhs.0), &R2))
    }
}

impl AddAssign for Scalar {
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl SubAssign for Scalar {
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl MulAssign for Scalar {
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scalar(0x{})", hex::encode(self.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn big(limbs: &[u64]) -> BigUint {
        let mut b = Vec::new();
        for l in limbs {
            b.extend_from_slice(&l.to_le_bytes());
        }
        BigUint::from_bytes_le(&b)
    }

    fn n() -> BigUint {
        big(&N)
    }

    #[test]
    fn constants() {
        let n = n();
        assert_eq!(
            n.to_string(),
            "1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241"
        );
        let r = BigUint::from(1u8) << 320;
        assert_eq!(big(&R2), (&r * &r) % &n);
        let two64 = BigUint::from(1u8) << 64;
        let n0 = big(&[N0_INV]);
        assert_eq!((&n0 * (&n % &two64)) % &two64, &two64 - 1u8);
    }

    #[test]
    fn arithmetic_matches_bigint() {
        let n = n();
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let mut samples: Vec<Scalar> = (0..40).map(|_| Scalar::random(&mut rng)).collect();
        samples.push(Scalar::ZERO);
        samples.push(Scalar::ONE);
        samples.push(-Scalar::ONE);
        for a in &samples {
            for b in samples.iter().take(8) {
                let (ba, bb) = (big(&a.0), big(&b.0));
                assert_eq!(big(&(*a + *b).0), (&ba + &bb) % &n);
                assert_eq!(big(&(*a - *b).0), (&ba + &n - &bb) % &n);
                assert_eq!(big(&(*a * *b).0), (&ba * &bb) % &n);
            }
        }
    }

    #[test]
    fn recodings_reconstruct() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let n = n();
        let mut samples: Vec<Scalar> = (0..20).map(|_| Scalar::random(&mut rng)).collect();
        samples.push(Scalar::ZERO);
        samples.push(-Scalar::ONE);
        for s in samples {
            let target = num_bigint::BigInt::from(big(&s.0));
            let digits = s.recode_signed5();
            let mut acc = num_bigint::BigInt::from(0);
            for (i, &d) in digits.iter().enumerate().rev() {
                assert!((-15..=16).contains(&d));
                if i == 63 {
                    assert!(d >= 0);
                }
                acc = (acc << 5) + d;
            }
            assert_eq!(acc, target);
            for w in [4u32, 5, 8] {
                let naf = s.wnaf(w);
                let mut acc = num_bigint::BigInt::from(0);
                for &d in naf.iter().rev() {
                    assert!(d == 0 || (d % 2 != 0 && (d as i32).abs() < (1 << (w - 1))));
                    acc = (acc << 1) + d;
                }
                assert_eq!(acc, target);
                assert!(naf.len() <= 320);
            }
        }
        let _ = n;
    }

    #[test]
    fn canonical_and_wide_decoding() {
        let n_bytes = {
            let mut b = [0u8; 40];
            for (c, l) in b.chunks_exact_mut(8).zip(N) {
                c.copy_from_slice(&l.to_le_bytes());
            }
            b
        };
        assert_eq!(Scalar::from_bytes_canonical(&n_bytes), None);
        let mut nm1 = n_bytes;
        nm1[0] -= 1;
        assert_eq!(Scalar::from_bytes_canonical(&nm1), Some(-Scalar::ONE));
        assert_eq!(Scalar::from_bytes_wide(&[0xFF; 64]).to_bytes().len(), 40);
        let mut wide = [0u8; 64];
        wide[..40].copy_from_slice(&n_bytes);
        assert!(Scalar::from_bytes_wide(&wide).is_zero());
    }
}
