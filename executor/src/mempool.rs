//! The mempool: acknowledged transactions waiting for a batch.
//!
//! Per account, transactions are queued by nonce; a bounded window of future nonces is
//! accepted and executes in order once the gap closes. Each (account, nonce) slot holds one
//! transaction (no replacement), each hash is known once, and the pool is bounded in total
//! and per account — a full pool answers 429 so clients back off.
//!
//! An entry is *reserved* when admitted and becomes *durable* once written to the database;
//! only durable entries are offered to the batcher, so a batch never contains a transaction
//! whose acknowledgement could still be lost.

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;
use serde::Deserialize;

use quire_core::account::AccountId;
use quire_core::hash::Digest;
use quire_core::tx::SignedTx;

/// Mempool bounds and policy.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MempoolConfig {
    /// Most transactions held.
    pub max_txs: usize,
    /// Most transactions held per account.
    pub max_per_account: usize,
    /// How far ahead of the account's nonce a transaction may be.
    pub nonce_window: u32,
    /// Smallest fee accepted.
    pub min_fee: u64,
    /// Seconds after which a transaction that could not execute (a nonce gap that never
    /// closed) is rejected as expired.
    pub ttl_secs: u64,
}

impl Default for MempoolConfig {
    fn default() -> Self {
        Self {
            max_txs: 200_000,
            max_per_account: 256,
            nonce_window: 256,
            min_fee: 0,
            ttl_secs: 600,
        }
    }
}

/// Why the mempool refuses a transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    /// The same transaction is already known.
    #[error("transaction already known")]
    AlreadyKnown,
    /// Another transaction holds this account's nonce.
    #[error("nonce {0} already has a pending transaction")]
    NonceTaken(u32),
    /// The pool is full.
    #[error("mempool is full")]
    Full,
    /// The account has too many pending transactions.
    #[error("too many pending transactions for this account")]
    AccountFull,
}

#[derive(Clone, Debug)]
struct Entry {
    hash: Digest,
    seq: u64,
    tx: SignedTx,
    received_at_ms: i64,
    durable: bool,
}

/// What the batcher takes.
#[derive(Debug, Default)]
pub struct Selection {
    /// Executable transactions: per account consecutive from its nonce, accounts in order
    /// of arrival.
    pub ready: Vec<(Digest, SignedTx)>,
    /// Transactions past their time to live.
    pub expired: Vec<Digest>,
}

/// The in-memory pool.
#[derive(Debug, Default)]
pub struct Mempool {
    config: MempoolConfig,
    accounts: FxHashMap<AccountId, BTreeMap<u32, Entry>>,
    by_hash: FxHashMap<Digest, (AccountId, u32)>,
}

impl Mempool {
    /// An empty pool.
    pub fn new(config: MempoolConfig) -> Self {
        Self {
            config,
            accounts: FxHashMap::default(),
            by_hash: FxHashMap::default(),
        }
    }

    /// The policy.
    pub fn config(&self) -> &MempoolConfig {
        &self.config
    }

    /// Number of transactions held.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// True if the hash is held.
    pub fn contains(&self, hash: &Digest) -> bool {
        self.by_hash.contains_key(hash)
    }

    /// Reserves a slot for a transaction that passed every other check. `durable` is true
    /// when it is already in the database (reloading at start).
    pub fn admit(
        &mut self,
        hash: Digest,
        seq: u64,
        tx: SignedTx,
        received_at_ms: i64,
        durable: bool,
    ) -> Result<(), AdmitError> {
        if self.by_hash.contains_key(&hash) {
            return Err(AdmitError::AlreadyKnown);
        }
        let account = tx.tx.signer();
        let nonce = tx.tx.nonce();
        if let Some(q) = self.accounts.get(&account) {
            if q.contains_key(&nonce) {
                return Err(AdmitError::NonceTaken(nonce));
            }
            if q.len() >= self.config.max_per_account {
                return Err(AdmitError::AccountFull);
            }
        }
        if self.by_hash.len() >= self.config.max_txs {
            return Err(AdmitError::Full);
        }
        self.by_hash.insert(hash, (account, nonce));
        let entry = Entry {
            hash,
            seq,
            tx,
            received_at_ms,
            durable,
        };
        self.accounts
            .entry(account)
            .or_default()
            .insert(nonce, entry);
        Ok(())
    }

    /// Marks reserved entries durable (their database write committed).
    pub fn mark_durable(&mut self, hashes: &[Digest]) {
        for h in hashes {
            if let Some((a, n)) = self.by_hash.get(h) {
                if let Some(e) = self.accounts.get_mut(a).and_then(|q| q.get_mut(n)) {
                    e.durable = true;
                }
            }
        }
    }

    /// Drops entries: executed or rejected by a batch, expired, or whose write failed.
    pub fn remove(&mut self, hashes: &[Digest]) {
        for h in hashes {
            if let Some((a, n)) = self.by_hash.remove(h) {
                if let Some(q) = self.accounts.get_mut(&a) {
                    q.remove(&n);
                    if q.is_empty() {
                        self.accounts.remove(&a);
                    }
                }
            }
        }
    }

    /// Removes and returns every entry whose nonce is below its account's nonce: a batch
    /// this node did not execute itself consumed them (see `batcher::resync`). Such
    /// entries must not be expired as rejections — their outcome is already stored.
    pub fn purge_consumed(&mut self, nonce_of: impl Fn(AccountId) -> u32) -> Vec<Digest> {
        let mut gone = Vec::new();
        for (&account, q) in &self.accounts {
            let nonce = nonce_of(account);
            gone.extend(q.range(..nonce).map(|(_, e)| e.hash));
        }
        self.remove(&gone);
        gone
    }

    /// Up to `max` executable durable transactions, plus expired ones.
    ///
    /// `nonce_of` gives each account's current nonce. Accounts are served in order of
    /// their oldest executable transaction; each contributes its run of consecutive
    /// nonces, so no account's transactions are reordered.
    pub fn select(
        &self,
        max: usize,
        now_ms: i64,
        nonce_of: impl Fn(AccountId) -> u32,
    ) -> Selection {
        let ttl_ms = self.config.ttl_secs.saturating_mul(1000) as i64;
        let mut sel = Selection::default();
        // (first seq, account, run) per account with an executable head.
        let mut heads: Vec<(u64, AccountId, u32)> = Vec::new();
        let mut expected: HashMap<AccountId, u32> = HashMap::new();
        for (&account, q) in &self.accounts {
            let nonce = nonce_of(account);
            expected.insert(account, nonce);
            if let Some(e) = q.get(&nonce).filter(|e| e.durable) {
                heads.push((e.seq, account, nonce));
            }
            for e in q.values() {
                if now_ms - e.received_at_ms > ttl_ms && e.durable {
                    sel.expired.push(e.hash);
                }
            }
        }
        heads.sort_unstable();
        for (_, account, start) in heads {
            let q = &self.accounts[&account];
            let mut n = start;
            while sel.ready.len() < max {
                match q.get(&n).filter(|e| e.durable) {
                    Some(e) => sel.ready.push((e.hash, e.tx.clone())),
                    None => break,
                }
                n += 1;
            }
            if sel.ready.len() >= max {
                break;
            }
        }
        // An expired transaction that is executable goes to the batch instead.
        let chosen: std::collections::HashSet<Digest> = sel.ready.iter().map(|(h, _)| *h).collect();
        sel.expired.retain(|h| !chosen.contains(h));
        // Entries below the account's nonce can never execute: expire them at once (once:
        // a stale entry may also be past its TTL; the set keeps this linear in the pool).
        let mut listed: std::collections::HashSet<Digest> = sel.expired.iter().copied().collect();
        for (&account, q) in &self.accounts {
            let nonce = expected.get(&account).copied().unwrap_or(0);
            for e in q.range(..nonce).map(|(_, e)| e).filter(|e| e.durable) {
                if listed.insert(e.hash) {
                    sel.expired.push(e.hash);
                }
            }
        }
        sel
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_core::schnorr::SecretKey;
    use quire_core::token::TokenId;
    use quire_core::tx::{L2Tx, Transfer};

    fn tx(from: u32, nonce: u32) -> (Digest, SignedTx) {
        let t = L2Tx::Transfer(Transfer {
            from: AccountId::new(from).unwrap_or_else(|| unreachable!()),
            to: AccountId::new(9).unwrap_or_else(|| unreachable!()),
            token: TokenId::ETH,
            amount: 1,
            fee: 0,
            nonce,
        });
        (
            t.signing_hash(1),
            t.sign(&SecretKey::from_seed(&[from as u8]), 1),
        )
    }

    #[test]
    fn future_nonces_wait_for_the_gap_and_slots_are_unique() {
        let mut m = Mempool::new(MempoolConfig {
            max_per_account: 3,
            ..Default::default()
        });
        for (seq, n) in [(0, 1), (1, 2)] {
            let (h, t) = tx(5, n);
            m.admit(h, seq, t, 0, true).unwrap();
        }
        assert!(
            m.select(10, 0, |_| 0).ready.is_empty(),
            "nonce 0 missing: nothing ready"
        );
        let (h0, t0) = tx(5, 0);
        m.admit(h0, 2, t0.clone(), 0, true).unwrap();
        let ready: Vec<u32> = m
            .select(10, 0, |_| 0)
            .ready
            .iter()
            .map(|(_, t)| t.tx.nonce())
            .collect();
        assert_eq!(ready, vec![0, 1, 2]);
        assert_eq!(m.admit(h0, 3, t0, 0, true), Err(AdmitError::AlreadyKnown));
        let (h, t) = tx(5, 3);
        assert_eq!(m.admit(h, 4, t, 0, true), Err(AdmitError::AccountFull));
        m.remove(&[h0]);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn reserved_entries_are_not_offered_and_old_ones_expire() {
        let mut m = Mempool::new(MempoolConfig {
            ttl_secs: 1,
            ..Default::default()
        });
        let (h, t) = tx(1, 0);
        m.admit(h, 0, t, 0, false).unwrap();
        assert!(m.select(10, 0, |_| 0).ready.is_empty());
        m.mark_durable(&[h]);
        assert_eq!(m.select(10, 0, |_| 0).ready.len(), 1);
        let (h2, t2) = tx(2, 4); // gap that never closes
        m.admit(h2, 1, t2, 0, true).unwrap();
        assert_eq!(m.select(10, 5_000, |_| 0).expired, vec![h2]);
    }
}
