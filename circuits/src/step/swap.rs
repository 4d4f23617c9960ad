//! Swap: the signer trades `amount_in` of one of a pool's reserve tokens for the other,
//! at the constant-product price after the pool's fee, rounded down exactly as
//! `quire_core::amm`: with `a' = amount_in·(10⁴ − fee_bps)` and `den = r_in·10⁴ + a'`,
//! `out·den + rem = r_out·a'` with `0 ≤ rem < den`, checked in integer arithmetic past the
//! field size ([`crate::bigint`]). The reserves (the pool's balances before) are non-zero
//! and `out ≥ max(1, min_amount_out)`. The pool's tokens and fee are constants of the
//! circuit (the pool table, [`super::StepParams`]).

use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::amm::{Pool, BPS};
use quire_core::state::Outcome;
use quire_core::tx::Swap;

use super::guard::CircuitBuilderGuard;
use super::operands::{Decoded, OperandTargets, Operands};
use super::pool::PoolTargets;
use super::pubdata::PubdataField::{self, *};
use super::table::{first_of, position, AccountRef, Change, SlotRow, TokenRef};
use super::{const_u64, SlotTargets};
use crate::bigint::CircuitBuilderBigInt;
use crate::gadgets::{D, F};

/// The slots: signer −(amount in + fee) (nonce + 1), pool +amount in, pool −out, signer
/// +out, fee account +fee (in the token in).
pub const SLOTS: &[SlotRow] = &[
    SlotRow::debit(AccountRef::A, TokenRef::T, Change::AmountPlusFee),
    SlotRow::credit(AccountRef::B, TokenRef::T, Change::Amount),
    SlotRow::debit(AccountRef::B, TokenRef::Out, Change::Result1),
    SlotRow::credit(AccountRef::A, TokenRef::Out, Change::Result1),
    SlotRow::credit(AccountRef::Fee, TokenRef::T, Change::Fee),
];

/// The pubdata: account, pool, token in, amount in, amount out, fee.
pub const PUBDATA: &[PubdataField] = &[Op, AccountA, AccountB, Token, Amount, Result1, Fee];

/// The pool's first slot (checked keyless).
pub const POOL_SLOT: usize = first_of(SLOTS, AccountRef::B);
/// The pool's slot of the token in: its balance before is `r_in`.
pub const RESERVE_IN: usize = position(SLOTS, AccountRef::B, TokenRef::T);
/// The pool's slot of the token out: its balance before is `r_out`.
pub const RESERVE_OUT: usize = position(SLOTS, AccountRef::B, TokenRef::Out);

/// The output is the pool's rounding of the curve.
pub(super) fn constrain(
    b: &mut CircuitBuilder<F, D>,
    is_swap: BoolTarget,
    ops: &OperandTargets,
    dec: &Decoded,
    pool: &PoolTargets,
    slots: &[SlotTargets],
) {
    let g = is_swap;
    let (r_in, r_out) = (slots[RESERVE_IN].bal_old, slots[RESERVE_OUT].bal_old);
    b.assert_nonzero_if(g, r_in);
    b.assert_nonzero_if(g, r_out);
    b.assert_nonzero_if(g, ops.result1);
    b.assert_ge_if(g, ops.result1, ops.param1);
    let gated = |b: &mut CircuitBuilder<F, D>, x: Target| {
        let y = b.mul(g.target, x);
        b.u63_limbs(y)
    };
    let rin_l = gated(b, r_in);
    let rout_l = gated(b, r_out);
    let ain_l = gated(b, dec.amount);
    let out_l = gated(b, ops.result1);
    let gm = b.mul(g.target, pool.gamma);
    let a_prime = b.cols_mul(&ain_l, &[gm]);
    let bps = const_u64(b, BPS);
    let rin_bps = b.cols_mul(&rin_l, &[bps]);
    let den = b.cols_add(&rin_bps, &a_prime);
    let num = b.cols_mul(&rout_l, &a_prime);
    let lhs = b.cols_mul(&out_l, &den);
    let rem = b.cols_slack(&lhs, &num, 3);
    let rem1 = b.cols_add(&rem, &[g.target]);
    b.cols_slack(&rem1, &den, 3);
}

/// The operands: pool, token in (and whether it is the pool's token B), amount in, min
/// out, the output (from the outcome).
pub(super) fn operands(t: &Swap, pool: &Pool, outcome: Option<&Outcome>, o: &mut Operands) {
    o.account_b = t.pool;
    o.token = t.token_in;
    o.from_b = t.token_in == pool.token_b;
    o.amount = t.amount_in;
    o.param1 = t.min_amount_out;
    if let Some(Outcome::Swap { amount_out }) = outcome {
        o.result1 = *amount_out;
    }
    o.pool = Some(pool.clone());
}
