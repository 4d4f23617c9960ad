//! The pool table: pools exist only from genesis, so their tokens and fees are constants
//! of the circuit ([`super::StepParams`]), looked up by the pool id an AMM kind names.
//! Also what the AMM kinds read from their pool's slots: the share supply, and that the
//! pool is keyless.
//!
//! Pool accounts are checked keyless (zero key hash), so a signer is never its own pool
//! and the pool's reserves read in its slots are untouched by the signer's slots.

use std::collections::BTreeMap;

use plonky2::field::types::Field;
use plonky2::iop::target::Target;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::account::{AccountId, MAX_AMOUNT};
use quire_core::amm::{Pool, BPS};

use super::operands::OperandTargets;
use super::select::Selectors;
use super::{add_liquidity, const_u64, remove_liquidity, swap, SlotTargets, StepKind, StepParams};
use crate::gadgets::{D, F};

/// Where the native side finds a pool by id: the circuit's table, or the state's.
pub(crate) trait PoolTable {
    /// The pool of account `id`, if any.
    fn find(&self, id: AccountId) -> Option<&Pool>;

    /// The pool of account `id`, or an error naming it.
    fn pool(&self, id: AccountId) -> anyhow::Result<&Pool> {
        self.find(id)
            .ok_or_else(|| anyhow::anyhow!("pool {id} is not in the pool table"))
    }
}

impl PoolTable for [Pool] {
    fn find(&self, id: AccountId) -> Option<&Pool> {
        self.iter().find(|p| p.account == id)
    }
}

impl PoolTable for BTreeMap<AccountId, Pool> {
    fn find(&self, id: AccountId) -> Option<&Pool> {
        self.get(&id)
    }
}

/// The named pool's constants, selected from the table (zero when no pool matches, which
/// only non-AMM kinds may do).
pub(super) struct PoolTargets {
    /// Token B.
    pub token_b: Target,
    /// The share token.
    pub share_token: Target,
    /// `10⁴ − fee_bps`: what of a swap's input counts after the pool's fee.
    pub gamma: Target,
    /// A swap's token out: the reserve token that is not the token in.
    pub token_out: Target,
}

impl PoolTargets {
    /// Looks the pool `account_b` names up in the table: exactly one pool matches an AMM
    /// kind's pool id, and the step's token is the swap's token in (one of the pool's
    /// two) or, for liquidity kinds, the pool's token A.
    pub fn lookup(
        b: &mut CircuitBuilder<F, D>,
        params: &StepParams,
        sel: &Selectors,
        ops: &OperandTargets,
    ) -> Self {
        let zero = b.zero();
        let one = b.one();
        let mut matches = Vec::with_capacity(params.pools.len());
        let (mut ta, mut tb, mut ts, mut gamma) = (zero, zero, zero, zero);
        for p in &params.pools {
            let id = const_u64(b, p.account.get() as u64);
            let e = b.is_equal(ops.account_b, id);
            let fe = |v: u64| F::from_canonical_u64(v);
            ta = b.mul_const_add(fe(p.token_a.0 as u64), e.target, ta);
            tb = b.mul_const_add(fe(p.token_b.0 as u64), e.target, tb);
            ts = b.mul_const_add(fe(p.share_token.0 as u64), e.target, ts);
            gamma = b.mul_const_add(fe(BPS - p.fee_bps as u64), e.target, gamma);
            matches.push(e.target);
        }
        let n_matches = b.add_many(matches);
        b.conditional_assert_eq(sel.is_amm.target, n_matches, one);
        let t_in = b.select(ops.from_b, tb, ta);
        let t_out = b.select(ops.from_b, ta, tb);
        let t_expected = b.select(sel.of(StepKind::Swap), t_in, ta);
        b.conditional_assert_eq(sel.is_amm.target, ops.token, t_expected);
        Self {
            token_b: tb,
            share_token: ts,
            gamma,
            token_out: t_out,
        }
    }
}

/// A pool's share supply before the operation, read from `slot`, the pool's balance of
/// its share token: the pool holds every share not in circulation (`MAX_AMOUNT` at
/// genesis).
pub(super) fn supply(b: &mut CircuitBuilder<F, D>, slot: &SlotTargets) -> Target {
    let max_amount = const_u64(b, MAX_AMOUNT);
    b.sub(max_amount, slot.bal_old)
}

/// The pool's first slot in the swap table, and in both liquidity tables (one check for
/// both liquidity kinds).
const SWAP_POOL: usize = swap::POOL_SLOT;
const LIQUIDITY_POOL: usize = add_liquidity::POOL_SLOT;
const _: () = assert!(add_liquidity::POOL_SLOT == remove_liquidity::POOL_SLOT);

/// Pools are keyless: the pool's first slot has a zero key hash, so the signer (slot 0,
/// whose key hash is the signer's) is never the pool.
pub(super) fn assert_keyless(b: &mut CircuitBuilder<F, D>, sel: &Selectors, slots: &[SlotTargets]) {
    let zero = b.zero();
    let is_swap = sel.of(StepKind::Swap);
    for i in 0..4 {
        b.conditional_assert_eq(is_swap.target, slots[SWAP_POOL].pubkey_hash[i], zero);
        b.conditional_assert_eq(
            sel.is_liq.target,
            slots[LIQUIDITY_POOL].pubkey_hash[i],
            zero,
        );
    }
}
