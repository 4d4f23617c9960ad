//! RemoveLiquidity: the signer burns shares for its part of both reserves, the fee (in
//! token A) to the fee account. Each amount is `⌊shares·r/S⌋` (`S` the share supply
//! before), as `0 ≤ shares·r − amount·S < S`, in integer arithmetic past the field size
//! ([`crate::bigint`]); `shares ≤ S`, the amounts not both zero, and each at least the
//! signed minimum.

use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::amm::Pool;
use quire_core::state::Outcome;
use quire_core::tx::RemoveLiquidity;

use super::guard::CircuitBuilderGuard;
use super::operands::{Decoded, OperandTargets, Operands};
use super::pubdata::PubdataField::{self, *};
use super::table::{first_of, position, AccountRef, Change, SlotRow, TokenRef};
use super::SlotTargets;
use crate::bigint::CircuitBuilderBigInt;
use crate::gadgets::{D, F};

/// The slots: signer −fee (nonce + 1) and −shares, pool +shares, pool −a and −b, signer
/// +a and +b, fee account +fee.
pub const SLOTS: &[SlotRow] = &[
    SlotRow::debit(AccountRef::A, TokenRef::T, Change::Fee),
    SlotRow::debit(AccountRef::A, TokenRef::Shares, Change::Amount),
    SlotRow::credit(AccountRef::B, TokenRef::Shares, Change::Amount),
    SlotRow::debit(AccountRef::B, TokenRef::T, Change::Result1),
    SlotRow::debit(AccountRef::B, TokenRef::PoolB, Change::Result2),
    SlotRow::credit(AccountRef::A, TokenRef::T, Change::Result1),
    SlotRow::credit(AccountRef::A, TokenRef::PoolB, Change::Result2),
    SlotRow::credit(AccountRef::Fee, TokenRef::T, Change::Fee),
];

/// The pubdata: account, pool, shares, amount A, amount B, fee.
pub const PUBDATA: &[PubdataField] = &[Op, AccountA, AccountB, Amount, Result1, Result2, Fee];

/// The pool's first slot (checked keyless).
pub const POOL_SLOT: usize = first_of(SLOTS, AccountRef::B);
/// The pool's slot of its share token: `MAX_AMOUNT` less its balance before is `S`.
pub const POOL_SHARES: usize = position(SLOTS, AccountRef::B, TokenRef::Shares);
/// The pool's slot of token A: its balance before is `ra`.
pub const RESERVE_A: usize = position(SLOTS, AccountRef::B, TokenRef::T);
/// The pool's slot of token B: its balance before is `rb`.
pub const RESERVE_B: usize = position(SLOTS, AccountRef::B, TokenRef::PoolB);

/// The amounts are the pool's rounding, the bounds hold (see the module docs); `supply`
/// is `S`.
pub(super) fn constrain(
    b: &mut CircuitBuilder<F, D>,
    is_rem: BoolTarget,
    supply: Target,
    ops: &OperandTargets,
    dec: &Decoded,
    slots: &[SlotTargets],
) {
    let zero = b.zero();
    let g = is_rem;
    let (result1, result2) = (ops.result1, ops.result2);
    let (ra, rb) = (slots[RESERVE_A].bal_old, slots[RESERVE_B].bal_old);
    b.assert_ge_if(g, supply, dec.amount);
    let a_zero = b.is_equal(result1, zero);
    let b_zero = b.is_equal(result2, zero);
    let both = b.and(a_zero, b_zero);
    b.conditional_assert_eq(g.target, both.target, zero);
    b.assert_ge_if(g, result1, ops.param1);
    b.assert_ge_if(g, result2, ops.param2);
    let gated = |b: &mut CircuitBuilder<F, D>, x: Target| {
        let y = b.mul(g.target, x);
        b.u63_limbs(y)
    };
    let s_l = gated(b, supply);
    let sh_l = gated(b, dec.amount);
    for (r, res) in [(ra, result1), (rb, result2)] {
        let r_l = gated(b, r);
        let res_l = gated(b, res);
        let num = b.cols_mul(&sh_l, &r_l);
        let q = b.cols_mul(&res_l, &s_l);
        let e = b.cols_slack(&q, &num, 2);
        let e1 = b.cols_add(&e, &[g.target]);
        b.cols_slack(&e1, &s_l, 2);
    }
}

/// The operands: pool, its token A, shares, min amounts, and the amounts (from the
/// outcome).
pub(super) fn operands(
    t: &RemoveLiquidity,
    pool: &Pool,
    outcome: Option<&Outcome>,
    o: &mut Operands,
) {
    o.account_b = t.pool;
    o.token = pool.token_a;
    o.amount = t.shares;
    o.param1 = t.min_amount_a;
    o.param2 = t.min_amount_b;
    if let Some(Outcome::RemoveLiquidity { amount_a, amount_b }) = outcome {
        o.result1 = *amount_a;
        o.result2 = *amount_b;
    }
    o.pool = Some(pool.clone());
}
