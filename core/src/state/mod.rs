//! The rollup state and its sequential reference transition.
//!
//! [`State`] keeps each account's record natively (vectors indexed by account id) next to
//! the Merkle trees that commit to them. Applying an operation changes only the records and
//! marks what it touched; [`State::root`] then updates the trees from the marks, dirty
//! nodes only, in parallel. So a batch pays for the tree update once, not per transaction,
//! and the parallel executor can reuse the same root update from its own diff
//! ([`State::apply_diff`]).

mod apply;
mod error;
mod proof;
mod receipt;
mod replay;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use apply::{Effects, Planned, SlotEffect};
pub use error::TxError;
pub use proof::{pool_settlement_tokens, AccountProof, BalanceOpening, BalanceProof};
pub use receipt::{Outcome, Receipt, RefundReason};
pub use replay::{BatchReplayError, ReplayError};

use crate::account::{
    balance_leaf, Account, AccountId, Address, ACCOUNT_TREE_DEPTH, BALANCE_TREE_DEPTH,
    BRIDGE_ACCOUNT, FEE_ACCOUNT, MAX_AMOUNT,
};
use crate::amm::{Pool, MAX_FEE_BPS};
use crate::hash::Digest;
use crate::merkle::SparseMerkleTree;
use crate::schnorr::PublicKey;
use crate::token::{TokenError, TokenId, TokenInfo, TokenRegistry};

/// A pool to create at genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSpec {
    /// First reserve token.
    pub token_a: TokenId,
    /// Second reserve token.
    pub token_b: TokenId,
    /// Swap fee in basis points.
    pub fee_bps: u16,
}

/// Everything that fixes the initial state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Chain id mixed into every signing hash.
    pub chain_id: u32,
    /// Key of the operator's fee account (account 1).
    pub operator: PublicKey,
    /// L1 owner of the fee account.
    pub operator_l1: Address,
    /// L1 assets besides ETH (ids 1..128).
    pub tokens: Vec<TokenInfo>,
    /// AMM pools, created as accounts 2, 3, … with share tokens 128, 129, ….
    pub pools: Vec<PoolSpec>,
}

/// Why a genesis description is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// A token could not be registered.
    #[error("token: {0}")]
    Token(#[from] TokenError),
    /// A pool names an unknown or non-L1 token, or the same token twice.
    #[error("pool {0}: tokens must be two distinct registered L1 assets")]
    PoolTokens(usize),
    /// A pool fee above the maximum.
    #[error("pool {0}: fee above {MAX_FEE_BPS} bps")]
    PoolFee(usize),
    /// More pools than share-token ids.
    #[error("too many pools")]
    TooManyPools,
    /// A stored snapshot does not fit the genesis or the state's bounds.
    #[error("invalid snapshot: {0}")]
    Snapshot(&'static str),
}

/// The changes since the last [`State::root`], as final values per touched slot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateDiff {
    /// Accounts opened, in id order.
    pub created: Vec<(AccountId, PublicKey, Address)>,
    /// New nonces.
    pub nonces: BTreeMap<AccountId, u32>,
    /// New balances (zero included). In JSON a list of `[account, token, amount]`, since
    /// JSON object keys must be strings.
    #[serde(with = "balance_entries")]
    pub balances: BTreeMap<(AccountId, TokenId), u64>,
}

mod balance_entries {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        m: &BTreeMap<(AccountId, TokenId), u64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.iter().map(|(&(a, t), v)| (a, t, v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<(AccountId, TokenId), u64>, D::Error> {
        let v: Vec<(AccountId, TokenId, u64)> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|(a, t, b)| ((a, t), b)).collect())
    }
}

/// Work done by one root update, in Poseidon permutations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootStats {
    /// Accounts whose leaf was recomputed.
    pub accounts: usize,
    /// Inner nodes hashed in balance trees.
    pub balance_nodes: usize,
    /// Inner nodes hashed in the account tree.
    pub account_nodes: usize,
    /// Permutations spent on account leaves (a 14-element sponge takes 2).
    pub leaf_permutations: usize,
}

impl RootStats {
    /// Total Poseidon permutations.
    pub fn permutations(&self) -> usize {
        self.balance_nodes + self.account_nodes + self.leaf_permutations
    }
}

/// Permutations of one account leaf: 14 elements through a rate-8 sponge.
const LEAF_PERMUTATIONS: usize = 2;

/// Marks of what changed since the last root update.
#[derive(Clone, Debug, Default)]
struct Journal {
    created: Vec<AccountId>,
    // Plain vectors, deduplicated when read: a push is far cheaper than a set insert on the
    // executor's hot path.
    nonces: Vec<AccountId>,
    balances: Vec<(AccountId, TokenId)>,
}

impl Journal {
    fn is_empty(&self) -> bool {
        self.created.is_empty() && self.nonces.is_empty() && self.balances.is_empty()
    }

    /// Touched nonces and balances, sorted and deduplicated.
    fn touched(&self) -> (BTreeSet<AccountId>, BTreeSet<(AccountId, TokenId)>) {
        (
            self.nonces.iter().copied().collect(),
            self.balances.iter().copied().collect(),
        )
    }
}

/// The whole L2 state.
#[derive(Clone, Debug)]
pub struct State {
    chain_id: u32,
    tokens: TokenRegistry,
    pools: BTreeMap<AccountId, Pool>,
    accounts: Vec<Account>,
    /// Keyed accounts by their identity, the pair (key hash, L1 owner) (decision D10).
    by_identity: FxHashMap<(Digest, Address), AccountId>,
    account_tree: SparseMerkleTree,
    balance_trees: Vec<SparseMerkleTree>,
    next_priority_id: u64,
    journal: Journal,
}

impl State {
    /// The initial state: the bridge reserve (account 0) with `MAX_AMOUNT` of every L1
    /// asset id, the operator's fee account (1), then one keyless account per pool holding
    /// `MAX_AMOUNT` of its share token.
    pub fn genesis(g: &Genesis) -> Result<State, GenesisError> {
        let mut tokens = TokenRegistry::with_eth();
        for t in &g.tokens {
            tokens.register(t.clone(), false)?;
        }
        let mut state = State {
            chain_id: g.chain_id,
            tokens,
            pools: BTreeMap::new(),
            accounts: Vec::new(),
            by_identity: FxHashMap::default(),
            account_tree: SparseMerkleTree::new(ACCOUNT_TREE_DEPTH),
            balance_trees: Vec::new(),
            next_priority_id: 0,
            journal: Journal::default(),
        };
        let bridge = state.push_account(Account::keyless());
        for t in 0..TokenId::FIRST_SHARE_TOKEN {
            state.write_balance(bridge, TokenId(t), MAX_AMOUNT);
        }
        state.push_account(Account::with_key(g.operator, g.operator_l1));
        for (i, spec) in g.pools.iter().enumerate() {
            let l1 = |t: TokenId| t.is_l1_asset() && state.tokens.contains(t);
            if spec.token_a == spec.token_b || !l1(spec.token_a) || !l1(spec.token_b) {
                return Err(GenesisError::PoolTokens(i));
            }
            if spec.fee_bps > MAX_FEE_BPS {
                return Err(GenesisError::PoolFee(i));
            }
            let share_token = state
                .tokens
                .next_share_token_id()
                .ok_or(GenesisError::TooManyPools)?;
            let symbol = |t: TokenId| {
                state
                    .tokens
                    .get(t)
                    .map(|i| i.symbol.clone())
                    .unwrap_or_default()
            };
            let info = TokenInfo {
                id: share_token,
                symbol: format!("{}-{}-LP", symbol(spec.token_a), symbol(spec.token_b)),
                l1_address: Address::ZERO,
                scale: 1,
            };
            state.tokens.register(info, true)?;
            let account = state.push_account(Account::keyless());
            state.write_balance(account, share_token, MAX_AMOUNT);
            let pool = Pool {
                account,
                token_a: spec.token_a,
                token_b: spec.token_b,
                share_token,
                fee_bps: spec.fee_bps,
            };
            state.pools.insert(account, pool);
        }
        state.root();
        Ok(state)
    }

    /// Rebuilds a state from stored account records (a snapshot written by the sequencer)
    /// without replaying history: registries come from `g`, records from `accounts` (in id
    /// order, starting with the genesis accounts), and every tree is rehashed once.
    pub fn from_snapshot(
        g: &Genesis,
        accounts: Vec<Account>,
        next_priority_id: u64,
    ) -> Result<State, GenesisError> {
        let genesis = State::genesis(g)?;
        if accounts.len() < genesis.accounts.len() || accounts.len() > AccountId::LIMIT as usize {
            return Err(GenesisError::Snapshot("account count"));
        }
        for (stored, fresh) in accounts.iter().zip(&genesis.accounts) {
            if stored.pubkey != fresh.pubkey {
                return Err(GenesisError::Snapshot("genesis accounts differ"));
            }
        }
        let mut state = State {
            chain_id: genesis.chain_id,
            tokens: genesis.tokens,
            pools: genesis.pools,
            accounts: Vec::with_capacity(accounts.len()),
            by_identity: FxHashMap::default(),
            account_tree: SparseMerkleTree::new(ACCOUNT_TREE_DEPTH),
            balance_trees: Vec::with_capacity(accounts.len()),
            next_priority_id,
            journal: Journal::default(),
        };
        for mut account in accounts {
            if account.balances.values().any(|&b| b > MAX_AMOUNT) {
                return Err(GenesisError::Snapshot("balance out of range"));
            }
            account.balances.retain(|_, b| *b > 0);
            account.pubkey_hash = account.pubkey.map_or(Digest::ZERO, |pk| pk.hash());
            let tokens: Vec<TokenId> = account.balances.keys().copied().collect();
            let nonce = account.nonce;
            let id = state.push_account(account);
            for t in tokens {
                state.journal.balances.push((id, t));
            }
            if nonce > 0 {
                state.journal.nonces.push(id);
            }
        }
        state.root();
        Ok(state)
    }

    /// Appends an account record and its (empty) balance tree, marking it for hashing.
    fn push_account(&mut self, account: Account) -> AccountId {
        let id = AccountId::new(self.accounts.len() as u32)
            .unwrap_or_else(|| unreachable!("callers check the account limit"));
        if account.pubkey.is_some() {
            self.by_identity
                .insert((account.pubkey_hash, account.l1_owner), id);
        }
        self.accounts.push(account);
        self.balance_trees
            .push(SparseMerkleTree::new(BALANCE_TREE_DEPTH));
        self.journal.created.push(id);
        id
    }

    /// Sets a balance and marks it dirty.
    fn write_balance(&mut self, account: AccountId, token: TokenId, amount: u64) {
        self.accounts[account.index()].set_balance(token, amount);
        self.journal.balances.push((account, token));
    }

    /// Sets a nonce and marks it dirty.
    fn write_nonce(&mut self, account: AccountId, nonce: u32) {
        self.accounts[account.index()].nonce = nonce;
        self.journal.nonces.push(account);
    }

    /// The chain id.
    pub fn chain_id(&self) -> u32 {
        self.chain_id
    }

    /// The token registry.
    pub fn tokens(&self) -> &TokenRegistry {
        &self.tokens
    }

    /// Records the description (symbol, L1 address, scale) of an L1 asset governance
    /// registered after genesis, as the sequencer learns it from L1. Descriptive only: no
    /// rule of `apply` reads it, since every L1 asset id is usable (see `token_usable`).
    pub fn register_token(&mut self, info: TokenInfo) -> Result<(), TokenError> {
        self.tokens.register(info, false)
    }

    /// All pools, by account id.
    pub fn pools(&self) -> &BTreeMap<AccountId, Pool> {
        &self.pools
    }

    /// An account's record.
    pub fn account(&self, id: AccountId) -> Option<&Account> {
        self.accounts.get(id.index())
    }

    /// The account of `key` owned by `owner` on L1, if a deposit from `owner` to `key` opened
    /// one. An account is the pair (key, L1 owner), never the key alone (decision D10): a
    /// deposit credits only an account its own sender owns, so nobody can become the L1
    /// owner of funds someone else deposited.
    pub fn account_id(&self, key: &PublicKey, owner: &Address) -> Option<AccountId> {
        self.by_identity.get(&(key.hash(), *owner)).copied()
    }

    /// Number of opened accounts (ids `0..n`).
    pub fn num_accounts(&self) -> u32 {
        self.accounts.len() as u32
    }

    /// A balance (0 for unknown accounts).
    pub fn balance(&self, id: AccountId, token: TokenId) -> u64 {
        self.account(id).map_or(0, |a| a.balance(token))
    }

    /// Outstanding shares of a pool: what has left the pool account.
    pub fn pool_supply(&self, pool: &Pool) -> u64 {
        MAX_AMOUNT - self.balance(pool.account, pool.share_token)
    }

    /// The id the next priority operation must carry.
    pub fn next_priority_id(&self) -> u64 {
        self.next_priority_id
    }

    /// The changes since the last root update.
    pub fn pending_diff(&self) -> StateDiff {
        // Collecting into maps deduplicates the journal.
        let j = &self.journal;
        StateDiff {
            created: j
                .created
                .iter()
                .filter_map(|&id| {
                    let a = &self.accounts[id.index()];
                    a.pubkey.map(|pk| (id, pk, a.l1_owner))
                })
                .collect(),
            nonces: j
                .nonces
                .iter()
                .map(|&id| (id, self.accounts[id.index()].nonce))
                .collect(),
            balances: j
                .balances
                .iter()
                .map(|&(id, t)| ((id, t), self.accounts[id.index()].balance(t)))
                .collect(),
        }
    }

    /// Applies a diff computed elsewhere (the parallel executor's) to the records. Accounts
    /// in `created` must be the next ids in order.
    pub fn apply_diff(&mut self, diff: &StateDiff) -> Result<(), TxError> {
        for (id, pk, owner) in &diff.created {
            if id.get() != self.num_accounts() {
                return Err(TxError::UnknownAccount(*id));
            }
            self.push_account(Account::with_key(*pk, *owner));
        }
        for (&id, &nonce) in &diff.nonces {
            self.account(id).ok_or(TxError::UnknownAccount(id))?;
            self.write_nonce(id, nonce);
        }
        for (&(id, token), &amount) in &diff.balances {
            self.account(id).ok_or(TxError::UnknownAccount(id))?;
            self.write_balance(id, token, amount);
        }
        Ok(())
    }

    /// Brings the trees up to date with the records and returns the state root.
    ///
    /// Balance trees of dirty accounts are updated in parallel (each from its dirty
    /// tokens), then the account tree in one batch update.
    pub fn root(&mut self) -> Digest {
        self.root_with_stats().0
    }

    /// [`State::root`] with the work it did.
    pub fn root_with_stats(&mut self) -> (Digest, RootStats) {
        let journal = std::mem::take(&mut self.journal);
        if journal.is_empty() {
            return (self.account_tree.root(), RootStats::default());
        }
        let (nonces, balances) = journal.touched();
        let mut per_account: BTreeMap<AccountId, Vec<TokenId>> = BTreeMap::new();
        for id in journal.created.iter().chain(&nonces) {
            per_account.entry(*id).or_default();
        }
        for (id, token) in balances {
            per_account.entry(id).or_default().push(token);
        }
        let mut stats = RootStats {
            accounts: per_account.len(),
            ..RootStats::default()
        };
        stats.leaf_permutations = per_account.len() * LEAF_PERMUTATIONS;
        // Move the dirty balance trees out so rayon can own them, then put them back.
        let mut work: Vec<(AccountId, Vec<TokenId>, SparseMerkleTree)> = per_account
            .into_iter()
            .map(|(id, tokens)| {
                let tree = std::mem::replace(
                    &mut self.balance_trees[id.index()],
                    SparseMerkleTree::new(BALANCE_TREE_DEPTH),
                );
                (id, tokens, tree)
            })
            .collect();
        let accounts = &self.accounts;
        let hashed: Vec<((u64, Digest), usize)> = work
            .par_iter_mut()
            .with_min_len(32)
            .map(|(id, tokens, tree)| {
                let account = &accounts[id.index()];
                let updates = tokens
                    .iter()
                    .map(|t| (t.0 as u64, balance_leaf(account.balance(*t))))
                    .collect();
                let (balance_root, nodes) = tree
                    .update_batch_counted(updates)
                    .unwrap_or_else(|_| unreachable!("token ids are u8 < 2^8"));
                ((id.get() as u64, account.leaf(&balance_root)), nodes)
            })
            .collect();
        for (id, _, tree) in work {
            self.balance_trees[id.index()] = tree;
        }
        let mut leaves = Vec::with_capacity(hashed.len());
        for (leaf, nodes) in hashed {
            stats.balance_nodes += nodes;
            leaves.push(leaf);
        }
        let (root, nodes) = self
            .account_tree
            .update_batch_counted(leaves)
            .unwrap_or_else(|_| unreachable!("account ids are < 2^24"));
        stats.account_nodes = nodes;
        (root, stats)
    }

    /// The root as of the last [`State::root`] call (pending changes not included).
    pub fn committed_root(&self) -> Digest {
        self.account_tree.root()
    }

    /// Bridge reserve and fee account ids, for callers that need them by name.
    pub const BRIDGE: AccountId = BRIDGE_ACCOUNT;
    /// The operator's fee account.
    pub const FEE: AccountId = FEE_ACCOUNT;
}
