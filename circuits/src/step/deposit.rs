//! Deposit: an L1 deposit, credited to the account of (key, sender) or refunded.
//!
//! Credited: the bridge pays the amount to the account, opened at the next free id if the
//! pair has none (slot 0 opens it, [`super::PredecessorTargets`]); its L1 owner must be the
//! deposit's sender, since an account is the pair (key, L1 owner) (D10): a deposit can
//! never credit an account another L1 address owns and could exit (the first-deposit
//! front-run of issue 14). Refunded: nothing moves (slot 0 a no-op, slot 1 still reads
//! the bridge's balance of the token), and the refund needs a reason: a share token, a
//! zero amount, an amount of at least 2^63, or the bridge holding less than the amount
//! (the supply cap). Credited ⇔ no reason holds, as in the reference.
//!
//! Not signed: the key and sender enter the step's record (D9's priority commitment), not
//! the pubdata.

use plonky2::field::types::Field;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::account::{Address, MAX_AMOUNT};
use quire_core::schnorr::PublicKey;
use quire_core::state::Outcome;
use quire_core::tx::Deposit;

use super::operands::{Decoded, OperandTargets, Operands};
use super::pubdata::PubdataField::{self, *};
use super::table::{position, AccountRef, Change, SlotRow, TokenRef};
use super::SlotTargets;
use crate::gadgets::{PublicKeyTarget, D, F};
use crate::witness::SlotWitness;

/// The slots: the credited account gets the amount from the bridge. Refunded, both rows
/// read zero (account 0, token 0 and no change; the bridge's slot its balance of the
/// token, for the supply-cap reason).
pub const SLOTS: &[SlotRow] = &[
    SlotRow::credit(AccountRef::Credited, TokenRef::Credited, Change::Credited),
    SlotRow::debit(AccountRef::Bridge, TokenRef::T, Change::Credited),
];

/// The pubdata: account (zero if refunded), token, amount, credited.
pub const PUBDATA: &[PubdataField] = &[Op, CreditedAccount, Token, Amount, Credited];

/// The bridge's slot (its balance of the token: the supply-cap reason reads it).
pub const BRIDGE: usize = position(SLOTS, AccountRef::Bridge, TokenRef::T);

/// The deposit's flags, gated by its selector.
pub(super) struct Flags {
    /// A credited deposit.
    pub credited: BoolTarget,
    /// A credited deposit that opens the account.
    pub opens: BoolTarget,
    /// A refunded deposit.
    pub refunded: BoolTarget,
}

impl Flags {
    /// The flags of the step's `credited` and `opens` operands.
    pub fn build(b: &mut CircuitBuilder<F, D>, is_dep: BoolTarget, ops: &OperandTargets) -> Self {
        let credited = b.and(is_dep, ops.credited);
        let opens = b.and(credited, ops.opens);
        let refunded = BoolTarget::new_unsafe(b.sub(is_dep.target, credited.target));
        Self {
            credited,
            opens,
            refunded,
        }
    }
}

/// The credited account's owner is the sender, whether the deposit opens it or credits
/// it; an opened account's nonce is 0 (the witness layout: nonce_old is the new record's
/// nonce, and slot 0 bumps only for L2 kinds).
pub(super) fn bind_owner(
    b: &mut CircuitBuilder<F, D>,
    dep: &Flags,
    ops: &OperandTargets,
    slot0: &SlotTargets,
) {
    let zero = b.zero();
    for (&owner, &addr) in slot0.owner.iter().zip(ops.address.iter()) {
        b.conditional_assert_eq(dep.credited.target, owner, addr);
    }
    b.conditional_assert_eq(dep.opens.target, slot0.nonce_old, zero);
}

/// Credited ⇔ every check of the reference passes. A credited amount is positive, below
/// 2^63 (its slot sums), of an L1 asset, covered by the bridge (its debit); a refund
/// needs a reason: share token, zero, ≥ 2^63, or the bridge short.
pub(super) fn credit_or_refund(
    b: &mut CircuitBuilder<F, D>,
    dep: &Flags,
    ops: &OperandTargets,
    dec: &Decoded,
    amount_zero: BoolTarget,
    slots: &[SlotTargets],
) {
    let zero = b.zero();
    b.conditional_assert_eq(dep.credited.target, amount_zero.target, zero);
    b.conditional_assert_eq(dep.credited.target, dec.share_token.target, zero);
    let hi_zero = b.is_equal(ops.amount_hi, zero);
    let lo_zero = b.is_equal(ops.amount_lo, zero);
    let zero_amount = b.and(hi_zero, lo_zero);
    // short: the bridge's balance of the token < amount.
    let gap = b.sub(dec.amount_raw, slots[BRIDGE].bal_old);
    let gap = b.add_const(gap, -F::ONE);
    let gap = b.mul(ops.short.target, gap);
    b.range_check(gap, 63);
    let no_reason = [dec.share_token, zero_amount, dec.huge, ops.short]
        .into_iter()
        .fold(b._true(), |acc, r| {
            let n = b.not(r);
            b.and(acc, n)
        });
    b.conditional_assert_eq(dep.refunded.target, no_reason.target, zero);
}

/// The record's deposit fields: the credited key's encoding and the sender (zero for
/// other kinds).
pub(super) fn record(
    b: &mut CircuitBuilder<F, D>,
    is_dep: BoolTarget,
    pubkey: &PublicKeyTarget,
    ops: &OperandTargets,
) -> ([Target; 5], [Target; 5]) {
    let key: [Target; 5] = core::array::from_fn(|i| b.mul(is_dep.target, pubkey.w.0[i]));
    let from: [Target; 5] = core::array::from_fn(|i| b.mul(is_dep.target, ops.address[i]));
    (key, from)
}

/// The operands: account (from the outcome), token, amount, sender, credited, opens.
pub(super) fn operands(d: &Deposit, outcome: Option<&Outcome>, o: &mut Operands) {
    o.token = d.token;
    o.amount = d.amount;
    o.address = d.from;
    if let Some(Outcome::Deposit {
        account,
        created,
        credited,
        ..
    }) = outcome
    {
        o.account_a = *account;
        o.credited = *credited;
        o.opens = *created;
    }
}

/// The supply-cap hint: refunded because the bridge holds less than the amount.
pub(super) fn hint(d: &Deposit, slots: &[SlotWitness], o: &mut Operands) {
    let bridge = slots.get(BRIDGE).map_or(0, |s| s.bal_old);
    o.short = !o.credited && d.amount <= MAX_AMOUNT && bridge < d.amount;
}

/// The record slot 0 opens: the deposit's key, owned by its sender.
pub(crate) fn opening(d: &Deposit, o: &Operands) -> Option<(PublicKey, Address)> {
    (o.credited && o.opens).then_some((d.to, d.from))
}
