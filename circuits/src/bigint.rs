//! Integer arithmetic past the field size, for the AMM's constant-product checks.
//!
//! The swap output, the liquidity shares and the amounts are quotients of products up to
//! 2^141 (`quire_core::amm` computes them in 128 and 256 bits). In-circuit, an integer is a
//! vector of *columns*: `value = Σ col_c · 2^(16·c)`, each column a field element holding a
//! small non-negative integer (below 2^52), not necessarily below 2^16. Products of values
//! split into 16-bit limbs are then column sums of limb products (no carries needed), and
//! an equality of two such values is checked once, with a carry chain
//! ([`CircuitBuilderBigInt::cols_assert_eq`]). An inequality `lhs ≤ rhs` is an equality
//! `lhs + d = rhs` with a witnessed slack `d ≥ 0` in 32-bit limbs
//! ([`CircuitBuilderBigInt::cols_slack`]), which is also how quotients' remainders are
//! witnessed.
//!
//! Why 16-bit limbs: a product of two limbs is below 2^32 and a column sums at most a few
//! of them, so columns stay far below p/2 and the carry chain's field equations are integer
//! equations.

use anyhow::Result;
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use crate::gadgets::{D, F};

/// Bits per limb (and per column position).
pub const LIMB_BITS: usize = 16;
/// Carries are range-checked to `(−2^CARRY_BITS, 2^CARRY_BITS)`: columns stay below 2^52,
/// so a carry is below 2^37 in magnitude; the bound only has to keep every carry equation
/// far from wrapping around p.
const CARRY_BITS: usize = 40;

/// Integers as column sums (see the module docs).
pub trait CircuitBuilderBigInt {
    /// The four 16-bit limbs of `x`, asserting `x < 2^63`.
    fn u63_limbs(&mut self, x: Target) -> Vec<Target>;
    /// Column-wise product of two column vectors (schoolbook, no carries).
    fn cols_mul(&mut self, a: &[Target], b: &[Target]) -> Vec<Target>;
    /// Column-wise sum.
    fn cols_add(&mut self, a: &[Target], b: &[Target]) -> Vec<Target>;
    /// Asserts `Σ a_c·2^(16c) = Σ b_c·2^(16c)` as integers (carry chain, range-checked
    /// carries, last carry zero).
    fn cols_assert_eq(&mut self, a: &[Target], b: &[Target]);
    /// A witnessed `d ≥ 0` with `lhs + d = rhs` (so `lhs ≤ rhs`), `d < 2^(32·limbs32)`;
    /// returns `d` as columns. The witness generator sets `d = rhs − lhs` (zero when that
    /// is negative, and then no proof exists).
    fn cols_slack(&mut self, lhs: &[Target], rhs: &[Target], limbs32: usize) -> Vec<Target>;
}

impl CircuitBuilderBigInt for CircuitBuilder<F, D> {
    fn u63_limbs(&mut self, x: Target) -> Vec<Target> {
        let bits = self.split_le(x, 63);
        bits.chunks(LIMB_BITS)
            .map(|c| self.le_sum(c.iter()))
            .collect()
    }

    fn cols_mul(&mut self, a: &[Target], b: &[Target]) -> Vec<Target> {
        if a.is_empty() || b.is_empty() {
            return Vec::new();
        }
        let zero = self.zero();
        let mut out = vec![zero; a.len() + b.len() - 1];
        for (i, &x) in a.iter().enumerate() {
            for (j, &y) in b.iter().enumerate() {
                out[i + j] = self.mul_add(x, y, out[i + j]);
            }
        }
        out
    }

    fn cols_add(&mut self, a: &[Target], b: &[Target]) -> Vec<Target> {
        let n = a.len().max(b.len());
        (0..n)
            .map(|i| match (a.get(i), b.get(i)) {
                (Some(&x), Some(&y)) => self.add(x, y),
                (Some(&x), None) | (None, Some(&x)) => x,
                (None, None) => unreachable!("i < max(len)"),
            })
            .collect()
    }

    fn cols_assert_eq(&mut self, a: &[Target], b: &[Target]) {
        let n = a.len().max(b.len());
        let zero = self.zero();
        let diffs: Vec<Target> = (0..n)
            .map(|i| {
                let x = a.get(i).copied().unwrap_or(zero);
                let y = b.get(i).copied().unwrap_or(zero);
                self.sub(x, y)
            })
            .collect();
        let carries = self.add_virtual_targets(n.saturating_sub(1));
        self.add_simple_generator(CarryGenerator {
            diffs: diffs.clone(),
            carries: carries.clone(),
        });
        let shift = F::from_canonical_u64(1 << LIMB_BITS);
        let offset = F::from_canonical_u64(1 << CARRY_BITS);
        let mut carry_in = zero;
        for (i, &d) in diffs.iter().enumerate() {
            let t = self.add(d, carry_in);
            if i + 1 == n {
                // The value's top: everything must have cancelled.
                self.assert_zero(t);
            } else {
                let c = carries[i];
                let back = self.mul_const(shift, c);
                self.connect(t, back);
                let shifted = self.add_const(c, offset);
                self.range_check(shifted, CARRY_BITS + 1);
                carry_in = c;
            }
        }
    }

    fn cols_slack(&mut self, lhs: &[Target], rhs: &[Target], limbs32: usize) -> Vec<Target> {
        let limbs = self.add_virtual_targets(limbs32);
        self.add_simple_generator(SlackGenerator {
            lhs: lhs.to_vec(),
            rhs: rhs.to_vec(),
            limbs: limbs.clone(),
        });
        let zero = self.zero();
        let mut cols = vec![zero; 2 * limbs32];
        for (j, &l) in limbs.iter().enumerate() {
            self.range_check(l, 32);
            // A 32-bit limb sits in one (unnormalized) column at an even position.
            cols[2 * j] = l;
        }
        let sum = self.cols_add(lhs, &cols);
        self.cols_assert_eq(&sum, rhs);
        cols
    }
}

/// Reads a column as a (small, non-negative or negative) integer: values above p/2 are
/// negatives. Columns of honest witnesses are far below p/2.
fn signed(x: F) -> i128 {
    let v = x.to_canonical_u64();
    if v > F::ORDER / 2 {
        v as i128 - F::ORDER as i128
    } else {
        v as i128
    }
}

/// Normalizes columns to base-2^16 digits; `None` if the value is negative.
fn digits(cols: &[i128]) -> Option<Vec<u64>> {
    let base = 1i128 << LIMB_BITS;
    let mut out = Vec::with_capacity(cols.len() + 4);
    let mut carry = 0i128;
    for &c in cols {
        let v = c + carry;
        out.push(v.rem_euclid(base) as u64);
        carry = v.div_euclid(base);
    }
    if carry < 0 {
        return None;
    }
    while carry > 0 {
        out.push((carry % base) as u64);
        carry /= base;
    }
    Some(out)
}

/// Witnesses the carries of [`CircuitBuilderBigInt::cols_assert_eq`].
#[derive(Debug, Default)]
pub struct CarryGenerator {
    diffs: Vec<Target>,
    carries: Vec<Target>,
}

impl SimpleGenerator<F, D> for CarryGenerator {
    fn id(&self) -> String {
        "QuireCarryGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.diffs.clone()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let mut carry = 0i128;
        for (i, &c) in self.carries.iter().enumerate() {
            let v = signed(witness.get_target(self.diffs[i])) + carry;
            // Exact for an honest witness; otherwise any value (the constraint fails).
            carry = v.div_euclid(1 << LIMB_BITS);
            let fe = if carry >= 0 {
                F::from_canonical_u64(carry as u64)
            } else {
                -F::from_canonical_u64((-carry) as u64)
            };
            out.set_target(c, fe)?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_vec(&self.diffs)?;
        dst.write_target_vec(&self.carries)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            diffs: src.read_target_vec()?,
            carries: src.read_target_vec()?,
        })
    }
}

/// Witnesses the slack of [`CircuitBuilderBigInt::cols_slack`].
#[derive(Debug, Default)]
pub struct SlackGenerator {
    lhs: Vec<Target>,
    rhs: Vec<Target>,
    limbs: Vec<Target>,
}

impl SimpleGenerator<F, D> for SlackGenerator {
    fn id(&self) -> String {
        "QuireSlackGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.lhs.iter().chain(&self.rhs).copied().collect()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let n = self.lhs.len().max(self.rhs.len());
        let col = |v: &[Target], i: usize| v.get(i).map_or(0, |&t| signed(witness.get_target(t)));
        let diff: Vec<i128> = (0..n)
            .map(|i| col(&self.rhs, i) - col(&self.lhs, i))
            .collect();
        let d = digits(&diff).unwrap_or_default();
        for (j, &l) in self.limbs.iter().enumerate() {
            let lo = d.get(2 * j).copied().unwrap_or(0);
            let hi = d.get(2 * j + 1).copied().unwrap_or(0);
            out.set_target(l, F::from_canonical_u64(lo | (hi << LIMB_BITS)))?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_vec(&self.lhs)?;
        dst.write_target_vec(&self.rhs)?;
        dst.write_target_vec(&self.limbs)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            lhs: src.read_target_vec()?,
            rhs: src.read_target_vec()?,
            limbs: src.read_target_vec()?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitConfig;
    use plonky2::plonk::config::PoseidonGoldilocksConfig;

    use super::*;

    /// Proves `a·b + c = q·m + r` style identities: here `x·y ≤ z·w` with the slack.
    fn le_products(x: u64, y: u64, z: u64, w: u64) -> bool {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let t: Vec<Target> = b.add_virtual_targets(4);
        let l: Vec<Vec<Target>> = t.iter().map(|&v| b.u63_limbs(v)).collect();
        let lhs = b.cols_mul(&l[0], &l[1]);
        let rhs = b.cols_mul(&l[2], &l[3]);
        b.cols_slack(&lhs, &rhs, 4);
        let data = b.build::<PoseidonGoldilocksConfig>();
        let mut pw = PartialWitness::new();
        for (&tt, v) in t.iter().zip([x, y, z, w]) {
            pw.set_target(tt, F::from_canonical_u64(v)).unwrap();
        }
        data.prove(pw).is_ok_and(|p| data.verify(p).is_ok())
    }

    #[test]
    fn product_inequalities_are_integer_inequalities() {
        let m = (1u64 << 63) - 1;
        assert!(le_products(m, m, m, m));
        assert!(le_products(m - 1, m, m, m));
        assert!(!le_products(m, m, m - 1, m));
        assert!(le_products(3, 5, 4, 4));
        assert!(!le_products(3, 6, 4, 4));
        // Equal mod p but not as integers: p = 2^64 − 2^32 + 1, so 2^32·2^32 ≡ 2^32 − 1.
        assert!(!le_products(1 << 32, 1 << 32, 1, (1 << 32) - 1));
    }

    #[test]
    fn digits_normalize_and_reject_negatives() {
        assert_eq!(digits(&[0x1_0005, 1]), Some(vec![5, 2]));
        assert_eq!(digits(&[-1, 1]), Some(vec![0xffff, 0]));
        assert_eq!(digits(&[0, -1]), None);
    }
}
