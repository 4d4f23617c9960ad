//! Scalars as bits: [`ScalarTarget`] (an integer below the group order n) and the
//! challenge's canonical bits ([`CircuitBuilderScalar`]).
//!
//! The scalar multiplications consume little-endian bits. This module produces them with
//! the checks the native verifier makes when it decodes a signature:
//! - s: [`CircuitBuilderScalar::add_virtual_scalar_target`] takes s as six limbs (five of
//!   62 bits, one of 10), splits them into 320 bits with plonky2's `BaseSumGate` (which
//!   range-checks each limb), and proves s ≤ n − 1 with a subtraction: the prover supplies
//!   d = n − 1 − s in the same limbs, each range-checked, and the circuit checks
//!   l_j + d_j + c_j = m_j + 2^w_j·c_{j+1} limb by limb with borrow bits c (c_0 = c_6 = 0),
//!   m = n − 1. With 62-bit limbs both sides stay below 2^63 < p, so the identities hold
//!   over the integers and telescope to s + d = n − 1 with d ≥ 0.
//! - e: [`CircuitBuilderScalar::challenge_bits`] splits each of the four challenge
//!   elements into its canonical 64 bits: a value < 2^64 has two bit decompositions modulo
//!   p when it is below 2^64 − p = 2^32 − 1, so it checks that the high half is not
//!   2^32 − 1 unless the low half is 0 (the value is then < p). As an integer,
//!   e = Σ e_i·2^(64i) < 2^256 < n.

use anyhow::{anyhow, Result};
use plonky2::field::types::{Field, PrimeField64};
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};
use quire_core::ecgfp5::Scalar;

use super::{GadgetBuilder, D, F};

/// Bits of a [`ScalarTarget`].
pub const SCALAR_BITS: usize = 320;
/// Width of the limbs of a [`ScalarTarget`] (the last one is narrower).
const LIMB_BITS: usize = 62;
/// Number of limbs: 5 × 62 + 10 = 320 bits.
pub const SCALAR_LIMBS: usize = 6;

/// Width of limb `j`.
const fn limb_width(j: usize) -> usize {
    if j + 1 < SCALAR_LIMBS {
        LIMB_BITS
    } else {
        SCALAR_BITS - LIMB_BITS * (SCALAR_LIMBS - 1)
    }
}

/// Limb `j` (bits 62j..) of a 320-bit little-endian integer.
fn limb_of(v: &[u64; 5], j: usize) -> u64 {
    let start = LIMB_BITS * j;
    let width = limb_width(j);
    let mut out = 0u64;
    for bit in 0..width {
        let i = start + bit;
        out |= ((v[i / 64] >> (i % 64)) & 1) << bit;
    }
    out
}

/// n − 1 in limbs.
fn n_minus_one_limbs() -> [u64; SCALAR_LIMBS] {
    let m = (-Scalar::ONE).to_u64_limbs();
    core::array::from_fn(|j| limb_of(&m, j))
}

/// A scalar 0 ≤ s < n: the limbs the witness sets, and the 320 little-endian bits they
/// were split into (bit 319 and everything above n − 1 are excluded by the range check).
#[derive(Clone, Debug)]
pub struct ScalarTarget {
    limbs: [Target; SCALAR_LIMBS],
    bits: Vec<BoolTarget>,
}

impl ScalarTarget {
    /// The little-endian bits (320 of them).
    pub fn bits(&self) -> &[BoolTarget] {
        &self.bits
    }

    /// The limbs set by [`WitnessScalar::set_scalar_target`].
    pub fn limbs(&self) -> &[Target; SCALAR_LIMBS] {
        &self.limbs
    }
}

/// Scalar decompositions with range checks.
pub trait CircuitBuilderScalar: GadgetBuilder {
    /// A scalar set by the witness, range-checked: its limbs are split into bits and
    /// s < n is enforced (proving fails for s ≥ n, as `Scalar::from_bytes_canonical`
    /// rejects it natively).
    fn add_virtual_scalar_target(&mut self) -> ScalarTarget {
        let b = self.plonky2();
        let limbs: [Target; SCALAR_LIMBS] = b.add_virtual_target_arr();
        let diffs: [Target; SCALAR_LIMBS] = b.add_virtual_target_arr();
        let borrows: [Target; SCALAR_LIMBS - 1] = b.add_virtual_target_arr();
        b.add_simple_generator(ScalarRangeGenerator {
            limbs,
            diffs,
            borrows: borrows.to_vec(),
        });
        let bits = constrain_scalar(b, limbs, diffs, borrows);
        ScalarTarget { limbs, bits }
    }

    /// The canonical 64 little-endian bits of a field element: Σ b_i·2^i = x as integers,
    /// with x < p.
    fn canonical_bits_u64(&mut self, x: Target) -> Vec<BoolTarget> {
        let b = self.plonky2();
        let lo = b.add_virtual_target();
        let hi = b.add_virtual_target();
        b.add_simple_generator(HalvesGenerator { x, lo, hi });
        constrain_halves(b, x, lo, hi)
    }

    /// The 256 little-endian bits of the challenge e = Σ e_i·2^(64i), each e_i split
    /// canonically.
    fn challenge_bits(&mut self, e: [Target; 4]) -> Vec<BoolTarget> {
        e.into_iter()
            .flat_map(|ei| self.canonical_bits_u64(ei))
            .collect()
    }
}

impl<T: GadgetBuilder + ?Sized> CircuitBuilderScalar for T {}

/// The constraints of [`CircuitBuilderScalar::add_virtual_scalar_target`], given its
/// witness targets: the limbs split into bits, the differences d = n − 1 − s range-checked
/// limb by limb, the borrows boolean, and l_j + d_j + c_j − 2^w_j·c_{j+1} = m_j.
pub(crate) fn constrain_scalar(
    b: &mut CircuitBuilder<F, D>,
    limbs: [Target; SCALAR_LIMBS],
    diffs: [Target; SCALAR_LIMBS],
    borrows: [Target; SCALAR_LIMBS - 1],
) -> Vec<BoolTarget> {
    let mut bits = Vec::with_capacity(SCALAR_BITS);
    for j in 0..SCALAR_LIMBS {
        bits.extend(b.split_le(limbs[j], limb_width(j)));
        // d_j is only range-checked: its bits are not needed.
        b.range_check(diffs[j], limb_width(j));
    }
    for &c in &borrows {
        b.assert_bool(BoolTarget::new_unsafe(c));
    }
    let m = n_minus_one_limbs();
    let zero = b.zero();
    let one = b.one();
    for j in 0..SCALAR_LIMBS {
        let c_in = if j == 0 { zero } else { borrows[j - 1] };
        let c_out = if j + 1 == SCALAR_LIMBS {
            zero
        } else {
            borrows[j]
        };
        let t = b.add(limbs[j], diffs[j]);
        let t = b.add(t, c_in);
        let shift = F::from_canonical_u64(1 << limb_width(j));
        let t = b.arithmetic(-shift, F::ONE, c_out, one, t);
        let mj = b.constant(F::from_canonical_u64(m[j]));
        b.connect(t, mj);
    }
    bits
}

/// The constraints of [`CircuitBuilderScalar::canonical_bits_u64`], given the halves:
/// both split into 32 bits, x = lo + 2^32·hi, and hi = 2^32 − 1 ⇒ lo = 0.
pub(crate) fn constrain_halves(
    b: &mut CircuitBuilder<F, D>,
    x: Target,
    lo: Target,
    hi: Target,
) -> Vec<BoolTarget> {
    let mut bits = b.split_le(lo, 32);
    bits.extend(b.split_le(hi, 32));
    let one = b.one();
    let recomposed = b.arithmetic(F::from_canonical_u64(1 << 32), F::ONE, hi, one, lo);
    b.connect(recomposed, x);
    // The integer lo + 2^32·hi is below p.
    let max = b.constant(F::from_canonical_u64(u32::MAX as u64));
    let hi_is_max = b.is_equal(hi, max);
    let bad = b.mul(hi_is_max.target, lo);
    b.assert_zero(bad);
    bits
}

/// Setting scalars.
pub trait WitnessScalar: WitnessWrite<F> {
    /// Sets the limbs of `t` to `s`.
    fn set_scalar_target(&mut self, t: &ScalarTarget, s: &Scalar) -> Result<()> {
        self.set_scalar_limbs(t, s.to_u64_limbs())
    }

    /// Sets the limbs of `t` to an arbitrary 320-bit value (for tests of the range check:
    /// proving fails if the value is not below n).
    fn set_scalar_limbs(&mut self, t: &ScalarTarget, v: [u64; 5]) -> Result<()> {
        for (j, &limb) in t.limbs.iter().enumerate() {
            self.set_target(limb, F::from_canonical_u64(limb_of(&v, j)))?;
        }
        Ok(())
    }
}

impl<T: WitnessWrite<F> + ?Sized> WitnessScalar for T {}

/// Computes d = n − 1 − s in limbs and the borrows; fails if s ≥ n.
#[derive(Debug, Clone)]
pub struct ScalarRangeGenerator {
    limbs: [Target; SCALAR_LIMBS],
    diffs: [Target; SCALAR_LIMBS],
    borrows: Vec<Target>,
}

impl SimpleGenerator<F, D> for ScalarRangeGenerator {
    fn id(&self) -> String {
        "ScalarRangeGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.limbs.to_vec()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let m = n_minus_one_limbs();
        let mut borrow = 0u64;
        for (j, &mj) in m.iter().enumerate() {
            let l = witness.get_target(self.limbs[j]).to_canonical_u64();
            let w = limb_width(j);
            if l >> w != 0 {
                return Err(anyhow!("scalar limb {j} exceeds {w} bits"));
            }
            // d_j = m_j − l_j − borrow (mod 2^w), borrow out if that went negative.
            let (d, neg) = (mj as i128 - l as i128 - borrow as i128, mj < l + borrow);
            let d = if neg { d + (1i128 << w) } else { d } as u64;
            borrow = neg as u64;
            out.set_target(self.diffs[j], F::from_canonical_u64(d))?;
            if j + 1 < SCALAR_LIMBS {
                out.set_target(self.borrows[j], F::from_canonical_u64(borrow))?;
            } else if borrow != 0 {
                return Err(anyhow!("scalar is not below the group order"));
            }
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_array(&self.limbs)?;
        dst.write_target_array(&self.diffs)?;
        dst.write_target_vec(&self.borrows)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            limbs: src.read_target_array()?,
            diffs: src.read_target_array()?,
            borrows: src.read_target_vec()?,
        })
    }
}

/// Splits a field element into its canonical 32-bit halves.
#[derive(Debug, Clone)]
pub struct HalvesGenerator {
    x: Target,
    lo: Target,
    hi: Target,
}

impl SimpleGenerator<F, D> for HalvesGenerator {
    fn id(&self) -> String {
        "U64HalvesGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        vec![self.x]
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let x = witness.get_target(self.x).to_canonical_u64();
        out.set_target(self.lo, F::from_canonical_u64(x & 0xFFFF_FFFF))?;
        out.set_target(self.hi, F::from_canonical_u64(x >> 32))
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target(self.x)?;
        dst.write_target(self.lo)?;
        dst.write_target(self.hi)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            x: src.read_target()?,
            lo: src.read_target()?,
            hi: src.read_target()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::iop::witness::PartialWitness;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::gadgets::test_util::{builder, bytes, cases, expose, load, prove, prove_with, C};

    fn bits_of(v: &[u64]) -> Vec<F> {
        (0..64 * v.len())
            .map(|i| F::from_canonical_u64((v[i / 64] >> (i % 64)) & 1))
            .collect()
    }

    fn add_u320(a: [u64; 5], b: [u64; 5]) -> ([u64; 5], bool) {
        let mut out = [0u64; 5];
        let mut carry = false;
        for i in 0..5 {
            let (s1, c1) = a[i].overflowing_add(b[i]);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            out[i] = s2;
            carry = c1 || c2;
        }
        (out, carry)
    }

    fn some_scalars() -> Vec<Scalar> {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let mut v = vec![
            Scalar::ZERO,
            Scalar::ONE,
            -Scalar::ONE,
            -Scalar::from_u64(2),
            Scalar::from_u256([0, 0, 0, 1 << 63]),
        ];
        v.extend((0..4).map(|_| Scalar::random(&mut rng)));
        v
    }

    #[test]
    fn scalar_bits_match_native() {
        let mut builder = builder();
        let mut pw = PartialWitness::new();
        let mut expected = Vec::new();
        for s in some_scalars() {
            let t = builder.add_virtual_scalar_target();
            pw.set_scalar_target(&t, &s).expect("set");
            assert_eq!(t.bits().len(), SCALAR_BITS);
            expose(&mut builder, t.bits().iter().map(|b| b.target));
            expected.extend(bits_of(&s.to_u64_limbs()));
        }
        assert_eq!(prove(builder, pw).expect("in range"), expected);
    }

    /// s < n is enforced: every value from n to 2^320 − 1 fails, including the shared
    /// vectors' non-canonical scalars and s + n (same group element as s).
    #[test]
    fn scalars_not_below_n_fail() {
        let mut builder = builder();
        let t = builder.add_virtual_scalar_target();
        let data = builder.build::<C>();
        let prove_value = |v: [u64; 5]| {
            let mut pw = PartialWitness::new();
            pw.set_scalar_limbs(&t, v).expect("set");
            prove_with(&data, pw)
        };
        let n = Scalar::MODULUS;
        assert!(prove_value((-Scalar::ONE).to_u64_limbs()).is_ok());
        let mut bad = vec![
            n,
            add_u320(n, [1, 0, 0, 0, 0]).0,
            [u64::MAX; 5],
            [0, 0, 0, 0, 1 << 63],
        ];
        for s in some_scalars() {
            let (v, carry) = add_u320(s.to_u64_limbs(), n);
            if !carry {
                bad.push(v);
            }
        }
        let doc = load("ecgfp5.json");
        for c in cases(&doc, "scalar_canonical") {
            let b = bytes::<40>(&c["bytes"]);
            let v: [u64; 5] = core::array::from_fn(|i| {
                u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8"))
            });
            let valid = c["valid"].as_bool().expect("bool");
            assert_eq!(valid, Scalar::from_bytes_canonical(&b).is_some());
            if valid {
                assert!(prove_value(v).is_ok(), "{c}");
            } else {
                bad.push(v);
            }
        }
        for v in bad {
            assert!(prove_value(v).is_err(), "{v:x?}");
        }
    }

    /// The range check's constraints, with a cheating prover that writes the wrapped
    /// difference (n − 1 − s) mod 2^320 for an s ≥ n: only the final borrow is wrong, and
    /// that is what fails.
    #[test]
    fn range_check_rejects_a_wrapped_difference() {
        let check = |s: [u64; 5]| -> Result<Vec<F>> {
            let mut builder = builder();
            let limbs: [Target; SCALAR_LIMBS] = builder.add_virtual_target_arr();
            let diffs: [Target; SCALAR_LIMBS] = builder.add_virtual_target_arr();
            let borrows: [Target; SCALAR_LIMBS - 1] = builder.add_virtual_target_arr();
            constrain_scalar(&mut builder, limbs, diffs, borrows);
            let m = n_minus_one_limbs();
            let mut pw = PartialWitness::new();
            let mut borrow = 0u64;
            for j in 0..SCALAR_LIMBS {
                let w = limb_width(j);
                let l = limb_of(&s, j);
                let neg = m[j] < l + borrow;
                let d = (m[j] as i128 - l as i128 - borrow as i128 + ((neg as i128) << w)) as u64;
                pw.set_target(limbs[j], F::from_canonical_u64(l))?;
                pw.set_target(diffs[j], F::from_canonical_u64(d))?;
                borrow = neg as u64;
                if j + 1 < SCALAR_LIMBS {
                    pw.set_target(borrows[j], F::from_canonical_u64(borrow))?;
                }
            }
            prove(builder, pw)
        };
        assert!(check((-Scalar::ONE).to_u64_limbs()).is_ok());
        assert!(check(Scalar::MODULUS).is_err());
        assert!(check([u64::MAX, u64::MAX, u64::MAX, u64::MAX, 1 << 63]).is_err());
        // Just below n: accepted.
        assert!(check([u64::MAX, u64::MAX, u64::MAX, u64::MAX, 1 << 62]).is_ok());
    }

    #[test]
    fn challenge_bits_are_canonical() {
        let p = quire_core::field::GOLDILOCKS_ORDER;
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let mut values = vec![
            0,
            1,
            p - 1,
            p - 2,
            (1 << 32) - 1,
            1 << 32,
            1 << 63,
            p - (1 << 32),
        ];
        values.extend((0..4).map(|_| rng.gen_range(0..p)));
        let mut builder = builder();
        let mut pw = PartialWitness::new();
        let mut expected = Vec::new();
        for chunk in values.chunks(4) {
            let e: [Target; 4] = builder.add_virtual_target_arr();
            let mut v = [0u64; 4];
            for (i, (&t, &x)) in e.iter().zip(chunk).enumerate() {
                pw.set_target(t, F::from_canonical_u64(x)).expect("set");
                v[i] = x;
            }
            for t in e.iter().skip(chunk.len()) {
                pw.set_target(*t, F::ZERO).expect("set");
            }
            let bits = builder.challenge_bits(e);
            assert_eq!(bits.len(), 256);
            expose(&mut builder, bits.iter().map(|b| b.target));
            expected.extend(bits_of(&v));
        }
        assert_eq!(prove(builder, pw).expect("canonical"), expected);
    }

    /// x and x + p have the same field value; only x's bits are accepted.
    #[test]
    fn challenge_bits_reject_the_split_of_x_plus_p() {
        let check = |x: u64, lo: u64, hi: u64| -> Result<Vec<F>> {
            let mut builder = builder();
            let [tx, tlo, thi] = builder.add_virtual_target_arr();
            constrain_halves(&mut builder, tx, tlo, thi);
            let mut pw = PartialWitness::new();
            pw.set_target(tx, F::from_canonical_u64(x))?;
            pw.set_target(tlo, F::from_canonical_u64(lo))?;
            pw.set_target(thi, F::from_canonical_u64(hi))?;
            prove(builder, pw)
        };
        for x in [0u64, 5, (1 << 32) - 2] {
            // x + p = (2^32 − 1)·2^32 + (x + 1).
            assert!(check(x, x + 1, u32::MAX as u64).is_err(), "{x}");
            assert!(check(x, x, 0).is_ok(), "{x}");
        }
    }
}
