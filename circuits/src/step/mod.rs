//! The transaction-step circuit: one operation of any kind, selected by one-hot selectors,
//! moving the state root through [`N_SLOTS`](crate::witness::N_SLOTS) slot updates and
//! producing the operation's pubdata bytes.
//!
//! Every kind of `quire_core`'s reference transition is a selector ([`StepKind`]): padding,
//! Deposit, Transfer, Withdraw, Swap, AddLiquidity, RemoveLiquidity, FullExit. A chunk
//! proves any sequence of operations, so every step holds every kind's constraints, each
//! gated by its selector; the work several kinds share (the signature, the slot updates,
//! the pubdata bytes) is built once and fed selector-weighted values.
//!
//! One module per kind holds what is specific to it, its circuit half next to its native
//! half: the slot table (`SLOTS`, which balances the step opens, in which order; read by
//! this circuit and by the witness builder, see [`table`]), the pubdata layout (`PUBDATA`,
//! see [`pubdata`]), the constraints only it adds, and the values its operands take
//! natively. They are [`deposit`], [`transfer`], [`withdraw`], [`swap`],
//! [`add_liquidity`], [`remove_liquidity`] and [`full_exit`]; padding has an empty table
//! and adds nothing. The shared machinery: `select` (the selectors), `operands` (the
//! operand targets, the amount and the packed fee), `pool` (the pool table the circuit is
//! built with), `signature` (the signing message and the Schnorr check), `slot` (opening a
//! slot and its Merkle updates), [`table`] (the tables applied to the slots), [`pubdata`],
//! `u63` ([`CircuitBuilderU63`]) and `assign` (setting a step's witness).
//!
//! [`build_step`] calls them in one fixed order, and the order is part of the circuit:
//! plonky2 places operations in gates in call order, so moving one call (even one kind's
//! check past another's) changes the wiring, the verifier data of every circuit above the
//! step, and the committed Solidity verifier that bakes it in.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::amm::Pool;
use quire_core::state::{Outcome, State};
use quire_core::tx::{L2Tx, OpType, Operation, PriorityOp};

use crate::gadgets::{PublicKeyTarget, SignatureTarget, D, F};
use crate::witness::StepWitness;

pub mod add_liquidity;
mod assign;
pub mod deposit;
mod fee;
pub mod full_exit;
mod guard;
mod operands;
mod pool;
pub mod pubdata;
pub mod remove_liquidity;
mod select;
mod signature;
mod slot;
pub mod swap;
pub mod table;
pub mod transfer;
mod u63;
pub mod withdraw;

pub(crate) use operands::Operands;
pub use slot::{merkle_root, PredecessorTargets, SlotTargets};
pub use u63::CircuitBuilderU63;

pub use operands::OperandTargets;
use pool::PoolTargets;
use select::Selectors;
use signature::SignatureCheck;
use table::{RowTargets, SlotRow};

/// Longest pubdata of one operation (Withdraw).
pub const MAX_PUBDATA: usize = 35;

/// Elements of a step's *record* ([`StepTargets::record`]): the [`MAX_PUBDATA`]
/// zero-padded pubdata bytes, the pubdata length, then the deposit key's five encoding
/// limbs and the deposit sender's five address limbs (zero for other kinds).
pub const RECORD_LEN: usize = MAX_PUBDATA + 1 + 10;

/// Operation kinds the step circuit selects between, in selector order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// No operation.
    Padding = 0,
    /// L1 deposit.
    Deposit = 1,
    /// L2 transfer.
    Transfer = 2,
    /// L2 withdrawal.
    Withdraw = 3,
    /// AMM swap.
    Swap = 4,
    /// AMM liquidity deposit.
    AddLiquidity = 5,
    /// AMM liquidity withdrawal.
    RemoveLiquidity = 6,
    /// L1-forced full exit.
    FullExit = 7,
}

/// Number of selectors.
pub const NUM_KINDS: usize = 8;

// `StepKind::ALL` is in selector order.
const _: () = {
    let mut k = 0;
    while k < NUM_KINDS {
        assert!(StepKind::ALL[k] as usize == k);
        k += 1;
    }
};

impl StepKind {
    /// Every kind, in selector order (the order the circuit sums the kinds' values in).
    pub const ALL: [StepKind; NUM_KINDS] = [
        StepKind::Padding,
        StepKind::Deposit,
        StepKind::Transfer,
        StepKind::Withdraw,
        StepKind::Swap,
        StepKind::AddLiquidity,
        StepKind::RemoveLiquidity,
        StepKind::FullExit,
    ];

    /// The kind of a step witness (every operation has one; `Option` for callers written
    /// when some kinds had no selector yet).
    pub fn of(w: &StepWitness) -> Option<StepKind> {
        Some(Self::kind(w))
    }

    /// The kind of a step witness.
    pub fn kind(w: &StepWitness) -> StepKind {
        Self::of_op(w.op.as_ref())
    }

    /// The kind of an operation (`None`: padding).
    pub fn of_op(op: Option<&Operation>) -> StepKind {
        match op {
            None => StepKind::Padding,
            Some(Operation::Priority(PriorityOp::Deposit(_))) => StepKind::Deposit,
            Some(Operation::Priority(PriorityOp::FullExit(_))) => StepKind::FullExit,
            Some(Operation::L2(s)) => match s.tx {
                L2Tx::Transfer(_) => StepKind::Transfer,
                L2Tx::Withdraw(_) => StepKind::Withdraw,
                L2Tx::Swap(_) => StepKind::Swap,
                L2Tx::AddLiquidity(_) => StepKind::AddLiquidity,
                L2Tx::RemoveLiquidity(_) => StepKind::RemoveLiquidity,
            },
        }
    }

    /// The kind whose receipt carries `outcome`.
    pub fn of_outcome(outcome: &Outcome) -> StepKind {
        match outcome {
            Outcome::Deposit { .. } => StepKind::Deposit,
            Outcome::FullExit { .. } => StepKind::FullExit,
            Outcome::Transfer => StepKind::Transfer,
            Outcome::Withdraw => StepKind::Withdraw,
            Outcome::Swap { .. } => StepKind::Swap,
            Outcome::AddLiquidity { .. } => StepKind::AddLiquidity,
            Outcome::RemoveLiquidity { .. } => StepKind::RemoveLiquidity,
        }
    }

    /// The operation type of the kind (`None` for padding).
    pub const fn op_type(self) -> Option<OpType> {
        match self {
            StepKind::Padding => None,
            StepKind::Deposit => Some(OpType::Deposit),
            StepKind::Transfer => Some(OpType::Transfer),
            StepKind::Withdraw => Some(OpType::Withdraw),
            StepKind::Swap => Some(OpType::Swap),
            StepKind::AddLiquidity => Some(OpType::AddLiquidity),
            StepKind::RemoveLiquidity => Some(OpType::RemoveLiquidity),
            StepKind::FullExit => Some(OpType::FullExit),
        }
    }

    /// An L2 transaction: signed, its fee paid, slot 0 the signer's with its nonce bumped.
    pub const fn is_l2(self) -> bool {
        matches!(
            self,
            StepKind::Transfer
                | StepKind::Withdraw
                | StepKind::Swap
                | StepKind::AddLiquidity
                | StepKind::RemoveLiquidity
        )
    }

    /// The kind's slot table (see [`table`]): defined once, in the kind's module.
    pub const fn slots(self) -> &'static [SlotRow] {
        match self {
            StepKind::Padding => &[],
            StepKind::Deposit => deposit::SLOTS,
            StepKind::Transfer => transfer::SLOTS,
            StepKind::Withdraw => withdraw::SLOTS,
            StepKind::Swap => swap::SLOTS,
            StepKind::AddLiquidity => add_liquidity::SLOTS,
            StepKind::RemoveLiquidity => remove_liquidity::SLOTS,
            StepKind::FullExit => full_exit::SLOTS,
        }
    }

    /// The kind's pubdata layout (see [`pubdata`]; empty for padding).
    pub const fn pubdata(self) -> &'static [pubdata::PubdataField] {
        match self {
            StepKind::Padding => &[],
            StepKind::Deposit => deposit::PUBDATA,
            StepKind::Transfer => transfer::PUBDATA,
            StepKind::Withdraw => withdraw::PUBDATA,
            StepKind::Swap => swap::PUBDATA,
            StepKind::AddLiquidity => add_liquidity::PUBDATA,
            StepKind::RemoveLiquidity => remove_liquidity::PUBDATA,
            StepKind::FullExit => full_exit::PUBDATA,
        }
    }
}

/// What a step circuit is built for: the chain id (part of every signing hash) and the
/// pool table (pools exist only from genesis, so their tokens and fees are constants).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepParams {
    /// Chain id.
    pub chain_id: u32,
    /// The pools, in any order.
    pub pools: Vec<Pool>,
}

impl StepParams {
    /// A chain without pools (AMM kinds then never prove).
    pub fn new(chain_id: u32) -> Self {
        Self {
            chain_id,
            pools: Vec::new(),
        }
    }

    /// The parameters of `state`'s chain.
    pub fn from_state(state: &State) -> Self {
        Self {
            chain_id: state.chain_id(),
            pools: state.pools().values().cloned().collect(),
        }
    }
}

/// Targets of one step.
#[derive(Clone, Debug)]
pub struct StepTargets {
    /// One-hot kind selectors ([`StepKind`] order).
    pub sel: [BoolTarget; NUM_KINDS],
    /// The operation's operands (accounts, token, amounts, parameters, results, fee,
    /// nonce, L1 address and the kind flags): one struct, [`OperandTargets`], which the
    /// kinds' gadgets read and [`StepTargets::set`] assigns.
    pub operands: OperandTargets,
    /// The decoded key (signer or deposit key).
    pub pubkey: PublicKeyTarget,
    /// The signature (checked for L2 kinds).
    pub signature: SignatureTarget,
    /// Slots.
    pub slots: Vec<SlotTargets>,
    /// The occupied leaf below an account slot 0 opens.
    pub predecessor: PredecessorTargets,
    /// Root in.
    pub root_in: HashOutTarget,
    /// Root out.
    pub root_out: HashOutTarget,
    /// Pubdata bytes, zero-padded to [`MAX_PUBDATA`].
    pub pubdata: Vec<Target>,
    /// Pubdata length.
    pub pubdata_len: Target,
    /// Deposit: the credited key's encoding limbs (`pubkey.w`); zero for other kinds. Not
    /// in the pubdata but in the L1 operation hash (D9's priority commitment), so the
    /// commitment circuit reads it from the step's record.
    pub deposit_key: [Target; 5],
    /// Deposit: the L1 sender's address limbs; zero for other kinds (as `deposit_key`).
    pub deposit_from: [Target; 5],
    /// The pool table the step was built with.
    pools: Vec<Pool>,
}

impl StepTargets {
    /// The step's record ([`RECORD_LEN`] elements): what the chunk digest hashes and the
    /// commitment circuit reads back ([`crate::chunk::step_record`] natively).
    pub fn record(&self) -> Vec<Target> {
        let mut r = Vec::with_capacity(RECORD_LEN);
        r.extend(&self.pubdata);
        r.push(self.pubdata_len);
        r.extend(self.deposit_key);
        r.extend(self.deposit_from);
        r
    }
}

/// A constant target.
fn const_u64(b: &mut CircuitBuilder<F, D>, v: u64) -> Target {
    b.constant(F::from_canonical_u64(v))
}

/// Builds one step from `root_in`: the kinds' gadgets, in the circuit's fixed order (see
/// the module docs: the order is part of the verifier data).
pub fn build_step(
    b: &mut CircuitBuilder<F, D>,
    params: &StepParams,
    root_in: HashOutTarget,
) -> StepTargets {
    use StepKind::*;
    let zero = b.zero();
    let sel = Selectors::build(b);
    let ops = OperandTargets::add(b);
    let dep = deposit::Flags::build(b, sel.of(Deposit), &ops);
    let dec = ops.decode(b, &sel, dep.refunded);
    let pool = PoolTargets::lookup(b, params, &sel, &ops);
    withdraw::assert_l1_asset(b, sel.of(Withdraw), &dec);
    let sig = SignatureCheck::build(b, params, &sel, &ops, &dec);

    let (slots, nonce0_new) = slot::step_slots(b, dep.opens, ops.absent);
    full_exit::assert_absent_only_here(b, sel.of(FullExit), ops.absent);
    let predecessor = PredecessorTargets::build(b, dep.opens, slots[0].account, root_in);
    slot::bump_signer_nonce(b, &slots[0], nonce0_new, sel.is_l2);

    // What the liquidity kinds read: the share supply before the operation.
    let supply_add = pool::supply(b, &slots[add_liquidity::POOL_SHARES]);
    let supply_rem = pool::supply(b, &slots[remove_liquidity::POOL_SHARES]);
    let liq = add_liquidity::Liquidity::build(b, sel.of(AddLiquidity), supply_add);
    full_exit::constrain_amount(b, sel.of(FullExit), &ops, &dec, &slots);

    // The kinds' slot tables, applied slot by slot.
    let rows = RowTargets::build(b, &ops, &dec, &pool, dep.credited, liq.locked);
    let root_out = table::apply(b, &sel, &rows, &slots, root_in);

    // The kinds' checks on what the slots read.
    sig.bind_signer(b, &sel, dep.credited, &slots[0], ops.nonce);
    deposit::bind_owner(b, &dep, &ops, &slots[0]);
    // Transfer and withdraw: positive amount (one check for both; deposits reuse the flag).
    let amount_zero = b.is_equal(dec.amount, zero);
    let moves = BoolTarget::new_unsafe(b.add(sel.of(Transfer).target, sel.of(Withdraw).target));
    b.conditional_assert_eq(moves.target, amount_zero.target, zero);
    withdraw::assert_payable(b, sel.of(Withdraw), &ops);
    transfer::assert_keyed_receiver(b, sel.of(Transfer), &slots);
    pool::assert_keyless(b, &sel, &slots);
    deposit::credit_or_refund(b, &dep, &ops, &dec, amount_zero, &slots);
    swap::constrain(b, sel.of(Swap), &ops, &dec, &pool, &slots);
    add_liquidity::constrain(
        b,
        sel.of(AddLiquidity),
        &liq,
        supply_add,
        &ops,
        &dec,
        &slots,
    );
    remove_liquidity::constrain(b, sel.of(RemoveLiquidity), supply_rem, &ops, &dec, &slots);

    let (pubdata, pubdata_len) = pubdata::pack(b, &sel, &ops);
    let (deposit_key, deposit_from) = deposit::record(b, sel.of(Deposit), &sig.pubkey, &ops);

    StepTargets {
        sel: sel.sel,
        operands: ops,
        pubkey: sig.pubkey,
        signature: sig.signature,
        slots,
        predecessor,
        root_in,
        root_out,
        pubdata,
        pubdata_len,
        deposit_key,
        deposit_from,
        pools: params.pools.clone(),
    }
}
