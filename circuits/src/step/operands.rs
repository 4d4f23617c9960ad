//! A step's operands: the witness targets every kind reads (each kind gives the shared
//! fields its own meaning, see [`super::StepTargets`]), their decoding, and the values
//! they take natively ([`Operands`]), which the witness builder also resolves the kinds'
//! slot tables against, so the circuit and the witness read one set of values.

use plonky2::field::types::Field;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::account::{AccountId, Address, BRIDGE_ACCOUNT};
use quire_core::amm::Pool;
use quire_core::state::Outcome;
use quire_core::token::TokenId;
use quire_core::tx::{L2Tx, Operation, PriorityOp};

use super::fee::CircuitBuilderFee;
use super::pool::PoolTable;
use super::select::Selectors;
use super::{add_liquidity, deposit, full_exit, remove_liquidity, swap, transfer, withdraw};
use crate::gadgets::{D, F};
use crate::witness::SlotWitness;

/// The operand targets of one step.
#[derive(Clone, Debug)]
pub struct OperandTargets {
    /// First account field: signer / deposit account / full-exit account.
    pub account_a: Target,
    /// Second account field: transfer receiver / pool.
    pub account_b: Target,
    /// Token (transfer, withdraw, deposit, full exit), token in (swap), the pool's token A
    /// (liquidity kinds).
    pub token: Target,
    /// High 32 bits of the amount (the amount is a full u64 only for deposits).
    pub amount_hi: Target,
    /// Low 32 bits of the amount: amount, amount in, max amount A, shares burned.
    pub amount_lo: Target,
    /// Second signed parameter: min amount out, max amount B, min amount A.
    pub param1: Target,
    /// Third signed parameter: min shares, min amount B.
    pub param2: Target,
    /// First result: amount out, amount A, exited amount.
    pub result1: Target,
    /// Second result: amount B.
    pub result2: Target,
    /// Third result: shares minted.
    pub result3: Target,
    /// Packed fee (16 bits: mantissa ≪ 5 | exponent).
    pub fee_packed: Target,
    /// Signed nonce.
    pub nonce: Target,
    /// L1 address field (deposit sender, withdrawal recipient, full-exit owner).
    pub address: [Target; 5],
    /// Deposit: credited (not refunded).
    pub credited: BoolTarget,
    /// Deposit: opens a new account.
    pub opens: BoolTarget,
    /// Refunded deposit: the bridge holds less than the amount (the supply cap).
    pub short: BoolTarget,
    /// Swap: the token in is the pool's token B.
    pub from_b: BoolTarget,
    /// Later liquidity: the B bound is the tight one.
    pub by_b: BoolTarget,
    /// Slot 0's account is absent ([`super::SlotTargets::absent`]).
    pub absent: BoolTarget,
}

/// The operands as the kinds read them: decoded and range-checked.
pub(super) struct Decoded {
    /// The amount as an integer below 2^63; zero for a refunded deposit.
    pub amount: Target,
    /// `amount_hi·2^32 + amount_lo`, any u64 (a refunded deposit's amount).
    pub amount_raw: Target,
    /// The raw amount's top bit: it is at least 2^63.
    pub huge: BoolTarget,
    /// The token is a share token (its top bit: ids from 128).
    pub share_token: BoolTarget,
    /// The fee (zero for unsigned kinds).
    pub fee: Target,
}

impl OperandTargets {
    /// Adds the operand targets, the flags boolean.
    pub(super) fn add(b: &mut CircuitBuilder<F, D>) -> Self {
        Self {
            account_a: b.add_virtual_target(),
            account_b: b.add_virtual_target(),
            token: b.add_virtual_target(),
            amount_hi: b.add_virtual_target(),
            amount_lo: b.add_virtual_target(),
            param1: b.add_virtual_target(),
            param2: b.add_virtual_target(),
            result1: b.add_virtual_target(),
            result2: b.add_virtual_target(),
            result3: b.add_virtual_target(),
            fee_packed: b.add_virtual_target(),
            nonce: b.add_virtual_target(),
            address: b.add_virtual_target_arr(),
            credited: b.add_virtual_bool_target_safe(),
            opens: b.add_virtual_bool_target_safe(),
            short: b.add_virtual_bool_target_safe(),
            from_b: b.add_virtual_bool_target_safe(),
            by_b: b.add_virtual_bool_target_safe(),
            absent: b.add_virtual_bool_target_safe(),
        }
    }

    /// Decodes and range-checks the operands; `refunded` is a refunded deposit's flag
    /// ([`deposit::Flags`]), whose amount may be any u64.
    pub(super) fn decode(
        &self,
        b: &mut CircuitBuilder<F, D>,
        sel: &Selectors,
        refunded: BoolTarget,
    ) -> Decoded {
        let one = b.one();
        // Amount: two 32-bit halves (a deposit's amount is any u64 L1 accepted); below 2^63
        // for every kind but a refunded deposit, so the field value is the integer.
        let hi_bits = b.split_le(self.amount_hi, 32);
        b.range_check(self.amount_lo, 32);
        let amount_raw = b.mul_const_add(
            F::from_canonical_u64(1 << 32),
            self.amount_hi,
            self.amount_lo,
        );
        let bounded = b.sub(one, refunded.target);
        let hi_bounded = b.mul(bounded, self.amount_hi);
        b.range_check(hi_bounded, 31);
        // A refunded deposit's amount enters only its pubdata bytes and its refund reason;
        // everywhere else (sums that range-check their terms) it reads as zero.
        let amount = b.mul(bounded, amount_raw);
        // The other signed parameters and the results are below 2^63 (native rejects more).
        for x in [
            self.param1,
            self.param2,
            self.result1,
            self.result2,
            self.result3,
        ] {
            b.range_check(x, 63);
        }
        let token_bits = b.split_le(self.token, 8);
        let share_token = token_bits[7];
        let fee = b.unpack_fee(self.fee_packed);
        let fee = b.mul(sel.is_l2.target, fee);
        Decoded {
            amount,
            amount_raw,
            huge: hi_bits[31],
            share_token,
            fee,
        }
    }
}

/// The values of a step's operands, natively: what [`OperandTargets`] are set to, and
/// what the witness builder resolves the kind's slot table against
/// ([`super::table::SlotRow::resolve`]). Each kind module fills in its own fields
/// (`operands`); fields a kind does not use stay zero, as the circuit expects.
#[derive(Clone, Debug)]
pub(crate) struct Operands {
    /// First account: signer, deposit account, full-exit account.
    pub account_a: AccountId,
    /// Second account: receiver, pool.
    pub account_b: AccountId,
    /// Token, token in, the pool's token A.
    pub token: TokenId,
    /// Amount, amount in, max amount A, shares burned.
    pub amount: u64,
    /// Min amount out, max amount B, min amount A.
    pub param1: u64,
    /// Min shares, min amount B.
    pub param2: u64,
    /// Amount out, amount A, exited amount.
    pub result1: u64,
    /// Amount B.
    pub result2: u64,
    /// Shares minted.
    pub result3: u64,
    /// Fee (L2 kinds).
    pub fee: u64,
    /// Signed nonce.
    pub nonce: u32,
    /// Deposit sender, withdrawal recipient, full-exit owner.
    pub address: Address,
    /// Deposit: credited.
    pub credited: bool,
    /// Deposit: opens the account.
    pub opens: bool,
    /// Refunded deposit: the bridge is short (a hint read from the slots).
    pub short: bool,
    /// Swap: the token in is the pool's token B.
    pub from_b: bool,
    /// Later liquidity: the B bound is tight (a hint read from the slots).
    pub by_b: bool,
    /// AMM kinds: the pool.
    pub pool: Option<Pool>,
    /// First liquidity: the shares locked to the bridge. The circuit derives it from the
    /// pool's supply; natively the witness builder reads it from the state before.
    pub locked: u64,
}

impl Operands {
    fn empty() -> Self {
        Self {
            account_a: BRIDGE_ACCOUNT,
            account_b: BRIDGE_ACCOUNT,
            token: TokenId::ETH,
            amount: 0,
            param1: 0,
            param2: 0,
            result1: 0,
            result2: 0,
            result3: 0,
            fee: 0,
            nonce: 0,
            address: Address::ZERO,
            credited: false,
            opens: false,
            short: false,
            from_b: false,
            by_b: false,
            pool: None,
            locked: 0,
        }
    }

    /// The operands of `op` (`None`: padding) with its outcome (`None`, as for forged
    /// steps: the results read zero); the pools of AMM kinds from `pools`.
    pub fn of(
        op: Option<&Operation>,
        outcome: Option<&Outcome>,
        pools: &(impl PoolTable + ?Sized),
    ) -> anyhow::Result<Self> {
        let mut o = Self::empty();
        match op {
            None => {}
            Some(Operation::L2(s)) => {
                o.fee = s.tx.fee();
                o.nonce = s.tx.nonce();
                o.account_a = s.tx.signer();
                match &s.tx {
                    L2Tx::Transfer(t) => transfer::operands(t, &mut o),
                    L2Tx::Withdraw(t) => withdraw::operands(t, &mut o),
                    L2Tx::Swap(t) => swap::operands(t, pools.pool(t.pool)?, outcome, &mut o),
                    L2Tx::AddLiquidity(t) => {
                        add_liquidity::operands(t, pools.pool(t.pool)?, outcome, &mut o)
                    }
                    L2Tx::RemoveLiquidity(t) => {
                        remove_liquidity::operands(t, pools.pool(t.pool)?, outcome, &mut o)
                    }
                }
            }
            Some(Operation::Priority(PriorityOp::Deposit(d))) => {
                deposit::operands(d, outcome, &mut o)
            }
            Some(Operation::Priority(PriorityOp::FullExit(e))) => {
                full_exit::operands(e, outcome, &mut o)
            }
        }
        Ok(o)
    }

    /// Sets the hints the circuit checks but cannot compute from the operands alone, read
    /// from the step's slots (the balances before the operation).
    pub fn hint(&mut self, op: Option<&Operation>, slots: &[SlotWitness]) {
        match op {
            Some(Operation::Priority(PriorityOp::Deposit(d))) => deposit::hint(d, slots, self),
            Some(Operation::L2(s)) if matches!(s.tx, L2Tx::AddLiquidity(_)) => {
                add_liquidity::hint(slots, self)
            }
            _ => {}
        }
    }
}
