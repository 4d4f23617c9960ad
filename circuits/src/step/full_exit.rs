//! FullExit: an L1-forced exit of one balance, which the operator cannot censor. The
//! circuit computes the amount from the leaf it reads: the whole balance if the requester
//! owns a keyed account and the token is an L1 asset, else nothing; the slots run in both
//! cases (moving zero). The account may be absent (an id never opened): slot 0 then reads
//! the empty leaf, and only a full exit may do so.

use plonky2::iop::target::BoolTarget;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::state::Outcome;
use quire_core::tx::FullExit;

use super::operands::{Decoded, OperandTargets, Operands};
use super::pubdata::PubdataField::{self, *};
use super::table::{AccountRef, Change, SlotRow, TokenRef};
use super::SlotTargets;
use crate::gadgets::{D, F};

/// The slots: account −amount, bridge +amount (also when the amount is 0).
pub const SLOTS: &[SlotRow] = &[
    SlotRow::debit(AccountRef::A, TokenRef::T, Change::Result1),
    SlotRow::credit(AccountRef::Bridge, TokenRef::T, Change::Result1),
];

/// The pubdata: account, token, amount, L1 owner (the requester).
pub const PUBDATA: &[PubdataField] = &[Op, AccountA, Token, Result1, Address];

/// An absent slot-0 account is a full exit's.
pub(super) fn assert_absent_only_here(
    b: &mut CircuitBuilder<F, D>,
    is_fe: BoolTarget,
    absent: BoolTarget,
) {
    let one = b.one();
    b.conditional_assert_eq(absent.target, is_fe.target, one);
}

/// The exited amount (`result1`) is slot 0's whole balance if the requester (`address`)
/// owns the keyed account and the token is not a share token, else zero.
pub(super) fn constrain_amount(
    b: &mut CircuitBuilder<F, D>,
    is_fe: BoolTarget,
    ops: &OperandTargets,
    dec: &Decoded,
    slots: &[SlotTargets],
) {
    let zero = b.zero();
    let s0 = &slots[0];
    let mut keyless = b._true();
    for i in 0..4 {
        let z = b.is_equal(s0.pubkey_hash[i], zero);
        keyless = b.and(keyless, z);
    }
    let mut owner_ok = b.not(keyless);
    for (&o, &addr) in s0.owner.iter().zip(&ops.address) {
        let e = b.is_equal(o, addr);
        owner_ok = b.and(owner_ok, e);
    }
    let not_absent = b.not(ops.absent);
    let not_share = b.not(dec.share_token);
    let exits = b.and(owner_ok, not_absent);
    let exits = b.and(exits, not_share);
    let exit_amount = b.mul(exits.target, s0.bal_old);
    b.conditional_assert_eq(is_fe.target, ops.result1, exit_amount);
}

/// The operands: account, token, requester, and the amount (from the outcome).
pub(super) fn operands(e: &FullExit, outcome: Option<&Outcome>, o: &mut Operands) {
    o.account_a = e.account;
    o.token = e.token;
    o.address = e.owner;
    if let Some(Outcome::FullExit { amount }) = outcome {
        o.result1 = *amount;
    }
}
