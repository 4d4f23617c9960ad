//! Withdraw: the signer's balance paid out on L1 through the bridge, the fee to the fee
//! account. Only L1 assets leave (share tokens exist only on L2), the amount is positive
//! (checked with the transfer's, in [`super::build_step`]), and never to address zero,
//! whose payout nobody can claim (issue 14).

use plonky2::iop::target::BoolTarget;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::tx::Withdraw;

use super::guard::CircuitBuilderGuard;
use super::operands::{Decoded, OperandTargets, Operands};
use super::pubdata::PubdataField::{self, *};
use super::table::{AccountRef, Change, SlotRow, TokenRef};
use crate::gadgets::{D, F};

/// The slots: signer −(amount + fee) (nonce + 1), bridge +amount, fee account +fee.
pub const SLOTS: &[SlotRow] = &[
    SlotRow::debit(AccountRef::A, TokenRef::T, Change::AmountPlusFee),
    SlotRow::credit(AccountRef::Bridge, TokenRef::T, Change::Amount),
    SlotRow::credit(AccountRef::Fee, TokenRef::T, Change::Fee),
];

/// The pubdata: from, token, amount, fee, L1 recipient.
pub const PUBDATA: &[PubdataField] = &[Op, AccountA, Token, Amount, Fee, Address];

/// Withdrawals move L1 assets only.
pub(super) fn assert_l1_asset(b: &mut CircuitBuilder<F, D>, is_wd: BoolTarget, dec: &Decoded) {
    let zero = b.zero();
    b.conditional_assert_eq(is_wd.target, dec.share_token.target, zero);
}

/// The recipient is not address zero. The limbs are 32-bit (their byte decomposition in
/// the pubdata), so their sum is zero only for zero.
pub(super) fn assert_payable(
    b: &mut CircuitBuilder<F, D>,
    is_wd: BoolTarget,
    ops: &OperandTargets,
) {
    let address_sum = b.add_many(ops.address);
    b.assert_nonzero_if(is_wd, address_sum);
}

/// The operands: token, amount, recipient.
pub(super) fn operands(t: &Withdraw, o: &mut Operands) {
    o.token = t.token;
    o.amount = t.amount;
    o.address = t.to;
}
