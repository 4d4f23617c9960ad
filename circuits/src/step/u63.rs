//! Range-checked integer arithmetic on values below 2^63: balances, amounts and results
//! are integers, and a sum that wrapped around p would let a debit exceed a balance.

use plonky2::iop::target::Target;
use plonky2::plonk::circuit_builder::CircuitBuilder;

use crate::gadgets::{D, F};

/// Range-checked integer arithmetic on values below 2^63.
pub trait CircuitBuilderU63 {
    /// `a + b` as an integer, asserting `a, b, a + b < 2^63` (so nothing wraps mod p).
    fn add_u63(&mut self, a: Target, b: Target) -> Target;
    /// `x` as `n` big-endian bytes (asserting `x < 2^(8n)`; `n ≤ 7`, so the bytes are
    /// the canonical value's).
    fn bytes_be(&mut self, x: Target, n: usize) -> Vec<Target>;
    /// `x` as 8 big-endian bytes, asserting `x < 2^63` (so the bytes are canonical: a
    /// 64-bit split would also accept `x + p` for small `x`).
    fn bytes_u63(&mut self, x: Target) -> Vec<Target>;
}

impl CircuitBuilderU63 for CircuitBuilder<F, D> {
    fn add_u63(&mut self, a: Target, b: Target) -> Target {
        // a = a_hi·2^32 + a_lo with a_hi < 2^31 (so a < 2^63), the same for b; then
        // a_hi + b_hi < 2^31 bounds a + b below 2^63 + 2^33 < p: the field sum is the
        // integer sum, and c < 2^63 rules out overflow. Every valid sum passes, since
        // a_hi + b_hi ≤ (a + b)_hi.
        let (_, a_hi) = self.split_low_high(a, 32, 63);
        let (_, b_hi) = self.split_low_high(b, 32, 63);
        let hi = self.add(a_hi, b_hi);
        self.range_check(hi, 31);
        let c = self.add(a, b);
        self.range_check(c, 63);
        c
    }

    fn bytes_be(&mut self, x: Target, n: usize) -> Vec<Target> {
        let bits = self.split_le(x, 8 * n);
        bits.chunks(8)
            .rev()
            .map(|byte| self.le_sum(byte.iter()))
            .collect()
    }

    fn bytes_u63(&mut self, x: Target) -> Vec<Target> {
        let bits = self.split_le(x, 63);
        bits.chunks(8)
            .rev()
            .map(|byte| self.le_sum(byte.iter()))
            .collect()
    }
}
