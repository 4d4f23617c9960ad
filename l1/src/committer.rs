//! The committer: sends `commitBatch`, `proveBatch` and `executeBatch` from one operator key,
//! owning that key's nonces, and replaces transactions that stay unmined with higher fees.
//!
//! Model: every submission takes the next nonce (the larger of our own counter and the node's
//! pending count, so a restart or a transaction sent by hand is picked up) and is tracked
//! until one of its versions is mined. [`Committer::poll`] settles mined transactions and,
//! for any tracked one unmined for `stuck_after`, re-signs the same nonce with the fees
//! raised by `bump_percent` (at least the 10 % nodes require for a replacement, capped by
//! `max_fee_per_gas`) — the replacement and the original are the same call, so whichever is
//! mined settles it. A nonce found used by a transaction we never sent is reported
//! ([`L1Error::NonceConsumed`]): two processes share the key, which must not happen.
//!
//! The tracked set lives in memory. After a restart the committer starts at the node's
//! pending nonce, so transactions the previous process left in the mempool are not bumped
//! by it; the caller should re-read the pipeline's state from L1 (`BatchCommitted`,
//! `totalBatches*`) and, if the account's pending and latest nonces differ, wait for them
//! to clear before resubmitting.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ethers::providers::{Middleware, MiddlewareError};
use ethers::types::transaction::eip2718::TypedTransaction;
use ethers::types::{
    Address as EthAddress, BlockId, BlockNumber, Bytes, TransactionReceipt, H256, U256,
};

use crate::bindings::rollup::Rollup;
use crate::error::L1Error;
use crate::types::{BatchHeader, StoredBatch};

/// Which pipeline step a transaction performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BatchAction {
    /// `commitBatch` of this batch number.
    Commit(u64),
    /// `proveBatch` of this batch number.
    Prove(u64),
    /// `executeBatch` of this batch number.
    Execute(u64),
    /// `executePayouts` of a further payout page of this batch number.
    ExecutePayouts(u64),
}

/// Committer settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitterConfig {
    /// Unmined this long after its last (re)submission, a transaction is re-sent with
    /// higher fees.
    pub stuck_after: Duration,
    /// Fee increase per replacement, in percent (nodes refuse replacements under +10 %).
    pub bump_percent: u64,
    /// Never offer more than this max fee per gas (wei).
    pub max_fee_per_gas: U256,
    /// Blocks on top of a receipt's block before a transaction counts as settled (1 = mined).
    pub confirmations: u64,
    /// Gas limit = estimate × (100 + margin) / 100.
    pub gas_margin_percent: u64,
}

impl Default for CommitterConfig {
    fn default() -> Self {
        CommitterConfig {
            stuck_after: Duration::from_secs(60),
            bump_percent: 20,
            max_fee_per_gas: U256::from(500u64) * U256::exp10(9), // 500 gwei
            confirmations: 1,
            gas_margin_percent: 20,
        }
    }
}

/// A submitted transaction, as the committer tracks it.
#[derive(Clone, Debug)]
pub struct SentTx {
    /// What it does.
    pub action: BatchAction,
    /// Its nonce.
    pub nonce: U256,
    /// Hash of the latest version sent.
    pub hash: H256,
    /// Max fee per gas of the latest version sent (wei).
    pub max_fee_per_gas: U256,
}

/// A transaction that reached its confirmations.
#[derive(Clone, Debug)]
pub struct Settled {
    /// What it did.
    pub action: BatchAction,
    /// Its nonce.
    pub nonce: U256,
    /// The receipt of the version that was mined.
    pub receipt: TransactionReceipt,
    /// False if it reverted (status 0).
    pub success: bool,
    /// How many times it was replaced with higher fees before one version was mined.
    pub bumps: u32,
}

#[derive(Clone, Debug)]
struct Tracked {
    action: BatchAction,
    tx: TypedTransaction,
    hashes: Vec<H256>,
    last_sent: Instant,
    bumps: u32,
}

/// Sends the batch pipeline's transactions for one operator key.
#[derive(Debug)]
pub struct Committer<M> {
    client: Arc<M>,
    rollup: Rollup<M>,
    from: EthAddress,
    cfg: CommitterConfig,
    next_nonce: U256,
    pending: BTreeMap<U256, Tracked>,
}

/// The EIP-7825 per-transaction gas cap (Osaka): no limit above it can be included.
const TX_GAS_CAP: u64 = 1 << 24;

impl<M: Middleware + 'static> Committer<M> {
    /// A committer signing with `client`'s default sender (which must be an operator of the
    /// rollup at `rollup` to commit).
    pub async fn new(
        client: Arc<M>,
        rollup: EthAddress,
        cfg: CommitterConfig,
    ) -> Result<Self, L1Error> {
        let from = client
            .default_sender()
            .ok_or_else(|| L1Error::Config("the client has no signer".into()))?;
        let next_nonce = client
            .get_transaction_count(from, Some(BlockId::Number(BlockNumber::Pending)))
            .await
            .map_err(L1Error::rpc)?;
        Ok(Committer {
            rollup: Rollup::new(rollup, client.clone()),
            client,
            from,
            cfg,
            next_nonce,
            pending: BTreeMap::new(),
        })
    }

    /// The sending address.
    pub fn address(&self) -> EthAddress {
        self.from
    }

    /// Transactions sent and not yet settled, by nonce.
    pub fn pending(&self) -> impl Iterator<Item = SentTx> + '_ {
        self.pending.iter().map(|(n, t)| SentTx {
            action: t.action,
            nonce: *n,
            hash: t.hashes.last().copied().unwrap_or_default(),
            max_fee_per_gas: fees_of(&t.tx).0,
        })
    }

    /// Sends `commitBatch(last, header, pubdata)`.
    pub async fn commit_batch(
        &mut self,
        last: &StoredBatch,
        header: &BatchHeader,
        pubdata: Bytes,
    ) -> Result<SentTx, L1Error> {
        let call = self
            .rollup
            .commit_batch((*last).into(), (*header).into(), pubdata);
        self.submit(BatchAction::Commit(header.batch_number), call.tx)
            .await
    }

    /// Sends `commitAndProveBatch(last, header, pubdata, proof)`: the commit and its proof
    /// in one transaction (tracked as the batch's commit). Only valid when L1 has no
    /// committed, unproven batch.
    pub async fn commit_and_prove_batch(
        &mut self,
        last: &StoredBatch,
        header: &BatchHeader,
        pubdata: Bytes,
        proof: Bytes,
    ) -> Result<SentTx, L1Error> {
        let call =
            self.rollup
                .commit_and_prove_batch((*last).into(), (*header).into(), pubdata, proof);
        self.submit(BatchAction::Commit(header.batch_number), call.tx)
            .await
    }

    /// Sends `proveBatch(batch, proof)`.
    pub async fn prove_batch(
        &mut self,
        batch: &StoredBatch,
        proof: Bytes,
    ) -> Result<SentTx, L1Error> {
        let call = self.rollup.prove_batch((*batch).into(), proof);
        self.submit(BatchAction::Prove(batch.batch_number), call.tx)
            .await
    }

    /// Sends `executeBatch(batch, page, next)` with the first page of the payout records
    /// emitted in `BatchCommitted` (see [`crate::payout_pages`]); any further pages follow
    /// with [`Committer::execute_payouts`].
    pub async fn execute_batch(
        &mut self,
        batch: &StoredBatch,
        payouts: Bytes,
    ) -> Result<SentTx, L1Error> {
        let first = crate::types::payout_pages(&payouts)
            .into_iter()
            .next()
            .unwrap_or_default();
        let call = self
            .rollup
            .execute_batch((*batch).into(), first.records, first.next.0);
        self.submit(BatchAction::Execute(batch.batch_number), call.tx)
            .await
    }

    /// Sends `executePayouts(page, next)`: the next payout page of batch `batch_number`,
    /// the last executed batch.
    pub async fn execute_payouts(
        &mut self,
        batch_number: u64,
        page: &crate::types::PayoutPage,
    ) -> Result<SentTx, L1Error> {
        let call = self
            .rollup
            .execute_payouts(page.records.clone(), page.next.0);
        self.submit(BatchAction::ExecutePayouts(batch_number), call.tx)
            .await
    }

    /// Estimates (which surfaces a revert, decoded, before anything is signed), assigns the
    /// next nonce and fees, and sends.
    async fn submit(
        &mut self,
        action: BatchAction,
        mut tx: TypedTransaction,
    ) -> Result<SentTx, L1Error> {
        tx.set_from(self.from);
        // Estimate against the pending state when our own transactions are in flight, so
        // a commit can follow the previous one before it is mined.
        let block = (!self.pending.is_empty()).then_some(BlockId::Number(BlockNumber::Pending));
        let estimate = self.client.estimate_gas(&tx, block).await.map_err(|e| {
            match e.as_error_response().and_then(|r| r.as_revert_data()) {
                Some(data) => L1Error::Reverted(crate::error::decode_revert(&data)),
                None => L1Error::rpc(e),
            }
        })?;
        let gas = estimate * (100 + self.cfg.gas_margin_percent) / 100;
        tx.set_gas(gas.min(U256::from(TX_GAS_CAP)));

        let node_nonce = self
            .client
            .get_transaction_count(self.from, Some(BlockId::Number(BlockNumber::Pending)))
            .await
            .map_err(L1Error::rpc)?;
        let nonce = self.next_nonce.max(node_nonce);
        tx.set_nonce(nonce);
        let (max_fee, priority) = self.fees().await?;
        set_fees(&mut tx, max_fee, priority);

        let hash = self.send(&tx).await?;
        self.next_nonce = nonce + 1;
        self.pending.insert(
            nonce,
            Tracked {
                action,
                tx,
                hashes: vec![hash],
                last_sent: Instant::now(),
                bumps: 0,
            },
        );
        tracing::info!(?action, %nonce, ?hash, "sent");
        Ok(SentTx {
            action,
            nonce,
            hash,
            max_fee_per_gas: max_fee,
        })
    }

    async fn fees(&self) -> Result<(U256, U256), L1Error> {
        let (max_fee, priority) = self
            .client
            .estimate_eip1559_fees(None)
            .await
            .map_err(L1Error::rpc)?;
        let max_fee = max_fee.min(self.cfg.max_fee_per_gas);
        Ok((max_fee, priority.min(max_fee)))
    }

    async fn send(&self, tx: &TypedTransaction) -> Result<H256, L1Error> {
        let pending = self
            .client
            .send_transaction(tx.clone(), None)
            .await
            .map_err(
                |e| match e.as_error_response().and_then(|r| r.as_revert_data()) {
                    Some(data) => L1Error::Reverted(crate::error::decode_revert(&data)),
                    None => L1Error::rpc(e),
                },
            )?;
        Ok(*pending)
    }

    /// Settles what is mined (and confirmed) and re-sends, with higher fees, what has been
    /// waiting longer than `stuck_after`. Call it periodically; returns what settled, in
    /// nonce order.
    pub async fn poll(&mut self) -> Result<Vec<Settled>, L1Error> {
        if self.pending.is_empty() {
            return Ok(Vec::new());
        }
        let head = self
            .client
            .get_block_number()
            .await
            .map_err(L1Error::rpc)?
            .as_u64();
        let mined_nonce = self
            .client
            .get_transaction_count(self.from, Some(BlockId::Number(BlockNumber::Latest)))
            .await
            .map_err(L1Error::rpc)?;
        let mut settled = Vec::new();
        let nonces: Vec<U256> = self.pending.keys().copied().collect();
        for nonce in nonces {
            let Some(t) = self.pending.get(&nonce) else {
                continue;
            };
            let mut receipt = None;
            for h in t.hashes.iter().rev() {
                if let Some(r) = self
                    .client
                    .get_transaction_receipt(*h)
                    .await
                    .map_err(L1Error::rpc)?
                {
                    receipt = Some(r);
                    break;
                }
            }
            match receipt {
                Some(r) => {
                    let block = r.block_number.map_or(head, |b| b.as_u64());
                    if head + 1 < block + self.cfg.confirmations {
                        continue; // mined, not yet deep enough
                    }
                    let success = r.status == Some(1.into());
                    if let Some(t) = self.pending.remove(&nonce) {
                        if !success {
                            tracing::warn!(action = ?t.action, %nonce, hash = ?r.transaction_hash, "reverted");
                        }
                        settled.push(Settled {
                            action: t.action,
                            nonce,
                            receipt: r,
                            success,
                            bumps: t.bumps,
                        });
                    }
                }
                None if nonce < mined_nonce => {
                    // The account's mined nonce (read before the receipts) is past ours, so
                    // some version with this nonce is in a block — but none of ours is.
                    // Report what settled before it first (it is removed from `pending`
                    // already); the conflict stays tracked and is reported by the next poll.
                    if settled.is_empty() {
                        return Err(L1Error::NonceConsumed(nonce));
                    }
                    break;
                }
                None if t.last_sent.elapsed() >= self.cfg.stuck_after => self.bump(nonce).await?,
                None => {}
            }
        }
        Ok(settled)
    }

    /// Re-signs the transaction with `nonce` with fees raised by `bump_percent` (or to the
    /// current estimate if that is higher), capped by `max_fee_per_gas`.
    async fn bump(&mut self, nonce: U256) -> Result<(), L1Error> {
        let (est_max, est_priority) = self.fees().await?;
        let Some(t) = self.pending.get(&nonce) else {
            return Ok(());
        };
        let (old_max, old_priority) = fees_of(&t.tx);
        let up = |v: U256| v * (100 + self.cfg.bump_percent) / 100 + 1;
        let max_fee = up(old_max).max(est_max).min(self.cfg.max_fee_per_gas);
        let priority = up(old_priority).max(est_priority).min(max_fee);
        if max_fee <= old_max && priority <= old_priority {
            tracing::warn!(%nonce, %max_fee, "stuck transaction already at the fee cap");
            if let Some(t) = self.pending.get_mut(&nonce) {
                t.last_sent = Instant::now();
            }
            return Ok(());
        }
        let mut tx = t.tx.clone();
        set_fees(&mut tx, max_fee, priority);
        match self.send(&tx).await {
            Ok(hash) => {
                tracing::info!(%nonce, ?hash, %max_fee, %priority, "replaced stuck transaction");
                if let Some(t) = self.pending.get_mut(&nonce) {
                    t.tx = tx;
                    t.hashes.push(hash);
                    t.bumps += 1;
                    t.last_sent = Instant::now();
                }
            }
            // The usual reason is that a version was mined meanwhile ("nonce too low");
            // the next poll settles it or reports the nonce as consumed.
            Err(e) => tracing::warn!(%nonce, error = %e, "replacement not accepted"),
        }
        Ok(())
    }

    /// Forgets every tracked transaction and restarts from the node's pending nonce: for an
    /// operator who resolved a [`L1Error::NonceConsumed`] conflict by hand. The caller must
    /// re-read the pipeline's state from L1 before submitting again.
    pub async fn resync(&mut self) -> Result<(), L1Error> {
        self.next_nonce = self
            .client
            .get_transaction_count(self.from, Some(BlockId::Number(BlockNumber::Pending)))
            .await
            .map_err(L1Error::rpc)?;
        self.pending.clear();
        Ok(())
    }

    /// Polls every `interval` until the transaction with `nonce` settles; fails after
    /// `timeout`. Other transactions that settle meanwhile are returned too, in nonce order.
    pub async fn wait(
        &mut self,
        nonce: U256,
        interval: Duration,
        timeout: Duration,
    ) -> Result<Vec<Settled>, L1Error> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            out.extend(self.poll().await?);
            if !self.pending.contains_key(&nonce) {
                return Ok(out);
            }
            if Instant::now() >= deadline {
                return Err(L1Error::Timeout(format!("transaction with nonce {nonce}")));
            }
            tokio::time::sleep(interval).await;
        }
    }
}

fn set_fees(tx: &mut TypedTransaction, max_fee: U256, priority: U256) {
    match tx {
        TypedTransaction::Eip1559(t) => {
            t.max_fee_per_gas = Some(max_fee);
            t.max_priority_fee_per_gas = Some(priority);
        }
        other => {
            other.set_gas_price(max_fee);
        }
    }
}

fn fees_of(tx: &TypedTransaction) -> (U256, U256) {
    match tx {
        TypedTransaction::Eip1559(t) => (
            t.max_fee_per_gas.unwrap_or_default(),
            t.max_priority_fee_per_gas.unwrap_or_default(),
        ),
        other => {
            let p = other.gas_price().unwrap_or_default();
            (p, p)
        }
    }
}
