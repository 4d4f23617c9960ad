//! [`EcMulStepGate`]: steps of the Straus–Shamir chain acc ← 2·acc + C(a, h) + e·P.

use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use plonky2::field::extension::Extendable;
use plonky2::field::packed::PackedField;
use plonky2::field::types::Field;
use plonky2::gates::gate::Gate;
use plonky2::gates::packed_util::PackedEvaluableBase;
use plonky2::gates::util::StridedConstraintConsumer;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator, WitnessGeneratorRef};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData};
use plonky2::plonk::vars::{
    EvaluationTargets, EvaluationVars, EvaluationVarsBase, EvaluationVarsBaseBatch,
    EvaluationVarsBasePacked,
};
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};
use quire_core::ecgfp5::{Gfp5, Point};

use super::alg::{Alg, CircuitAlg, ExtAlg, PackedAlg, Q5Ops, Q5};
use crate::gadgets::gfp5::{set_gfp5, Gfp5Target};
use crate::gadgets::native::{self, Affine, B};
use crate::gadgets::{D, F};

/// Wires of one step beyond the row's shared inputs: its three bits, the doubling's u²,
/// x', u', the first addition's u-product and result, the second addition's x- and
/// u-products, and the step's result.
const WIRES_PER_STEP: usize = 53;
/// P (10) + the accumulator entering the row (10).
const SHARED_WIRES: usize = 20;

/// The table C(a, h) = a·G + h·2^256·G, indexed `[a][h]`, in affine coordinates.
pub(crate) fn generator_table() -> &'static [[Affine; 2]; 2] {
    static TABLE: OnceLock<[[Affine; 2]; 2]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let g = Point::GENERATOR;
        let g_hi = g.double_n(256);
        [
            [Affine::NEUTRAL, Affine::from_point(&g_hi)],
            [Affine::from_point(&g), Affine::from_point(&g.add(&g_hi))],
        ]
    })
}

/// The table as the coefficients of C(a, h) = a·c_a + h·c_h + a·h·c_ah, per coordinate.
struct TableCoefficients {
    x: [[F; 5]; 3],
    u: [[F; 5]; 3],
}

fn table_coefficients() -> &'static TableCoefficients {
    static COEFFS: OnceLock<TableCoefficients> = OnceLock::new();
    COEFFS.get_or_init(|| {
        let t = generator_table();
        let split = |f: fn(&Affine) -> Gfp5| {
            let (ca, ch, c11) = (f(&t[1][0]), f(&t[0][1]), f(&t[1][1]));
            [
                ca.plonky2_limbs(),
                ch.plonky2_limbs(),
                (c11 - ca - ch).plonky2_limbs(),
            ]
        };
        TableCoefficients {
            x: split(|p| p.x),
            u: split(|p| p.u),
        }
    })
}

/// A gate performing `steps` consecutive steps of a joint scalar multiplication
/// s·G + e·P, most significant bit first:
///
/// acc ← 2·acc + (a·G + h·2^256·G) + e·P
///
/// where a, h, e are bits (a of s mod 2^256, h of s ≫ 256, e of the second scalar), G and
/// 2^256·G are constants baked into the constraints (the fixed-base table) and P is a
/// point shared by every step of the row. Points are affine (x, u) and each step is a
/// doubling followed by two complete additions, the divisions of the affine formulas
/// turned into multiplications by witnessed results (see [`crate::gadgets::native`]).
/// The formulas are complete on the group, so no input needs special-casing (the neutral,
/// P + P, P − P): every group-element input determines every wire.
///
/// The gate also asserts that a, h and e are bits. It trusts P and the incoming
/// accumulator to be group elements (the gadgets only feed it decoded or computed
/// points).
///
/// Wires: P (0..10, x then u) and the incoming accumulator (10..20), then per step
/// j the bits a, h, e (20 + 3j..), then the outgoing accumulator (10 wires), all routed;
/// then per step the unrouted intermediates: u² (5), x', u' of the doubling (10), the
/// first addition's u-product (5) and result (10), the second addition's x- and
/// u-products (10), and, for all steps but the last, the step's result (10).
/// 20 + 53·steps wires: two steps in the 135 wires of the standard recursion config.
///
/// Constraints per step: 3 booleanity checks and 10 GF(p^5) identities (50 base
/// constraints); degree 5 (x'·d² with d = 1 − 2(x + 1)·u² of degree 2, and the additions'
/// x3·(f − h) with a table selection of degree 2 in the bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EcMulStepGate {
    /// Chain steps per row.
    pub steps: usize,
}

impl EcMulStepGate {
    /// As many steps as the config's wires allow.
    pub fn new_from_config(config: &CircuitConfig) -> Self {
        let steps = config.num_wires.saturating_sub(SHARED_WIRES) / WIRES_PER_STEP;
        assert!(steps >= 1, "EcMulStepGate needs at least 73 wires");
        let gate = Self { steps };
        assert!(
            gate.num_routed() <= config.num_routed_wires,
            "EcMulStepGate needs {} routed wires",
            gate.num_routed()
        );
        gate
    }

    /// Wires of P: x (5 limbs) then u (5 limbs).
    pub const fn wires_point() -> core::ops::Range<usize> {
        0..10
    }

    /// Wires of the accumulator entering the row.
    pub const fn wires_acc_in() -> core::ops::Range<usize> {
        10..20
    }

    /// Wires of the bits (a, h, e) of step `j`.
    pub const fn wires_bits(j: usize) -> [usize; 3] {
        let w = SHARED_WIRES + 3 * j;
        [w, w + 1, w + 2]
    }

    /// Wires of the accumulator leaving the row.
    pub fn wires_acc_out(&self) -> core::ops::Range<usize> {
        let start = SHARED_WIRES + 3 * self.steps;
        start..start + 10
    }

    /// Number of routed wires (the first ones).
    pub fn num_routed(&self) -> usize {
        self.wires_acc_out().end
    }

    /// First wire of step `j`'s unrouted block of 40 (u², x', u', uu1, x3, u3, xx2, uu2).
    fn internal(&self, j: usize) -> usize {
        self.num_routed() + 40 * j
    }

    /// First wire of the result of step `j`.
    fn step_out(&self, j: usize) -> usize {
        if j + 1 == self.steps {
            self.wires_acc_out().start
        } else {
            self.num_routed() + 40 * self.steps + 10 * j
        }
    }

    /// First wire of the input accumulator of step `j`.
    fn step_in(&self, j: usize) -> usize {
        if j == 0 {
            Self::wires_acc_in().start
        } else {
            self.step_out(j - 1)
        }
    }

    fn eval<A: Alg>(&self, alg: &mut A, wire: impl Fn(usize) -> A::V, mut emit: impl FnMut(A::V)) {
        let q = |start: usize| -> Q5<A::V> { core::array::from_fn(|k| wire(start + k)) };
        let emit = &mut emit;
        let coeffs = table_coefficients();
        let b = alg.q_const(B.plonky2_limbs());
        let one = alg.q_const(Gfp5::ONE.plonky2_limbs());
        let two = alg.q_scale(F::TWO, one);
        let (px, pu) = (q(0), q(5));

        for j in 0..self.steps {
            let (x, u) = (q(self.step_in(j)), q(self.step_in(j) + 5));
            let [a, h, e] = Self::wires_bits(j).map(&wire);
            for bit in [a, h, e] {
                emit(alg.mul_sub(bit, bit, bit));
            }
            let base = self.internal(j);
            let (s, xd, ud) = (q(base), q(base + 5), q(base + 10));
            let (uu1, x3, u3) = (q(base + 15), q(base + 20), q(base + 25));
            let (xx2, uu2) = (q(base + 30), q(base + 35));
            let out = self.step_out(j);
            let (x4, u4) = (q(out), q(out + 5));

            // Doubling: s = u², d = 1 − 2(x + 1)s, x'·d² = 4b·s, u'·(2 − 4s − d²) = 2u·d.
            let u2 = alg.q_mul(u, u);
            emit5(alg, emit, s, u2);
            let xs = alg.q_mul(x, s);
            let xs_s = alg.q_add(xs, s);
            let xs_s2 = alg.q_scale(F::TWO, xs_s);
            let d = alg.q_sub(one, xs_s2);
            let d2 = alg.q_mul(d, d);
            let lhs = alg.q_mul(xd, d2);
            let bs = alg.q_mul_b(s);
            let rhs = alg.q_scale(F::from_canonical_u64(4), bs);
            emit5(alg, emit, lhs, rhs);
            let s4 = alg.q_scale(F::from_canonical_u64(4), s);
            let t = alg.q_sub(two, s4);
            let t = alg.q_sub(t, d2);
            let lhs = alg.q_mul(ud, t);
            let ud_ = alg.q_mul(u, d);
            let rhs = alg.q_scale(F::TWO, ud_);
            emit5(alg, emit, lhs, rhs);

            // First addition, of the constant C(a, h) = a·c_a + h·c_h + a·h·c_ah.
            let ah = alg.mul(a, h);
            let select = |alg: &mut A, c: &[[F; 5]; 3]| -> Q5<A::V> {
                core::array::from_fn(|k| {
                    let t = alg.scale(c[0][k], a);
                    let t2 = alg.scale(c[1][k], h);
                    let t = alg.add(t, t2);
                    let t2 = alg.scale(c[2][k], ah);
                    alg.add(t, t2)
                })
            };
            let cx = select(alg, &coeffs.x);
            let cu = select(alg, &coeffs.u);
            let xx1 = alg.q_mul(xd, cx);
            let rhs = alg.q_mul(ud, cu);
            emit5(alg, emit, uu1, rhs);
            eval_addition(alg, emit, b, (xd, ud), (cx, cu), xx1, uu1, (x3, u3));

            // Second addition, of e·P.
            let x2 = alg.q_mul_base(e, px);
            let u2 = alg.q_mul_base(e, pu);
            let rhs = alg.q_mul(x3, x2);
            emit5(alg, emit, xx2, rhs);
            let rhs = alg.q_mul(u3, u2);
            emit5(alg, emit, uu2, rhs);
            eval_addition(alg, emit, b, (x3, u3), (x2, u2), xx2, uu2, (x4, u4));
        }
    }
}

/// Emits the five limb constraints of the GF(p^5) identity lhs = rhs.
fn emit5<A: Alg>(alg: &mut A, emit: &mut impl FnMut(A::V), lhs: Q5<A::V>, rhs: Q5<A::V>) {
    for k in 0..5 {
        emit(alg.sub(lhs[k], rhs[k]));
    }
}

/// The two identities of an addition p1 + p2 = p3 given xx = x1·x2 and uu = u1·u2:
/// x3·(f − h) = b·(xz + 2uu(xz + f)) and u3·(f + h) = (u1 + u2)(b − xx), with
/// f = xx + b, xz = x1 + x2, h = 2uu(b·xz + f).
#[allow(clippy::too_many_arguments)]
fn eval_addition<A: Alg>(
    alg: &mut A,
    emit: &mut impl FnMut(A::V),
    b: Q5<A::V>,
    (x1, u1): (Q5<A::V>, Q5<A::V>),
    (x2, u2): (Q5<A::V>, Q5<A::V>),
    xx: Q5<A::V>,
    uu: Q5<A::V>,
    (x3, u3): (Q5<A::V>, Q5<A::V>),
) {
    let f = alg.q_add(xx, b);
    let xz = alg.q_add(x1, x2);
    let bxz = alg.q_mul_b(xz);
    let bxz_f = alg.q_add(bxz, f);
    let h = alg.q_mul(uu, bxz_f);
    let h = alg.q_scale(F::TWO, h);
    let xz_f = alg.q_add(xz, f);
    let t = alg.q_mul(uu, xz_f);
    let t = alg.q_scale(F::TWO, t);
    let t = alg.q_add(xz, t);
    let rhs = alg.q_mul_b(t);
    let den = alg.q_sub(f, h);
    let lhs = alg.q_mul(x3, den);
    emit5(alg, emit, lhs, rhs);
    let den = alg.q_add(f, h);
    let lhs = alg.q_mul(u3, den);
    let ut = alg.q_add(u1, u2);
    let b_xx = alg.q_sub(b, xx);
    let rhs = alg.q_mul(ut, b_xx);
    emit5(alg, emit, lhs, rhs);
}

impl Gate<F, D> for EcMulStepGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.steps)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            steps: src.read_usize()?,
        })
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<<F as Extendable<D>>::Extension> {
        let mut out = Vec::with_capacity(self.num_constraints());
        self.eval(&mut ExtAlg, |i| vars.local_wires[i], |c| out.push(c));
        out
    }

    fn eval_unfiltered_base_one(
        &self,
        _vars: EvaluationVarsBase<F>,
        _yield_constr: StridedConstraintConsumer<F>,
    ) {
        unreachable!("evaluated through eval_unfiltered_base_packed")
    }

    fn eval_unfiltered_base_batch(&self, vars_base: EvaluationVarsBaseBatch<F>) -> Vec<F> {
        self.eval_unfiltered_base_batch_packed(vars_base)
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let mut out = Vec::with_capacity(self.num_constraints());
        let mut alg = CircuitAlg { builder };
        self.eval(&mut alg, |i| vars.local_wires[i], |c| out.push(c));
        out
    }

    fn generators(&self, row: usize, _local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        vec![WitnessGeneratorRef::new(
            EcMulStepGenerator { row, gate: *self }.adapter(),
        )]
    }

    fn num_wires(&self) -> usize {
        SHARED_WIRES + WIRES_PER_STEP * self.steps
    }

    fn num_constants(&self) -> usize {
        0
    }

    fn degree(&self) -> usize {
        5
    }

    fn num_constraints(&self) -> usize {
        (3 + 10 * 5) * self.steps
    }
}

impl PackedEvaluableBase<F, D> for EcMulStepGate {
    fn eval_unfiltered_base_packed<P: PackedField<Scalar = F>>(
        &self,
        vars: EvaluationVarsBasePacked<P>,
        mut yield_constr: StridedConstraintConsumer<P>,
    ) {
        self.eval(
            &mut PackedAlg::<P>::new(),
            |i| vars.local_wires[i],
            |c| yield_constr.one(c),
        );
    }
}

/// Fills every unrouted wire and the outgoing accumulator of one [`EcMulStepGate`] row.
#[derive(Debug, Clone)]
pub struct EcMulStepGenerator {
    row: usize,
    gate: EcMulStepGate,
}

impl EcMulStepGenerator {
    fn wire(&self, w: usize) -> Target {
        Target::wire(self.row, w)
    }

    fn q(&self, start: usize) -> Gfp5Target {
        Gfp5Target(core::array::from_fn(|k| self.wire(start + k)))
    }

    fn read_point(&self, witness: &PartitionWitness<F>, start: usize) -> Affine {
        let read = |s: usize| {
            Gfp5::from_plonky2_limbs(core::array::from_fn(|k| {
                witness.get_target(self.wire(s + k))
            }))
        };
        Affine {
            x: read(start),
            u: read(start + 5),
        }
    }
}

impl SimpleGenerator<F, D> for EcMulStepGenerator {
    fn id(&self) -> String {
        "EcMulStepGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        EcMulStepGate::wires_point()
            .chain(EcMulStepGate::wires_acc_in())
            .chain((0..self.gate.steps).flat_map(EcMulStepGate::wires_bits))
            .map(|w| self.wire(w))
            .collect()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let gate = &self.gate;
        let p = self.read_point(witness, 0);
        let mut acc = self.read_point(witness, EcMulStepGate::wires_acc_in().start);
        let table = generator_table();
        for j in 0..gate.steps {
            let bit = |w: usize| -> Result<usize> {
                let v = witness.get_target(self.wire(w));
                match v {
                    v if v == F::ZERO => Ok(0),
                    v if v == F::ONE => Ok(1),
                    _ => Err(anyhow!("EcMulStepGate: a scalar bit is neither 0 nor 1")),
                }
            };
            let [a, h, e] = EcMulStepGate::wires_bits(j);
            let (a, h, e) = (bit(a)?, bit(h)?, bit(e)?);
            let dbl = native::double(&acc)?;
            let add1 = native::add(&dbl.out, &table[a][h])?;
            let p2 = if e == 1 { p } else { Affine::NEUTRAL };
            let add2 = native::add(&add1.out, &p2)?;

            let base = gate.internal(j);
            let step_out = gate.step_out(j);
            for (start, v) in [
                (base, dbl.s),
                (base + 5, dbl.out.x),
                (base + 10, dbl.out.u),
                (base + 15, add1.uu),
                (base + 20, add1.out.x),
                (base + 25, add1.out.u),
                (base + 30, add2.xx),
                (base + 35, add2.uu),
                (step_out, add2.out.x),
                (step_out + 5, add2.out.u),
            ] {
                set_gfp5(out, self.q(start), v)?;
            }
            acc = add2.out;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)?;
        dst.write_usize(self.gate.steps)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            row: src.read_usize()?,
            gate: EcMulStepGate {
                steps: src.read_usize()?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
    use plonky2::plonk::config::PoseidonGoldilocksConfig;

    use super::*;

    fn gate() -> EcMulStepGate {
        EcMulStepGate::new_from_config(&CircuitConfig::standard_recursion_config())
    }

    #[test]
    fn two_steps_in_the_standard_recursion_config() {
        let g = gate();
        assert_eq!(g.steps, 2);
        assert_eq!(<EcMulStepGate as Gate<F, D>>::num_wires(&g), 126);
        assert_eq!(g.num_routed(), 36);
    }

    #[test]
    fn low_degree() {
        test_low_degree::<F, _, D>(gate());
    }

    #[test]
    fn eval_fns() -> Result<()> {
        test_eval_fns::<F, PoseidonGoldilocksConfig, _, D>(gate())
    }
}
