//! EcGFp5 point gadgets: [`PointTarget`] and [`CircuitBuilderCurve`].
//!
//! Points are kept in affine (x, u) coordinates, u = x/y on y² = x(x² + 2x + 263·z), the
//! neutral being (0, 0) — the coordinates of quire-core's `Point::to_xu`. The group law
//! is quire-core's complete formulas with Z = T = 1; a division becomes a witnessed
//! quotient and one multiplication (see [`crate::gadgets::native`] for the formulas).
//! Because the formulas are complete on the group, [`CircuitBuilderCurve::curve_add`] and
//! [`CircuitBuilderCurve::curve_double`] need no special cases: adding the neutral, P + P
//! and P + (−P) go through the same constraints, whose denominators are nonzero for every
//! pair of group elements.
//!
//! A `PointTarget` is only meaningful if it holds a group element. Every constructor here
//! guarantees that: [`CircuitBuilderCurve::decode_point`] checks the encoding,
//! constants are group elements, and the group law maps group elements to group
//! elements. There is deliberately no "virtual point" constructor.

use anyhow::{anyhow, Result};
use plonky2::field::types::Field;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness};
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult};
use quire_core::ecgfp5::Point;

use super::gfp5::{
    read_gfp5_target, set_gfp5, write_gfp5_target, CircuitBuilderGfp5, Gfp5Target, WitnessGfp5,
};
use super::native::{Affine, B};
use super::{D, F};

/// The curve constant b = 263·z: B1 is its only nonzero coefficient.
pub(crate) const B1: u64 = 263;

/// A non-square of GF(p) (and hence of GF(p^5), the extension degree being odd): x is a
/// non-square iff 7·x is a nonzero square.
const NON_SQUARE: u64 = 7;

/// A group element in affine (x, u) coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PointTarget {
    /// x.
    pub x: Gfp5Target,
    /// u = x/y (0 for the neutral).
    pub u: Gfp5Target,
}

/// EcGFp5 point gadgets.
pub trait CircuitBuilderCurve: CircuitBuilderGfp5 {
    /// The neutral element (0, 0).
    fn curve_neutral(&mut self) -> PointTarget {
        let zero = self.gfp5_zero();
        PointTarget { x: zero, u: zero }
    }

    /// A constant point (up to ten constant slots).
    fn curve_constant(&mut self, p: &Point) -> PointTarget {
        let a = Affine::from_point(p);
        PointTarget {
            x: self.gfp5_constant(a.x),
            u: self.gfp5_constant(a.u),
        }
    }

    /// Asserts p = q.
    fn connect_points(&mut self, p: PointTarget, q: PointTarget) {
        self.connect_gfp5(p.x, q.x);
        self.connect_gfp5(p.u, q.u);
    }

    /// −p = (x, −u).
    fn curve_neg(&mut self, p: PointTarget) -> PointTarget {
        PointTarget {
            x: p.x,
            u: self.neg_gfp5(p.u),
        }
    }

    /// `p` if `bit` else `q`.
    fn curve_select(&mut self, bit: BoolTarget, p: PointTarget, q: PointTarget) -> PointTarget {
        PointTarget {
            x: self.select_gfp5(bit, p.x, q.x),
            u: self.select_gfp5(bit, p.u, q.u),
        }
    }

    /// The curve constant b = 263·z times a.
    fn mul_b_gfp5(&mut self, a: Gfp5Target) -> Gfp5Target {
        let b = self.gfp5_constant(B);
        self.mul_gfp5(a, b)
    }

    /// p + q (complete).
    fn curve_add(&mut self, p: PointTarget, q: PointTarget) -> PointTarget {
        let zero = self.gfp5_zero();
        let b = self.gfp5_constant(B);
        let xx = self.mul_gfp5(p.x, q.x);
        let uu = self.mul_gfp5(p.u, q.u);
        let f = self.add_gfp5(xx, b);
        let xz = self.add_gfp5(p.x, q.x);
        // h = 2uu(b·xz + f)
        let bxz_f = self.mul_add_gfp5(xz, b, f);
        let h = self.gfp5_arithmetic(F::TWO, uu, bxz_f, F::ZERO, zero);
        // x3 = b(xz + 2uu(xz + f)) / (f − h)
        let xz_f = self.add_gfp5(xz, f);
        let t = self.gfp5_arithmetic(F::TWO, uu, xz_f, F::ONE, xz);
        let num = self.mul_gfp5(t, b);
        let den = self.sub_gfp5(f, h);
        let x = self.div_gfp5(num, den);
        // u3 = (u1 + u2)(b − xx) / (f + h)
        let ut = self.add_gfp5(p.u, q.u);
        let b_xx = self.sub_gfp5(b, xx);
        let num = self.mul_gfp5(ut, b_xx);
        let den = self.add_gfp5(f, h);
        let u = self.div_gfp5(num, den);
        PointTarget { x, u }
    }

    /// 2·p (complete).
    fn curve_double(&mut self, p: PointTarget) -> PointTarget {
        let zero = self.gfp5_zero();
        let one = self.gfp5_one();
        let b = self.gfp5_constant(B);
        // s = u², d = 1 − 2(x + 1)s
        let s = self.square_gfp5(p.u);
        let xs_s = self.mul_add_gfp5(p.x, s, s);
        let d = self.gfp5_lin(-F::TWO, xs_s, F::ONE, one);
        // x' = 4b·s / d²
        let d2 = self.square_gfp5(d);
        let num = self.gfp5_arithmetic(F::from_canonical_u64(4), s, b, F::ZERO, zero);
        let x = self.div_gfp5(num, d2);
        // u' = 2u·d / (2 − 4s − d²)
        let t = self.gfp5_lin(-F::from_canonical_u64(4), s, F::TWO, one);
        let den = self.sub_gfp5(t, d2);
        let num = self.gfp5_arithmetic(F::TWO, p.u, d, F::ZERO, zero);
        let u = self.div_gfp5(num, den);
        PointTarget { x, u }
    }

    /// The group element encoded by `w`, which must be the canonical encoding of a
    /// non-neutral element — as a public key must (quire-core's `PublicKey::from_encoding`).
    ///
    /// Checks, all enforced by constraints (no witness satisfies them otherwise):
    /// - w ≠ 0 (not the neutral): u·w = 1, and u = 1/w is the point's u;
    /// - w is on the curve: x² − (w² − 2)·x + b = 0 has the root x;
    /// - x is the root of the group element, the one that is not a square (the two roots
    ///   multiply to b, a non-square, so exactly one is): 7·x = y² for some y, 7 being a
    ///   non-square.
    ///
    /// Limbs `>= p` cannot occur (targets are field elements), so this accepts exactly
    /// what `PublicKey::from_encoding` accepts. Witness generation fails for an invalid w.
    fn decode_point(&mut self, w: Gfp5Target) -> PointTarget {
        let x = self.add_virtual_gfp5_target();
        let y = self.add_virtual_gfp5_target();
        self.plonky2()
            .add_simple_generator(DecodeGenerator { w, x, y });
        constrain_decode(self, w, x, y)
    }

    /// The canonical encoding w = 1/u of a point asserted not to be the neutral
    /// (u·w = 1 has no solution for u = 0).
    fn encode_point_non_neutral(&mut self, p: PointTarget) -> Gfp5Target {
        self.inverse_gfp5(p.u)
    }
}

impl<T: CircuitBuilderGfp5 + ?Sized> CircuitBuilderCurve for T {}

/// The constraints of [`CircuitBuilderCurve::decode_point`] for witnessed x and y.
pub(crate) fn constrain_decode<B: CircuitBuilderGfp5 + ?Sized>(
    b: &mut B,
    w: Gfp5Target,
    x: Gfp5Target,
    y: Gfp5Target,
) -> PointTarget {
    let zero = b.gfp5_zero();
    let u = b.inverse_gfp5(w);
    // x² − (w² − 2)·x + b = 0
    let w2 = b.square_gfp5(w);
    let t = b.gfp5_arithmetic(F::ONE, w2, x, -F::TWO, x);
    let quad = b.mul_sub_gfp5(x, x, t);
    let bc = b.gfp5_constant(B);
    let quad_b = b.add_gfp5(quad, bc);
    b.connect_gfp5(quad_b, zero);
    // y² = 7·x
    let non_square = F::from_canonical_u64(NON_SQUARE);
    let r = b.gfp5_arithmetic(F::ONE, y, y, -non_square, x);
    b.connect_gfp5(r, zero);
    PointTarget { x, u }
}

/// Witness access to points.
pub trait WitnessCurve: Witness<F> {
    /// The affine coordinates held by a point target.
    fn get_point_target(&self, p: PointTarget) -> Affine {
        Affine {
            x: self.get_gfp5_target(p.x),
            u: self.get_gfp5_target(p.u),
        }
    }
}

impl<T: Witness<F> + ?Sized> WitnessCurve for T {}

/// Decodes w natively: x and a square root y of 7·x. Fails if w encodes no non-neutral
/// group element.
#[derive(Debug, Clone)]
pub struct DecodeGenerator {
    w: Gfp5Target,
    x: Gfp5Target,
    y: Gfp5Target,
}

impl SimpleGenerator<F, D> for DecodeGenerator {
    fn id(&self) -> String {
        "EcGFp5DecodeGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.w.0.to_vec()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let w = witness.get_gfp5_target(self.w);
        if w.is_zero() {
            return Err(anyhow!("the neutral element's encoding (w = 0)"));
        }
        let p = Point::decode(&w).ok_or_else(|| anyhow!("not the encoding of a curve point"))?;
        let x = Affine::from_point(&p).x;
        let y = (x.mul_small(NON_SQUARE))
            .sqrt()
            .ok_or_else(|| anyhow!("decoded x is a square: not a group element"))?;
        set_gfp5(out, self.x, x)?;
        set_gfp5(out, self.y, y)
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        write_gfp5_target(dst, self.w)?;
        write_gfp5_target(dst, self.x)?;
        write_gfp5_target(dst, self.y)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            w: read_gfp5_target(src)?,
            x: read_gfp5_target(src)?,
            y: read_gfp5_target(src)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::iop::witness::PartialWitness;
    use quire_core::ecgfp5::Gfp5;

    use super::*;
    use crate::gadgets::test_util::{builder, cases, expose, fe, limbs, load, prove};
    use crate::gadgets::{GadgetBuilder, GateSet, WithGates};

    #[test]
    fn seven_is_a_non_square() {
        // The decoding's square check relies on it.
        assert_eq!(
            Gfp5::from_base(quire_core::field::F::from_canonical_u64(NON_SQUARE)).legendre(),
            -1
        );
    }

    /// A point from its encoding: decoded in the circuit, or the neutral constant.
    fn point_from(b: &mut WithGates<'_>, pw: &mut PartialWitness<F>, w: Gfp5) -> PointTarget {
        if w.is_zero() {
            return b.curve_neutral();
        }
        let t = b.add_virtual_gfp5_target();
        pw.set_gfp5_target(t, w).expect("set");
        b.decode_point(t)
    }

    fn expose_point(b: &mut WithGates<'_>, p: PointTarget, expected: &mut Vec<F>, v: &Point) {
        expose(b.plonky2(), p.x.0.into_iter().chain(p.u.0));
        let a = Affine::from_point(v);
        expected.extend(limbs(&a.x).into_iter().chain(limbs(&a.u)));
    }

    /// Decoding, addition, doubling, negation and encoding against quire-core's group law
    /// on the shared vectors (which include P + P, P + (−P) and the neutral).
    fn group_law_matches_native(gates: GateSet) {
        let doc = load("ecgfp5.json");
        let mut builder = builder();
        let mut pw = PartialWitness::new();
        let mut expected = Vec::new();
        {
            let mut b = WithGates::new(&mut builder, gates);
            for c in cases(&doc, "add") {
                let (pv, qv) = (point_of(&c["p"]), point_of(&c["q"]));
                let p = point_from(&mut b, &mut pw, fe(&c["p"]));
                let q = point_from(&mut b, &mut pw, fe(&c["q"]));
                let sum = b.curve_add(p, q);
                expose_point(&mut b, sum, &mut expected, &point_of(&c["sum"]));
                assert_eq!(point_of(&c["sum"]), pv.add(&qv));
                let dbl = b.curve_double(p);
                expose_point(&mut b, dbl, &mut expected, &point_of(&c["double_p"]));
                let neg = b.curve_neg(p);
                expose_point(&mut b, neg, &mut expected, &point_of(&c["neg_p"]));
                if !fe(&c["sum"]).is_zero() {
                    let w = b.encode_point_non_neutral(sum);
                    expose(b.plonky2(), w.0);
                    expected.extend(limbs(&fe(&c["sum"])));
                }
            }
            for c in cases(&doc, "decode_valid") {
                let w = fe(&c["w"]);
                let p = point_from(&mut b, &mut pw, w);
                expose_point(&mut b, p, &mut expected, &point_of(&c["w"]));
            }
        }
        assert_eq!(prove(builder, pw).expect("valid witness"), expected);
    }

    fn point_of(v: &serde_json::Value) -> Point {
        Point::decode(&fe(v)).expect("valid encoding")
    }

    #[test]
    fn group_law_matches_native_with_gates() {
        group_law_matches_native(GateSet::ALL);
    }

    #[test]
    fn group_law_matches_native_without_gates() {
        group_law_matches_native(GateSet::NONE);
    }

    /// One circuit, proven once per candidate encoding.
    fn decodes(w: Gfp5) -> bool {
        let mut builder = builder();
        let t = builder.add_virtual_gfp5_target();
        builder.decode_point(t);
        let data = builder.build::<crate::gadgets::test_util::C>();
        let mut pw = PartialWitness::new();
        pw.set_gfp5_target(t, w).expect("set");
        crate::gadgets::test_util::prove_with(&data, pw).is_ok()
    }

    #[test]
    fn decode_accepts_exactly_the_valid_encodings() {
        let doc = load("ecgfp5.json");
        for c in cases(&doc, "decode_valid") {
            // Every valid encoding but the neutral's (w = 0) is a valid public key.
            let w = fe(&c["w"]);
            assert_eq!(decodes(w), !w.is_zero(), "{c}");
        }
        let mut invalid = 0;
        for c in cases(&doc, "decode_invalid") {
            // Non-canonical spellings (a limb >= p) cannot even be written into a target.
            if c["reason"] == "not-on-curve" {
                assert!(!decodes(fe(&c["w"])), "{c}");
                invalid += 1;
            }
        }
        assert!(invalid > 0);
        // The neutral's encoding is not a public key.
        assert!(!decodes(Gfp5::ZERO));
    }

    /// The wrong root of the quadratic (the square one, which belongs to a point outside
    /// the group) is rejected by the constraints, whatever y the prover offers.
    #[test]
    fn decode_rejects_the_other_root() {
        let w = Point::GENERATOR.double().encode();
        let x = Affine::from_point(&Point::decode(&w).expect("valid")).x;
        // x1 + x2 = w² − 2.
        let other = w * w - Gfp5::from_canonical_u64s([2, 0, 0, 0, 0]) - x;
        assert!(other.is_square());
        for y in [other.sqrt().expect("square"), Gfp5::ZERO, Gfp5::ONE] {
            let mut builder = builder();
            let (tw, tx, ty) = (
                builder.add_virtual_gfp5_target(),
                builder.add_virtual_gfp5_target(),
                builder.add_virtual_gfp5_target(),
            );
            constrain_decode(&mut builder, tw, tx, ty);
            let mut pw = PartialWitness::new();
            pw.set_gfp5_target(tw, w).expect("set");
            pw.set_gfp5_target(tx, other).expect("set");
            pw.set_gfp5_target(ty, y).expect("set");
            assert!(prove(builder, pw).is_err());
        }
        // The honest root passes the same constraints.
        let mut builder = builder();
        let (tw, tx, ty) = (
            builder.add_virtual_gfp5_target(),
            builder.add_virtual_gfp5_target(),
            builder.add_virtual_gfp5_target(),
        );
        constrain_decode(&mut builder, tw, tx, ty);
        let mut pw = PartialWitness::new();
        pw.set_gfp5_target(tw, w).expect("set");
        pw.set_gfp5_target(tx, x).expect("set");
        pw.set_gfp5_target(ty, x.mul_small(NON_SQUARE).sqrt().expect("square"))
            .expect("set");
        prove(builder, pw).expect("honest decoding");
    }

    #[test]
    fn encoding_the_neutral_fails() {
        let mut builder = builder();
        let n = builder.curve_neutral();
        builder.encode_point_non_neutral(n);
        assert!(prove(builder, PartialWitness::new()).is_err());
    }
}
