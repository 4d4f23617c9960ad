//! The settlement task: stored batches through `commitBatch`, `proveBatch` (sent by the
//! prover) and `executeBatch`, in batch order, with their stages following L1.
//!
//! Every tick re-derives the work from L1 instead of remembering it:
//!
//! 1. the committer settles what was mined (a mined commit's `BatchCommitted` is recorded)
//!    and re-sends stuck transactions with higher fees;
//! 2. L1's counters read at `head − confirmations` move each stored batch's stage
//!    (`committed`, `proven`, `finalized`): a stage is only ever shown once L1 has it deep
//!    enough, and a restart simply re-reads them;
//! 3. if no commit is in flight, the batch after L1's `totalBatchesCommitted` is committed on
//!    top of the `StoredBatch` L1 emitted for its predecessor; so a batch L1 already holds
//!    is never committed again. With `l1.commit_with_proof` it waits for the batch's proof
//!    (stored by a prover worker in the shared database) and sends `commitAndProveBatch`:
//!    one transaction instead of two, which L1 prices lower (the verifier's execution
//!    absorbs the pubdata's calldata floor);
//! 4. if no execute is in flight and L1 has a proven, unexecuted batch, it is executed with
//!    the payouts its `BatchCommitted` event carried: the first page with `executeBatch`,
//!    each further page (batches with more than `PAYOUTS_PER_PAGE` payouts) with
//!    `executePayouts`, one a round, located by the link L1 holds as pending.
//!
//! What L1 stored of a committed batch (its `StoredBatchInfo`, which prove, execute and the
//! next commit pass back, and its payouts) is recorded in the database (`l1_commits`) from
//! the receipt of our commit once it is mined, and read from there: one `storedBatchHash`
//! call checks the row against L1 instead of an `eth_getLogs` scan from the deployment
//! block. A batch without a current row — committed before the table existed, or by a run
//! that crashed between the commit and the write — is read from L1's logs as before and
//! recorded then, so a restart at any point still settles.
//!
//! Before a commit (and before a batch is marked committed) the roots are compared with
//! L1's: a sequencer whose database diverged from L1 stops settling instead of committing
//! a batch on the wrong parent.

use std::sync::Arc;

use ethers::providers::Middleware;
use ethers::types::{BlockId, BlockNumber, Bytes, TransactionReceipt, H256};
use quire_l1::{
    committed_batch_in, rollup_status, BatchAction, BatchHeader, CommittedBatch, Committer,
    L1Client, L1Error, L1Watcher, RollupStatus, StoredBatch, WatcherConfig,
};
use quire_storage::{BatchStage, L1Commit, StorageError};
use tokio::sync::watch;

use super::{sleep_or_stop, L1Context};
use crate::node::Node;

/// Why a tick failed.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    /// L1 failed or refused (reverts are decoded by name).
    #[error(transparent)]
    L1(#[from] L1Error),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The database and L1 disagree about a batch: settling stops.
    #[error("the sequencer's batches diverge from L1: {0}")]
    Diverged(String),
    /// L1 is in exodus mode: no batch will ever be accepted again.
    #[error("the rollup is in exodus mode")]
    Exodus,
}

/// The settlement loop's state: the committer (which owns the operator key's nonces).
pub struct Settlement {
    node: Arc<Node>,
    ctx: Arc<L1Context>,
    committer: Committer<L1Client>,
    events: L1Watcher<L1Client>,
}

impl Settlement {
    /// A settlement task for `node`.
    pub async fn new(node: Arc<Node>, ctx: Arc<L1Context>) -> Result<Self, SettleError> {
        let committer = Committer::new(
            Arc::clone(&ctx.client),
            ctx.deployment.rollup,
            ctx.committer_config(),
        )
        .await?;
        let events = L1Watcher::new(
            Arc::clone(&ctx.client),
            ctx.deployment.rollup,
            WatcherConfig::default(),
        );
        Ok(Settlement {
            node,
            ctx,
            committer,
            events,
        })
    }

    /// The `StoredBatch` L1 holds for batch `n` (genesis from the deployment), with payouts:
    /// the recorded commit if L1 still holds it, else L1's `BatchCommitted` log, recorded for
    /// next time (see the module docs).
    async fn stored(&self, n: u64) -> Result<(StoredBatch, Bytes), SettleError> {
        if n == 0 {
            return Ok((self.ctx.deployment.genesis_batch, Bytes::new()));
        }
        let storage = &self.node.storage;
        let known = storage.l1_commit(n).await?.map(CommittedBatch::from);
        let checked = self
            .events
            .checked_committed_batch(n, known, self.ctx.deployment.block_number)
            .await?
            .ok_or_else(|| {
                SettleError::Diverged(format!(
                    "L1 counts batch {n} as committed but emitted no BatchCommitted"
                ))
            })?;
        if checked.from_logs {
            metrics::counter!("quire_l1_commit_log_reads_total").increment(1);
            tracing::info!(
                batch = n,
                "no current record of the batch's commit: read from L1's logs, recorded now"
            );
            storage
                .record_l1_commit(&L1Commit::from(&checked.batch))
                .await?;
        }
        Ok((checked.batch.info, checked.batch.payouts))
    }

    /// Records what L1 stored of batch `n` from the receipt of our mined commit. A failure
    /// is only logged: the batch is then read from L1's logs when it is needed.
    async fn record_commit(&self, n: u64, receipt: &TransactionReceipt) {
        match committed_batch_in(receipt, self.ctx.deployment.rollup) {
            Ok(Some(b)) if b.info.batch_number == n => {
                if let Err(e) = self
                    .node
                    .storage
                    .record_l1_commit(&L1Commit::from(&b))
                    .await
                {
                    tracing::warn!(batch = n, error = %e, "recording the mined commit failed; it will be read from L1's logs");
                }
            }
            Ok(_) => {
                tracing::warn!(batch = n, tx = ?receipt.transaction_hash, "the commit's receipt holds no BatchCommitted of the batch");
            }
            Err(e) => {
                tracing::warn!(batch = n, error = %e, "decoding the commit's BatchCommitted failed");
            }
        }
    }

    fn in_flight(&self, f: impl Fn(BatchAction) -> bool) -> bool {
        self.committer.pending().any(|t| f(t.action))
    }

    /// One round; see the module docs.
    pub async fn tick(&mut self) -> Result<(), SettleError> {
        match self.committer.poll().await {
            Ok(settled) => {
                for s in settled {
                    if s.success {
                        tracing::info!(action = ?s.action, tx = ?s.receipt.transaction_hash, bumps = s.bumps, "L1 transaction mined");
                        if let BatchAction::Commit(n) = s.action {
                            self.record_commit(n, &s.receipt).await;
                        }
                    } else {
                        metrics::counter!("quire_l1_tx_failures_total", "action" => action_name(s.action)).increment(1);
                        tracing::error!(action = ?s.action, tx = ?s.receipt.transaction_hash, "L1 transaction reverted; it is re-derived from L1's state next round");
                    }
                }
            }
            Err(L1Error::NonceConsumed(nonce)) => {
                tracing::error!(%nonce, "another process used the operator key; resynchronising nonces (run one sequencer per key)");
                self.committer.resync().await?;
            }
            Err(e) => return Err(e.into()),
        }

        let client = &self.ctx.client;
        let rollup = self.ctx.deployment.rollup;
        let head = client
            .get_block_number()
            .await
            .map_err(L1Error::rpc)?
            .as_u64();
        let safe_block = head
            .saturating_sub(self.ctx.config.confirmations)
            .max(self.ctx.deployment.block_number);
        let safe = rollup_status(Arc::clone(client), rollup, Some(safe_block)).await?;
        let latest = rollup_status(Arc::clone(client), rollup, Some(head)).await?;
        metrics::gauge!("quire_l1_last_committed_batch").set(safe.batches_committed as f64);
        metrics::gauge!("quire_l1_last_proven_batch").set(safe.batches_proven as f64);
        metrics::gauge!("quire_l1_last_finalized_batch").set(safe.batches_executed as f64);
        if latest.exodus_mode {
            return Err(SettleError::Exodus);
        }
        self.reconcile(&safe).await?;
        self.commit_next(&latest, head).await?;
        self.execute_next(&latest).await?;
        Ok(())
    }

    /// Moves stored batches' stages up to what L1 shows at the confirmation depth.
    async fn reconcile(&self, l1: &RollupStatus) -> Result<(), SettleError> {
        let storage = &self.node.storage;
        for (n, mut stage) in storage.unsettled_batches(1024).await? {
            let target = if n <= l1.batches_executed {
                BatchStage::Finalized
            } else if n <= l1.batches_proven {
                BatchStage::Proven
            } else if n <= l1.batches_committed {
                BatchStage::Committed
            } else {
                break;
            };
            if stage == BatchStage::Executed {
                // First sight of this batch on L1: it must be ours.
                let (info, _) = self.stored(n).await?;
                let ours = storage
                    .l1_batch(n)
                    .await?
                    .ok_or_else(|| SettleError::Diverged(format!("batch {n} vanished")))?;
                if info.state_root.0 != ours.root.to_l1_bytes32() {
                    return Err(SettleError::Diverged(format!(
                        "L1's batch {n} has root {:?}, ours is {}",
                        info.state_root, ours.root
                    )));
                }
            }
            while stage < target {
                stage = next_stage(stage);
                storage.advance_batch(n, stage).await?;
                tracing::info!(
                    batch = n,
                    stage = stage.as_str(),
                    "batch settled further on L1"
                );
            }
        }
        Ok(())
    }

    /// Commits the batch after L1's last committed one, if stored and nothing is in flight.
    async fn commit_next(&mut self, l1: &RollupStatus, head: u64) -> Result<(), SettleError> {
        if l1.paused || self.in_flight(|a| matches!(a, BatchAction::Commit(_))) {
            return Ok(());
        }
        if self.previous_run_in_flight().await? {
            return Ok(());
        }
        let n = l1.batches_committed + 1;
        let Some(batch) = self.node.storage.l1_batch(n).await? else {
            return Ok(());
        };
        let (last, _) = self.stored(n - 1).await?;
        if last.state_root.0 != batch.prev_root.to_l1_bytes32() {
            return Err(SettleError::Diverged(format!(
                "batch {n} starts from {}, L1's batch {} ends at {:?}",
                batch.prev_root,
                n - 1,
                last.state_root
            )));
        }
        // The L2 timestamp: the batch's creation time, within what L1 accepts (not before
        // the previous batch, not after L1's latest block).
        let l1_now = self
            .ctx
            .client
            .get_block(BlockId::Number(BlockNumber::Number(head.into())))
            .await
            .map_err(L1Error::rpc)?
            .map_or(0, |b| b.timestamp.as_u64());
        if l1_now < last.timestamp {
            return Ok(()); // L1 time has not caught up with the previous batch yet
        }
        let created = u64::try_from(batch.created_at_ms / 1000).unwrap_or(0);
        let header = BatchHeader {
            batch_number: n,
            timestamp: created.clamp(last.timestamp, l1_now),
            new_state_root: H256(batch.root.to_l1_bytes32()),
        };
        let sent = if self.ctx.config.commit_with_proof {
            // One transaction with the proof: only once a prover stored it, and only when
            // L1 has no committed, unproven batch (commitAndProveBatch requires it).
            if l1.batches_proven < l1.batches_committed {
                return Ok(());
            }
            let Some(proof) = self.node.storage.batch_proof(n).await? else {
                return Ok(());
            };
            self.committer
                .commit_and_prove_batch(
                    &last,
                    &header,
                    Bytes::from(batch.pubdata),
                    Bytes::from(proof),
                )
                .await
        } else {
            self.committer
                .commit_batch(&last, &header, Bytes::from(batch.pubdata))
                .await
        };
        let method = if self.ctx.config.commit_with_proof {
            "commitAndProveBatch"
        } else {
            "commitBatch"
        };
        match sent {
            Ok(sent) => {
                tracing::info!(batch = n, tx = ?sent.hash, nonce = %sent.nonce, method, "commit sent");
                Ok(())
            }
            Err(e) => {
                metrics::counter!("quire_l1_tx_failures_total", "action" => "commit").increment(1);
                Err(e.into())
            }
        }
    }

    /// Executes the first proven, unexecuted batch, if nothing is in flight; before that,
    /// credits the last executed batch's remaining payout pages, one per round (the next
    /// batch cannot execute before they are all credited).
    async fn execute_next(&mut self, l1: &RollupStatus) -> Result<(), SettleError> {
        if self.in_flight(|a| matches!(a, BatchAction::Execute(_) | BatchAction::ExecutePayouts(_)))
        {
            return Ok(());
        }
        if !l1.pending_payouts_link.is_zero() {
            return self.execute_payout_page(l1).await;
        }
        if l1.batches_proven <= l1.batches_executed {
            return Ok(());
        }
        if self.previous_run_in_flight().await? {
            return Ok(());
        }
        let n = l1.batches_executed + 1;
        let (info, payouts) = self.stored(n).await?;
        match self.committer.execute_batch(&info, payouts).await {
            Ok(sent) => {
                tracing::info!(batch = n, tx = ?sent.hash, nonce = %sent.nonce, "executeBatch sent");
                Ok(())
            }
            Err(e) => {
                metrics::counter!("quire_l1_tx_failures_total", "action" => "execute").increment(1);
                Err(e.into())
            }
        }
    }

    /// Sends the payout page of the last executed batch that L1's pending link commits to.
    async fn execute_payout_page(&mut self, l1: &RollupStatus) -> Result<(), SettleError> {
        if self.previous_run_in_flight().await? {
            return Ok(());
        }
        let n = l1.batches_executed;
        let (_, payouts) = self.stored(n).await?;
        let pages = quire_l1::payout_pages(&payouts);
        let Some(page) = pages.iter().find(|p| p.link() == l1.pending_payouts_link) else {
            return Err(SettleError::Diverged(format!(
                "L1's pending payout link of batch {n} matches none of its pages"
            )));
        };
        match self.committer.execute_payouts(n, page).await {
            Ok(sent) => {
                tracing::info!(batch = n, tx = ?sent.hash, nonce = %sent.nonce, "executePayouts sent");
                Ok(())
            }
            Err(e) => {
                metrics::counter!("quire_l1_tx_failures_total", "action" => "execute_payouts")
                    .increment(1);
                Err(e.into())
            }
        }
    }

    /// True while the operator account has transactions in the node's mempool that this
    /// committer does not track (sent by a previous run): they are waited for rather than
    /// raced, since they may be the very commit this run would send.
    async fn previous_run_in_flight(&self) -> Result<bool, SettleError> {
        if self.committer.pending().next().is_some() {
            return Ok(false);
        }
        let from = self.committer.address();
        let client = &self.ctx.client;
        let pending = client
            .get_transaction_count(from, Some(BlockId::Number(BlockNumber::Pending)))
            .await
            .map_err(L1Error::rpc)?;
        let mined = client
            .get_transaction_count(from, Some(BlockId::Number(BlockNumber::Latest)))
            .await
            .map_err(L1Error::rpc)?;
        if pending > mined {
            tracing::info!(%pending, %mined, "waiting for the operator's earlier transactions to be mined");
            return Ok(true);
        }
        Ok(false)
    }
}

fn next_stage(s: BatchStage) -> BatchStage {
    match s {
        BatchStage::Executed => BatchStage::Committed,
        BatchStage::Committed => BatchStage::Proven,
        BatchStage::Proven | BatchStage::Finalized => BatchStage::Finalized,
    }
}

fn action_name(a: BatchAction) -> &'static str {
    match a {
        BatchAction::Commit(_) => "commit",
        BatchAction::Prove(_) => "prove",
        BatchAction::Execute(_) => "execute",
        BatchAction::ExecutePayouts(_) => "execute_payouts",
    }
}

/// Runs until `stop`. Errors are logged (reverts by name) and retried with back-off; a
/// divergence from L1 or exodus mode stops settling.
pub async fn run(node: Arc<Node>, ctx: Arc<L1Context>, mut stop: watch::Receiver<bool>) {
    let interval = ctx.interval();
    let mut backoff = interval;
    let mut settlement = loop {
        match Settlement::new(Arc::clone(&node), Arc::clone(&ctx)).await {
            Ok(s) => break s,
            Err(e) => {
                tracing::warn!(error = %e, "L1 settlement cannot start yet");
                if sleep_or_stop(backoff, &mut stop).await {
                    return;
                }
                backoff = (backoff * 2).min(std::time::Duration::from_secs(60));
            }
        }
    };
    backoff = interval;
    loop {
        let wait = match settlement.tick().await {
            Ok(()) => {
                backoff = interval;
                interval
            }
            Err(e @ (SettleError::Diverged(_) | SettleError::Exodus)) => {
                metrics::gauge!("quire_l1_settlement_stopped").set(1.0);
                tracing::error!(error = %e, "L1 SETTLEMENT STOPPED: an operator must investigate");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "L1 settlement round failed");
                let w = backoff;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(60));
                w
            }
        };
        if sleep_or_stop(wait, &mut stop).await {
            tracing::info!("L1 settlement stopped");
            return;
        }
    }
}
