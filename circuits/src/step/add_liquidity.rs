//! AddLiquidity: the signer deposits both reserve tokens of a pool for shares, the fee
//! (in token A) to the fee account. Two cases, by the pool's share supply `S` before:
//! - first liquidity (`S = 0`): `root = shares + 1000` with `root² ≤ max_a·max_b <
//!   (root + 1)²`, everything offered taken, and `MINIMUM_LIQUIDITY` (1000) shares locked
//!   to the bridge account, so the supply never returns to zero;
//! - later liquidity: `shares = min(⌊max_a·S/ra⌋, ⌊max_b·S/rb⌋)`, as `shares·r ≤ max·S`
//!   for both tokens and `(shares + 1)·r > max·S` for the tight one (the `by_b` hint);
//!   each amount `⌈shares·r/S⌉`, as `0 ≤ amount·S − shares·r < S`; reserves non-zero.
//!
//! Both: `shares ≥ max(1, min_shares)`. The quotients are checked exactly as
//! `quire_core::amm` rounds them, in integer arithmetic past the field size
//! ([`crate::bigint`]).

use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::account::MAX_AMOUNT;
use quire_core::amm::{Pool, MINIMUM_LIQUIDITY};
use quire_core::state::Outcome;
use quire_core::tx::AddLiquidity;

use super::guard::CircuitBuilderGuard;
use super::operands::{Decoded, OperandTargets, Operands};
use super::pubdata::PubdataField::{self, *};
use super::table::{first_of, position, AccountRef, Change, SlotRow, TokenRef};
use super::{const_u64, SlotTargets};
use crate::bigint::CircuitBuilderBigInt;
use crate::gadgets::{D, F};
use crate::witness::SlotWitness;

/// The slots: signer −(a + fee) (nonce + 1) and −b, pool +a and +b, pool −(shares +
/// locked) of the share token, signer +shares, bridge +locked, fee account +fee.
pub const SLOTS: &[SlotRow] = &[
    SlotRow::debit(AccountRef::A, TokenRef::T, Change::Result1PlusFee),
    SlotRow::debit(AccountRef::A, TokenRef::PoolB, Change::Result2),
    SlotRow::credit(AccountRef::B, TokenRef::T, Change::Result1),
    SlotRow::credit(AccountRef::B, TokenRef::PoolB, Change::Result2),
    SlotRow::debit(AccountRef::B, TokenRef::Shares, Change::Result3PlusLocked),
    SlotRow::credit(AccountRef::A, TokenRef::Shares, Change::Result3),
    SlotRow::credit(AccountRef::Bridge, TokenRef::Shares, Change::Locked),
    SlotRow::credit(AccountRef::Fee, TokenRef::T, Change::Fee),
];

/// The pubdata: account, pool, amount A, amount B, shares, fee.
pub const PUBDATA: &[PubdataField] = &[Op, AccountA, AccountB, Result1, Result2, Result3, Fee];

/// The pool's first slot (checked keyless).
pub const POOL_SLOT: usize = first_of(SLOTS, AccountRef::B);
/// The pool's slot of token A: its balance before is `ra`.
pub const RESERVE_A: usize = position(SLOTS, AccountRef::B, TokenRef::T);
/// The pool's slot of token B: its balance before is `rb`.
pub const RESERVE_B: usize = position(SLOTS, AccountRef::B, TokenRef::PoolB);
/// The pool's slot of its share token: `MAX_AMOUNT` less its balance before is `S`.
pub const POOL_SHARES: usize = position(SLOTS, AccountRef::B, TokenRef::Shares);

/// Which case the step is, from the supply before.
pub(super) struct Liquidity {
    /// First liquidity.
    pub first: BoolTarget,
    /// Later liquidity.
    pub later: BoolTarget,
    /// The locked shares: `MINIMUM_LIQUIDITY` for first liquidity, else zero.
    pub locked: Target,
}

impl Liquidity {
    /// The case of an add with share supply `supply` (zero: first liquidity).
    pub fn build(b: &mut CircuitBuilder<F, D>, is_add: BoolTarget, supply: Target) -> Self {
        let zero = b.zero();
        let first = b.is_equal(supply, zero);
        let add_first = b.and(is_add, first);
        let add_later = BoolTarget::new_unsafe(b.sub(is_add.target, add_first.target));
        let c_min_liq = const_u64(b, MINIMUM_LIQUIDITY);
        let locked = b.mul(add_first.target, c_min_liq);
        Self {
            first: add_first,
            later: add_later,
            locked,
        }
    }
}

/// The shares and amounts are the pool's rounding (see the module docs).
pub(super) fn constrain(
    b: &mut CircuitBuilder<F, D>,
    is_add: BoolTarget,
    liq: &Liquidity,
    supply: Target,
    ops: &OperandTargets,
    dec: &Decoded,
    slots: &[SlotTargets],
) {
    let amount = dec.amount;
    let (result1, result2, result3) = (ops.result1, ops.result2, ops.result3);
    // First liquidity: shares + 1000 = ⌊√(max_a·max_b)⌋, everything offered taken.
    {
        let g = liq.first;
        b.conditional_assert_eq(g.target, result1, amount);
        b.conditional_assert_eq(g.target, result2, ops.param1);
        let c_min_liq = const_u64(b, MINIMUM_LIQUIDITY);
        let root = b.add(result3, c_min_liq);
        let root = b.mul(g.target, root);
        let root_l = b.u63_limbs(root);
        let ma = b.mul(g.target, amount);
        let mb = b.mul(g.target, ops.param1);
        let ma_l = b.u63_limbs(ma);
        let mb_l = b.u63_limbs(mb);
        let prod = b.cols_mul(&ma_l, &mb_l);
        let sq = b.cols_mul(&root_l, &root_l);
        b.cols_slack(&sq, &prod, 4);
        let root1 = b.cols_add(&root_l, &[g.target]);
        let sq1 = b.cols_mul(&root1, &root1);
        let prod1 = b.cols_add(&prod, &[g.target]);
        b.cols_slack(&prod1, &sq1, 4);
    }

    // Later liquidity: shares = min(⌊max_a·S/ra⌋, ⌊max_b·S/rb⌋), amounts ⌈shares·r/S⌉.
    {
        let g = liq.later;
        let (ra, rb) = (slots[RESERVE_A].bal_old, slots[RESERVE_B].bal_old);
        b.assert_nonzero_if(g, ra);
        b.assert_nonzero_if(g, rb);
        let gated = |b: &mut CircuitBuilder<F, D>, x: Target| {
            let y = b.mul(g.target, x);
            b.u63_limbs(y)
        };
        let s_l = gated(b, supply);
        let sh_l = gated(b, result3);
        let ma_l = gated(b, amount);
        let mb_l = gated(b, ops.param1);
        let ra_l = gated(b, ra);
        let rb_l = gated(b, rb);
        let a_l = gated(b, result1);
        let b_l = gated(b, result2);
        let sa = b.cols_mul(&sh_l, &ra_l);
        let sb = b.cols_mul(&sh_l, &rb_l);
        let mas = b.cols_mul(&ma_l, &s_l);
        let mbs = b.cols_mul(&mb_l, &s_l);
        b.cols_slack(&sa, &mas, 4);
        b.cols_slack(&sb, &mbs, 4);
        // The tight bound: max_w·S < (shares + 1)·r_w.
        let r_w: Vec<Target> = ra_l
            .iter()
            .zip(&rb_l)
            .map(|(&x, &y)| b.select(ops.by_b, y, x))
            .collect();
        let m_w: Vec<Target> = mas
            .iter()
            .zip(&mbs)
            .map(|(&x, &y)| b.select(ops.by_b, y, x))
            .collect();
        let sh1 = b.cols_add(&sh_l, &[g.target]);
        let rhs = b.cols_mul(&sh1, &r_w);
        let m_w1 = b.cols_add(&m_w, &[g.target]);
        b.cols_slack(&m_w1, &rhs, 4);
        for (amt_l, r_prod) in [(&a_l, &sa), (&b_l, &sb)] {
            let amt_s = b.cols_mul(amt_l, &s_l);
            let e = b.cols_slack(r_prod, &amt_s, 2);
            let e1 = b.cols_add(&e, &[g.target]);
            b.cols_slack(&e1, &s_l, 2);
        }
    }
    // Both: shares ≥ max(1, min_shares).
    b.assert_nonzero_if(is_add, result3);
    b.assert_ge_if(is_add, result3, ops.param2);
}

/// The operands: pool, its token A, max amounts, min shares, and the results (from the
/// outcome).
pub(super) fn operands(t: &AddLiquidity, pool: &Pool, outcome: Option<&Outcome>, o: &mut Operands) {
    o.account_b = t.pool;
    o.token = pool.token_a;
    o.amount = t.max_amount_a;
    o.param1 = t.max_amount_b;
    o.param2 = t.min_shares;
    if let Some(Outcome::AddLiquidity {
        amount_a,
        amount_b,
        shares,
    }) = outcome
    {
        o.result1 = *amount_a;
        o.result2 = *amount_b;
        o.result3 = *shares;
    }
    o.pool = Some(pool.clone());
}

/// The `by_b` hint: which bound is tight, `(shares + 1)·rb > max_b·S`, from the pool's
/// balances before the operation.
pub(super) fn hint(slots: &[SlotWitness], o: &mut Operands) {
    if let (Some(rb), Some(pool_shares)) = (slots.get(RESERVE_B), slots.get(POOL_SHARES)) {
        let supply = (MAX_AMOUNT - pool_shares.bal_old.min(MAX_AMOUNT)) as u128;
        let lhs = (o.result3 as u128 + 1) * rb.bal_old as u128;
        o.by_b = lhs > o.param1 as u128 * supply;
    }
}
