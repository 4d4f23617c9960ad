//! Native affine (x, u) arithmetic on EcGFp5, mirroring the in-circuit formulas step by
//! step (including the intermediate values that become wires), for witness generation.
//!
//! Coordinates: a group element is (x, u) with u = x/y on y² = x(x² + 2x + b), b = 263·z;
//! the neutral is (0, 0). The formulas are quire-core's complete (x, u) formulas
//! (`ecgfp5::curve`) with Z = T = 1, the divisions made explicit:
//!
//! - doubling: s = u², d = 1 − 2(x + 1)s, x' = 4b·s / d², u' = 2u·d / (2 − 4s − d²);
//! - addition: xx = x1·x2, uu = u1·u2, f = xx + b, xz = x1 + x2, h = 2uu(b·xz + f),
//!   x3 = b(xz + 2uu(xz + f)) / (f − h), u3 = (u1 + u2)(b − xx) / (f + h).
//!
//! The formulas are complete on the group: for any two group elements the denominators
//! are nonzero (they are the Z and T coordinates of the projective result, which the
//! native implementation keeps nonzero as an invariant). The functions still return an
//! error instead of dividing by zero, so a bogus witness fails witness generation rather
//! than panicking.

use anyhow::{anyhow, Result};
use quire_core::ecgfp5::{Gfp5, Point};

use crate::gadgets::curve::B1;

/// The curve constant b = 263·z.
pub(crate) const B: Gfp5 = Gfp5::from_canonical_u64s([0, B1, 0, 0, 0]);

/// A group element in affine (x, u) coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Affine {
    /// x.
    pub x: Gfp5,
    /// u = x/y (0 for the neutral).
    pub u: Gfp5,
}

impl Affine {
    /// The neutral element (0, 0).
    pub const NEUTRAL: Self = Self {
        x: Gfp5::ZERO,
        u: Gfp5::ZERO,
    };

    /// The affine coordinates of a quire-core point.
    pub fn from_point(p: &Point) -> Self {
        let (x, u) = p.to_xu();
        Self { x, u }
    }

    /// The canonical encoding w = 1/u (0 for the neutral), as `Point::encode`.
    pub fn encode(&self) -> Gfp5 {
        self.u.inverse_or_zero()
    }

    /// The inverse element (x, −u).
    pub fn neg(&self) -> Self {
        Self {
            x: self.x,
            u: Gfp5::ZERO - self.u,
        }
    }
}

fn div(num: Gfp5, den: Gfp5) -> Result<Gfp5> {
    den.try_inverse()
        .map(|inv| num * inv)
        .ok_or_else(|| anyhow!("zero denominator: an input is not a group element"))
}

/// Intermediate values of a doubling.
pub(crate) struct Doubling {
    pub(crate) s: Gfp5,
    pub(crate) out: Affine,
}

/// 2·p.
pub(crate) fn double(p: &Affine) -> Result<Doubling> {
    let one = Gfp5::ONE;
    let s = p.u * p.u;
    let d = one - (p.x + one).double() * s;
    let d2 = d * d;
    let x = div(B * s.mul_small(4), d2)?;
    let u = div(
        (p.u * d).double(),
        Gfp5::from_canonical_u64s([2, 0, 0, 0, 0]) - s.mul_small(4) - d2,
    )?;
    Ok(Doubling {
        s,
        out: Affine { x, u },
    })
}

/// Intermediate values of an addition.
pub(crate) struct Addition {
    pub(crate) xx: Gfp5,
    pub(crate) uu: Gfp5,
    pub(crate) out: Affine,
}

/// p + q.
pub(crate) fn add(p: &Affine, q: &Affine) -> Result<Addition> {
    let xx = p.x * q.x;
    let uu = p.u * q.u;
    let f = xx + B;
    let xz = p.x + q.x;
    let h = (uu * (B * xz + f)).double();
    let x = div(B * (xz + (uu * (xz + f)).double()), f - h)?;
    let u = div((p.u + q.u) * (B - xx), f + h)?;
    Ok(Addition {
        xx,
        uu,
        out: Affine { x, u },
    })
}

#[cfg(test)]
mod tests {
    use quire_core::ecgfp5::Scalar;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;

    #[test]
    fn affine_formulas_match_quire_core() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let g = Point::GENERATOR;
        let mut points = vec![Point::NEUTRAL, g, g.neg(), g.double()];
        points.extend((0..4).map(|_| Point::mul_generator(&Scalar::random(&mut rng))));
        for p in &points {
            let pa = Affine::from_point(p);
            assert_eq!(
                double(&pa).expect("complete").out,
                Affine::from_point(&p.double())
            );
            assert_eq!(pa.encode(), p.encode());
            for q in &points {
                let qa = Affine::from_point(q);
                let sum = add(&pa, &qa).expect("complete").out;
                assert_eq!(sum, Affine::from_point(&p.add(q)), "{p:?} + {q:?}");
            }
        }
    }
}
