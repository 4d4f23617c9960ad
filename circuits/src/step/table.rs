//! Slot tables: which balances a step opens, in which order, and how each changes.
//!
//! Each kind defines its table once, as a `SLOTS` constant in its module: one [`SlotRow`]
//! per slot, naming the slot's account, token and change symbolically ([`AccountRef`],
//! [`TokenRef`], [`Change`]). The same rows are read twice:
//! - by the circuit (`apply`): a symbol is an operand target (`RowTargets`), and a
//!   slot's expected account, token and change are the selector-weighted sums of the kinds'
//!   rows for that slot, so a slot past a kind's table must be a no-op update of
//!   (account 0, token 0);
//! - by the witness builder (`SlotRow::resolve`): a symbol is the operation's native
//!   value (the step's `Operands`), giving the slot list the shadow tree replays.
//!
//! Balances: each slot's change `d` is a credit (`old + d = new`) or a debit
//! (`new + d = old`), checked by [`super::CircuitBuilderU63::add_u63`] as an integer sum
//! of values below 2^63 with no wrap around p, so a debit can never exceed the balance.
//!
//! Slot 0 is the account the step is about ([`AccountRef::A`] or, for a deposit,
//! [`AccountRef::Credited`]); for L2 kinds it is the signer's, whose nonce the step bumps.

use anyhow::Context;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::account::{AccountId, BRIDGE_ACCOUNT, FEE_ACCOUNT};
use quire_core::token::TokenId;

use super::operands::{Decoded, OperandTargets};
use super::pool::PoolTargets;
use super::select::{CircuitBuilderSelect, Selectors};
use super::{const_u64, CircuitBuilderU63, Operands, SlotTargets, StepKind, NUM_KINDS};
use crate::gadgets::{D, F};
use crate::witness::N_SLOTS;

/// Whose balance a slot changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountRef {
    /// The first account: the signer, the full exit's account.
    A,
    /// The second account: the transfer's receiver, the pool.
    B,
    /// The bridge (account 0): holds L1 assets not on L2, and locked shares.
    Bridge,
    /// The fee account.
    Fee,
    /// A deposit's account if credited, else the bridge (a refund touches nothing).
    Credited,
}

/// Which token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRef {
    /// The step's token: the token, the swap's token in, the pool's token A.
    T,
    /// A swap's token out (the pool's other reserve token).
    Out,
    /// The pool's token B.
    PoolB,
    /// The pool's share token.
    Shares,
    /// A deposit's token if credited, else ETH (token 0).
    Credited,
}

/// How much.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The amount (amount in, max amount A, shares burned).
    Amount,
    /// Amount plus fee.
    AmountPlusFee,
    /// The fee.
    Fee,
    /// The first result (amount out, amount A, exited amount).
    Result1,
    /// The second result (amount B).
    Result2,
    /// The third result (shares minted).
    Result3,
    /// First result plus fee.
    Result1PlusFee,
    /// Shares minted plus shares locked.
    Result3PlusLocked,
    /// The shares a pool's first liquidity locks to the bridge (else zero).
    Locked,
    /// A deposit's amount if credited, else zero.
    Credited,
}

/// Whether a slot's change is added or taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `old + d = new`.
    Credit,
    /// `new + d = old`.
    Debit,
}

/// One slot of a kind's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotRow {
    /// The account.
    pub account: AccountRef,
    /// The token.
    pub token: TokenRef,
    /// The change.
    pub change: Change,
    /// Credit or debit.
    pub direction: Direction,
}

impl SlotRow {
    /// A slot adding `change` to `account`'s balance of `token`.
    pub const fn credit(account: AccountRef, token: TokenRef, change: Change) -> Self {
        Self {
            account,
            token,
            change,
            direction: Direction::Credit,
        }
    }

    /// A slot taking `change` from `account`'s balance of `token`.
    pub const fn debit(account: AccountRef, token: TokenRef, change: Change) -> Self {
        Self {
            account,
            token,
            change,
            direction: Direction::Debit,
        }
    }

    /// The row natively: the account, token and signed balance change of the slot for the
    /// operands `o` (whose `locked` the witness builder has set).
    pub(crate) fn resolve(&self, o: &Operands) -> anyhow::Result<(AccountId, TokenId, i128)> {
        let pool = || o.pool.as_ref().context("pool");
        let account = match self.account {
            AccountRef::A => o.account_a,
            AccountRef::B => o.account_b,
            AccountRef::Bridge => BRIDGE_ACCOUNT,
            AccountRef::Fee => FEE_ACCOUNT,
            AccountRef::Credited if o.credited => o.account_a,
            AccountRef::Credited => BRIDGE_ACCOUNT,
        };
        let token = match self.token {
            TokenRef::T => o.token,
            TokenRef::Out => pool()?.counterpart(o.token).context("token")?,
            TokenRef::PoolB => pool()?.token_b,
            TokenRef::Shares => pool()?.share_token,
            TokenRef::Credited if o.credited => o.token,
            TokenRef::Credited => TokenId::ETH,
        };
        let n = |v: u64| v as i128;
        let change = match self.change {
            Change::Amount => n(o.amount),
            Change::AmountPlusFee => n(o.amount) + n(o.fee),
            Change::Fee => n(o.fee),
            Change::Result1 => n(o.result1),
            Change::Result2 => n(o.result2),
            Change::Result3 => n(o.result3),
            Change::Result1PlusFee => n(o.result1) + n(o.fee),
            Change::Result3PlusLocked => n(o.result3) + n(o.locked),
            Change::Locked => n(o.locked),
            Change::Credited if o.credited => n(o.amount),
            Change::Credited => 0,
        };
        let delta = match self.direction {
            Direction::Credit => change,
            Direction::Debit => -change,
        };
        Ok((account, token, delta))
    }
}

/// The first slot of `table` that changes `account`'s balance of `token`, at compile time
/// (a kind's checks name the slots they read by what they hold, not by number).
pub const fn position(table: &[SlotRow], account: AccountRef, token: TokenRef) -> usize {
    let mut i = 0;
    while i < table.len() {
        if table[i].account as u8 == account as u8 && table[i].token as u8 == token as u8 {
            return i;
        }
        i += 1;
    }
    panic!("no such slot in the table")
}

/// The first slot of `table` that changes `account`'s balances, at compile time.
pub const fn first_of(table: &[SlotRow], account: AccountRef) -> usize {
    let mut i = 0;
    while i < table.len() {
        if table[i].account as u8 == account as u8 {
            return i;
        }
        i += 1;
    }
    panic!("no such account in the table")
}

// Every table fits the step's slots, the longest fills them, and slot 0 is the account the
// step is about.
const _: () = {
    let mut longest = 0;
    let mut k = 0;
    while k < NUM_KINDS {
        let t = StepKind::ALL[k].slots();
        assert!(t.len() <= N_SLOTS);
        if t.len() > longest {
            longest = t.len();
        }
        if !t.is_empty() {
            let a = t[0].account as u8;
            assert!(a == AccountRef::A as u8 || a == AccountRef::Credited as u8);
        }
        k += 1;
    }
    assert!(longest == N_SLOTS);
};

/// The targets the table symbols stand for in the circuit.
pub(super) struct RowTargets {
    account_a: Target,
    account_b: Target,
    bridge: Target,
    fee_account: Target,
    credited_account: Target,
    token: Target,
    token_out: Target,
    token_b: Target,
    share_token: Target,
    credited_token: Target,
    amount: Target,
    amount_plus_fee: Target,
    fee: Target,
    result1: Target,
    result2: Target,
    result3: Target,
    result1_plus_fee: Target,
    result3_plus_locked: Target,
    locked: Target,
    credited_amount: Target,
}

impl RowTargets {
    /// Computes the symbols' targets: the sums range-checked ([`CircuitBuilderU63`]), a
    /// deposit's values gated by `dep_credited` (a refund changes nothing).
    pub fn build(
        b: &mut CircuitBuilder<F, D>,
        ops: &OperandTargets,
        dec: &Decoded,
        pool: &PoolTargets,
        dep_credited: BoolTarget,
        locked: Target,
    ) -> Self {
        let amount_plus_fee = b.add_u63(dec.amount, dec.fee);
        let result1_plus_fee = b.add_u63(ops.result1, dec.fee);
        let result3_plus_locked = b.add_u63(ops.result3, locked);
        let credited_amount = b.mul(dep_credited.target, dec.amount);
        let credited_account = b.mul(dep_credited.target, ops.account_a);
        let credited_token = b.mul(dep_credited.target, ops.token);
        let bridge = const_u64(b, BRIDGE_ACCOUNT.get() as u64);
        let fee_account = const_u64(b, FEE_ACCOUNT.get() as u64);
        Self {
            account_a: ops.account_a,
            account_b: ops.account_b,
            bridge,
            fee_account,
            credited_account,
            token: ops.token,
            token_out: pool.token_out,
            token_b: pool.token_b,
            share_token: pool.share_token,
            credited_token,
            amount: dec.amount,
            amount_plus_fee,
            fee: dec.fee,
            result1: ops.result1,
            result2: ops.result2,
            result3: ops.result3,
            result1_plus_fee,
            result3_plus_locked,
            locked,
            credited_amount,
        }
    }

    fn account(&self, a: AccountRef) -> Target {
        match a {
            AccountRef::A => self.account_a,
            AccountRef::B => self.account_b,
            AccountRef::Bridge => self.bridge,
            AccountRef::Fee => self.fee_account,
            AccountRef::Credited => self.credited_account,
        }
    }

    fn token(&self, t: TokenRef) -> Target {
        match t {
            TokenRef::T => self.token,
            TokenRef::Out => self.token_out,
            TokenRef::PoolB => self.token_b,
            TokenRef::Shares => self.share_token,
            TokenRef::Credited => self.credited_token,
        }
    }

    fn change(&self, c: Change) -> Target {
        match c {
            Change::Amount => self.amount,
            Change::AmountPlusFee => self.amount_plus_fee,
            Change::Fee => self.fee,
            Change::Result1 => self.result1,
            Change::Result2 => self.result2,
            Change::Result3 => self.result3,
            Change::Result1PlusFee => self.result1_plus_fee,
            Change::Result3PlusLocked => self.result3_plus_locked,
            Change::Locked => self.locked,
            Change::Credited => self.credited_amount,
        }
    }
}

/// Applies the kinds' tables to the slots from `root_in`, slot by slot: each slot's
/// account, token and change are the selected kind's row ([`StepKind`] order sums), its
/// balance moves by the change, and its Merkle update chains the root. Returns the root
/// after the last slot.
pub(super) fn apply(
    b: &mut CircuitBuilder<F, D>,
    sel: &Selectors,
    rows: &RowTargets,
    slots: &[SlotTargets],
    root_in: HashOutTarget,
) -> HashOutTarget {
    let mut root = root_in;
    for (i, s) in slots.iter().enumerate() {
        let kinds: Vec<(BoolTarget, SlotRow)> = StepKind::ALL
            .iter()
            .filter_map(|&k| k.slots().get(i).map(|r| (sel.of(k), *r)))
            .collect();
        let terms = |f: &dyn Fn(&SlotRow) -> Target| -> Vec<(BoolTarget, Target)> {
            kinds.iter().map(|(k, r)| (*k, f(r))).collect()
        };
        let acct_terms = terms(&|r| rows.account(r.account));
        let tok_terms = terms(&|r| rows.token(r.token));
        let delta_terms = terms(&|r| rows.change(r.change));
        let acct = b.weighted(&acct_terms);
        let tok = b.weighted(&tok_terms);
        let d = b.weighted(&delta_terms);
        let debit = BoolTarget::new_unsafe(
            b.add_many(
                kinds
                    .iter()
                    .filter(|(_, r)| r.direction == Direction::Debit)
                    .map(|(k, _)| k.target),
            ),
        );
        b.connect(s.account, acct);
        b.connect(s.token, tok);
        // credit: old + d = new; debit: new + d = old.
        let x = b.select(debit, s.bal_new, s.bal_old);
        let y = b.select(debit, s.bal_old, s.bal_new);
        let sum = b.add_u63(x, d);
        b.connect(sum, y);
        root = s.update(b, root);
    }
    root
}
