//! Proofs of balances against the state root, as L1's exodus checks them.
//!
//! [`AccountProof`] opens several balances of one account: each opening is a balance leaf
//! with its path in the account's balance tree, and every opening must lead to the same
//! balance root, which enters the account leaf with the record's other fields; the account
//! path then leads to the state root. It is the native twin of `StateProof.AccountProof`
//! (contracts/src/lib/StateProof.sol): [`AccountProof::verify`] accepts exactly what the
//! contract's `StateProof.root` accepts (same shape rules, same hashing). [`BalanceProof`]
//! (one balance, as the sequencer's API serves it) verifies through the same code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::State;
use crate::account::{
    balance_leaf, Account, AccountId, Address, ACCOUNT_TREE_DEPTH, BALANCE_TREE_DEPTH, MAX_AMOUNT,
};
use crate::amm::Pool;
use crate::hash::Digest;
use crate::merkle::MerkleProof;
use crate::token::TokenId;

/// One balance of an account, with its path in the account's balance tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceOpening {
    /// The token (the leaf's index in the balance tree).
    pub token: TokenId,
    /// The balance proven.
    pub balance: u64,
    /// Path of the balance leaf in the account's balance tree (index = token id).
    pub path: MerkleProof,
}

impl BalanceOpening {
    /// The balance-tree root this opening leads to, if its path has the tree's shape and
    /// sits at the token's index.
    fn balance_root(&self) -> Option<Digest> {
        let shaped = self.path.index == u64::from(self.token.0)
            && self.path.siblings.len() == usize::from(BALANCE_TREE_DEPTH);
        shaped.then(|| self.path.compute_root(&balance_leaf(self.balance)))
    }
}

/// Several balances of one account against the state root: what L1's `exit` and
/// `settlePool` take (`StateProof.AccountProof`).
///
/// Valid only if it has 1..=[`AccountProof::MAX_OPENINGS`] openings with strictly
/// increasing token ids, every balance is at most `MAX_AMOUNT`, and every opening leads to
/// the same balance root: one genuine opening cannot vouch for a fabricated one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountProof {
    /// The account.
    pub account: AccountId,
    /// Poseidon hash of the account's key (zero for keyless accounts).
    pub pubkey_hash: Digest,
    /// L1 owner (zero for keyless accounts).
    pub l1_owner: Address,
    /// Nonce.
    pub nonce: u32,
    /// The balances opened, by strictly increasing token id.
    pub openings: Vec<BalanceOpening>,
    /// Path of the account leaf in the account tree (index = account id).
    pub account_path: MerkleProof,
}

impl AccountProof {
    /// Most openings one proof may carry (`StateProof.MAX_OPENINGS`): the contract's
    /// worst case, this many share-token exits with cold storage, stays near half of
    /// EIP-7825's 2^24 gas cap (contracts/test/RollupExitGas.t.sol, decision D21).
    pub const MAX_OPENINGS: usize = 16;

    /// The balance root every opening leads to, or `None` if the proof breaks a shape rule
    /// (opening count, token order, balance range, path shape) or two openings disagree.
    pub fn balance_root(&self) -> Option<Digest> {
        let n = self.openings.len();
        if n == 0 || n > Self::MAX_OPENINGS {
            return None;
        }
        let mut root = None;
        let mut prev: Option<TokenId> = None;
        for o in &self.openings {
            if prev.is_some_and(|p| o.token <= p) || o.balance > MAX_AMOUNT {
                return None;
            }
            prev = Some(o.token);
            let r = o.balance_root()?;
            if *root.get_or_insert(r) != r {
                return None;
            }
        }
        root
    }

    /// The account-tree leaf of the record this proof shows, given its balance root.
    fn account_leaf(&self, balance_root: &Digest) -> Digest {
        let rec = Account {
            pubkey: None,
            pubkey_hash: self.pubkey_hash,
            l1_owner: self.l1_owner,
            nonce: self.nonce,
            balances: BTreeMap::new(),
        };
        rec.leaf(balance_root)
    }

    /// True if this proof shows its balances in `account` under `root`, by the rules the
    /// contract's `StateProof.root` applies.
    pub fn verify(&self, root: &Digest) -> bool {
        self.balance_root()
            .is_some_and(|balance_root| self.verify_with_balance_root(root, &balance_root))
    }

    /// The account leaf with `balance_root`, at the account's index, under `root`.
    fn verify_with_balance_root(&self, root: &Digest, balance_root: &Digest) -> bool {
        self.account_path.index == u64::from(self.account.get())
            && self.account_path.siblings.len() == usize::from(ACCOUNT_TREE_DEPTH)
            && self
                .account_path
                .verify(root, &self.account_leaf(balance_root))
    }

    /// The balance of `token` this proof opens, if it opens it.
    pub fn balance(&self, token: TokenId) -> Option<u64> {
        self.openings
            .iter()
            .find(|o| o.token == token)
            .map(|o| o.balance)
    }
}

/// A proof of one balance against the state root: the balance leaf in the account's
/// balance tree, and the account leaf in the account tree. What the sequencer's API
/// serves; [`AccountProof::from`] makes it the one-opening proof L1 takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceProof {
    /// The account.
    pub account: AccountId,
    /// The account's record fields that enter its leaf.
    pub pubkey_hash: Digest,
    /// L1 owner.
    pub l1_owner: Address,
    /// Nonce.
    pub nonce: u32,
    /// The token.
    pub token: TokenId,
    /// The balance proven.
    pub balance: u64,
    /// Path of the balance in the account's balance tree.
    pub balance_path: MerkleProof,
    /// Root of the balance tree.
    pub balance_root: Digest,
    /// Path of the account leaf in the account tree.
    pub account_path: MerkleProof,
}

impl BalanceProof {
    /// True if this proof shows `balance` of `token` in `account` under `root`: the
    /// one-opening [`AccountProof`]'s rules, and the stated balance root is the one its
    /// opening leads to.
    pub fn verify(&self, root: &Digest) -> bool {
        let p = AccountProof::from(self.clone());
        p.balance_root() == Some(self.balance_root)
            && p.verify_with_balance_root(root, &self.balance_root)
    }
}

impl From<BalanceProof> for AccountProof {
    fn from(p: BalanceProof) -> Self {
        AccountProof {
            account: p.account,
            pubkey_hash: p.pubkey_hash,
            l1_owner: p.l1_owner,
            nonce: p.nonce,
            openings: vec![BalanceOpening {
                token: p.token,
                balance: p.balance,
                path: p.balance_path,
            }],
            account_path: p.account_path,
        }
    }
}

/// The tokens of a pool's settlement proof (`Rollup.settlePool`), in the order the proof
/// opens them: the two reserve tokens by id (token A may be above token B), then the share
/// token (ids from 128, above every reserve token).
pub fn pool_settlement_tokens(pool: &Pool) -> [TokenId; 3] {
    let (lo, hi) = if pool.token_a < pool.token_b {
        (pool.token_a, pool.token_b)
    } else {
        (pool.token_b, pool.token_a)
    };
    [lo, hi, pool.share_token]
}

impl State {
    /// A proof of `token`'s balance in `account` against the current root (pending changes
    /// are committed first, so the proof and the root agree).
    pub fn balance_proof(&mut self, account: AccountId, token: TokenId) -> Option<BalanceProof> {
        self.root();
        self.committed_balance_proof(account, token)
    }

    /// [`State::balance_proof`] without committing: `None` while changes are pending (the
    /// records would not match the trees). For readers holding a shared reference.
    pub fn committed_balance_proof(
        &self,
        account: AccountId,
        token: TokenId,
    ) -> Option<BalanceProof> {
        let mut p = self.committed_account_proof(account, &[token])?;
        let o = p.openings.pop()?;
        Some(BalanceProof {
            account,
            pubkey_hash: p.pubkey_hash,
            l1_owner: p.l1_owner,
            nonce: p.nonce,
            token,
            balance: o.balance,
            balance_path: o.path,
            balance_root: self.balance_trees[account.index()].root(),
            account_path: p.account_path,
        })
    }

    /// A proof of the balances of `tokens` in `account` against the current root (pending
    /// changes are committed first). The tokens are opened in increasing id order, each
    /// once; `None` for an unknown account, or no token, or more than
    /// [`AccountProof::MAX_OPENINGS`] distinct tokens.
    pub fn account_proof(
        &mut self,
        account: AccountId,
        tokens: &[TokenId],
    ) -> Option<AccountProof> {
        self.root();
        self.committed_account_proof(account, tokens)
    }

    /// [`State::account_proof`] without committing: `None` while changes are pending (the
    /// records would not match the trees). For readers holding a shared reference.
    pub fn committed_account_proof(
        &self,
        account: AccountId,
        tokens: &[TokenId],
    ) -> Option<AccountProof> {
        if !self.journal.is_empty() {
            return None;
        }
        let mut tokens = tokens.to_vec();
        tokens.sort_unstable();
        tokens.dedup();
        if tokens.is_empty() || tokens.len() > AccountProof::MAX_OPENINGS {
            return None;
        }
        let rec = self.account(account)?;
        let tree = &self.balance_trees[account.index()];
        let openings = tokens
            .into_iter()
            .map(|token| {
                let index = u64::from(token.0);
                Some(BalanceOpening {
                    token,
                    balance: tree.get(index).ok()?.0[0],
                    path: tree.proof(index).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(AccountProof {
            account,
            pubkey_hash: rec.pubkey_hash,
            l1_owner: rec.l1_owner,
            nonce: rec.nonce,
            openings,
            account_path: self.account_tree.proof(u64::from(account.get())).ok()?,
        })
    }

    /// The proof `Rollup.settlePool` takes for the pool whose account is `pool`: its two
    /// reserves and its own share balance ([`pool_settlement_tokens`]) against the current
    /// root. `None` if `pool` is not a pool's account.
    pub fn pool_settlement_proof(&mut self, pool: AccountId) -> Option<AccountProof> {
        let tokens = pool_settlement_tokens(self.pools.get(&pool)?);
        self.account_proof(pool, &tokens)
    }
}
