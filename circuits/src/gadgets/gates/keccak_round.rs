//! [`KeccakRoundGate`]: one 25-bit slice of a keccak-f\[1600\] round in one row.
//!
//! keccak's state is 64 slices of 25 bits (bit `z` of every lane). θ mixes a slice with its
//! neighbour `z − 1` only through five column parities, χ and ι act within a slice, and ρ∘π
//! only move bits between slices, which in plonky2 is free (copy constraints). So a round
//! fits a row per slice if the gate takes the five parities of slice `z − 1` as routed
//! inputs from the neighbouring row and publishes its own. The gate fuses χ+ι of round `r`
//! with θ of round `r + 1` (the θ that follows it), so a permutation is one θ-only layer
//! followed by 24 fused layers, the last one without θ: 25 × 64 = 1,600 rows instead of
//! the ~13,400 of the bit-per-target gadget.
//!
//! Why fused this way: θ's parities must be bits to be routed as bits, and the parity of
//! five bits is degree 5 as a polynomial; instead the gate witnesses `k ∈ {0, 1, 2}` with
//! `Σ b − 2k = C`, which keeps every constraint at degree ≤ 3 (4 where ι multiplies a
//! bit by the round-constant bit, a gate constant).

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
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::plonk::vars::{
    EvaluationTargets, EvaluationVars, EvaluationVarsBase, EvaluationVarsBaseBatch,
    EvaluationVarsBasePacked,
};
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::alg::{Alg, CircuitAlg, ExtAlg, PackedAlg};
use crate::gadgets::{D, F};

/// First wire of the 25 input bits, bit `(x, y)` at `x + 5y`.
const A: usize = 0;
/// First wire of the five parities of slice `z − 1` (θ's right-hand neighbour term).
const CPREV: usize = 25;
/// First wire of the five parities of this slice, published to slice `z + 1`.
const C: usize = 30;
/// First wire of the 25 output bits.
const OUT: usize = 35;
/// Routed wires: everything above.
const NUM_ROUTED: usize = 60;
/// First wire of the five parity quotients `k[x] ∈ {0, 1, 2}`.
const K: usize = 60;
/// First wire of the 25 bits after χ+ι (before θ).
const B: usize = 65;
/// All wires.
const NUM_WIRES: usize = 90;

/// One slice `z` of keccak-f\[1600\]: χ and ι (if `chi`), then θ (if `theta`).
///
/// Wires (the first 60 routed):
/// - `0..25`: the slice's bits entering the gate, bit `(x, y)` at `x + 5y` (for a χ layer,
///   the state after ρ∘π; the caller routes them);
/// - `25..30`: `C'[x]`, the column parities of slice `z − 1` (after χ+ι), routed from the
///   neighbouring row's `30..35` (θ only);
/// - `30..35`: `C[x]`, this slice's column parities (θ only);
/// - `35..60`: the slice's bits leaving the gate;
/// - `60..65`: `k[x]` with `Σ_y b[x, y] = C[x] + 2k[x]` (θ only);
/// - `65..90`: `b`, the bits after χ+ι (χ only; without χ, `b` is the input).
///
/// Constraints: with χ, `b[x, y] = a ⊕ (¬a[x+1] ∧ a[x+2])` (row y), xored with the
/// round-constant bit (the gate's one constant) for `(0, 0)`; with θ,
/// `k(k − 1)(k − 2) = 0`, `C(C − 1) = 0`, `Σ_y b[x, y] − 2k[x] − C[x] = 0` and
/// `out[x, y] = b[x, y] ⊕ C[x − 1] ⊕ C'[x + 1]`; without θ, `out = b`. Degree 4 with χ
/// (ι's constant times χ's degree-3 polynomial), 3 otherwise.
///
/// The gate trusts its inputs to be bits (the caller feeds bit-checked targets or the
/// outputs of another instance, which are bits whenever its inputs are): then every
/// output is a bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeccakRoundGate {
    /// Apply χ and ι (with the round-constant bit as the gate constant).
    pub chi: bool,
    /// Apply θ (the next round's).
    pub theta: bool,
}

impl KeccakRoundGate {
    /// Wire of input bit `(x, y)`.
    pub const fn wire_in(x: usize, y: usize) -> usize {
        A + x + 5 * y
    }

    /// Wire of output bit `(x, y)`.
    pub const fn wire_out(x: usize, y: usize) -> usize {
        OUT + x + 5 * y
    }

    /// Wire of the parity of column `x` of slice `z − 1` (an input).
    pub const fn wire_cprev(x: usize) -> usize {
        CPREV + x
    }

    /// Wire of the parity of column `x` of this slice (an output).
    pub const fn wire_c(x: usize) -> usize {
        C + x
    }

    /// Number of routed wires (the first ones).
    pub const fn num_routed() -> usize {
        NUM_ROUTED
    }

    /// The constraints, generic over the evaluator. `rc` is the round-constant bit.
    fn eval<Al: Alg>(
        &self,
        alg: &mut Al,
        wire: impl Fn(usize) -> Al::V,
        rc: Al::V,
        mut emit: impl FnMut(Al::V),
    ) {
        let a = |x: usize, y: usize| wire(A + x % 5 + 5 * y);
        let b: [Al::V; 25] = if self.chi {
            core::array::from_fn(|i| wire(B + i))
        } else {
            core::array::from_fn(|i| wire(A + i))
        };
        if self.chi {
            for y in 0..5 {
                for x in 0..5 {
                    let (a0, a1, a2) = (a(x, y), a(x + 1, y), a(x + 2, y));
                    // t = ¬a1 ∧ a2 = a2 − a1·a2; χ = a0 ⊕ t = a0 + t − 2·a0·t.
                    let t = alg.arith(F::NEG_ONE, a1, a2, F::ONE, a2);
                    let s = alg.add(a0, t);
                    let mut chi = alg.arith(-F::TWO, a0, t, F::ONE, s);
                    if x == 0 && y == 0 {
                        // ι: χ ⊕ rc = χ + rc − 2·rc·χ.
                        let s = alg.add(chi, rc);
                        chi = alg.arith(-F::TWO, rc, chi, F::ONE, s);
                    }
                    emit(alg.sub(b[x + 5 * y], chi));
                }
            }
        }
        if self.theta {
            let one = alg.konst(F::ONE);
            let two = alg.konst(F::TWO);
            let c: [Al::V; 5] = core::array::from_fn(|x| wire(C + x));
            let cprev: [Al::V; 5] = core::array::from_fn(|x| wire(CPREV + x));
            for x in 0..5 {
                let k = wire(K + x);
                let k1 = alg.sub(k, one);
                let k2 = alg.sub(k, two);
                let kk = alg.mul(k, k1);
                emit(alg.mul(kk, k2));
                emit(alg.mul_sub(c[x], c[x], c[x]));
                let mut sum = alg.scale(-F::TWO, k);
                sum = alg.sub(sum, c[x]);
                for y in 0..5 {
                    sum = alg.add(sum, b[x + 5 * y]);
                }
                emit(sum);
            }
            for x in 0..5 {
                // d = C[x − 1] ⊕ C'[x + 1], shared by the column.
                let (l, r) = (c[(x + 4) % 5], cprev[(x + 1) % 5]);
                let s = alg.add(l, r);
                let d = alg.arith(-F::TWO, l, r, F::ONE, s);
                for y in 0..5 {
                    let u = b[x + 5 * y];
                    let s = alg.add(u, d);
                    let xor = alg.arith(-F::TWO, u, d, F::ONE, s);
                    emit(alg.sub(wire(OUT + x + 5 * y), xor));
                }
            }
        } else {
            for (i, &bi) in b.iter().enumerate() {
                emit(alg.sub(wire(OUT + i), bi));
            }
        }
    }
}

impl Gate<F, D> for KeccakRoundGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_bool(self.chi)?;
        dst.write_bool(self.theta)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            chi: src.read_bool()?,
            theta: src.read_bool()?,
        })
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<<F as Extendable<D>>::Extension> {
        let mut out = Vec::with_capacity(self.num_constraints());
        let mut alg = ExtAlg;
        let rc = if self.chi {
            vars.local_constants[0]
        } else {
            alg.konst(F::ZERO)
        };
        self.eval(&mut alg, |i| vars.local_wires[i], rc, |c| out.push(c));
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
        let rc = if self.chi {
            vars.local_constants[0]
        } else {
            alg.konst(F::ZERO)
        };
        self.eval(&mut alg, |i| vars.local_wires[i], rc, |c| out.push(c));
        out
    }

    fn generators(&self, row: usize, local_constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        let rc = if self.chi {
            local_constants.first().copied().unwrap_or(F::ZERO)
        } else {
            F::ZERO
        };
        let mut gens = vec![WitnessGeneratorRef::new(
            KeccakRoundGenerator {
                row,
                gate: *self,
                rc,
                stage: Stage::Slice,
            }
            .adapter(),
        )];
        if self.theta {
            gens.push(WitnessGeneratorRef::new(
                KeccakRoundGenerator {
                    row,
                    gate: *self,
                    rc,
                    stage: Stage::Theta,
                }
                .adapter(),
            ));
        }
        gens
    }

    fn num_wires(&self) -> usize {
        NUM_WIRES
    }

    fn num_constants(&self) -> usize {
        usize::from(self.chi)
    }

    fn degree(&self) -> usize {
        if self.chi {
            4
        } else {
            3
        }
    }

    fn num_constraints(&self) -> usize {
        let chi = if self.chi { 25 } else { 0 };
        let theta = if self.theta { 15 + 25 } else { 25 };
        chi + theta
    }
}

impl PackedEvaluableBase<F, D> for KeccakRoundGate {
    fn eval_unfiltered_base_packed<P: PackedField<Scalar = F>>(
        &self,
        vars: EvaluationVarsBasePacked<P>,
        mut yield_constr: StridedConstraintConsumer<P>,
    ) {
        let rc = if self.chi {
            vars.local_constants[0]
        } else {
            P::ZEROS
        };
        self.eval(
            &mut PackedAlg::<P>::new(),
            |i| vars.local_wires[i],
            rc,
            |c| yield_constr.one(c),
        );
    }
}

/// Which wires a [`KeccakRoundGenerator`] fills.
///
/// The parities of slice `z` feed slice `z + 1`, cyclically, so one generator per row that
/// waited for `C'` before publishing `C` would deadlock the 64 rows of a layer. Hence two:
/// [`Stage::Slice`] needs only the row's input bits, [`Stage::Theta`] also `C'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `b`, `k`, `C` (and `out` without θ), from the input bits.
    Slice,
    /// `out`, from the input bits and `C'`.
    Theta,
}

/// Fills one [`KeccakRoundGate`] row (one [`Stage`] of it).
#[derive(Debug, Clone)]
pub struct KeccakRoundGenerator {
    row: usize,
    gate: KeccakRoundGate,
    /// The round-constant bit (zero without χ).
    rc: F,
    stage: Stage,
}

impl KeccakRoundGenerator {
    fn wire(&self, w: usize) -> Target {
        Target::wire(self.row, w)
    }

    fn read_bit(&self, witness: &PartitionWitness<F>, w: usize) -> Result<u8> {
        let v = witness.get_target(self.wire(w));
        match v {
            v if v == F::ZERO => Ok(0),
            v if v == F::ONE => Ok(1),
            _ => Err(anyhow!("KeccakRoundGate: an input is not a bit")),
        }
    }

    /// The bits after χ+ι (the inputs without χ).
    fn slice_b(&self, witness: &PartitionWitness<F>) -> Result<[u8; 25]> {
        let mut a = [0u8; 25];
        for (i, bit) in a.iter_mut().enumerate() {
            *bit = self.read_bit(witness, A + i)?;
        }
        if !self.gate.chi {
            return Ok(a);
        }
        Ok(chi_iota(&a, u8::from(self.rc == F::ONE)))
    }
}

/// χ+ι of one slice, natively (`rc` the round-constant bit).
fn chi_iota(a: &[u8; 25], rc: u8) -> [u8; 25] {
    core::array::from_fn(|i| {
        let (x, y) = (i % 5, i / 5);
        let at = |dx: usize| a[(x + dx) % 5 + 5 * y];
        let chi = at(0) ^ (!at(1) & 1 & at(2));
        if i == 0 {
            chi ^ rc
        } else {
            chi
        }
    })
}

fn parities(b: &[u8; 25]) -> [u8; 5] {
    core::array::from_fn(|x| (0..5).map(|y| b[x + 5 * y]).sum())
}

impl SimpleGenerator<F, D> for KeccakRoundGenerator {
    fn id(&self) -> String {
        "KeccakRoundGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        let cprev = match self.stage {
            Stage::Slice => 0..0,
            Stage::Theta => CPREV..CPREV + 5,
        };
        (A..A + 25).chain(cprev).map(|w| self.wire(w)).collect()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let b = self.slice_b(witness)?;
        let sums = parities(&b);
        let set = |out: &mut GeneratedValues<F>, w: usize, v: u8| {
            out.set_target(self.wire(w), F::from_canonical_u8(v))
        };
        match self.stage {
            Stage::Slice => {
                if self.gate.chi {
                    for (i, &bit) in b.iter().enumerate() {
                        set(out, B + i, bit)?;
                    }
                }
                if self.gate.theta {
                    for (x, &s) in sums.iter().enumerate() {
                        set(out, C + x, s & 1)?;
                        set(out, K + x, s >> 1)?;
                    }
                } else {
                    for (i, &bit) in b.iter().enumerate() {
                        set(out, OUT + i, bit)?;
                    }
                }
            }
            Stage::Theta => {
                let mut cprev = [0u8; 5];
                for (x, bit) in cprev.iter_mut().enumerate() {
                    *bit = self.read_bit(witness, CPREV + x)?;
                }
                for (i, &bit) in b.iter().enumerate() {
                    let x = i % 5;
                    let d = (sums[(x + 4) % 5] & 1) ^ cprev[(x + 1) % 5];
                    set(out, OUT + i, bit ^ d)?;
                }
            }
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)?;
        dst.write_bool(self.gate.chi)?;
        dst.write_bool(self.gate.theta)?;
        dst.write_bool(self.rc == F::ONE)?;
        dst.write_bool(self.stage == Stage::Theta)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        let row = src.read_usize()?;
        let gate = KeccakRoundGate {
            chi: src.read_bool()?,
            theta: src.read_bool()?,
        };
        let rc = if src.read_bool()? { F::ONE } else { F::ZERO };
        let stage = if src.read_bool()? {
            Stage::Theta
        } else {
            Stage::Slice
        };
        Ok(Self {
            row,
            gate,
            rc,
            stage,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
    use plonky2::plonk::circuit_data::CircuitConfig;
    use plonky2::plonk::config::PoseidonGoldilocksConfig;
    use rand::Rng;

    use super::*;

    const VARIANTS: [KeccakRoundGate; 3] = [
        KeccakRoundGate {
            chi: false,
            theta: true,
        },
        KeccakRoundGate {
            chi: true,
            theta: true,
        },
        KeccakRoundGate {
            chi: true,
            theta: false,
        },
    ];

    #[test]
    fn fits_the_standard_recursion_config() {
        let config = CircuitConfig::standard_recursion_config();
        for g in VARIANTS {
            assert!(<KeccakRoundGate as Gate<F, D>>::num_wires(&g) <= config.num_wires);
            assert!(<KeccakRoundGate as Gate<F, D>>::num_constants(&g) <= config.num_constants);
        }
        assert!(KeccakRoundGate::num_routed() <= config.num_routed_wires);
    }

    /// The wires of one row filled natively from random input bits.
    fn honest_row(gate: KeccakRoundGate, rng: &mut impl rand::Rng, rc: u8) -> Vec<u8> {
        let mut w = vec![0u8; NUM_WIRES];
        let a: [u8; 25] = core::array::from_fn(|_| rng.gen_range(0..2));
        w[A..A + 25].copy_from_slice(&a);
        let b = if gate.chi { chi_iota(&a, rc) } else { a };
        if gate.chi {
            w[B..B + 25].copy_from_slice(&b);
        }
        let sums = parities(&b);
        if gate.theta {
            for x in 0..5 {
                w[CPREV + x] = rng.gen_range(0..2);
                w[C + x] = sums[x] & 1;
                w[K + x] = sums[x] >> 1;
            }
            for i in 0..25 {
                let x = i % 5;
                w[OUT + i] = b[i] ^ w[C + (x + 4) % 5] ^ w[CPREV + (x + 1) % 5];
            }
        } else {
            w[OUT..OUT + 25].copy_from_slice(&b);
        }
        w
    }

    fn constraints(gate: KeccakRoundGate, wires: &[u8], rc: u8) -> Vec<Ext> {
        let wires: Vec<Ext> = wires.iter().map(|&v| Ext::from_canonical_u8(v)).collect();
        let constants = [Ext::from_canonical_u8(rc)];
        let consts = if gate.chi { &constants[..] } else { &[] };
        let pis = plonky2::hash::hash_types::HashOut::<F>::ZERO;
        gate.eval_unfiltered(EvaluationVars {
            local_constants: consts,
            local_wires: &wires,
            public_inputs_hash: &pis,
        })
    }

    type Ext = <F as Extendable<D>>::Extension;

    /// Honest rows satisfy every constraint; flipping any one used wire (an input, an
    /// output, a parity, a χ bit, k) or the round-constant bit breaks one.
    #[test]
    fn constraints_hold_exactly_on_honest_rows() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for gate in VARIANTS {
            for _ in 0..20 {
                let rc = rng.gen_range(0..2u8);
                let w = honest_row(gate, &mut rng, rc);
                assert!(constraints(gate, &w, rc).iter().all(|c| *c == Ext::ZERO));
                let mut used: Vec<usize> = (A..A + 25).chain(OUT..OUT + 25).collect();
                if gate.chi {
                    used.extend(B..B + 25);
                }
                if gate.theta {
                    used.extend((CPREV..CPREV + 5).chain(C..C + 5).chain(K..K + 5));
                }
                for i in used {
                    let mut bad = w.clone();
                    bad[i] ^= 1;
                    assert!(
                        constraints(gate, &bad, rc).iter().any(|c| *c != Ext::ZERO),
                        "{gate:?}: flipping wire {i} went unnoticed"
                    );
                }
                if gate.chi {
                    assert!(constraints(gate, &w, rc ^ 1)
                        .iter()
                        .any(|c| *c != Ext::ZERO));
                }
            }
        }
    }

    #[test]
    fn low_degree() {
        for g in VARIANTS {
            test_low_degree::<F, _, D>(g);
        }
    }

    #[test]
    fn eval_fns() -> Result<()> {
        for g in VARIANTS {
            test_eval_fns::<F, PoseidonGoldilocksConfig, _, D>(g)?;
        }
        Ok(())
    }
}
