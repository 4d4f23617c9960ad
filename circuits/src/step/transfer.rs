//! Transfer: an L2 payment from the signer to another account, the fee to the fee
//! account. The amount is positive (checked with the withdrawal's, in
//! [`super::build_step`]) and the receiver keyed: a keyless account (a pool, an id never
//! opened) cannot take payments nobody could spend.

use plonky2::iop::target::BoolTarget;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::tx::Transfer;

use super::operands::Operands;
use super::pubdata::PubdataField::{self, *};
use super::table::{position, AccountRef, Change, SlotRow, TokenRef};
use super::SlotTargets;
use crate::gadgets::{D, F};

/// The slots: signer −(amount + fee) (nonce + 1), receiver +amount, fee account +fee.
pub const SLOTS: &[SlotRow] = &[
    SlotRow::debit(AccountRef::A, TokenRef::T, Change::AmountPlusFee),
    SlotRow::credit(AccountRef::B, TokenRef::T, Change::Amount),
    SlotRow::credit(AccountRef::Fee, TokenRef::T, Change::Fee),
];

/// The pubdata: from, to, token, amount, fee.
pub const PUBDATA: &[PubdataField] = &[Op, AccountA, AccountB, Token, Amount, Fee];

/// The receiver's slot.
pub const RECEIVER: usize = position(SLOTS, AccountRef::B, TokenRef::T);

/// The receiver is keyed (a non-zero key hash).
pub(super) fn assert_keyed_receiver(
    b: &mut CircuitBuilder<F, D>,
    is_tr: BoolTarget,
    slots: &[SlotTargets],
) {
    let zero = b.zero();
    let mut all_zero = b._true();
    for i in 0..4 {
        let z = b.is_equal(slots[RECEIVER].pubkey_hash[i], zero);
        all_zero = b.and(all_zero, z);
    }
    b.conditional_assert_eq(is_tr.target, all_zero.target, zero);
}

/// The operands: receiver, token, amount (signer, fee and nonce are every L2 kind's).
pub(super) fn operands(t: &Transfer, o: &mut Operands) {
    o.account_b = t.to;
    o.token = t.token;
    o.amount = t.amount;
}
