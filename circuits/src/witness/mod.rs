//! The witness builder: replays a batch with quire-core's reference transition and records,
//! per operation, everything the transaction-step circuit needs.
//!
//! The circuit updates the state root one *slot* at a time: a slot is one balance
//! `(account, token)` whose leaf changes from `bal_old` to `bal_new` in the account's
//! balance tree (depth 8), then the account leaf (with the nonce possibly bumped, or the
//! account opened) in the account tree (depth 24). Every operation is a fixed list of
//! [`N_SLOTS`] slots (unused ones are no-ops on the bridge account's ETH balance), each
//! proven against the root the previous slot produced, so aliasing (a transfer to oneself,
//! the operator paying its own fee) needs no special case.
//!
//! Which slots an operation opens, in which order, is its kind's slot table, defined once
//! in the kind's module of [`crate::step`] (`SLOTS`, see [`crate::step::table`]) and read
//! both by the circuit and here: the replay resolves the table's rows against the
//! operation's values, the same values (`step::Operands`) the circuit's witness is set
//! from.
//!
//! The replay keeps its own copy of the trees (a *shadow*) updated slot by slot, and checks
//! after every operation that the shadow root equals `State::root` of the reference
//! transition, and at the end that receipts, pubdata, commitments and roots equal what the
//! batch claims.

use std::collections::BTreeMap;

use anyhow::{anyhow, ensure, Context, Result};
use quire_core::account::{
    balance_leaf, Account, AccountId, Address, ACCOUNT_TREE_DEPTH, BALANCE_TREE_DEPTH,
    BRIDGE_ACCOUNT,
};
use quire_core::amm::MINIMUM_LIQUIDITY;
use quire_core::hash::{keccak256, Digest};
use quire_core::merkle::SparseMerkleTree;
use quire_core::schnorr::{PublicKey, Signature};
use quire_core::state::{Genesis, Outcome, Receipt, State};
use quire_core::token::TokenId;
use quire_core::tx::{
    priority_commitment, pubdata, Deposit, L2Tx, Operation, PriorityOp, SignedTx,
};

use crate::step::{deposit, Operands, StepKind};

/// Slots per operation: the most any operation touches (the liquidity operations).
pub const N_SLOTS: usize = 8;

/// An account leaf's preimage, less the balance root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRecord {
    /// Poseidon hash of the key (zero for keyless accounts).
    pub pubkey_hash: Digest,
    /// The L1 owner.
    pub l1_owner: Address,
    /// The nonce.
    pub nonce: u32,
}

/// One balance update and the account-leaf update it causes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotWitness {
    /// The account.
    pub account: AccountId,
    /// The token.
    pub token: TokenId,
    /// True if this update opens the account (its leaf was empty).
    pub created: bool,
    /// True if the account is absent (never opened): its leaf is empty before and after,
    /// the balances zero (a full exit of an unknown id).
    pub absent: bool,
    /// The record before (meaningless when `created`).
    pub before: AccountRecord,
    /// The record after.
    pub after: AccountRecord,
    /// Balance before.
    pub bal_old: u64,
    /// Balance after.
    pub bal_new: u64,
    /// Siblings of the balance leaf in the balance tree, leaf level first (8).
    pub balance_siblings: Vec<Digest>,
    /// Siblings of the account leaf in the account tree, leaf level first (24).
    pub account_siblings: Vec<Digest>,
    /// When the slot opens the account: the occupied leaf just below it (see
    /// [`Predecessor`]).
    pub predecessor: Option<Predecessor>,
    /// State root before this slot.
    pub root_before: Digest,
    /// State root after this slot.
    pub root_after: Digest,
}

/// The leaf of account `id − 1` and its path, in the tree before account `id` is opened.
///
/// Ids are handed out in order (DESIGN.md, State), so the occupied leaves are always
/// `0..n`. Proving that the leaf below an opened id is occupied, while the opened leaf
/// itself was empty, keeps that true by induction: the opened id can only be `n`, the next
/// free one, and an operator cannot open an account anywhere else in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Predecessor {
    /// The leaf hash of account `id − 1` (never the empty leaf, zero).
    pub leaf: Digest,
    /// Its siblings, leaf level first (24).
    pub siblings: Vec<Digest>,
}

/// Everything one step of the circuit consumes.
#[derive(Clone, Debug)]
pub struct StepWitness {
    /// The operation (`None`: padding).
    pub op: Option<Operation>,
    /// Its receipt from the reference transition (`None`: padding).
    pub receipt: Option<Receipt>,
    /// The key the circuit decodes: the signer's for L2 transactions, the credited key for
    /// deposits, the operator's otherwise (any valid key; unused).
    pub pubkey: PublicKey,
    /// The signature of an L2 transaction.
    pub signature: Option<Signature>,
    /// The slots, in the order of the module table, padded with no-ops.
    pub slots: Vec<SlotWitness>,
    /// Root before the operation.
    pub root_before: Digest,
    /// Root after the operation.
    pub root_after: Digest,
}

impl StepWitness {
    /// The operation's pubdata (empty for padding).
    pub fn pubdata(&self) -> &[u8] {
        self.receipt.as_ref().map_or(&[], |r| &r.pubdata)
    }
}

/// What a stored batch claims (the `batches` row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchClaim {
    /// Root before the batch.
    pub prev_root: Digest,
    /// Root after the batch.
    pub root: Digest,
    /// Concatenated pubdata.
    pub pubdata: Vec<u8>,
    /// keccak-256 of the pubdata.
    pub pubdata_commitment: [u8; 32],
    /// Priority commitment (D9).
    pub priority_commitment: [u8; 32],
}

/// A replayed batch.
#[derive(Clone, Debug)]
pub struct BatchWitness {
    /// Chain id (part of every signing hash).
    pub chain_id: u32,
    /// Per-operation witnesses, in batch order.
    pub steps: Vec<StepWitness>,
    /// Root before.
    pub old_root: Digest,
    /// Root after.
    pub new_root: Digest,
    /// Concatenated pubdata.
    pub pubdata: Vec<u8>,
    /// keccak-256 of the pubdata.
    pub pubdata_commitment: [u8; 32],
    /// Priority commitment of the consumed priority operations.
    pub priority_commitment: [u8; 32],
}

impl BatchWitness {
    /// Appends padding steps (no-ops at the final root) up to a multiple of `chunk`.
    pub fn pad_to_multiple(&mut self, chunk: usize, shadow: &mut Shadow) -> Result<()> {
        while self.steps.is_empty() || self.steps.len() % chunk != 0 {
            let w = shadow.padding_step()?;
            self.steps.push(w);
        }
        Ok(())
    }
}

/// One slot of a forged step ([`Shadow::forge_step`]).
#[derive(Clone, Copy, Debug)]
pub struct ForgedSlot {
    /// Account.
    pub account: AccountId,
    /// Token.
    pub token: TokenId,
    /// Added to the balance in the field.
    pub delta: quire_core::field::F,
    /// Bump the nonce.
    pub bump_nonce: bool,
}

/// A signed slot change.
#[derive(Clone, Copy, Debug)]
struct SlotSpec {
    account: AccountId,
    token: TokenId,
    /// Signed change of the balance.
    delta: i128,
    bump_nonce: bool,
    open: Option<(PublicKey, Address)>,
}

fn spec(account: AccountId, token: TokenId, delta: i128) -> SlotSpec {
    SlotSpec {
        account,
        token,
        delta,
        bump_nonce: false,
        open: None,
    }
}

/// The prover's own copy of the trees, updated one slot at a time.
#[derive(Clone, Debug)]
pub struct Shadow {
    accounts: Vec<Account>,
    balance_trees: Vec<SparseMerkleTree>,
    account_tree: SparseMerkleTree,
    operator: PublicKey,
}

impl Shadow {
    /// A copy of `state`'s trees, rebuilt from its records; checked against its root.
    pub fn from_state(state: &mut State, operator: PublicKey) -> Result<Self> {
        let mut s = Shadow {
            accounts: Vec::new(),
            balance_trees: Vec::new(),
            account_tree: SparseMerkleTree::new(ACCOUNT_TREE_DEPTH),
            operator,
        };
        let mut leaves = Vec::new();
        for id in 0..state.num_accounts() {
            let id = AccountId::new(id).ok_or_else(|| anyhow!("account id"))?;
            let acc = state.account(id).ok_or_else(|| anyhow!("account"))?.clone();
            let mut tree = SparseMerkleTree::new(BALANCE_TREE_DEPTH);
            let updates = acc
                .balances
                .iter()
                .map(|(t, &b)| (t.0 as u64, balance_leaf(b)))
                .collect();
            let broot = tree.update_batch(updates)?;
            leaves.push((id.get() as u64, acc.leaf(&broot)));
            s.accounts.push(acc);
            s.balance_trees.push(tree);
        }
        s.account_tree.update_batch(leaves)?;
        ensure!(
            s.root() == state.root(),
            "shadow tree disagrees with the reference state"
        );
        Ok(s)
    }

    /// The root.
    pub fn root(&self) -> Digest {
        self.account_tree.root()
    }

    fn record(&self, id: AccountId) -> AccountRecord {
        self.accounts.get(id.index()).map_or(
            AccountRecord {
                pubkey_hash: Digest::ZERO,
                l1_owner: Address::ZERO,
                nonce: 0,
            },
            |a| AccountRecord {
                pubkey_hash: a.pubkey_hash,
                l1_owner: a.l1_owner,
                nonce: a.nonce,
            },
        )
    }

    fn apply_slot(&mut self, s: &SlotSpec) -> Result<SlotWitness> {
        let root_before = self.root();
        let created = s.open.is_some();
        let mut predecessor = None;
        if created {
            ensure!(
                s.account.index() == self.accounts.len(),
                "opened account {} is not the next id",
                s.account
            );
            let below = u64::from(s.account.get())
                .checked_sub(1)
                .ok_or_else(|| anyhow!("account 0 cannot be opened by a deposit"))?;
            predecessor = Some(Predecessor {
                leaf: self.account_tree.get(below)?,
                siblings: self.account_tree.proof(below)?.siblings,
            });
            let (pk, owner) = s.open.unwrap_or_else(|| unreachable!());
            self.accounts.push(Account::with_key(pk, owner));
            self.balance_trees
                .push(SparseMerkleTree::new(BALANCE_TREE_DEPTH));
        }
        let idx = s.account.index();
        if idx >= self.accounts.len() && !created && s.delta == 0 && !s.bump_nonce {
            return self.absent_slot(s);
        }
        ensure!(idx < self.accounts.len(), "unknown account {}", s.account);
        let before = if created {
            AccountRecord {
                pubkey_hash: Digest::ZERO,
                l1_owner: Address::ZERO,
                nonce: 0,
            }
        } else {
            self.record(s.account)
        };
        let bal_old = self.accounts[idx].balance(s.token);
        let bal_new = u64::try_from(bal_old as i128 + s.delta)
            .map_err(|_| anyhow!("slot balance out of range"))?;
        let balance_siblings = self.balance_trees[idx].proof(s.token.0 as u64)?.siblings;
        let account_siblings = self.account_tree.proof(s.account.get() as u64)?.siblings;
        self.accounts[idx].set_balance(s.token, bal_new);
        if s.bump_nonce {
            self.accounts[idx].nonce = self.accounts[idx]
                .nonce
                .checked_add(1)
                .ok_or_else(|| anyhow!("nonce overflow"))?;
        }
        let broot = self.balance_trees[idx].update(s.token.0 as u64, balance_leaf(bal_new))?;
        let leaf = self.accounts[idx].leaf(&broot);
        let root_after = self.account_tree.update(s.account.get() as u64, leaf)?;
        Ok(SlotWitness {
            account: s.account,
            token: s.token,
            created,
            absent: false,
            before,
            after: self.record(s.account),
            bal_old,
            bal_new,
            balance_siblings,
            account_siblings,
            predecessor,
            root_before,
            root_after,
        })
    }

    /// A read of an account id never opened: the empty leaf stays empty.
    fn absent_slot(&self, s: &SlotSpec) -> Result<SlotWitness> {
        let root = self.root();
        let empty = AccountRecord {
            pubkey_hash: Digest::ZERO,
            l1_owner: Address::ZERO,
            nonce: 0,
        };
        Ok(SlotWitness {
            account: s.account,
            token: s.token,
            created: false,
            absent: true,
            before: empty.clone(),
            after: empty,
            bal_old: 0,
            bal_new: 0,
            balance_siblings: SparseMerkleTree::new(BALANCE_TREE_DEPTH)
                .proof(s.token.0 as u64)?
                .siblings,
            account_siblings: self.account_tree.proof(s.account.get() as u64)?.siblings,
            predecessor: None,
            root_before: root,
            root_after: root,
        })
    }

    /// A step that skips the reference transition: `slots` are applied as given, balances
    /// changed by field additions (so a forged step may hold a "negative" balance p − x).
    /// For soundness tests: the circuit must reject every step the reference rejects.
    pub fn forge_step(
        &mut self,
        op: Operation,
        pubkey: PublicKey,
        signature: Option<Signature>,
        slots: &[ForgedSlot],
    ) -> Result<StepWitness> {
        ensure!(slots.len() <= N_SLOTS, "too many slots");
        let root_before = self.root();
        let mut out = Vec::with_capacity(N_SLOTS);
        for f in slots {
            let idx = f.account.index();
            ensure!(idx < self.accounts.len(), "unknown account");
            let old = self.accounts[idx].balance(f.token);
            let target =
                (quire_core::field::F::from_canonical_u64(old) + f.delta).to_canonical_u64();
            // Reuse apply_slot's bookkeeping with an exact delta to the target value.
            let mut w = self.apply_slot(&SlotSpec {
                account: f.account,
                token: f.token,
                delta: 0,
                bump_nonce: f.bump_nonce,
                open: None,
            })?;
            if target != old {
                self.accounts[idx].set_balance(f.token, target);
                let broot =
                    self.balance_trees[idx].update(f.token.0 as u64, balance_leaf(target))?;
                let leaf = self.accounts[idx].leaf(&broot);
                w.root_after = self.account_tree.update(f.account.get() as u64, leaf)?;
                w.bal_new = target;
            }
            out.push(w);
        }
        while out.len() < N_SLOTS {
            out.push(self.apply_slot(&spec(BRIDGE_ACCOUNT, TokenId::ETH, 0))?);
        }
        Ok(StepWitness {
            op: Some(op),
            receipt: None,
            pubkey,
            signature,
            slots: out,
            root_before,
            root_after: self.root(),
        })
    }

    /// A credited deposit step that opens `d.to`'s account at `at`, which need not be the
    /// next free id: the leaf at `at` must be empty, and the predecessor is whatever leaf
    /// `at − 1` holds (the empty leaf when `at` skips ids). For soundness tests: the circuit
    /// must accept it only when `at` is the next free id. Afterwards the shadow holds the
    /// forged tree but not the forged record: use it for padding steps only.
    pub fn forge_opening(&mut self, d: &Deposit, at: AccountId) -> Result<StepWitness> {
        let root_before = self.root();
        let index = u64::from(at.get());
        ensure!(
            self.account_tree.get(index)? == Digest::ZERO,
            "leaf {at} is occupied"
        );
        let below = index
            .checked_sub(1)
            .ok_or_else(|| anyhow!("account 0 cannot be opened"))?;
        let predecessor = Predecessor {
            leaf: self.account_tree.get(below)?,
            siblings: self.account_tree.proof(below)?.siblings,
        };
        let mut account = Account::with_key(d.to, d.from);
        let mut balances = SparseMerkleTree::new(BALANCE_TREE_DEPTH);
        let balance_siblings = balances.proof(u64::from(d.token.0))?.siblings;
        let account_siblings = self.account_tree.proof(index)?.siblings;
        account.set_balance(d.token, d.amount);
        let broot = balances.update(u64::from(d.token.0), balance_leaf(d.amount))?;
        let root_after = self.account_tree.update(index, account.leaf(&broot))?;
        let empty = AccountRecord {
            pubkey_hash: Digest::ZERO,
            l1_owner: Address::ZERO,
            nonce: 0,
        };
        let opened = SlotWitness {
            account: at,
            token: d.token,
            created: true,
            absent: false,
            before: empty,
            after: AccountRecord {
                pubkey_hash: account.pubkey_hash,
                l1_owner: account.l1_owner,
                nonce: 0,
            },
            bal_old: 0,
            bal_new: d.amount,
            balance_siblings,
            account_siblings,
            predecessor: Some(predecessor),
            root_before,
            root_after,
        };
        let mut slots = vec![opened];
        slots.extend(self.run_slots(&[spec(BRIDGE_ACCOUNT, d.token, -(d.amount as i128))])?);
        slots.truncate(N_SLOTS);
        let priority = PriorityOp::Deposit(d.clone());
        let hash = priority.hash();
        let op = Operation::Priority(priority);
        let outcome = Outcome::Deposit {
            account: at,
            created: true,
            credited: true,
            refund: None,
        };
        let receipt = Receipt {
            hash,
            op_type: quire_core::tx::OpType::Deposit,
            pubdata: pubdata::encode(&op, &outcome)?,
            outcome,
        };
        Ok(StepWitness {
            op: Some(op),
            receipt: Some(receipt),
            pubkey: d.to,
            signature: None,
            slots,
            root_before,
            root_after: self.root(),
        })
    }

    fn run_slots(&mut self, specs: &[SlotSpec]) -> Result<Vec<SlotWitness>> {
        ensure!(specs.len() <= N_SLOTS, "too many slots");
        let mut out = Vec::with_capacity(N_SLOTS);
        for s in specs {
            out.push(self.apply_slot(s)?);
        }
        while out.len() < N_SLOTS {
            out.push(self.apply_slot(&spec(BRIDGE_ACCOUNT, TokenId::ETH, 0))?);
        }
        Ok(out)
    }

    /// A padding step at the current root.
    pub fn padding_step(&mut self) -> Result<StepWitness> {
        let root = self.root();
        let slots = self.run_slots(&[])?;
        Ok(StepWitness {
            op: None,
            receipt: None,
            pubkey: self.operator,
            signature: None,
            slots,
            root_before: root,
            root_after: root,
        })
    }
}

/// The slot list of an operation with its receipt, against the state after it (the pools
/// never change): its kind's table ([`StepKind::slots`]) resolved against its operands;
/// `locked` is what a first liquidity locks, read from the state before.
fn slot_specs(
    state: &State,
    op: &Operation,
    outcome: &Outcome,
    locked: u64,
) -> Result<Vec<SlotSpec>> {
    let kind = StepKind::of_op(Some(op));
    ensure!(
        StepKind::of_outcome(outcome) == kind,
        "receipt does not match the operation"
    );
    let mut o = Operands::of(Some(op), Some(outcome), state.pools())?;
    o.locked = locked;
    let opening = match op {
        Operation::Priority(PriorityOp::Deposit(d)) => deposit::opening(d, &o),
        _ => None,
    };
    kind.slots()
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let (account, token, delta) = row.resolve(&o)?;
            Ok(SlotSpec {
                account,
                token,
                delta,
                // Slot 0 is the signer's for L2 kinds, and the one a deposit opens.
                bump_nonce: i == 0 && kind.is_l2(),
                open: if i == 0 { opening } else { None },
            })
        })
        .collect()
}

/// Replays `ops` on `state` (which must be the state before the batch; it is left at the
/// state after) and on `shadow` (its copy of the trees), producing the batch witness.
/// Every operation must be accepted by the reference transition; if `claim` is given,
/// roots, pubdata and commitments must equal it.
pub fn replay_batch(
    state: &mut State,
    shadow: &mut Shadow,
    ops: &[Operation],
    claim: Option<&BatchClaim>,
) -> Result<BatchWitness> {
    let old_root = state.root();
    ensure!(
        shadow.root() == old_root,
        "shadow root differs from the state"
    );
    let mut steps = Vec::with_capacity(ops.len());
    let mut pubdata_bytes = Vec::new();
    let mut priority = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        // What the slot list needs from the state before the operation: the signer's key
        // and, for a pool's first liquidity, the locked shares.
        let signer_key = match op {
            Operation::L2(s) => state.account(s.tx.signer()).and_then(|a| a.pubkey),
            Operation::Priority(_) => None,
        };
        let locked = match op {
            Operation::L2(SignedTx {
                tx: L2Tx::AddLiquidity(t),
                ..
            }) => match state.pools().get(&t.pool) {
                Some(pool) if state.pool_supply(pool) == 0 => MINIMUM_LIQUIDITY,
                _ => 0,
            },
            _ => 0,
        };
        let receipt = state
            .apply(op)
            .with_context(|| format!("operation {i} rejected by the reference transition"))?;
        let expected_pubdata = pubdata::encode(op, &receipt.outcome)?;
        ensure!(
            receipt.pubdata == expected_pubdata,
            "operation {i}: pubdata"
        );
        let specs = slot_specs(state, op, &receipt.outcome, locked)?;
        let root_before = shadow.root();
        let slots = shadow.run_slots(&specs)?;
        let root_after = shadow.root();
        ensure!(
            root_after == state.root(),
            "operation {i}: shadow root differs from the reference root"
        );
        let (pubkey, signature) = match op {
            Operation::L2(s) => {
                let signer = signer_key.ok_or_else(|| anyhow!("operation {i}: keyless signer"))?;
                (signer, Some(s.signature))
            }
            Operation::Priority(p) => {
                priority.push(p.clone());
                match p {
                    PriorityOp::Deposit(d) => (d.to, None),
                    PriorityOp::FullExit(_) => (shadow.operator, None),
                }
            }
        };
        pubdata_bytes.extend_from_slice(&receipt.pubdata);
        steps.push(StepWitness {
            op: Some(op.clone()),
            receipt: Some(receipt),
            pubkey,
            signature,
            slots,
            root_before,
            root_after,
        });
    }
    let new_root = state.root();
    let w = BatchWitness {
        chain_id: state.chain_id(),
        steps,
        old_root,
        new_root,
        pubdata_commitment: keccak256(&pubdata_bytes),
        pubdata: pubdata_bytes,
        priority_commitment: priority_commitment(&priority),
    };
    if let Some(c) = claim {
        ensure!(
            c.prev_root == w.old_root,
            "batch claims another previous root"
        );
        ensure!(c.root == w.new_root, "batch claims another root");
        ensure!(c.pubdata == w.pubdata, "batch claims other pubdata");
        ensure!(
            c.pubdata_commitment == w.pubdata_commitment,
            "batch claims another pubdata commitment"
        );
        ensure!(
            c.priority_commitment == w.priority_commitment,
            "batch claims another priority commitment"
        );
    }
    Ok(w)
}

/// Convenience for tests and the worker: the genesis state and its shadow.
pub fn genesis(g: &Genesis) -> Result<(State, Shadow)> {
    let mut state = State::genesis(g).map_err(|e| anyhow!("genesis: {e}"))?;
    let shadow = Shadow::from_state(&mut state, g.operator)?;
    Ok((state, shadow))
}

/// Distinct accounts touched by a batch (for logs).
pub fn touched_accounts(w: &BatchWitness) -> usize {
    let mut m = BTreeMap::new();
    for s in &w.steps {
        for sl in &s.slots {
            m.insert(sl.account, ());
        }
    }
    m.len()
}
