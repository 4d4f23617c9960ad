//! Conditional assertions: a kind's check holds only when its selector (or a flag derived
//! from it) is set, so every other kind's witness passes it untouched.

use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use crate::gadgets::{D, F};

/// Assertions gated by a boolean.
pub(super) trait CircuitBuilderGuard {
    /// `cond ⇒ x ≠ 0`.
    fn assert_nonzero_if(&mut self, cond: BoolTarget, x: Target);
    /// `cond ⇒ x ≥ y` for `x, y < 2^63` (the difference is below 2^63 only if it did not
    /// wrap).
    fn assert_ge_if(&mut self, cond: BoolTarget, x: Target, y: Target);
}

impl CircuitBuilderGuard for CircuitBuilder<F, D> {
    fn assert_nonzero_if(&mut self, cond: BoolTarget, x: Target) {
        let zero = self.zero();
        let z = self.is_equal(x, zero);
        self.conditional_assert_eq(cond.target, z.target, zero);
    }

    fn assert_ge_if(&mut self, cond: BoolTarget, x: Target, y: Target) {
        let d = self.sub(x, y);
        let d = self.mul(cond.target, d);
        self.range_check(d, 63);
    }
}
