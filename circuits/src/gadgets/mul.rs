//! Scalar multiplications: [`CircuitBuilderCurveMul`].
//!
//! All three products are one chain of steps, most significant bit first,
//!
//! acc ← 2·acc + (a_i·G + h_i·2^256·G) + e_i·P,
//!
//! which computes s·G + e·P for s = s_lo + 2^256·s_hi (a_i, h_i the bits of s_lo and
//! s_hi) — Straus–Shamir with a fixed-base table: G, 2^256·G and their sum are constants
//! baked into the step's constraints, so the 319-bit s shares the 256 doublings of a
//! 256-bit e (a Schnorr challenge) and the chain has max(256, |e|) steps. With the
//! [`EcMulStepGate`] a step costs half a row; without it, a doubling, a table selection and
//! two additions of GF(p^5) gadgets.
//!
//! Bits are taken as given: pass range-checked ones ([`crate::gadgets::scalar`]). Any bit
//! string is a valid input (k·P for k ≥ n is (k mod n)·P), so these gadgets have no
//! failure mode of their own.

use plonky2::iop::target::{BoolTarget, Target};
use quire_core::ecgfp5::Point;

use super::curve::{CircuitBuilderCurve, PointTarget};
use super::gates::EcMulStepGate;
use super::gfp5::Gfp5Target;

/// Bits of s handled by G; the rest by 2^256·G.
pub const SPLIT: usize = 256;

/// The bits (a, h, e) of one chain step.
type StepBits = [BoolTarget; 3];

/// Scalar multiplications.
pub trait CircuitBuilderCurveMul: CircuitBuilderCurve {
    /// s·G + e·P, for little-endian bit strings s (up to 320 bits) and e.
    fn curve_mul_add_generator(
        &mut self,
        s: &[BoolTarget],
        e: &[BoolTarget],
        p: PointTarget,
    ) -> PointTarget {
        assert!(s.len() <= 2 * SPLIT, "s has more than 512 bits");
        let f = self.plonky2()._false();
        let lo = &s[..s.len().min(SPLIT)];
        let hi = &s[s.len().min(SPLIT)..];
        let len = lo.len().max(hi.len()).max(e.len());
        let bit = |v: &[BoolTarget], i: usize| v.get(i).copied().unwrap_or(f);
        let steps: Vec<StepBits> = (0..len)
            .rev()
            .map(|i| [bit(lo, i), bit(hi, i), bit(e, i)])
            .collect();
        if self.gate_set().ec_mul_step {
            chain_with_gate(self, &steps, p)
        } else {
            chain_with_gadgets(self, &steps, p)
        }
    }

    /// s·G (fixed base: the precomputed multiples are constants of the circuit).
    fn curve_mul_generator(&mut self, s: &[BoolTarget]) -> PointTarget {
        let neutral = self.curve_neutral();
        self.curve_mul_add_generator(s, &[], neutral)
    }

    /// k·P (variable base).
    fn curve_mul(&mut self, p: PointTarget, k: &[BoolTarget]) -> PointTarget {
        self.curve_mul_add_generator(&[], k, p)
    }
}

impl<T: CircuitBuilderCurve + ?Sized> CircuitBuilderCurveMul for T {}

/// The chain in [`EcMulStepGate`] rows. Leading all-zero steps pad the first row (they
/// keep the accumulator at the neutral).
fn chain_with_gate<B: CircuitBuilderCurve + ?Sized>(
    builder: &mut B,
    steps: &[StepBits],
    p: PointTarget,
) -> PointTarget {
    let mut acc = builder.curve_neutral();
    let b = builder.plonky2();
    let gate = EcMulStepGate::new_from_config(&b.config);
    let k = gate.steps;
    let f = b._false();
    let padding = (k - steps.len() % k) % k;
    let padded: Vec<StepBits> = core::iter::repeat_n([f; 3], padding)
        .chain(steps.iter().copied())
        .collect();
    let wires = |row: usize, r: core::ops::Range<usize>| -> Vec<Target> {
        r.map(|w| Target::wire(row, w)).collect()
    };
    let point_limbs = |q: PointTarget| q.x.0.into_iter().chain(q.u.0);
    for row_steps in padded.chunks(k) {
        let row = b.add_gate(gate, vec![]);
        for (t, w) in point_limbs(p).zip(wires(row, EcMulStepGate::wires_point())) {
            b.connect(t, w);
        }
        for (t, w) in point_limbs(acc).zip(wires(row, EcMulStepGate::wires_acc_in())) {
            b.connect(t, w);
        }
        for (j, bits) in row_steps.iter().enumerate() {
            for (bit, w) in bits.iter().zip(EcMulStepGate::wires_bits(j)) {
                b.connect(bit.target, Target::wire(row, w));
            }
        }
        let out = wires(row, gate.wires_acc_out());
        acc = PointTarget {
            x: Gfp5Target(core::array::from_fn(|i| out[i])),
            u: Gfp5Target(core::array::from_fn(|i| out[5 + i])),
        };
    }
    acc
}

/// The chain from GF(p^5) gadgets: per step a doubling, the selection of
/// C(a, h) ∈ {0, G, 2^256·G, G + 2^256·G} and two additions.
fn chain_with_gadgets<B: CircuitBuilderCurve + ?Sized>(
    builder: &mut B,
    steps: &[StepBits],
    p: PointTarget,
) -> PointTarget {
    let g = Point::GENERATOR;
    let g_hi = g.double_n(SPLIT);
    let c10 = builder.curve_constant(&g);
    let c01 = builder.curve_constant(&g_hi);
    let c11 = builder.curve_constant(&g.add(&g_hi));
    let neutral = builder.curve_neutral();
    let mut acc = neutral;
    for &[a, h, e] in steps {
        acc = builder.curve_double(acc);
        let h0 = builder.curve_select(a, c10, neutral);
        let h1 = builder.curve_select(a, c11, c01);
        let c = builder.curve_select(h, h1, h0);
        acc = builder.curve_add(acc, c);
        let pe = builder.curve_select(e, p, neutral);
        acc = builder.curve_add(acc, pe);
    }
    acc
}

#[cfg(test)]
mod tests {
    use plonky2::iop::witness::PartialWitness;
    use quire_core::ecgfp5::Scalar;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::gadgets::native::Affine;
    use crate::gadgets::scalar::{CircuitBuilderScalar, WitnessScalar};
    use crate::gadgets::test_util::{
        builder, cases, expose, fe, limbs, load, point, prove, scalar,
    };
    use crate::gadgets::{CircuitBuilderGfp5, GadgetBuilder, GateSet, WithGates, WitnessGfp5};

    fn expose_point<B: GadgetBuilder + ?Sized>(
        b: &mut B,
        p: PointTarget,
        expected: &mut Vec<plonky2::field::goldilocks_field::GoldilocksField>,
        v: &Point,
    ) {
        expose(b.plonky2(), p.x.0.into_iter().chain(p.u.0));
        let a = Affine::from_point(v);
        expected.extend(limbs(&a.x).into_iter().chain(limbs(&a.u)));
    }

    /// s·G on the shared vectors (k = 0, 1, 2, n − 2, n − 1, 2^256, …), with s a
    /// range-checked scalar as in verification.
    #[test]
    fn mul_generator_matches_native() {
        let doc = load("ecgfp5.json");
        let mut builder = builder();
        let mut pw = PartialWitness::new();
        let mut expected = Vec::new();
        for c in cases(&doc, "mul_generator") {
            let k = scalar(&c["k"]);
            let t = builder.add_virtual_scalar_target();
            pw.set_scalar_target(&t, &k).expect("set");
            let r = builder.curve_mul_generator(t.bits());
            let w = fe(&c["point"]);
            let v = if w.is_zero() {
                Point::NEUTRAL
            } else {
                point(&c["point"])
            };
            assert_eq!(Point::mul_generator(&k), v);
            expose_point(&mut builder, r, &mut expected, &v);
        }
        assert_eq!(prove(builder, pw).expect("valid"), expected);
    }

    /// k·P on the shared vectors (full 319-bit scalars, a 320-step chain).
    #[test]
    fn mul_matches_native() {
        let doc = load("ecgfp5.json");
        let mut builder = builder();
        let mut pw = PartialWitness::new();
        let mut expected = Vec::new();
        for c in cases(&doc, "mul") {
            let k = scalar(&c["k"]);
            let w = builder.add_virtual_gfp5_target();
            pw.set_gfp5_target(w, fe(&c["p"])).expect("set");
            let p = builder.decode_point(w);
            let t = builder.add_virtual_scalar_target();
            pw.set_scalar_target(&t, &k).expect("set");
            let r = builder.curve_mul(p, t.bits());
            let v = Point::decode(&fe(&c["point"])).expect("valid");
            expose_point(&mut builder, r, &mut expected, &v);
        }
        assert_eq!(prove(builder, pw).expect("valid"), expected);
    }

    /// s·G + e·P for random s (319 bits), e (256 bits) and P, and the degenerate cases.
    #[test]
    fn mul_add_generator_matches_native() {
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let mut builder = builder();
        let mut pw = PartialWitness::new();
        let mut expected = Vec::new();
        let q = Point::mul_generator(&Scalar::random(&mut rng));
        let cases: Vec<(Scalar, Scalar, Point)> = vec![
            (Scalar::random(&mut rng), Scalar::from_u256(rng.gen()), q),
            (
                Scalar::random(&mut rng),
                Scalar::from_u256(rng.gen()),
                q.neg(),
            ),
            (Scalar::ZERO, Scalar::ZERO, q),
            (Scalar::ONE, Scalar::ONE, Point::GENERATOR.neg()), // G − G = neutral
            (
                -Scalar::ONE,
                Scalar::from_u256([u64::MAX; 4]),
                Point::NEUTRAL,
            ),
        ];
        for (s, e, p) in cases {
            let ts = builder.add_virtual_scalar_target();
            pw.set_scalar_target(&ts, &s).expect("set");
            let te = builder.add_virtual_scalar_target();
            pw.set_scalar_target(&te, &e).expect("set");
            let tp = if p.is_neutral() {
                builder.curve_neutral()
            } else {
                let w = builder.add_virtual_gfp5_target();
                pw.set_gfp5_target(w, p.encode()).expect("set");
                builder.decode_point(w)
            };
            let r = builder.curve_mul_add_generator(ts.bits(), &te.bits()[..256], tp);
            let v = Point::mul_add_generator_vartime(&s, &e, &p);
            expose_point(&mut builder, r, &mut expected, &v);
        }
        assert_eq!(prove(builder, pw).expect("valid"), expected);
    }

    /// The chain itself, gate and gadget constructions, on short hand-made step lists that
    /// use every table entry (a, h, e), against the native sum
    /// Σ 2^i·(a_i·G + h_i·2^256·G + e_i·P).
    #[test]
    fn chain_with_and_without_gate_match_native() {
        let mut rng = ChaCha20Rng::seed_from_u64(22);
        let p = Point::mul_generator(&Scalar::random(&mut rng));
        let g_hi = Point::GENERATOR.double_n(SPLIT);
        for gates in [GateSet::ALL, GateSet::NONE] {
            for len in [1usize, 2, 5] {
                let bits: Vec<[bool; 3]> = (0..len).map(|_| rng.gen()).collect();
                // Most significant step first.
                let mut v = Point::NEUTRAL;
                for &[a, h, e] in &bits {
                    v = v.double();
                    for (bit, q) in [(a, Point::GENERATOR), (h, g_hi), (e, p)] {
                        if bit {
                            v = v.add(&q);
                        }
                    }
                }
                let mut builder = builder();
                let mut pw = PartialWitness::new();
                let mut expected = Vec::new();
                {
                    let mut b = WithGates::new(&mut builder, gates);
                    let w = b.add_virtual_gfp5_target();
                    pw.set_gfp5_target(w, p.encode()).expect("set");
                    let tp = b.decode_point(w);
                    let steps: Vec<StepBits> = bits
                        .iter()
                        .map(|bs| bs.map(|x| b.plonky2().constant_bool(x)))
                        .collect();
                    let r = if gates.ec_mul_step {
                        chain_with_gate(&mut b, &steps, tp)
                    } else {
                        chain_with_gadgets(&mut b, &steps, tp)
                    };
                    expose_point(&mut b, r, &mut expected, &v);
                }
                assert_eq!(
                    prove(builder, pw).expect("valid"),
                    expected,
                    "{gates:?} {bits:?}"
                );
            }
        }
    }
}
