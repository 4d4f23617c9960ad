//! The transaction-step gadget: one operation of any type, selected by one-hot selectors,
//! moving the state root through [`N_SLOTS`] slot updates (see [`crate::witness`] for the
//! slot table) and producing the operation's pubdata bytes.
//!
//! Implemented so far: padding, Deposit, Transfer. Withdraw, Swap, AddLiquidity,
//! RemoveLiquidity and FullExit have witnesses (the slot lists) but no selector yet: a
//! step witness of those types is refused by [`StepTargets::set`].
//!
//! Per slot (`slot_update`): token and account ids split into 8 and 24 bits (the Merkle
//! path directions, and the range checks of the ids); the balance leaf `[bal, 0, 0, 0]`
//! hashed up the balance path before and after; the account leaf
//! `H(pubkey_hash ‖ l1_owner ‖ nonce ‖ balance_root)` before (or the empty leaf, zero,
//! when the slot opens the account, whose balance root must then be the empty root) and
//! after, both hashed up the same account path; the root before must be the incoming root.
//!
//! Balances: each slot's change `d` is a credit (`old + d = new`) or a debit
//! (`new + d = old`), checked by [`CircuitBuilderU63::add_u63`] as an integer sum of values
//! below 2^63 with no wrap around p, so a debit can never exceed the balance.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::{PoseidonHash, PoseidonPermutation};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::config::AlgebraicHasher;
use quire_core::account::{ACCOUNT_TREE_DEPTH, BALANCE_TREE_DEPTH, FEE_ACCOUNT};
use quire_core::hash::Digest;
use quire_core::merkle::empty_hashes;
use quire_core::state::Outcome;
use quire_core::tx::packing::pack_fee;
use quire_core::tx::{L2Tx, OpType, Operation, PriorityOp, TX_DOMAIN_TAG};

use crate::gadgets::{
    CircuitBuilderSchnorr, PublicKeyTarget, SignatureTarget, WitnessSchnorr, D, F,
};
use crate::witness::{SlotWitness, StepWitness, N_SLOTS};

/// Longest pubdata of one operation (Withdraw).
pub const MAX_PUBDATA: usize = 35;

/// Operation kinds the step circuit selects between, in selector order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// No operation.
    Padding = 0,
    /// L1 deposit.
    Deposit = 1,
    /// L2 transfer.
    Transfer = 2,
}

/// Number of selectors.
pub const NUM_KINDS: usize = 3;

impl StepKind {
    /// The kind of a step witness, if the circuit supports it.
    pub fn of(w: &StepWitness) -> Option<StepKind> {
        match &w.op {
            None => Some(StepKind::Padding),
            Some(Operation::Priority(PriorityOp::Deposit(_))) => Some(StepKind::Deposit),
            Some(Operation::L2(s)) if matches!(s.tx, L2Tx::Transfer(_)) => Some(StepKind::Transfer),
            _ => None,
        }
    }
}

/// Range-checked integer arithmetic on values below 2^63.
pub trait CircuitBuilderU63 {
    /// `a + b` as an integer, asserting `a, b, a + b < 2^63` (so nothing wraps mod p).
    fn add_u63(&mut self, a: Target, b: Target) -> Target;
    /// `x` as `n` big-endian bytes (asserting `x < 2^(8n)`).
    fn bytes_be(&mut self, x: Target, n: usize) -> Vec<Target>;
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
    fn new(b: &mut CircuitBuilder<F, D>, created: BoolTarget, nonce_new: Option<Target>) -> Self {
        let nonce_old = b.add_virtual_target();
        Self {
            account: b.add_virtual_target(),
            token: b.add_virtual_target(),
            created,
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
    let mut leaf_old = [zero; 4];
    for (i, leaf) in leaf_old.iter_mut().enumerate() {
        let e = b.constant(empty_root.elements()[i]);
        b.conditional_assert_eq(s.created.target, broot_old.elements[i], e);
        *leaf = b.select(s.created, zero, hashed_old.elements[i]);
    }
    let root_old = merkle_root(
        b,
        HashOutTarget::from_vec(leaf_old.to_vec()),
        &account_bits,
        &s.account_siblings,
    );
    b.connect_hashes(root_old, root_in);
    merkle_root(b, hashed_new, &account_bits, &s.account_siblings)
}

/// Targets of one step.
#[derive(Clone, Debug)]
pub struct StepTargets {
    /// One-hot kind selectors ([`StepKind`] order).
    pub sel: [BoolTarget; NUM_KINDS],
    /// First account field: signer / deposit account.
    pub account_a: Target,
    /// Second account field: transfer receiver.
    pub account_b: Target,
    /// Token.
    pub token: Target,
    /// Amount.
    pub amount: Target,
    /// Packed fee (16 bits: mantissa ≪ 5 | exponent).
    pub fee_packed: Target,
    /// Signed nonce.
    pub nonce: Target,
    /// L1 address field (deposit sender).
    pub address: [Target; 5],
    /// Deposit: credited (not refunded).
    pub credited: BoolTarget,
    /// Deposit: opens a new account.
    pub opens: BoolTarget,
    /// The decoded key (signer or deposit key).
    pub pubkey: PublicKeyTarget,
    /// The signature (checked for L2 kinds).
    pub signature: SignatureTarget,
    /// Slots.
    pub slots: Vec<SlotTargets>,
    /// Root in.
    pub root_in: HashOutTarget,
    /// Root out.
    pub root_out: HashOutTarget,
    /// Pubdata bytes, zero-padded to [`MAX_PUBDATA`].
    pub pubdata: Vec<Target>,
    /// Pubdata length.
    pub pubdata_len: Target,
}

fn const_u64(b: &mut CircuitBuilder<F, D>, v: u64) -> Target {
    b.constant(F::from_canonical_u64(v))
}

/// Builds one step from `root_in` for chain `chain_id`.
pub fn build_step(
    b: &mut CircuitBuilder<F, D>,
    chain_id: u32,
    root_in: HashOutTarget,
) -> StepTargets {
    let zero = b.zero();
    let one = b.one();
    let sel: [BoolTarget; NUM_KINDS] = core::array::from_fn(|_| b.add_virtual_bool_target_safe());
    let sel_sum = b.add_many(sel.iter().map(|s| s.target));
    b.connect(sel_sum, one);
    let [is_pad, is_dep, is_tr] = sel;
    let _ = is_pad;
    let is_l2 = is_tr;

    let account_a = b.add_virtual_target();
    let account_b = b.add_virtual_target();
    let token = b.add_virtual_target();
    let amount = b.add_virtual_target();
    let fee_packed = b.add_virtual_target();
    let nonce = b.add_virtual_target();
    let address: [Target; 5] = b.add_virtual_target_arr();
    let credited = b.add_virtual_bool_target_safe();
    let opens = b.add_virtual_bool_target_safe();
    let dep_credited = b.and(is_dep, credited);
    let dep_opens = b.and(dep_credited, opens);

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

    // Signature over the signing hash.
    let pubkey = b.add_virtual_public_key_target();
    let signature = b.add_virtual_signature_target();
    let tag = const_u64(b, TX_DOMAIN_TAG);
    let chain = const_u64(b, chain_id as u64);
    let transfer_code = const_u64(b, OpType::Transfer as u64);
    let msg_transfer = b.hash_n_to_hash_no_pad::<PoseidonHash>(vec![
        tag,
        chain,
        transfer_code,
        account_a,
        account_b,
        token,
        amount,
        fee,
        nonce,
    ]);
    let msg = msg_transfer;
    b.verify_schnorr_conditional(is_l2, &pubkey, msg, &signature);
    let pubkey_hash = b.hash_n_to_hash_no_pad::<PoseidonHash>(pubkey.w.0.to_vec());

    // Slots: slot 0 bumps the signer's nonce and may open a deposit's account.
    let mut slots = Vec::with_capacity(N_SLOTS);
    let nonce0_new = b.add_virtual_target();
    slots.push(SlotTargets::new(b, dep_opens, Some(nonce0_new)));
    let never = b._false();
    for _ in 1..N_SLOTS {
        slots.push(SlotTargets::new(b, never, None));
    }
    let nonce_next = b.add(slots[0].nonce_old, is_l2.target);
    b.connect(nonce0_new, nonce_next);
    b.range_check(nonce0_new, 32);

    // Per-slot changes: (amount, is_debit) by kind; unused slots change nothing.
    let amount_plus_fee = b.add_u63(amount, fee);
    let tr = |b: &mut CircuitBuilder<F, D>, x: Target| b.mul(is_tr.target, x);
    let dep = |b: &mut CircuitBuilder<F, D>, x: Target| b.mul(dep_credited.target, x);
    let d_tr0 = tr(b, amount_plus_fee);
    let d_tr1 = tr(b, amount);
    let d_tr2 = tr(b, fee);
    let d_dep = dep(b, amount);
    let deltas: Vec<Target> = vec![b.add(d_tr0, d_dep), b.add(d_tr1, d_dep), d_tr2];
    let debits: Vec<BoolTarget> = vec![is_tr, is_dep, never];
    let mut root = root_in;
    for (i, s) in slots.iter().enumerate() {
        let (d, debit) = if i < deltas.len() {
            (deltas[i], debits[i])
        } else {
            (zero, never)
        };
        // credit: old + d = new; debit: new + d = old.
        let a = b.select(debit, s.bal_new, s.bal_old);
        let c = b.select(debit, s.bal_old, s.bal_new);
        let sum = b.add_u63(a, d);
        b.connect(sum, c);
        root = slot_update(b, root, s);
    }

    // Which slot is which (only where the kind uses the slot).
    let fee_account = const_u64(b, FEE_ACCOUNT.get() as u64);
    let s = &slots;
    for (cond, slot, acct) in [
        (is_tr, 0, account_a),
        (is_tr, 1, account_b),
        (is_tr, 2, fee_account),
        (dep_credited, 0, account_a),
        (dep_credited, 1, zero),
    ] {
        b.conditional_assert_eq(cond.target, s[slot].account, acct);
        b.conditional_assert_eq(cond.target, s[slot].token, token);
    }
    // Signer: key, nonce.
    for i in 0..4 {
        b.conditional_assert_eq(is_l2.target, s[0].pubkey_hash[i], pubkey_hash.elements[i]);
        b.conditional_assert_eq(
            dep_credited.target,
            s[0].pubkey_hash[i],
            pubkey_hash.elements[i],
        );
    }
    b.conditional_assert_eq(is_l2.target, s[0].nonce_old, nonce);
    // Opened account: owner is the deposit's sender (nonce 0 is set by the witness layout:
    // nonce_old is the new record's nonce and slot 0 bumps only for L2 kinds).
    for (&owner, &addr) in s[0].owner.iter().zip(address.iter()) {
        b.conditional_assert_eq(dep_opens.target, owner, addr);
    }
    b.conditional_assert_eq(dep_opens.target, s[0].nonce_old, zero);
    // Transfer: positive amount, keyed receiver.
    let amount_zero = b.is_equal(amount, zero);
    b.conditional_assert_eq(is_tr.target, amount_zero.target, zero);
    let mut all_zero = b._true();
    for i in 0..4 {
        let z = b.is_equal(s[1].pubkey_hash[i], zero);
        all_zero = b.and(all_zero, z);
    }
    b.conditional_assert_eq(is_tr.target, all_zero.target, zero);
    // Deposit: a credited amount is positive (native refunds zero amounts).
    b.conditional_assert_eq(dep_credited.target, amount_zero.target, zero);

    // Pubdata.
    let a_bytes = b.bytes_be(account_a, 3);
    let b_bytes = b.bytes_be(account_b, 3);
    let t_bytes = b.bytes_be(token, 1);
    let amt_bytes = b.bytes_be(amount, 8);
    let fee_bytes = b.bytes_be(fee_packed, 2);
    let dep_acct: Vec<Target> = a_bytes.iter().map(|&x| b.mul(credited.target, x)).collect();
    let mut transfer_pd = vec![transfer_code];
    transfer_pd.extend(&a_bytes);
    transfer_pd.extend(&b_bytes);
    transfer_pd.extend(&t_bytes);
    transfer_pd.extend(&amt_bytes);
    transfer_pd.extend(&fee_bytes);
    let mut deposit_pd = vec![const_u64(b, OpType::Deposit as u64)];
    deposit_pd.extend(&dep_acct);
    deposit_pd.extend(&t_bytes);
    deposit_pd.extend(&amt_bytes);
    deposit_pd.push(credited.target);
    let kinds: [(BoolTarget, &Vec<Target>); 2] = [(is_tr, &transfer_pd), (is_dep, &deposit_pd)];
    let pubdata: Vec<Target> = (0..MAX_PUBDATA)
        .map(|j| {
            let terms: Vec<Target> = kinds
                .iter()
                .filter(|(_, pd)| j < pd.len())
                .map(|(sel, pd)| b.mul(sel.target, pd[j]))
                .collect();
            b.add_many(terms)
        })
        .collect();
    let len_terms: Vec<Target> = kinds
        .iter()
        .map(|(sel, pd)| {
            let l = const_u64(b, pd.len() as u64);
            b.mul(sel.target, l)
        })
        .collect();
    let pubdata_len = b.add_many(len_terms);

    StepTargets {
        sel,
        account_a,
        account_b,
        token,
        amount,
        fee_packed,
        nonce,
        address,
        credited,
        opens,
        pubkey,
        signature,
        slots,
        root_in,
        root_out: root,
        pubdata,
        pubdata_len,
    }
}

impl StepTargets {
    /// Sets the witness of one step. Fails for operation kinds the circuit does not have yet.
    pub fn set(&self, pw: &mut PartialWitness<F>, w: &StepWitness) -> anyhow::Result<()> {
        let kind = StepKind::of(w).ok_or_else(|| {
            anyhow::anyhow!("operation kind not supported by the step circuit yet")
        })?;
        for (i, s) in self.sel.iter().enumerate() {
            pw.set_bool_target(*s, i == kind as usize)?;
        }
        let fe = |v: u64| F::from_canonical_u64(v);
        let (mut a, mut bb, mut token, mut amount, mut fee, mut nonce) = (0, 0, 0, 0, 0u64, 0);
        let mut address = [F::ZERO; 5];
        let (mut credited, mut opens) = (false, false);
        match (&w.op, w.receipt.as_ref().map(|r| &r.outcome)) {
            (Some(Operation::L2(s)), _) => {
                if let L2Tx::Transfer(t) = &s.tx {
                    a = t.from.get() as u64;
                    bb = t.to.get() as u64;
                    token = t.token.0 as u64;
                    amount = t.amount;
                    fee = t.fee;
                    nonce = t.nonce as u64;
                }
            }
            (
                Some(Operation::Priority(PriorityOp::Deposit(d))),
                Some(Outcome::Deposit {
                    account,
                    created,
                    credited: c,
                    ..
                }),
            ) => {
                a = account.get() as u64;
                token = d.token.0 as u64;
                amount = d.amount;
                address = d.from.elements();
                credited = *c;
                opens = *created;
            }
            _ => {}
        }
        pw.set_target(self.account_a, fe(a))?;
        pw.set_target(self.account_b, fe(bb))?;
        pw.set_target(self.token, fe(token))?;
        pw.set_target(self.amount, F::from_noncanonical_u64(amount))?;
        let packed = pack_fee(fee).ok_or_else(|| anyhow::anyhow!("fee not packable"))?;
        pw.set_target(self.fee_packed, fe(packed as u64))?;
        pw.set_target(self.nonce, fe(nonce))?;
        pw.set_target_arr(&self.address, &address)?;
        pw.set_bool_target(self.credited, credited)?;
        pw.set_bool_target(self.opens, opens)?;
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
