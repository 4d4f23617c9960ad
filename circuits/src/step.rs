//! The transaction-step gadget: one operation of any type, selected by one-hot selectors,
//! moving the state root through [`N_SLOTS`] slot updates (see [`crate::witness`] for the
//! slot table) and producing the operation's pubdata bytes.
//!
//! Every kind of `quire_core`'s reference transition is a selector: padding, Deposit,
//! Transfer, Withdraw, Swap, AddLiquidity, RemoveLiquidity, FullExit. Each kind writes its
//! row of a table (slot → account, token, change, debit or credit); a slot's expected
//! values are the selector-weighted sum of the rows, so unused slots must be no-op updates
//! of (account 0, token 0).
//!
//! Per slot (`slot_update`): token and account ids split into 8 and 24 bits (the Merkle
//! path directions, and the range checks of the ids); the balance leaf `[bal, 0, 0, 0]`
//! hashed up the balance path before and after; the account leaf
//! `H(pubkey_hash ‖ l1_owner ‖ nonce ‖ balance_root)` before (or the empty leaf, zero,
//! when the slot opens the account, whose balance root must then be the empty root) and
//! after, both hashed up the same account path; the root before must be the incoming root.
//! Slot 0 may also read an *absent* account (a full exit of an id never opened): the leaf
//! is zero before and after. An opened account must take the next free id: the leaf of
//! `id − 1` is proven occupied in the incoming root ([`PredecessorTargets`]; ids stay
//! contiguous by induction, see [`crate::witness::Predecessor`]).
//!
//! Balances: each slot's change `d` is a credit (`old + d = new`) or a debit
//! (`new + d = old`), checked by [`CircuitBuilderU63::add_u63`] as an integer sum of values
//! below 2^63 with no wrap around p, so a debit can never exceed the balance.
//!
//! AMM kinds: the pool's tokens and fee come from the pool table the circuit is built with
//! ([`StepParams`]: pools exist only from genesis, so the table is a constant of the
//! circuit); the reserves and the share supply are the `bal_old` of the pool's slots. The
//! quotients are checked exactly as `quire_core::amm` rounds them, with integer
//! arithmetic past the field size ([`super::bigint`]):
//! - swap: `out·den + rem = r_out·a'`, `0 ≤ rem < den`, `a' = amount_in·(10⁴ − fee_bps)`,
//!   `den = r_in·10⁴ + a'`; reserves non-zero, `out ≥ max(1, min_amount_out)`;
//! - first liquidity (supply 0): `root = shares + 1000`, `root² ≤ max_a·max_b < (root+1)²`,
//!   everything offered taken, 1000 shares locked to the bridge account;
//! - later liquidity: `shares = min(⌊max_a·S/ra⌋, ⌊max_b·S/rb⌋)` as `shares·r ≤ max·S` for
//!   both and `(shares+1)·r > max·S` for one; `amount = ⌈shares·r/S⌉` as
//!   `0 ≤ amount·S − shares·r < S`; reserves non-zero; `shares ≥ max(1, min_shares)`;
//! - remove: `amount = ⌊shares·r/S⌋` as `0 ≤ shares·r − amount·S < S`, `shares ≤ S`, not
//!   both amounts zero, slippage bounds.
//!
//! Pool accounts are checked keyless (zero key hash), so a signer is never its own pool
//! and the pool's reserves read in its slots are untouched by the signer's slots.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::{PoseidonHash, PoseidonPermutation};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::config::AlgebraicHasher;
use quire_core::account::{
    ACCOUNT_TREE_DEPTH, BALANCE_TREE_DEPTH, BRIDGE_ACCOUNT, FEE_ACCOUNT, MAX_AMOUNT,
};
use quire_core::amm::{Pool, BPS, MINIMUM_LIQUIDITY};
use quire_core::hash::Digest;
use quire_core::merkle::empty_hashes;
use quire_core::state::{Outcome, State};
use quire_core::tx::packing::pack_fee;
use quire_core::tx::{L2Tx, OpType, Operation, PriorityOp, TX_DOMAIN_TAG};

use super::bigint::CircuitBuilderBigInt;
use crate::gadgets::{
    CircuitBuilderSchnorr, PublicKeyTarget, SignatureTarget, WitnessSchnorr, D, F,
};
use crate::witness::{Predecessor, SlotWitness, StepWitness, N_SLOTS};

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

impl StepKind {
    /// The kind of a step witness (every operation has one; `Option` for callers written
    /// when some kinds had no selector yet).
    pub fn of(w: &StepWitness) -> Option<StepKind> {
        Some(Self::kind(w))
    }

    /// The kind of a step witness.
    pub fn kind(w: &StepWitness) -> StepKind {
        match &w.op {
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

/// Range-checked integer arithmetic on values below 2^63.
pub trait CircuitBuilderU63 {
    /// `a + b` as an integer, asserting `a, b, a + b < 2^63` (so nothing wraps mod p).
    fn add_u63(&mut self, a: Target, b: Target) -> Target;
    /// `x` as `n` big-endian bytes (asserting `x < 2^(8n)`; `n ≤ 7`, so the bytes are
    /// the canonical value's).
    fn bytes_be(&mut self, x: Target, n: usize) -> Vec<Target>;
    /// `x` as 8 big-endian bytes, asserting `x < 2^63` (so the bytes are canonical: a
    /// 64-bit split would also accept `x + p` for small `x`).
    fn bytes_u63(&mut self, x: Target) -> Vec<Target>;
}

impl CircuitBuilderU63 for CircuitBuilder<F, D> {
    fn add_u63(&mut self, a: Target, b: Target) -> Target {
        // a = a_hi·2^32 + a_lo with a_hi < 2^31 (so a < 2^63), the same for b; then
        // a_hi + b_hi < 2^31 bounds a + b below 2^63 + 2^33 < p: the field sum is the
        // integer sum, and c < 2^63 rules out overflow. Every valid sum passes, since
        // a_hi + b_hi ≤ (a + b)_hi.
        let (_, a_hi) = self.split_low_high(a, 32, 63);
        let (_, b_hi) = self.split_low_high(b, 32, 63);
        let hi = self.add(a_hi, b_hi);
        self.range_check(hi, 31);
        let c = self.add(a, b);
        self.range_check(c, 63);
        c
    }

    fn bytes_be(&mut self, x: Target, n: usize) -> Vec<Target> {
        let bits = self.split_le(x, 8 * n);
        bits.chunks(8)
            .rev()
            .map(|byte| self.le_sum(byte.iter()))
            .collect()
    }

    fn bytes_u63(&mut self, x: Target) -> Vec<Target> {
        let bits = self.split_le(x, 63);
        bits.chunks(8)
            .rev()
            .map(|byte| self.le_sum(byte.iter()))
            .collect()
    }
}

/// The root of a Merkle path: `leaf` hashed with each sibling, the bit saying whether the
/// node is a right child (then the sibling goes first), as `MerkleProof::compute_root`.
pub fn merkle_root(
    b: &mut CircuitBuilder<F, D>,
    leaf: HashOutTarget,
    bits: &[BoolTarget],
    siblings: &[HashOutTarget],
) -> HashOutTarget {
    let zero = b.zero();
    let mut node = leaf;
    for (bit, sib) in bits.iter().zip(siblings) {
        let mut state = [zero; 12];
        state[..4].copy_from_slice(&node.elements);
        state[4..8].copy_from_slice(&sib.elements);
        let out = PoseidonHash::permute_swapped(PoseidonPermutation::new(state), *bit, b);
        node = HashOutTarget::from_partial(&out.squeeze()[..4], zero);
    }
    node
}

/// One slot's targets (see the module docs).
#[derive(Clone, Debug)]
pub struct SlotTargets {
    /// Account id (< 2^24).
    pub account: Target,
    /// Token id (< 2^8).
    pub token: Target,
    /// The slot opens the account (its leaf was empty).
    pub created: BoolTarget,
    /// The account is absent: its leaf is empty before and after (slot 0 only).
    pub absent: BoolTarget,
    /// Key hash of the record (unchanged unless opened).
    pub pubkey_hash: [Target; 4],
    /// L1 owner, 5 × 32-bit limbs.
    pub owner: [Target; 5],
    /// Nonce before.
    pub nonce_old: Target,
    /// Nonce after.
    pub nonce_new: Target,
    /// Balance before.
    pub bal_old: Target,
    /// Balance after.
    pub bal_new: Target,
    /// Balance-tree path.
    pub balance_siblings: Vec<HashOutTarget>,
    /// Account-tree path.
    pub account_siblings: Vec<HashOutTarget>,
}

fn digest_fe(d: &Digest) -> [F; 4] {
    d.elements()
}

impl SlotTargets {
    /// Adds the slot's witness targets; `created` and `nonce_new` are given by the step.
    fn new(
        b: &mut CircuitBuilder<F, D>,
        created: BoolTarget,
        absent: BoolTarget,
        nonce_new: Option<Target>,
    ) -> Self {
        let nonce_old = b.add_virtual_target();
        Self {
            account: b.add_virtual_target(),
            token: b.add_virtual_target(),
            created,
            absent,
            pubkey_hash: b.add_virtual_target_arr(),
            owner: b.add_virtual_target_arr(),
            nonce_old,
            nonce_new: nonce_new.unwrap_or(nonce_old),
            bal_old: b.add_virtual_target(),
            bal_new: b.add_virtual_target(),
            balance_siblings: (0..BALANCE_TREE_DEPTH)
                .map(|_| b.add_virtual_hash())
                .collect(),
            account_siblings: (0..ACCOUNT_TREE_DEPTH)
                .map(|_| b.add_virtual_hash())
                .collect(),
        }
    }

    /// Sets the witness (not `created`, nor a derived `nonce_new`).
    fn set(&self, pw: &mut PartialWitness<F>, w: &SlotWitness) -> anyhow::Result<()> {
        pw.set_target(self.account, F::from_canonical_u32(w.account.get()))?;
        pw.set_target(self.token, F::from_canonical_u8(w.token.0))?;
        pw.set_target_arr(&self.pubkey_hash, &digest_fe(&w.after.pubkey_hash))?;
        pw.set_target_arr(&self.owner, &w.after.l1_owner.elements())?;
        let nonce_old = if w.created { 0 } else { w.before.nonce };
        pw.set_target(self.nonce_old, F::from_canonical_u32(nonce_old))?;
        pw.set_target(self.bal_old, F::from_canonical_u64(w.bal_old))?;
        pw.set_target(self.bal_new, F::from_canonical_u64(w.bal_new))?;
        for (t, d) in self.balance_siblings.iter().zip(&w.balance_siblings) {
            pw.set_hash_target(*t, d.to_hash_out())?;
        }
        for (t, d) in self.account_siblings.iter().zip(&w.account_siblings) {
            pw.set_hash_target(*t, d.to_hash_out())?;
        }
        Ok(())
    }
}

/// The occupied leaf below an opened account (see [`crate::witness::Predecessor`]).
#[derive(Clone, Debug)]
pub struct PredecessorTargets {
    /// Leaf hash of account `id − 1`.
    pub leaf: HashOutTarget,
    /// Its account-tree path.
    pub siblings: Vec<HashOutTarget>,
}

impl PredecessorTargets {
    /// Constrains, when `opens`: `account ≥ 1`, and the leaf of `account − 1` in `root` is
    /// not the empty leaf. Costs one account-tree path (about 30 rows).
    fn build(
        b: &mut CircuitBuilder<F, D>,
        opens: BoolTarget,
        account: Target,
        root: HashOutTarget,
    ) -> Self {
        let t = Self {
            leaf: b.add_virtual_hash(),
            siblings: (0..ACCOUNT_TREE_DEPTH)
                .map(|_| b.add_virtual_hash())
                .collect(),
        };
        let zero = b.zero();
        // Not opening: `below` is the slot's own (range-checked) id, and nothing is asserted.
        // Opening account 0 makes `below` = p − 1, which has no 24-bit decomposition.
        let below = b.sub(account, opens.target);
        let bits = b.split_le(below, ACCOUNT_TREE_DEPTH as usize);
        let computed = merkle_root(b, t.leaf, &bits, &t.siblings);
        let mut empty = b._true();
        for i in 0..4 {
            b.conditional_assert_eq(opens.target, computed.elements[i], root.elements[i]);
            let z = b.is_equal(t.leaf.elements[i], zero);
            empty = b.and(empty, z);
        }
        b.conditional_assert_eq(opens.target, empty.target, zero);
        t
    }

    /// Sets the witness; steps that open nothing get a zero leaf and path (unchecked).
    fn set(&self, pw: &mut PartialWitness<F>, w: Option<&Predecessor>) -> anyhow::Result<()> {
        match w {
            Some(p) => {
                pw.set_hash_target(self.leaf, p.leaf.to_hash_out())?;
                for (t, d) in self.siblings.iter().zip(&p.siblings) {
                    pw.set_hash_target(*t, d.to_hash_out())?;
                }
            }
            None => {
                pw.set_hash_target(self.leaf, Digest::ZERO.to_hash_out())?;
                for t in &self.siblings {
                    pw.set_hash_target(*t, Digest::ZERO.to_hash_out())?;
                }
            }
        }
        Ok(())
    }
}

/// Constrains one slot update from `root_in`; returns the root after it.
fn slot_update(
    b: &mut CircuitBuilder<F, D>,
    root_in: HashOutTarget,
    s: &SlotTargets,
) -> HashOutTarget {
    let zero = b.zero();
    let token_bits = b.split_le(s.token, BALANCE_TREE_DEPTH as usize);
    let account_bits = b.split_le(s.account, ACCOUNT_TREE_DEPTH as usize);
    let leaf = |v: Target| HashOutTarget::from_partial(&[v], zero);
    let broot_old = merkle_root(b, leaf(s.bal_old), &token_bits, &s.balance_siblings);
    let broot_new = merkle_root(b, leaf(s.bal_new), &token_bits, &s.balance_siblings);
    let account_leaf = |b: &mut CircuitBuilder<F, D>, nonce: Target, broot: HashOutTarget| {
        let inputs: Vec<Target> = s
            .pubkey_hash
            .iter()
            .chain(&s.owner)
            .copied()
            .chain([nonce])
            .chain(broot.elements)
            .collect();
        b.hash_n_to_hash_no_pad::<PoseidonHash>(inputs)
    };
    let hashed_old = account_leaf(b, s.nonce_old, broot_old);
    let hashed_new = account_leaf(b, s.nonce_new, broot_new);
    // An opened account: the leaf was empty and so was its balance tree.
    let empty_root = empty_hashes(BALANCE_TREE_DEPTH)[BALANCE_TREE_DEPTH as usize];
    // An absent account: empty leaf before and after (nothing about it changes).
    let empty_before = b.or(s.created, s.absent);
    let mut leaf_old = [zero; 4];
    let mut leaf_new = [zero; 4];
    for i in 0..4 {
        let e = b.constant(empty_root.elements()[i]);
        b.conditional_assert_eq(s.created.target, broot_old.elements[i], e);
        leaf_old[i] = b.select(empty_before, zero, hashed_old.elements[i]);
        leaf_new[i] = b.select(s.absent, zero, hashed_new.elements[i]);
    }
    let root_old = merkle_root(
        b,
        HashOutTarget::from_vec(leaf_old.to_vec()),
        &account_bits,
        &s.account_siblings,
    );
    b.connect_hashes(root_old, root_in);
    merkle_root(
        b,
        HashOutTarget::from_vec(leaf_new.to_vec()),
        &account_bits,
        &s.account_siblings,
    )
}

/// Targets of one step.
#[derive(Clone, Debug)]
pub struct StepTargets {
    /// One-hot kind selectors ([`StepKind`] order).
    pub sel: [BoolTarget; NUM_KINDS],
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

fn const_u64(b: &mut CircuitBuilder<F, D>, v: u64) -> Target {
    b.constant(F::from_canonical_u64(v))
}

/// Selector-weighted sum `Σ sel_k · x_k`.
fn weighted(b: &mut CircuitBuilder<F, D>, terms: &[(BoolTarget, Target)]) -> Target {
    let zero = b.zero();
    terms
        .iter()
        .fold(zero, |acc, &(s, x)| b.mul_add(s.target, x, acc))
}

/// `cond ⇒ x ≠ 0`.
fn assert_nonzero_if(b: &mut CircuitBuilder<F, D>, cond: BoolTarget, x: Target) {
    let zero = b.zero();
    let z = b.is_equal(x, zero);
    b.conditional_assert_eq(cond.target, z.target, zero);
}

/// `cond ⇒ x ≥ y` for `x, y < 2^63` (the difference is below 2^63 only if it did not wrap).
fn assert_ge_if(b: &mut CircuitBuilder<F, D>, cond: BoolTarget, x: Target, y: Target) {
    let d = b.sub(x, y);
    let d = b.mul(cond.target, d);
    b.range_check(d, 63);
}

/// One slot's row of a kind's table: account, token, change, debit.
type Row = (Target, Target, Target, bool);

/// Builds one step from `root_in`.
pub fn build_step(
    b: &mut CircuitBuilder<F, D>,
    params: &StepParams,
    root_in: HashOutTarget,
) -> StepTargets {
    let zero = b.zero();
    let one = b.one();
    let sel: [BoolTarget; NUM_KINDS] = core::array::from_fn(|_| b.add_virtual_bool_target_safe());
    let sel_sum = b.add_many(sel.iter().map(|s| s.target));
    b.connect(sel_sum, one);
    let [_is_pad, is_dep, is_tr, is_wd, is_swap, is_add, is_rem, is_fe] = sel;
    // Sums of one-hot selectors are boolean.
    let is_l2 = BoolTarget::new_unsafe(
        b.add_many([is_tr, is_wd, is_swap, is_add, is_rem].map(|s| s.target)),
    );
    let is_liq = BoolTarget::new_unsafe(b.add(is_add.target, is_rem.target));
    let is_amm = BoolTarget::new_unsafe(b.add(is_swap.target, is_liq.target));

    let account_a = b.add_virtual_target();
    let account_b = b.add_virtual_target();
    let token = b.add_virtual_target();
    let amount_hi = b.add_virtual_target();
    let amount_lo = b.add_virtual_target();
    let param1 = b.add_virtual_target();
    let param2 = b.add_virtual_target();
    let result1 = b.add_virtual_target();
    let result2 = b.add_virtual_target();
    let result3 = b.add_virtual_target();
    let fee_packed = b.add_virtual_target();
    let nonce = b.add_virtual_target();
    let address: [Target; 5] = b.add_virtual_target_arr();
    let credited = b.add_virtual_bool_target_safe();
    let opens = b.add_virtual_bool_target_safe();
    let short = b.add_virtual_bool_target_safe();
    let from_b = b.add_virtual_bool_target_safe();
    let by_b = b.add_virtual_bool_target_safe();
    let absent = b.add_virtual_bool_target_safe();
    let dep_credited = b.and(is_dep, credited);
    let dep_opens = b.and(dep_credited, opens);
    let dep_refunded = BoolTarget::new_unsafe(b.sub(is_dep.target, dep_credited.target));

    // Amount: two 32-bit halves (a deposit's amount is any u64 L1 accepted); below 2^63
    // for every kind but a refunded deposit, so the field value is the integer.
    let hi_bits = b.split_le(amount_hi, 32);
    b.range_check(amount_lo, 32);
    let amount_raw = b.mul_const_add(F::from_canonical_u64(1 << 32), amount_hi, amount_lo);
    let bounded = b.sub(one, dep_refunded.target);
    let hi_bounded = b.mul(bounded, amount_hi);
    b.range_check(hi_bounded, 31);
    // A refunded deposit's amount enters only its pubdata bytes and its refund reason;
    // everywhere else (sums that range-check their terms) it reads as zero.
    let amount = b.mul(bounded, amount_raw);
    // The other signed parameters and the results are below 2^63 (native rejects more).
    for x in [param1, param2, result1, result2, result3] {
        b.range_check(x, 63);
    }
    let token_bits = b.split_le(token, 8);
    let share_token = token_bits[7];

    // Fee: fee = mantissa·10^exponent with the canonical (smallest) exponent, ≤ 16, and
    // mantissa < 1024 at exponent 16, so the product never wraps (and < 2^63 is checked
    // where the fee is added).
    let fee_bits = b.split_le(fee_packed, 16);
    let exponent = b.le_sum(fee_bits[..5].iter());
    let mantissa = b.le_sum(fee_bits[5..].iter());
    let powers: Vec<Target> = (0..32u32)
        .map(|e| b.constant(F::from_canonical_u64(10).exp_u64(e as u64)))
        .collect();
    let pow = b.random_access(exponent, powers);
    let fee = b.mul(mantissa, pow);
    let c16 = const_u64(b, 16);
    let e_room = b.sub(c16, exponent);
    b.range_check(e_room, 5);
    let is_e0 = b.is_equal(exponent, zero);
    let not_e0 = b.not(is_e0);
    let c205 = const_u64(b, 205);
    let m_room = b.sub(mantissa, c205);
    let m_room = b.mul(not_e0.target, m_room);
    b.range_check(m_room, 11);
    let is_e16 = b.is_equal(exponent, c16);
    let m16 = b.mul(is_e16.target, mantissa);
    b.range_check(m16, 10);
    let fee = b.mul(is_l2.target, fee);

    // Pool table: exactly one pool matches an AMM kind's pool id.
    let mut matches = Vec::with_capacity(params.pools.len());
    let (mut ta, mut tb, mut ts, mut gamma) = (zero, zero, zero, zero);
    for p in &params.pools {
        let id = const_u64(b, p.account.get() as u64);
        let e = b.is_equal(account_b, id);
        let fe = |v: u64| F::from_canonical_u64(v);
        ta = b.mul_const_add(fe(p.token_a.0 as u64), e.target, ta);
        tb = b.mul_const_add(fe(p.token_b.0 as u64), e.target, tb);
        ts = b.mul_const_add(fe(p.share_token.0 as u64), e.target, ts);
        gamma = b.mul_const_add(fe(BPS - p.fee_bps as u64), e.target, gamma);
        matches.push(e.target);
    }
    let n_matches = b.add_many(matches);
    b.conditional_assert_eq(is_amm.target, n_matches, one);
    let t_in = b.select(from_b, tb, ta);
    let t_out = b.select(from_b, ta, tb);
    let t_expected = b.select(is_swap, t_in, ta);
    b.conditional_assert_eq(is_amm.target, token, t_expected);
    // Withdrawals move L1 assets only.
    b.conditional_assert_eq(is_wd.target, share_token.target, zero);

    // Signature over the signing hash of the selected kind.
    let pubkey = b.add_virtual_public_key_target();
    let signature = b.add_virtual_signature_target();
    let tag = const_u64(b, TX_DOMAIN_TAG);
    let chain = const_u64(b, params.chain_id as u64);
    let code_of = |b: &mut CircuitBuilder<F, D>, t: OpType| const_u64(b, t as u64);
    let codes = [
        (is_tr, OpType::Transfer),
        (is_wd, OpType::Withdraw),
        (is_swap, OpType::Swap),
        (is_add, OpType::AddLiquidity),
        (is_rem, OpType::RemoveLiquidity),
    ];
    let code_terms: Vec<(BoolTarget, Target)> =
        codes.iter().map(|&(s, t)| (s, code_of(b, t))).collect();
    let code = weighted(b, &code_terms);
    let msg_transfer = b.hash_n_to_hash_no_pad::<PoseidonHash>(vec![
        tag, chain, code, account_a, account_b, token, amount, fee, nonce,
    ]);
    let mut wd_in = vec![tag, chain, code, account_a];
    wd_in.extend(address);
    wd_in.extend([token, amount, fee, nonce]);
    let msg_withdraw = b.hash_n_to_hash_no_pad::<PoseidonHash>(wd_in);
    // Swap: (token_in, amount_in, min_out); liquidity: (amount, param1, param2).
    let x0 = b.select(is_swap, token, amount);
    let x1 = b.select(is_swap, amount, param1);
    let x2 = b.select(is_swap, param1, param2);
    let msg_amm = b.hash_n_to_hash_no_pad::<PoseidonHash>(vec![
        tag, chain, code, account_a, account_b, x0, x1, x2, fee, nonce,
    ]);
    let msg_elems: Vec<Target> = (0..4)
        .map(|i| {
            let t = b.select(is_wd, msg_withdraw.elements[i], msg_transfer.elements[i]);
            b.select(is_amm, msg_amm.elements[i], t)
        })
        .collect();
    let msg = HashOutTarget::from_vec(msg_elems);
    b.verify_schnorr_conditional(is_l2, &pubkey, msg, &signature);
    let pubkey_hash = b.hash_n_to_hash_no_pad::<PoseidonHash>(pubkey.w.0.to_vec());

    // Slots: slot 0 bumps the signer's nonce, may open a deposit's account or read a full
    // exit's absent account.
    let mut slots = Vec::with_capacity(N_SLOTS);
    let nonce0_new = b.add_virtual_target();
    slots.push(SlotTargets::new(b, dep_opens, absent, Some(nonce0_new)));
    let never = b._false();
    for _ in 1..N_SLOTS {
        slots.push(SlotTargets::new(b, never, never, None));
    }
    b.conditional_assert_eq(absent.target, is_fe.target, one);
    let predecessor = PredecessorTargets::build(b, dep_opens, slots[0].account, root_in);
    let nonce_next = b.add(slots[0].nonce_old, is_l2.target);
    b.connect(nonce0_new, nonce_next);
    b.range_check(nonce0_new, 32);

    // What the AMM kinds read: reserves and supply before the operation.
    let max_amount = const_u64(b, MAX_AMOUNT);
    let bal = |i: usize| slots[i].bal_old;
    let supply_add = b.sub(max_amount, bal(4));
    let supply_rem = b.sub(max_amount, bal(2));
    let first = b.is_equal(supply_add, zero);
    let add_first = b.and(is_add, first);
    let add_later = BoolTarget::new_unsafe(b.sub(is_add.target, add_first.target));
    let c_min_liq = const_u64(b, MINIMUM_LIQUIDITY);
    let locked = b.mul(add_first.target, c_min_liq);

    // Full exit: the whole balance, if the requester owns a keyed account and the token is
    // an L1 asset; else nothing.
    let mut keyless = b._true();
    for i in 0..4 {
        let z = b.is_equal(slots[0].pubkey_hash[i], zero);
        keyless = b.and(keyless, z);
    }
    let mut owner_ok = b.not(keyless);
    for (&o, &addr) in slots[0].owner.iter().zip(&address) {
        let e = b.is_equal(o, addr);
        owner_ok = b.and(owner_ok, e);
    }
    let not_absent = b.not(absent);
    let not_share = b.not(share_token);
    let exits = b.and(owner_ok, not_absent);
    let exits = b.and(exits, not_share);
    let exit_amount = b.mul(exits.target, bal(0));
    b.conditional_assert_eq(is_fe.target, result1, exit_amount);

    // The kinds' slot tables.
    let amount_plus_fee = b.add_u63(amount, fee);
    let r1_plus_fee = b.add_u63(result1, fee);
    let r3_plus_locked = b.add_u63(result3, locked);
    let dep_amount = b.mul(dep_credited.target, amount);
    let dep_account = b.mul(dep_credited.target, account_a);
    let dep_token = b.mul(dep_credited.target, token);
    let bridge = const_u64(b, BRIDGE_ACCOUNT.get() as u64);
    let fee_acct = const_u64(b, FEE_ACCOUNT.get() as u64);
    let (a, bb, t) = (account_a, account_b, token);
    let (dn, cr) = (true, false);
    let tables: Vec<(BoolTarget, Vec<Row>)> = vec![
        (
            is_dep,
            vec![
                (dep_account, dep_token, dep_amount, cr),
                (bridge, t, dep_amount, dn),
            ],
        ),
        (
            is_tr,
            vec![
                (a, t, amount_plus_fee, dn),
                (bb, t, amount, cr),
                (fee_acct, t, fee, cr),
            ],
        ),
        (
            is_wd,
            vec![
                (a, t, amount_plus_fee, dn),
                (bridge, t, amount, cr),
                (fee_acct, t, fee, cr),
            ],
        ),
        (
            is_swap,
            vec![
                (a, t, amount_plus_fee, dn),
                (bb, t, amount, cr),
                (bb, t_out, result1, dn),
                (a, t_out, result1, cr),
                (fee_acct, t, fee, cr),
            ],
        ),
        (
            is_add,
            vec![
                (a, t, r1_plus_fee, dn),
                (a, tb, result2, dn),
                (bb, t, result1, cr),
                (bb, tb, result2, cr),
                (bb, ts, r3_plus_locked, dn),
                (a, ts, result3, cr),
                (bridge, ts, locked, cr),
                (fee_acct, t, fee, cr),
            ],
        ),
        (
            is_rem,
            vec![
                (a, t, fee, dn),
                (a, ts, amount, dn),
                (bb, ts, amount, cr),
                (bb, t, result1, dn),
                (bb, tb, result2, dn),
                (a, t, result1, cr),
                (a, tb, result2, cr),
                (fee_acct, t, fee, cr),
            ],
        ),
        (is_fe, vec![(a, t, result1, dn), (bridge, t, result1, cr)]),
    ];
    let mut root = root_in;
    for (i, s) in slots.iter().enumerate() {
        let rows: Vec<(BoolTarget, Row)> = tables
            .iter()
            .filter_map(|(k, rows)| rows.get(i).map(|r| (*k, *r)))
            .collect();
        let acct_terms: Vec<_> = rows.iter().map(|(k, r)| (*k, r.0)).collect();
        let tok_terms: Vec<_> = rows.iter().map(|(k, r)| (*k, r.1)).collect();
        let delta_terms: Vec<_> = rows.iter().map(|(k, r)| (*k, r.2)).collect();
        let acct = weighted(b, &acct_terms);
        let tok = weighted(b, &tok_terms);
        let d = weighted(b, &delta_terms);
        let debit = BoolTarget::new_unsafe(
            b.add_many(rows.iter().filter(|(_, r)| r.3).map(|(k, _)| k.target)),
        );
        b.connect(s.account, acct);
        b.connect(s.token, tok);
        // credit: old + d = new; debit: new + d = old.
        let x = b.select(debit, s.bal_new, s.bal_old);
        let y = b.select(debit, s.bal_old, s.bal_new);
        let sum = b.add_u63(x, d);
        b.connect(sum, y);
        root = slot_update(b, root, s);
    }

    // Signer: key, nonce (its account is slot 0's by the tables).
    let s = &slots;
    for i in 0..4 {
        b.conditional_assert_eq(is_l2.target, s[0].pubkey_hash[i], pubkey_hash.elements[i]);
        b.conditional_assert_eq(
            dep_credited.target,
            s[0].pubkey_hash[i],
            pubkey_hash.elements[i],
        );
    }
    b.conditional_assert_eq(is_l2.target, s[0].nonce_old, nonce);
    // Credited account: its owner is the deposit's sender, whether the deposit opens it or
    // credits it: an account is the pair (key, L1 owner) (D10), so a deposit can never
    // credit an account another L1 address owns and could exit (the first-deposit front-run
    // of issue 14). An opened account's nonce is 0 (set by the witness layout: nonce_old is
    // the new record's nonce and slot 0 bumps only for L2 kinds).
    for (&owner, &addr) in s[0].owner.iter().zip(address.iter()) {
        b.conditional_assert_eq(dep_credited.target, owner, addr);
    }
    b.conditional_assert_eq(dep_opens.target, s[0].nonce_old, zero);
    // Transfer: positive amount, keyed receiver. Withdraw: positive amount.
    let amount_zero = b.is_equal(amount, zero);
    let tr_or_wd = BoolTarget::new_unsafe(b.add(is_tr.target, is_wd.target));
    b.conditional_assert_eq(tr_or_wd.target, amount_zero.target, zero);
    // Withdraw: never to address zero, whose payout nobody can claim (issue 14). The limbs
    // are 32-bit (their byte decomposition below), so their sum is zero only for zero.
    let address_sum = b.add_many(address);
    assert_nonzero_if(b, is_wd, address_sum);
    let mut all_zero = b._true();
    for i in 0..4 {
        let z = b.is_equal(s[1].pubkey_hash[i], zero);
        all_zero = b.and(all_zero, z);
    }
    b.conditional_assert_eq(is_tr.target, all_zero.target, zero);
    // Pools are keyless: the pool's first slot (1 for swaps, 2 for liquidity) has a zero
    // key hash, so the signer is never the pool.
    for i in 0..4 {
        b.conditional_assert_eq(is_swap.target, s[1].pubkey_hash[i], zero);
        b.conditional_assert_eq(is_liq.target, s[2].pubkey_hash[i], zero);
    }

    // Deposit: credited ⇔ every check of the reference passes. A credited amount is
    // positive, below 2^63 (its slot sums), of an L1 asset, covered by the bridge (its
    // debit); a refund needs a reason: share token, zero, ≥ 2^63, or the bridge short.
    b.conditional_assert_eq(dep_credited.target, amount_zero.target, zero);
    b.conditional_assert_eq(dep_credited.target, share_token.target, zero);
    let hi_zero = b.is_equal(amount_hi, zero);
    let lo_zero = b.is_equal(amount_lo, zero);
    let zero_amount = b.and(hi_zero, lo_zero);
    let huge = hi_bits[31];
    // short: bridge balance (slot 1, the bridge's balance of the token) < amount.
    let gap = b.sub(amount_raw, s[1].bal_old);
    let gap = b.add_const(gap, -F::ONE);
    let gap = b.mul(short.target, gap);
    b.range_check(gap, 63);
    let no_reason =
        [share_token, zero_amount, huge, short]
            .into_iter()
            .fold(b._true(), |acc, r| {
                let n = b.not(r);
                b.and(acc, n)
            });
    b.conditional_assert_eq(dep_refunded.target, no_reason.target, zero);

    // Swap: out = ⌊r_out·a' / (r_in·10⁴ + a')⌋, a' = amount_in·(10⁴ − fee_bps).
    {
        let g = is_swap;
        let (r_in, r_out) = (bal(1), bal(2));
        assert_nonzero_if(b, g, r_in);
        assert_nonzero_if(b, g, r_out);
        assert_nonzero_if(b, g, result1);
        assert_ge_if(b, g, result1, param1);
        let gated = |b: &mut CircuitBuilder<F, D>, x: Target| {
            let y = b.mul(g.target, x);
            b.u63_limbs(y)
        };
        let rin_l = gated(b, r_in);
        let rout_l = gated(b, r_out);
        let ain_l = gated(b, amount);
        let out_l = gated(b, result1);
        let gm = b.mul(g.target, gamma);
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

    // First liquidity: shares + 1000 = ⌊√(max_a·max_b)⌋, everything offered taken.
    {
        let g = add_first;
        b.conditional_assert_eq(g.target, result1, amount);
        b.conditional_assert_eq(g.target, result2, param1);
        let root = b.add(result3, c_min_liq);
        let root = b.mul(g.target, root);
        let root_l = b.u63_limbs(root);
        let ma = b.mul(g.target, amount);
        let mb = b.mul(g.target, param1);
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
        let g = add_later;
        let (ra, rb) = (bal(2), bal(3));
        assert_nonzero_if(b, g, ra);
        assert_nonzero_if(b, g, rb);
        let gated = |b: &mut CircuitBuilder<F, D>, x: Target| {
            let y = b.mul(g.target, x);
            b.u63_limbs(y)
        };
        let s_l = gated(b, supply_add);
        let sh_l = gated(b, result3);
        let ma_l = gated(b, amount);
        let mb_l = gated(b, param1);
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
            .map(|(&x, &y)| b.select(by_b, y, x))
            .collect();
        let m_w: Vec<Target> = mas
            .iter()
            .zip(&mbs)
            .map(|(&x, &y)| b.select(by_b, y, x))
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
    assert_nonzero_if(b, is_add, result3);
    assert_ge_if(b, is_add, result3, param2);

    // Remove: amounts ⌊shares·r/S⌋, shares ≤ S, not both zero, slippage.
    {
        let g = is_rem;
        let (ra, rb) = (bal(3), bal(4));
        assert_ge_if(b, g, supply_rem, amount);
        let a_zero = b.is_equal(result1, zero);
        let b_zero = b.is_equal(result2, zero);
        let both = b.and(a_zero, b_zero);
        b.conditional_assert_eq(g.target, both.target, zero);
        assert_ge_if(b, g, result1, param1);
        assert_ge_if(b, g, result2, param2);
        let gated = |b: &mut CircuitBuilder<F, D>, x: Target| {
            let y = b.mul(g.target, x);
            b.u63_limbs(y)
        };
        let s_l = gated(b, supply_rem);
        let sh_l = gated(b, amount);
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

    // Pubdata.
    let a_bytes = b.bytes_be(account_a, 3);
    let b_bytes = b.bytes_be(account_b, 3);
    let t_bytes = b.bytes_be(token, 1);
    let amt_bytes: Vec<Target> = [amount_hi, amount_lo]
        .iter()
        .flat_map(|&h| b.bytes_be(h, 4))
        .collect();
    let r1_bytes = b.bytes_u63(result1);
    let r2_bytes = b.bytes_u63(result2);
    let r3_bytes = b.bytes_u63(result3);
    let fee_bytes = b.bytes_be(fee_packed, 2);
    let addr_bytes: Vec<Target> = address.iter().flat_map(|&l| b.bytes_be(l, 4)).collect();
    let dep_acct: Vec<Target> = a_bytes.iter().map(|&x| b.mul(credited.target, x)).collect();
    let op = |b: &mut CircuitBuilder<F, D>, t: OpType| vec![const_u64(b, t as u64)];
    let cat = |parts: Vec<&[Target]>| parts.concat();
    let pd_dep = cat(vec![
        &op(b, OpType::Deposit),
        &dep_acct,
        &t_bytes,
        &amt_bytes,
        &[credited.target],
    ]);
    let pd_tr = cat(vec![
        &op(b, OpType::Transfer),
        &a_bytes,
        &b_bytes,
        &t_bytes,
        &amt_bytes,
        &fee_bytes,
    ]);
    let pd_wd = cat(vec![
        &op(b, OpType::Withdraw),
        &a_bytes,
        &t_bytes,
        &amt_bytes,
        &fee_bytes,
        &addr_bytes,
    ]);
    let pd_swap = cat(vec![
        &op(b, OpType::Swap),
        &a_bytes,
        &b_bytes,
        &t_bytes,
        &amt_bytes,
        &r1_bytes,
        &fee_bytes,
    ]);
    let pd_add = cat(vec![
        &op(b, OpType::AddLiquidity),
        &a_bytes,
        &b_bytes,
        &r1_bytes,
        &r2_bytes,
        &r3_bytes,
        &fee_bytes,
    ]);
    let pd_rem = cat(vec![
        &op(b, OpType::RemoveLiquidity),
        &a_bytes,
        &b_bytes,
        &amt_bytes,
        &r1_bytes,
        &r2_bytes,
        &fee_bytes,
    ]);
    let pd_fe = cat(vec![
        &op(b, OpType::FullExit),
        &a_bytes,
        &t_bytes,
        &r1_bytes,
        &addr_bytes,
    ]);
    let kinds: [(BoolTarget, &Vec<Target>); 7] = [
        (is_dep, &pd_dep),
        (is_tr, &pd_tr),
        (is_wd, &pd_wd),
        (is_swap, &pd_swap),
        (is_add, &pd_add),
        (is_rem, &pd_rem),
        (is_fe, &pd_fe),
    ];
    let pubdata: Vec<Target> = (0..MAX_PUBDATA)
        .map(|j| {
            let terms: Vec<(BoolTarget, Target)> = kinds
                .iter()
                .filter(|(_, pd)| j < pd.len())
                .map(|(sel, pd)| (*sel, pd[j]))
                .collect();
            weighted(b, &terms)
        })
        .collect();
    let len_terms: Vec<(BoolTarget, Target)> = kinds
        .iter()
        .map(|(sel, pd)| (*sel, const_u64(b, pd.len() as u64)))
        .collect();
    let pubdata_len = weighted(b, &len_terms);
    // The priority fields that are not in the pubdata (D9's operation hash).
    let deposit_key: [Target; 5] = core::array::from_fn(|i| b.mul(is_dep.target, pubkey.w.0[i]));
    let deposit_from: [Target; 5] = core::array::from_fn(|i| b.mul(is_dep.target, address[i]));

    StepTargets {
        sel,
        account_a,
        account_b,
        token,
        amount_hi,
        amount_lo,
        param1,
        param2,
        result1,
        result2,
        result3,
        fee_packed,
        nonce,
        address,
        credited,
        opens,
        short,
        from_b,
        by_b,
        pubkey,
        signature,
        slots,
        predecessor,
        root_in,
        root_out: root,
        pubdata,
        pubdata_len,
        deposit_key,
        deposit_from,
        pools: params.pools.clone(),
    }
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

/// The values a step's witness targets take (see [`StepTargets`] for their meaning).
#[derive(Clone, Debug, Default)]
struct Fields {
    a: u64,
    b: u64,
    token: u64,
    amount: u64,
    p1: u64,
    p2: u64,
    r1: u64,
    r2: u64,
    r3: u64,
    fee: u64,
    nonce: u64,
    address: [F; 5],
    credited: bool,
    opens: bool,
    short: bool,
    from_b: bool,
    by_b: bool,
}

impl StepTargets {
    fn pool(&self, id: quire_core::account::AccountId) -> anyhow::Result<&Pool> {
        self.pools
            .iter()
            .find(|p| p.account == id)
            .ok_or_else(|| anyhow::anyhow!("pool {id} is not in the circuit's pool table"))
    }

    /// The field values of a step: from the operation, and from its receipt's outcome
    /// (zeros without a receipt, as for forged steps).
    fn fields(&self, w: &StepWitness) -> anyhow::Result<Fields> {
        let mut f = Fields::default();
        let outcome = w.receipt.as_ref().map(|r| &r.outcome);
        match &w.op {
            None => {}
            Some(Operation::L2(s)) => {
                f.fee = s.tx.fee();
                f.nonce = s.tx.nonce() as u64;
                f.a = s.tx.signer().get() as u64;
                match &s.tx {
                    L2Tx::Transfer(t) => {
                        f.b = t.to.get() as u64;
                        f.token = t.token.0 as u64;
                        f.amount = t.amount;
                    }
                    L2Tx::Withdraw(t) => {
                        f.token = t.token.0 as u64;
                        f.amount = t.amount;
                        f.address = t.to.elements();
                    }
                    L2Tx::Swap(t) => {
                        let pool = self.pool(t.pool)?;
                        f.b = t.pool.get() as u64;
                        f.token = t.token_in.0 as u64;
                        f.from_b = t.token_in == pool.token_b;
                        f.amount = t.amount_in;
                        f.p1 = t.min_amount_out;
                        if let Some(Outcome::Swap { amount_out }) = outcome {
                            f.r1 = *amount_out;
                        }
                    }
                    L2Tx::AddLiquidity(t) => {
                        let pool = self.pool(t.pool)?;
                        f.b = t.pool.get() as u64;
                        f.token = pool.token_a.0 as u64;
                        f.amount = t.max_amount_a;
                        f.p1 = t.max_amount_b;
                        f.p2 = t.min_shares;
                        if let Some(Outcome::AddLiquidity {
                            amount_a,
                            amount_b,
                            shares,
                        }) = outcome
                        {
                            f.r1 = *amount_a;
                            f.r2 = *amount_b;
                            f.r3 = *shares;
                        }
                        // Which bound is tight: (shares + 1)·rb > max_b·S (slots 3 and 4
                        // hold rb and the pool's share balance before the operation).
                        if let (Some(rb), Some(pool_shares)) = (w.slots.get(3), w.slots.get(4)) {
                            let supply = (MAX_AMOUNT - pool_shares.bal_old.min(MAX_AMOUNT)) as u128;
                            let lhs = (f.r3 as u128 + 1) * rb.bal_old as u128;
                            f.by_b = lhs > f.p1 as u128 * supply;
                        }
                    }
                    L2Tx::RemoveLiquidity(t) => {
                        let pool = self.pool(t.pool)?;
                        f.b = t.pool.get() as u64;
                        f.token = pool.token_a.0 as u64;
                        f.amount = t.shares;
                        f.p1 = t.min_amount_a;
                        f.p2 = t.min_amount_b;
                        if let Some(Outcome::RemoveLiquidity { amount_a, amount_b }) = outcome {
                            f.r1 = *amount_a;
                            f.r2 = *amount_b;
                        }
                    }
                }
            }
            Some(Operation::Priority(PriorityOp::Deposit(d))) => {
                f.token = d.token.0 as u64;
                f.amount = d.amount;
                f.address = d.from.elements();
                if let Some(Outcome::Deposit {
                    account,
                    created,
                    credited,
                    ..
                }) = outcome
                {
                    f.a = account.get() as u64;
                    f.credited = *credited;
                    f.opens = *created;
                }
                let bridge = w.slots.get(1).map_or(0, |s| s.bal_old);
                f.short = !f.credited && d.amount <= MAX_AMOUNT && bridge < d.amount;
            }
            Some(Operation::Priority(PriorityOp::FullExit(e))) => {
                f.a = e.account.get() as u64;
                f.token = e.token.0 as u64;
                f.address = e.owner.elements();
                if let Some(Outcome::FullExit { amount }) = outcome {
                    f.r1 = *amount;
                }
            }
        }
        Ok(f)
    }

    /// Sets the witness of one step.
    pub fn set(&self, pw: &mut PartialWitness<F>, w: &StepWitness) -> anyhow::Result<()> {
        let kind = StepKind::kind(w);
        for (i, s) in self.sel.iter().enumerate() {
            pw.set_bool_target(*s, i == kind as usize)?;
        }
        let f = self.fields(w)?;
        let fe = F::from_noncanonical_u64;
        pw.set_target(self.account_a, fe(f.a))?;
        pw.set_target(self.account_b, fe(f.b))?;
        pw.set_target(self.token, fe(f.token))?;
        pw.set_target(self.amount_hi, fe(f.amount >> 32))?;
        pw.set_target(self.amount_lo, fe(f.amount & 0xffff_ffff))?;
        pw.set_target(self.param1, fe(f.p1))?;
        pw.set_target(self.param2, fe(f.p2))?;
        pw.set_target(self.result1, fe(f.r1))?;
        pw.set_target(self.result2, fe(f.r2))?;
        pw.set_target(self.result3, fe(f.r3))?;
        let packed = pack_fee(f.fee).ok_or_else(|| anyhow::anyhow!("fee not packable"))?;
        pw.set_target(self.fee_packed, fe(packed as u64))?;
        pw.set_target(self.nonce, fe(f.nonce))?;
        pw.set_target_arr(&self.address, &f.address)?;
        pw.set_bool_target(self.credited, f.credited)?;
        pw.set_bool_target(self.opens, f.opens)?;
        pw.set_bool_target(self.short, f.short)?;
        pw.set_bool_target(self.from_b, f.from_b)?;
        pw.set_bool_target(self.by_b, f.by_b)?;
        pw.set_bool_target(
            self.slots[0].absent,
            w.slots.first().is_some_and(|s| s.absent),
        )?;
        pw.set_public_key_target(&self.pubkey, &w.pubkey)?;
        match &w.signature {
            Some(sig) => pw.set_signature_target(&self.signature, sig)?,
            None => {
                pw.set_scalar_limbs_zero(&self.signature)?;
            }
        }
        for (t, sw) in self.slots.iter().zip(&w.slots) {
            t.set(pw, sw)?;
        }
        self.predecessor
            .set(pw, w.slots.first().and_then(|s| s.predecessor.as_ref()))?;
        Ok(())
    }
}

/// Setting an all-zero signature (for steps without one).
trait ZeroSignature {
    fn set_scalar_limbs_zero(&mut self, t: &SignatureTarget) -> anyhow::Result<()>;
}

impl ZeroSignature for PartialWitness<F> {
    fn set_scalar_limbs_zero(&mut self, t: &SignatureTarget) -> anyhow::Result<()> {
        use crate::gadgets::WitnessScalar;
        self.set_scalar_limbs(&t.s, [0; 5])?;
        for e in t.e {
            self.set_target(e, F::ZERO)?;
        }
        Ok(())
    }
}
