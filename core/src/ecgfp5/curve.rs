//! The EcGFp5 group: elements, the group law, scalar multiplication, encoding.
//!
//! Curve E: y² = x(x² + a·x + b) over GF(p^5), a = 2, b = 263·z, of order 2n. EcGFp5 is
//! the group G = { P + N : n·P = 0 } where N = (0, 0) is the point of order 2, with law
//! P ⊕ Q = P + Q + N (whose neutral is N). G has prime order n, every element has affine
//! coordinates (the neutral is N itself), and an element has a unique encoding as one
//! field element.
//!
//! Coordinates: as recommended by the paper we use (x, u) with u = x/y (u = 0 for N),
//! stored as fractions x = X/Z, u = U/T. With a = 2 the complete addition formulas of
//! Pornin's "Double-odd elliptic curves" (eprint 2020/1558) simplify (α = 2, β = 0), and
//! cost 10M; doubling costs 4M+5S; adding a point given in affine (x, u) costs 8M.
//! Complete means no input needs special-casing: the neutral, P + P and P + (−P) all go
//! through the same formulas.
//!
//! Encoding: w = 1/u = y/x, with the neutral encoded as w = 0.

use core::fmt;
use core::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};
use std::sync::OnceLock;

use super::field5::Gfp5;
use super::scalar::Scalar;

/// The curve constant b = 263·z; we only ever multiply by it, via [`mul_b`].
const B1: u64 = 263;

/// b·v = 263·z·v.
#[inline(always)]
fn mul_b(v: Gfp5) -> Gfp5 {
    v.mul_z().mul_small(B1)
}

/// An element of the EcGFp5 group, in fractional (x, u) coordinates.
///
/// Invariants: Z ≠ 0 and T ≠ 0, x = X/Z and u = U/T are the coordinates of a group
/// element. Equality compares group elements, not representations.
#[derive(Clone, Copy)]
pub struct Point {
    x: Gfp5,
    z: Gfp5,
    u: Gfp5,
    t: Gfp5,
}

/// An element in affine (x, u) coordinates, for precomputed tables (mixed addition saves
/// two multiplications). The neutral is (0, 0), which the complete formulas accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Affine {
    x: Gfp5,
    u: Gfp5,
}

impl Affine {
    const NEUTRAL: Self = Self {
        x: Gfp5::ZERO,
        u: Gfp5::ZERO,
    };

    fn neg(&self) -> Self {
        Self {
            x: self.x,
            u: -self.u,
        }
    }
}

/// Width of the signed windows in the constant-schedule multiplications.
const WINDOW: usize = 5;
/// Number of nonzero digit magnitudes in a signed 5-bit window (1..=16).
const WIN_SIZE: usize = 1 << (WINDOW - 1);
/// wNAF width for the precomputed generator tables in verification.
const GEN_WNAF_WIDTH: u32 = 8;
/// wNAF width for the variable point in verification (8 odd multiples, converted to
/// affine with one inversion).
const VAR_WNAF_WIDTH: u32 = 5;
/// The scalar split point for the generator in [`Point::mul_add_generator_vartime`]:
/// s = s_lo + 2^SPLIT·s_hi, so that both halves fit the doubling chain of a 256-bit
/// challenge.
const SPLIT: usize = 256;

impl Point {
    /// The neutral element (the curve point N = (0, 0); encoding w = 0).
    pub const NEUTRAL: Self = Self {
        x: Gfp5::ZERO,
        z: Gfp5::ONE,
        u: Gfp5::ZERO,
        t: Gfp5::ONE,
    };

    /// The conventional generator: the element whose encoding is w = 4 (so u = 1/4),
    /// as fixed by Pornin's reference implementation. x is the non-square root of
    /// x² − (w² − a)·x + b = 0; both facts are checked by the tests and by the
    /// independent Python implementation in `core/tests/vectors/`.
    pub const GENERATOR: Self = Self {
        x: Gfp5::from_canonical_u64s([
            12883135586176881569,
            4356519642755055268,
            5248930565894896907,
            2165973894480315022,
            2448410071095648785,
        ]),
        z: Gfp5::ONE,
        u: Gfp5::ONE,
        t: Gfp5::from_canonical_u64s([4, 0, 0, 0, 0]),
    };

    /// The conventional generator (same as [`Point::GENERATOR`]).
    pub fn generator() -> Self {
        Self::GENERATOR
    }

    /// Whether this is the neutral element (u = 0).
    pub fn is_neutral(&self) -> bool {
        self.u.is_zero()
    }

    /// The affine coordinates (x, u) of this element on y² = x(x² + 2x + 263z), with
    /// u = x/y; the neutral is (0, 0). Costs one inversion. Useful to build witnesses for
    /// circuits that work in affine coordinates.
    pub fn to_xu(&self) -> (Gfp5, Gfp5) {
        let inv_zt = (self.z * self.t).inverse_or_zero();
        (self.x * self.t * inv_zt, self.u * self.z * inv_zt)
    }

    /// The encoding w = 1/u = T/U, or 0 for the neutral.
    pub fn encode(&self) -> Gfp5 {
        self.t * self.u.inverse_or_zero()
    }

    /// Decodes an encoding, returning `None` if `w` encodes no group element.
    ///
    /// w = y/x turns the curve equation into x² − (w² − a)·x + b = 0. For w ≠ 0 this has
    /// roots iff Δ = (w² − a)² − 4b is a square; the two roots multiply to b, which is
    /// not a square, so exactly one root is a non-square, and that one is the x of the
    /// element of G (the other root belongs to a point of n-torsion). w = 0 is the
    /// neutral. Every field element thus decodes to at most one element, and
    /// [`Point::encode`] inverts this exactly.
    pub fn decode(w: &Gfp5) -> Option<Self> {
        if w.is_zero() {
            return Some(Self::NEUTRAL);
        }
        let e = w.square() - Gfp5::from_canonical_u64s([2, 0, 0, 0, 0]);
        let delta = e.square() - mul_b(Gfp5::from_canonical_u64s([4, 0, 0, 0, 0]));
        let r = delta.sqrt()?;
        let x1 = (e + r).half();
        let x2 = (e - r).half();
        let x = if x1.legendre() < 0 { x1 } else { x2 };
        Some(Self {
            x,
            z: Gfp5::ONE,
            u: Gfp5::ONE,
            t: *w,
        })
    }

    /// The group law, by the complete formulas.
    ///
    /// With xx = X1X2, zz = Z1Z2, uu = U1U2, tt = T1T2, xz = X1Z2 + X2Z1,
    /// ut = U1T2 + U2T1, f = xx + b·zz, g = tt·f, h = 2·uu·(b·xz + f),
    /// k = (tt + 2·uu)·(xz + f):
    /// X3 = b·(k − g), Z3 = g − h, U3 = ut·(b·zz − xx), T3 = g + h.
    pub fn add(&self, rhs: &Point) -> Point {
        let xx = self.x * rhs.x;
        let zz = self.z * rhs.z;
        let uu = self.u * rhs.u;
        let tt = self.t * rhs.t;
        // Karatsuba-style cross terms: one multiplication each instead of two.
        let xz = (self.x + self.z) * (rhs.x + rhs.z) - xx - zz;
        let ut = (self.u + self.t) * (rhs.u + rhs.t) - uu - tt;
        self.finish_add(xx, zz, uu, tt, xz, ut)
    }

    /// Mixed addition with an affine point (Z2 = T2 = 1): 8M.
    fn add_affine(&self, rhs: &Affine) -> Point {
        let xx = self.x * rhs.x;
        let uu = self.u * rhs.u;
        let xz = self.x + rhs.x * self.z;
        let ut = self.u + rhs.u * self.t;
        self.finish_add(xx, self.z, uu, self.t, xz, ut)
    }

    /// The part of the addition formulas common to the general and mixed cases.
    #[inline(always)]
    fn finish_add(&self, xx: Gfp5, zz: Gfp5, uu: Gfp5, tt: Gfp5, xz: Gfp5, ut: Gfp5) -> Point {
        let bzz = mul_b(zz);
        let f = xx + bzz;
        let g = tt * f;
        let h = uu * (mul_b(xz) + f).double();
        let k = (tt + uu.double()) * (xz + f);
        Point {
            x: mul_b(k - g),
            z: g - h,
            u: ut * (bzz - xx),
            t: g + h,
        }
    }

    /// 2·self (4M + 5S).
    ///
    /// With c = Z·T·U, d = Z·T² − 2·(X + Z)·U²:
    /// X' = 4b·c², Z' = d², U' = 2·c·d, T' = 2·(Z·T²)² − 4·c² − d².
    /// (In affine terms: x' = 4b·u² / (1 − 2(x + 1)u²)², the x of 2P + N.)
    pub fn double(&self) -> Point {
        let zt = self.z * self.t;
        let c = zt * self.u;
        let zt2 = zt * self.t;
        let d = zt2 - (self.x + self.z).double() * self.u.square();
        let c2 = c.square();
        let d2 = d.square();
        Point {
            x: mul_b(c2).mul_small(4),
            z: d2,
            u: (c + d).square() - c2 - d2,
            t: zt2.square().double() - c2.mul_small(4) - d2,
        }
    }

    /// 2^k·self, cheaper than k calls to [`Point::double`] for k ≥ 2: about
    /// 2M + 5S per doubling instead of 4M + 5S.
    ///
    /// Between the first and the last doubling the point is kept in Jacobian-like
    /// coordinates (X, W, Z) with x = X/Z², u = Z/W. There, using the curve equation
    /// x = u²(x² + 2x + b), i.e. X·W² = X² + 2X·Z² + b·Z⁴, a doubling is
    /// Z' = 2ZW·(W² − 2X − 2Z²), X' = 16b·Z⁴W⁴, W' = W⁴ + (4b − 4)·Z⁴.
    /// The first doubling lands in these coordinates (it is [`Point::double`] with
    /// Z' = U, W' = T and X' = x·Z'²), and the last one returns to fractional form with
    /// M = 2ZW, D = W² − 2X − 2Z²: (b·M² : D² : M·D : 2W²(W² − 2Z²) − D²).
    pub fn double_n(&self, k: usize) -> Point {
        if k < 2 {
            return if k == 0 { *self } else { self.double() };
        }
        // First doubling (see `double`), expressed as (X, W, Z).
        let zt = self.z * self.t;
        let c = zt * self.u;
        let zt2 = zt * self.t;
        let d = zt2 - (self.x + self.z).double() * self.u.square();
        let c2 = c.square();
        let d2 = d.square();
        let mut zj = (c + d).square() - c2 - d2; // 2cd
        let mut wj = zt2.square().double() - c2.mul_small(4) - d2;
        let mut xj = mul_b(c2.square()).mul_small(16); // x·Z² = 4b·c²/d² · 4c²d²
        for _ in 2..k {
            let z2 = zj.square();
            let z4 = z2.square();
            let w2 = wj.square();
            let w4 = w2.square();
            let zw2 = (wj + zj).square() - z2 - w2; // 2ZW
            zj = zw2 * (w2 - (xj + z2).double());
            xj = mul_b(z4 * w4).mul_small(16);
            wj = w4 + (mul_b(z4) - z4).mul_small(4);
        }
        // Last doubling, back to (X : Z : U : T).
        let w2 = wj.square();
        let z2 = zj.square();
        let m = (wj + zj).square() - w2 - z2; // 2ZW
        let dd = w2 - (xj + z2).double();
        let dd2 = dd.square();
        Point {
            x: mul_b(m.square()),
            z: dd2,
            u: m * dd,
            t: (w2 * (w2 - z2.double())).double() - dd2,
        }
    }

    /// The inverse element: (x, u) ↦ (x, −u).
    pub fn neg(&self) -> Point {
        Point {
            u: -self.u,
            ..*self
        }
    }

    /// s·self.
    ///
    /// Fixed schedule (64 signed 5-bit windows: 319 doublings and 64 additions whatever
    /// the scalar) with table lookups that read every entry, so that the sequence of
    /// operations does not depend on the scalar. Constant-time on a best-effort basis:
    /// the code avoids secret-dependent branches and indices, but the compiler is not
    /// prevented from reintroducing them, and this has not been audited.
    pub fn mul(&self, s: &Scalar) -> Point {
        // table[j] = (j + 1)·self, normalized to affine with a single inversion.
        let mut proj = [Self::NEUTRAL; WIN_SIZE];
        proj[0] = *self;
        for j in 1..WIN_SIZE {
            proj[j] = if j % 2 == 1 {
                proj[j / 2].double()
            } else {
                proj[j - 1].add(self)
            };
        }
        let table = batch_to_affine(&proj);
        let digits = s.recode_signed5();
        let mut acc = Self::NEUTRAL.add_affine(&lookup_ct(&table, digits[63]));
        for &d in digits[..63].iter().rev() {
            acc = acc.double_n(WINDOW);
            acc = acc.add_affine(&lookup_ct(&table, d));
        }
        acc
    }

    /// s·G using a precomputed table (computed on first use, then shared).
    ///
    /// The table holds j·2^(5i)·G for every window i < 64 and j = 1..=16, so the product
    /// is a sum of 64 table points (one per signed digit) with no doubling at all. Same
    /// constant-schedule and best-effort constant-time lookups as [`Point::mul`]; this is
    /// what key generation and signing use.
    pub fn mul_generator(s: &Scalar) -> Point {
        let tables = &gen_tables().comb;
        let digits = s.recode_signed5();
        let mut acc = Self::NEUTRAL;
        for (table, &d) in tables.iter().zip(digits.iter()) {
            acc = acc.add_affine(&lookup_ct(table, d));
        }
        acc
    }

    /// s·G + k·q, in variable time (public inputs only: signature verification).
    ///
    /// One shared doubling chain (Straus–Shamir) over wNAF digits: s is split as
    /// s_lo + 2^256·s_hi, each half against a precomputed odd-multiple table (of G and of
    /// 2^256·G, width 8), and k against a width-5 table of q built on the fly. For a
    /// 256-bit k (a Schnorr challenge) this is about 256 doublings and 75 additions.
    pub fn mul_add_generator_vartime(s: &Scalar, k: &Scalar, q: &Point) -> Point {
        let tabs = gen_tables();
        let limbs = s.to_u64_limbs();
        let s_lo = super::scalar::wnaf_of_limbs(&limbs[..SPLIT / 64], GEN_WNAF_WIDTH);
        let s_hi = super::scalar::wnaf_of_limbs(&limbs[SPLIT / 64..], GEN_WNAF_WIDTH);
        let k_naf = k.wnaf(VAR_WNAF_WIDTH);

        // Odd multiples q, 3q, …, 15q in affine coordinates.
        let mut proj = [Self::NEUTRAL; 1 << (VAR_WNAF_WIDTH - 2)];
        proj[0] = *q;
        let q2 = q.double();
        for j in 1..proj.len() {
            proj[j] = proj[j - 1].add(&q2);
        }
        let q_tab = batch_to_affine(&proj);

        let len = s_lo.len().max(s_hi.len()).max(k_naf.len());
        let mut acc = Self::NEUTRAL;
        // Doublings owed to `acc`, applied in one run before the next addition (runs are
        // cheaper, see `double_n`); none are owed while `acc` is still the neutral.
        let mut pending = 0usize;
        let mut started = false;
        for i in (0..len).rev() {
            for (naf, tab) in [
                (&s_lo, &tabs.odd_g[..]),
                (&s_hi, &tabs.odd_g_hi[..]),
                (&k_naf, &q_tab[..]),
            ] {
                let d = naf.get(i).copied().unwrap_or(0);
                if d != 0 {
                    acc = acc
                        .double_n(pending)
                        .add_affine(&lookup_odd_vartime(tab, d));
                    pending = 0;
                    started = true;
                }
            }
            if started {
                pending += 1;
            }
        }
        // The loop counted one doubling too many: the last position needs none.
        acc.double_n(pending.saturating_sub(1))
    }

    /// Variable-time s·self by plain double-and-add, for tests and cross-checks that
    /// want an algorithm independent of the windowed ones.
    #[doc(hidden)]
    pub fn mul_double_and_add_vartime(&self, s: &Scalar) -> Point {
        let mut acc = Self::NEUTRAL;
        for i in (0..320).rev() {
            acc = acc.double();
            if s.bit(i) == 1 {
                acc = acc.add(self);
            }
        }
        acc
    }
}

/// Converts points to affine (x, u) with one field inversion for the whole batch
/// (Montgomery's trick: invert the product of all Z and T, then peel off each factor).
fn batch_to_affine(points: &[Point]) -> Vec<Affine> {
    // prefix[i] = product of the denominators before denominator i.
    let dens: Vec<Gfp5> = points.iter().flat_map(|p| [p.z, p.t]).collect();
    let mut prefix = Vec::with_capacity(dens.len());
    let mut acc = Gfp5::ONE;
    for d in &dens {
        prefix.push(acc);
        acc *= *d;
    }
    // Valid points have nonzero Z and T, so the product is invertible.
    let mut inv = acc.inverse_or_zero();
    let mut inv_dens = vec![Gfp5::ZERO; dens.len()];
    for i in (0..dens.len()).rev() {
        inv_dens[i] = inv * prefix[i];
        inv *= dens[i];
    }
    points
        .iter()
        .enumerate()
        .map(|(i, p)| Affine {
            x: p.x * inv_dens[2 * i],
            u: p.u * inv_dens[2 * i + 1],
        })
        .collect()
}

/// d·P from a table of j·P (j = 1..=16) for a signed digit d ∈ [−16, 16], reading every
/// entry and selecting with masks rather than indexing by the secret digit.
fn lookup_ct(table: &[Affine], d: i8) -> Affine {
    let sign = ((d as i32) >> 31) as u32; // all ones if d < 0
    let mag = ((d as i32 as u32 ^ sign).wrapping_sub(sign)) as u64; // |d|
    let mut r = Affine::NEUTRAL;
    for (j, entry) in table.iter().enumerate() {
        // mask = all ones iff mag == j + 1.
        let diff = mag ^ (j as u64 + 1);
        let mask = ((diff | diff.wrapping_neg()) >> 63).wrapping_sub(1);
        r.x = Gfp5::select(mask, &r.x, &entry.x);
        r.u = Gfp5::select(mask, &r.u, &entry.u);
    }
    let neg_u = -r.u;
    r.u = Gfp5::select(0u64.wrapping_sub((sign & 1) as u64), &r.u, &neg_u);
    r
}

/// d·P from a table of odd multiples (P, 3P, 5P, …) for an odd signed digit d.
fn lookup_odd_vartime(table: &[Affine], d: i8) -> Affine {
    let entry = table[(d.unsigned_abs() as usize) / 2];
    if d < 0 {
        entry.neg()
    } else {
        entry
    }
}

/// Precomputed multiples of the generator, shared by the whole process.
struct GenTables {
    /// comb[i][j] = (j + 1)·2^(5i)·G, for [`Point::mul_generator`].
    comb: Vec<Vec<Affine>>,
    /// odd_g[j] = (2j + 1)·G, for j < 2^(GEN_WNAF_WIDTH − 2).
    odd_g: Vec<Affine>,
    /// odd_g_hi[j] = (2j + 1)·2^256·G.
    odd_g_hi: Vec<Affine>,
}

fn gen_tables() -> &'static GenTables {
    static TABLES: OnceLock<GenTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let odd = |base: Point| -> Vec<Point> {
            let two = base.double();
            let mut v = vec![base];
            for _ in 1..(1usize << (GEN_WNAF_WIDTH - 2)) {
                let next = v[v.len() - 1].add(&two);
                v.push(next);
            }
            v
        };
        let mut all = Vec::with_capacity(64 * WIN_SIZE + 2 * (1 << (GEN_WNAF_WIDTH - 2)));
        let mut base = Point::GENERATOR;
        for _ in 0..64 {
            let start = all.len();
            all.push(base);
            for j in 1..WIN_SIZE {
                let next = all[start + j - 1].add(&base);
                all.push(next);
            }
            base = base.double_n(WINDOW);
        }
        all.extend(odd(Point::GENERATOR));
        all.extend(odd(Point::GENERATOR.double_n(SPLIT)));
        let affine = batch_to_affine(&all);
        let comb_len = 64 * WIN_SIZE;
        let odd_len = 1 << (GEN_WNAF_WIDTH - 2);
        GenTables {
            comb: affine[..comb_len]
                .chunks(WIN_SIZE)
                .map(|c| c.to_vec())
                .collect(),
            odd_g: affine[comb_len..comb_len + odd_len].to_vec(),
            odd_g_hi: affine[comb_len + odd_len..].to_vec(),
        }
    })
}

impl PartialEq for Point {
    /// Group-element equality: u determines the element (w = 1/u is an injective
    /// encoding), so compare U1/T1 with U2/T2 by cross-multiplying.
    fn eq(&self, other: &Self) -> bool {
        self.u * other.t == other.u * self.t
    }
}

impl Eq for Point {}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Point(w = {})", self.encode())
    }
}

impl Default for Point {
    fn default() -> Self {
        Self::NEUTRAL
    }
}

// Operators are implemented on references only: by-value operator impls would shadow the
// inherent `&self` methods of the same name (`add`, `neg`, `mul`) in method-call syntax
// wherever `core::ops` traits are in scope.

impl Add<&Point> for &Point {
    type Output = Point;
    fn add(self, rhs: &Point) -> Point {
        Point::add(self, rhs)
    }
}

impl Sub<&Point> for &Point {
    type Output = Point;
    fn sub(self, rhs: &Point) -> Point {
        Point::add(self, &Point::neg(rhs))
    }
}

impl AddAssign<&Point> for Point {
    fn add_assign(&mut self, rhs: &Point) {
        *self = Point::add(self, rhs);
    }
}

impl SubAssign<&Point> for Point {
    fn sub_assign(&mut self, rhs: &Point) {
        *self = Point::add(self, &Point::neg(rhs));
    }
}

impl Neg for &Point {
    type Output = Point;
    fn neg(self) -> Point {
        Point::neg(self)
    }
}

impl Mul<&Scalar> for &Point {
    type Output = Point;
    fn mul(self, rhs: &Scalar) -> Point {
        Point::mul(self, rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn generator_decodes_from_four() {
        let w = Gfp5::from_canonical_u64s([4, 0, 0, 0, 0]);
        let g = Point::decode(&w).expect("4 is a valid encoding");
        assert_eq!(g, Point::GENERATOR);
        // Same x too, not only the same u.
        assert_eq!(g.x * Point::GENERATOR.z, Point::GENERATOR.x * g.z);
        assert_eq!(Point::GENERATOR.encode(), w);
    }

    #[test]
    fn neutral_behaviour() {
        let g = Point::GENERATOR;
        assert!(Point::NEUTRAL.is_neutral());
        assert_eq!(g.add(&Point::NEUTRAL), g);
        assert_eq!(Point::NEUTRAL.add(&g), g);
        assert!(g.add(&g.neg()).is_neutral());
        assert!(Point::NEUTRAL.double().is_neutral());
        assert_eq!(Point::NEUTRAL.encode(), Gfp5::ZERO);
        assert_eq!(Point::decode(&Gfp5::ZERO), Some(Point::NEUTRAL));
        assert_eq!(g.double(), g.add(&g));
    }

    #[test]
    fn scalar_multiplications_agree() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let g = Point::GENERATOR;
        let mut scalars: Vec<Scalar> = (0..6).map(|_| Scalar::random(&mut rng)).collect();
        scalars.extend([Scalar::ZERO, Scalar::ONE, Scalar::from_u64(2), -Scalar::ONE]);
        for s in &scalars {
            let reference = g.mul_double_and_add_vartime(s);
            assert_eq!(g.mul(s), reference);
            assert_eq!(Point::mul_generator(s), reference);
            let q = Point::mul_generator(&Scalar::random(&mut rng));
            let k = Scalar::random(&mut rng);
            assert_eq!(
                Point::mul_add_generator_vartime(s, &k, &q),
                reference.add(&q.mul_double_and_add_vartime(&k))
            );
        }
        // n·G = 0: (n − 1)·G + G.
        assert!(g.mul(&-Scalar::ONE).add(&g).is_neutral());
    }

    #[test]
    fn double_n_matches_repeated_doubling() {
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let points = [
            Point::NEUTRAL,
            Point::GENERATOR,
            Point::mul_generator(&Scalar::random(&mut rng)),
            Point::mul_generator(&Scalar::random(&mut rng)).double(),
        ];
        for p in points {
            let mut expected = p;
            for k in 0..9 {
                let got = p.double_n(k);
                assert_eq!(got, expected, "k = {k}");
                // Same x, and a valid representation (decodes back to itself).
                assert_eq!(got.to_xu(), expected.to_xu());
                assert_eq!(Point::decode(&got.encode()), Some(got));
                expected = expected.double();
            }
        }
    }

    #[test]
    fn affine_mixed_addition_matches() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let p = Point::mul_generator(&Scalar::random(&mut rng));
        let q = Point::mul_generator(&Scalar::random(&mut rng)).double();
        let qa = batch_to_affine(&[q])[0];
        assert_eq!(p.add_affine(&qa), p.add(&q));
        assert_eq!(p.add_affine(&Affine::NEUTRAL), p);
        assert!(p.add_affine(&batch_to_affine(&[p.neg()])[0]).is_neutral());
    }
}
