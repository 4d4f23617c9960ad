//! Slots: a step moves the state root through [`N_SLOTS`] balance updates, each proven
//! against the root the previous one produced, so aliasing (a transfer to oneself, the
//! operator paying its own fee) needs no special case.
//!
//! Per slot ([`SlotTargets::update`]): token and account ids split into 8 and 24 bits (the
//! Merkle path directions, and the range checks of the ids); the balance leaf
//! `[bal, 0, 0, 0]` hashed up the balance path before and after; the account leaf
//! `H(pubkey_hash ‖ l1_owner ‖ nonce ‖ balance_root)` before (or the empty leaf, zero,
//! when the slot opens the account, whose balance root must then be the empty root) and
//! after, both hashed up the same account path; the root before must be the incoming root.
//! Slot 0 may also read an *absent* account (a full exit of an id never opened): the leaf
//! is zero before and after. An opened account must take the next free id: the leaf of
//! `id − 1` is proven occupied in the incoming root ([`PredecessorTargets`]; ids stay
//! contiguous by induction, see [`crate::witness::Predecessor`]).
//!
//! Slot 0 is special in every table (see [`super::table`]): it is the account the step is
//! about (the signer, the deposit's account, the full exit's account), the only one whose
//! nonce moves, that a step may open, or that may be absent.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::{PoseidonHash, PoseidonPermutation};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::config::AlgebraicHasher;
use quire_core::account::{ACCOUNT_TREE_DEPTH, BALANCE_TREE_DEPTH};
use quire_core::hash::Digest;
use quire_core::merkle::empty_hashes;

use crate::gadgets::{D, F};
use crate::witness::{Predecessor, SlotWitness, N_SLOTS};

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
    pub(super) fn set(&self, pw: &mut PartialWitness<F>, w: &SlotWitness) -> anyhow::Result<()> {
        pw.set_target(self.account, F::from_canonical_u32(w.account.get()))?;
        pw.set_target(self.token, F::from_canonical_u8(w.token.0))?;
        pw.set_target_arr(&self.pubkey_hash, &w.after.pubkey_hash.plonky2_elements())?;
        pw.set_target_arr(
            &self.owner,
            &quire_core::plonky2_interop::to_plonky2(&w.after.l1_owner.elements()),
        )?;
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

    /// Constrains the slot's update from `root_in`; returns the root after it.
    pub(super) fn update(
        &self,
        b: &mut CircuitBuilder<F, D>,
        root_in: HashOutTarget,
    ) -> HashOutTarget {
        let s = self;
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
            let e = b.constant(empty_root.plonky2_elements()[i]);
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
}

/// A step's [`N_SLOTS`] slots: slot 0 may open the account (`opens`) or read it absent
/// (`absent`), and its nonce after is a fresh target (returned, for
/// [`bump_signer_nonce`]); the other slots do neither and keep their nonce.
pub(super) fn step_slots(
    b: &mut CircuitBuilder<F, D>,
    opens: BoolTarget,
    absent: BoolTarget,
) -> (Vec<SlotTargets>, Target) {
    let mut slots = Vec::with_capacity(N_SLOTS);
    let nonce0_new = b.add_virtual_target();
    slots.push(SlotTargets::new(b, opens, absent, Some(nonce0_new)));
    let never = b._false();
    for _ in 1..N_SLOTS {
        slots.push(SlotTargets::new(b, never, never, None));
    }
    (slots, nonce0_new)
}

/// Slot 0's nonce after: one more for L2 kinds (the signer's), unchanged otherwise, and
/// below 2^32.
pub(super) fn bump_signer_nonce(
    b: &mut CircuitBuilder<F, D>,
    slot0: &SlotTargets,
    nonce0_new: Target,
    is_l2: BoolTarget,
) {
    let nonce_next = b.add(slot0.nonce_old, is_l2.target);
    b.connect(nonce0_new, nonce_next);
    b.range_check(nonce0_new, 32);
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
    pub(super) fn build(
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
    pub(super) fn set(
        &self,
        pw: &mut PartialWitness<F>,
        w: Option<&Predecessor>,
    ) -> anyhow::Result<()> {
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
