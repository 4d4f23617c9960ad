//! GF(p^5) gadgets: [`Gfp5Target`] and [`CircuitBuilderGfp5`].
//!
//! GF(p^5) = GF(p)\[z\]/(z^5 − 3) is plonky2's quintic extension of Goldilocks and
//! quire-core's [`Gfp5`]. A [`Gfp5Target`] is five base-field targets (c0..c4 of
//! c0 + c1·z + … + c4·z^4); each is a field element, so every limb is canonical (< p) by
//! construction and a `Gfp5Target` is exactly the canonical 40-byte encoding.
//!
//! Everything reduces to one primitive, [`CircuitBuilderGfp5::gfp5_arithmetic`]
//! (`c0·a·b + c1·d`), built from plonky2's base arithmetic: 25 multiply-adds for a
//! product (1.25 rows), fewer when an operand is a constant (a sum costs 5).
//!
//! A custom gate for this primitive (four GF(p^5) operations per row, degree-3
//! constraints) was built and measured: it saved 6 of 167 rows of a Schnorr verification
//! (the GF(p^5) work outside the scalar-multiplication chain is about 7 operations: key
//! decoding, encoding R', negating Q), did not change the padded degree (256), and added
//! 18 rows to the recursive verifier of every proof using it. It was dropped; see the
//! history of `gates/gfp5_arith.rs` should a circuit with many verifications want it.

use anyhow::{anyhow, Result};
use plonky2::field::types::Field;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};
use quire_core::ecgfp5::Gfp5;

use super::gates::alg::W;
use super::{GadgetBuilder, D, F};

/// An element of GF(p^5) in the circuit: its five limbs, constant term first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gfp5Target(pub [Target; 5]);

impl Gfp5Target {
    /// The limbs.
    pub fn limbs(&self) -> [Target; 5] {
        self.0
    }
}

/// GF(p^5) arithmetic.
pub trait CircuitBuilderGfp5: GadgetBuilder {
    /// A fresh element, to be set by the witness (no constraint: any five field elements
    /// form a valid element).
    fn add_virtual_gfp5_target(&mut self) -> Gfp5Target {
        Gfp5Target(self.plonky2().add_virtual_target_arr())
    }

    /// A constant (each distinct limb value costs a constant slot).
    fn gfp5_constant(&mut self, c: Gfp5) -> Gfp5Target {
        let limbs = c.plonky2_limbs();
        let b = self.plonky2();
        Gfp5Target(limbs.map(|l| b.constant(l)))
    }

    /// 0.
    fn gfp5_zero(&mut self) -> Gfp5Target {
        self.gfp5_constant(Gfp5::ZERO)
    }

    /// 1.
    fn gfp5_one(&mut self) -> Gfp5Target {
        self.gfp5_constant(Gfp5::ONE)
    }

    /// Asserts a = b.
    fn connect_gfp5(&mut self, a: Gfp5Target, b: Gfp5Target) {
        let builder = self.plonky2();
        for (x, y) in a.0.into_iter().zip(b.0) {
            builder.connect(x, y);
        }
    }

    /// `c0·a·b + c1·d`, the primitive every other operation uses.
    fn gfp5_arithmetic(
        &mut self,
        c0: F,
        a: Gfp5Target,
        b: Gfp5Target,
        c1: F,
        d: Gfp5Target,
    ) -> Gfp5Target {
        gfp5_arithmetic_base(self.plonky2(), c0, a, b, c1, d)
    }

    /// `c0·a + c1·b`.
    fn gfp5_lin(&mut self, c0: F, a: Gfp5Target, c1: F, b: Gfp5Target) -> Gfp5Target {
        let one = self.gfp5_one();
        self.gfp5_arithmetic(c0, a, one, c1, b)
    }

    /// a + b.
    fn add_gfp5(&mut self, a: Gfp5Target, b: Gfp5Target) -> Gfp5Target {
        self.gfp5_lin(F::ONE, a, F::ONE, b)
    }

    /// a − b.
    fn sub_gfp5(&mut self, a: Gfp5Target, b: Gfp5Target) -> Gfp5Target {
        self.gfp5_lin(F::ONE, a, F::NEG_ONE, b)
    }

    /// −a.
    fn neg_gfp5(&mut self, a: Gfp5Target) -> Gfp5Target {
        let zero = self.gfp5_zero();
        self.gfp5_lin(F::NEG_ONE, a, F::ZERO, zero)
    }

    /// c·a for a base-field constant c.
    fn scale_gfp5(&mut self, c: F, a: Gfp5Target) -> Gfp5Target {
        let zero = self.gfp5_zero();
        self.gfp5_lin(c, a, F::ZERO, zero)
    }

    /// a·b.
    fn mul_gfp5(&mut self, a: Gfp5Target, b: Gfp5Target) -> Gfp5Target {
        let zero = self.gfp5_zero();
        self.gfp5_arithmetic(F::ONE, a, b, F::ZERO, zero)
    }

    /// a².
    fn square_gfp5(&mut self, a: Gfp5Target) -> Gfp5Target {
        self.mul_gfp5(a, a)
    }

    /// a·b + c.
    fn mul_add_gfp5(&mut self, a: Gfp5Target, b: Gfp5Target, c: Gfp5Target) -> Gfp5Target {
        self.gfp5_arithmetic(F::ONE, a, b, F::ONE, c)
    }

    /// a·b − c.
    fn mul_sub_gfp5(&mut self, a: Gfp5Target, b: Gfp5Target, c: Gfp5Target) -> Gfp5Target {
        self.gfp5_arithmetic(F::ONE, a, b, F::NEG_ONE, c)
    }

    /// The quotient q of a by b, asserting q·b = a. Witness generation fails if b = 0;
    /// callers must ensure b ≠ 0 (if b = a = 0 any q satisfies the constraint).
    fn div_gfp5(&mut self, a: Gfp5Target, b: Gfp5Target) -> Gfp5Target {
        let q = self.add_virtual_gfp5_target();
        self.plonky2().add_simple_generator(Gfp5QuotientGenerator {
            num: a,
            den: b,
            quotient: q,
        });
        let qb = self.mul_gfp5(q, b);
        self.connect_gfp5(qb, a);
        q
    }

    /// 1/a, asserting a ≠ 0.
    fn inverse_gfp5(&mut self, a: Gfp5Target) -> Gfp5Target {
        let one = self.gfp5_one();
        self.div_gfp5(one, a)
    }

    /// `x` if `bit` else `y` (limb by limb, two base operations each).
    fn select_gfp5(&mut self, bit: BoolTarget, x: Gfp5Target, y: Gfp5Target) -> Gfp5Target {
        let b = self.plonky2();
        Gfp5Target(core::array::from_fn(|i| b.select(bit, x.0[i], y.0[i])))
    }
}

impl<T: GadgetBuilder + ?Sized> CircuitBuilderGfp5 for T {}

/// `c0·a·b + c1·d` from plonky2's base arithmetic: per limb, a chain of multiply-adds over
/// the nonzero products (constant operands are folded into the operation's constant, so
/// sums and constant multiples cost one operation per limb).
fn gfp5_arithmetic_base(
    builder: &mut CircuitBuilder<F, D>,
    c0: F,
    a: Gfp5Target,
    b: Gfp5Target,
    c1: F,
    d: Gfp5Target,
) -> Gfp5Target {
    let one = builder.one();
    let konst = |builder: &CircuitBuilder<F, D>, t: Target| builder.target_as_constant(t);
    Gfp5Target(core::array::from_fn(|k| {
        // Terms coef·x·y of limb k, plus a constant.
        let mut terms: Vec<(F, Target, Target)> = Vec::with_capacity(6);
        let mut constant = F::ZERO;
        for i in 0..5 {
            let j = (k + 5 - i) % 5;
            let w = if i + j >= 5 {
                F::from_canonical_u64(W)
            } else {
                F::ONE
            };
            let coef = c0 * w;
            if coef.is_zero() {
                continue;
            }
            match (konst(builder, a.0[i]), konst(builder, b.0[j])) {
                (Some(x), Some(y)) => constant += coef * x * y,
                (Some(x), None) if !x.is_zero() => terms.push((coef * x, b.0[j], one)),
                (None, Some(y)) if !y.is_zero() => terms.push((coef * y, a.0[i], one)),
                (None, None) => terms.push((coef, a.0[i], b.0[j])),
                _ => {}
            }
        }
        match konst(builder, d.0[k]) {
            Some(x) => constant += c1 * x,
            None if !c1.is_zero() => terms.push((c1, d.0[k], one)),
            None => {}
        }
        let mut acc = if constant.is_zero() {
            None
        } else {
            Some(builder.constant(constant))
        };
        for (coef, x, y) in terms {
            acc = Some(match acc {
                None => builder.arithmetic(coef, F::ZERO, x, y, x),
                Some(acc) => builder.arithmetic(coef, F::ONE, x, y, acc),
            });
        }
        acc.unwrap_or_else(|| builder.zero())
    }))
}

/// Computes `quotient = num / den`; fails (witness generation stops) if den = 0.
#[derive(Debug, Clone)]
pub struct Gfp5QuotientGenerator {
    num: Gfp5Target,
    den: Gfp5Target,
    quotient: Gfp5Target,
}

impl SimpleGenerator<F, D> for Gfp5QuotientGenerator {
    fn id(&self) -> String {
        "Gfp5QuotientGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.num.0.into_iter().chain(self.den.0).collect()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let num = witness.get_gfp5_target(self.num);
        let den = witness.get_gfp5_target(self.den);
        let inv = den
            .try_inverse()
            .ok_or_else(|| anyhow!("GF(p^5) division by zero"))?;
        set_gfp5(out, self.quotient, num * inv)
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        write_gfp5_target(dst, self.num)?;
        write_gfp5_target(dst, self.den)?;
        write_gfp5_target(dst, self.quotient)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            num: read_gfp5_target(src)?,
            den: read_gfp5_target(src)?,
            quotient: read_gfp5_target(src)?,
        })
    }
}

/// Writes a value into any witness (including a generator's output buffer).
pub(crate) fn set_gfp5<W: WitnessWrite<F> + ?Sized>(
    w: &mut W,
    t: Gfp5Target,
    v: Gfp5,
) -> Result<()> {
    for (x, l) in t.0.into_iter().zip(v.plonky2_limbs()) {
        w.set_target(x, l)?;
    }
    Ok(())
}

pub(crate) fn write_gfp5_target(dst: &mut Vec<u8>, t: Gfp5Target) -> IoResult<()> {
    dst.write_target_array(&t.0)
}

pub(crate) fn read_gfp5_target(src: &mut Buffer) -> IoResult<Gfp5Target> {
    Ok(Gfp5Target(src.read_target_array()?))
}

/// Reading and writing [`Gfp5Target`]s.
pub trait WitnessGfp5: Witness<F> {
    /// The value of a target.
    fn get_gfp5_target(&self, t: Gfp5Target) -> Gfp5 {
        Gfp5::from_plonky2_limbs(t.0.map(|x| self.get_target(x)))
    }

    /// Sets a target.
    fn set_gfp5_target(&mut self, t: Gfp5Target, v: Gfp5) -> Result<()> {
        set_gfp5(self, t, v)
    }
}

impl<T: Witness<F> + ?Sized> WitnessGfp5 for T {}

#[cfg(test)]
mod tests {
    use plonky2::iop::witness::PartialWitness;

    use super::*;
    use crate::gadgets::test_util::{builder, cases, expose, fe, limbs, load, prove};

    /// Every GF(p^5) operation against quire-core on the shared vectors, in one proof.
    #[test]
    fn arithmetic_matches_native() {
        let doc = load("ecgfp5.json");
        let mut builder = builder();
        let mut pw = PartialWitness::new();
        let mut expected = Vec::new();
        {
            let b = &mut builder;
            for c in cases(&doc, "gfp5") {
                let (a, bv) = (fe(&c["a"]), fe(&c["b"]));
                let (ta, tb) = (b.add_virtual_gfp5_target(), b.add_virtual_gfp5_target());
                pw.set_gfp5_target(ta, a).expect("set");
                pw.set_gfp5_target(tb, bv).expect("set");
                let k = F::from_canonical_u64(12345);
                let mut outs = vec![
                    (b.add_gfp5(ta, tb), fe(&c["add"])),
                    (b.sub_gfp5(ta, tb), fe(&c["sub"])),
                    (b.mul_gfp5(ta, tb), fe(&c["mul"])),
                    (b.square_gfp5(ta), fe(&c["square"])),
                    (b.neg_gfp5(ta), -a),
                    (b.scale_gfp5(k, ta), a.mul_base(k.into())),
                    (b.mul_add_gfp5(ta, tb, ta), a * bv + a),
                    (
                        b.gfp5_arithmetic(k, ta, tb, -k, tb),
                        (a * bv - bv).mul_base(k.into()),
                    ),
                ];
                if !c["inv"].is_null() {
                    outs.push((b.inverse_gfp5(ta), fe(&c["inv"])));
                    outs.push((b.div_gfp5(tb, ta), bv * fe(&c["inv"])));
                }
                for (t, v) in outs {
                    expose(b, t.0);
                    expected.extend(limbs(&v));
                }
            }
        }
        assert_eq!(prove(builder, pw).expect("valid witness"), expected);
    }

    #[test]
    fn inverse_of_zero_fails() {
        let mut builder = builder();
        let a = builder.add_virtual_gfp5_target();
        builder.inverse_gfp5(a);
        let mut pw = PartialWitness::new();
        pw.set_gfp5_target(a, Gfp5::ZERO).expect("set");
        assert!(prove(builder, pw).is_err());
    }
}
