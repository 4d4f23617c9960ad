//! Kind selection. Every step holds every kind's constraints, each gated by its one-hot
//! selector; a value several kinds define (a slot's account, a pubdata byte, the signing
//! message's op code) is the selector-weighted sum of their values, so that exactly the
//! selected kind's value counts.

use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use super::{StepKind, NUM_KINDS};
use crate::gadgets::{D, F};

/// The one-hot selectors and the sums of them the shared gadgets gate on.
pub(super) struct Selectors {
    /// One selector per kind, [`StepKind`] order; exactly one is set.
    pub sel: [BoolTarget; NUM_KINDS],
    /// An L2 kind (signed, pays a fee, bumps the signer's nonce).
    pub is_l2: BoolTarget,
    /// A liquidity kind (add or remove).
    pub is_liq: BoolTarget,
    /// An AMM kind (swap or liquidity): the step names a pool.
    pub is_amm: BoolTarget,
}

impl Selectors {
    /// Adds the selectors, constrained one-hot.
    pub fn build(b: &mut CircuitBuilder<F, D>) -> Self {
        let one = b.one();
        let sel: [BoolTarget; NUM_KINDS] =
            core::array::from_fn(|_| b.add_virtual_bool_target_safe());
        let sel_sum = b.add_many(sel.iter().map(|s| s.target));
        b.connect(sel_sum, one);
        let of = |k: StepKind| sel[k as usize];
        // Sums of one-hot selectors are boolean.
        let l2: Vec<Target> = StepKind::ALL
            .iter()
            .filter(|k| k.is_l2())
            .map(|&k| of(k).target)
            .collect();
        let is_l2 = BoolTarget::new_unsafe(b.add_many(l2));
        let is_liq = BoolTarget::new_unsafe(b.add(
            of(StepKind::AddLiquidity).target,
            of(StepKind::RemoveLiquidity).target,
        ));
        let is_amm = BoolTarget::new_unsafe(b.add(of(StepKind::Swap).target, is_liq.target));
        Self {
            sel,
            is_l2,
            is_liq,
            is_amm,
        }
    }

    /// The selector of `kind`.
    pub fn of(&self, kind: StepKind) -> BoolTarget {
        self.sel[kind as usize]
    }
}

/// Selector-weighted sums.
pub(super) trait CircuitBuilderSelect {
    /// `Σ sel_k · x_k`, summed in the order of `terms`.
    fn weighted(&mut self, terms: &[(BoolTarget, Target)]) -> Target;
}

impl CircuitBuilderSelect for CircuitBuilder<F, D> {
    fn weighted(&mut self, terms: &[(BoolTarget, Target)]) -> Target {
        let zero = self.zero();
        terms
            .iter()
            .fold(zero, |acc, &(s, x)| self.mul_add(s.target, x, acc))
    }
}
