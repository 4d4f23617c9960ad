//! The proof submitter: sends each proven batch's proof to L1 (`Rollup.proveBatch`), in
//! batch order, once the sequencer has committed the batch.
//!
//! It runs beside the worker and never blocks it: proving of later batches goes on while
//! a batch waits for its commit or its `proveBatch` is retried. Every round re-derives the
//! next batch from L1 (`totalBatchesProven + 1`, past any `proveBatch` of ours still in
//! flight), so batches L1 already shows as proven — by an earlier run, or by another
//! prover — are skipped, and a restart needs no bookkeeping. The `StoredBatch` passed back
//! is the one L1 emitted in `BatchCommitted` (only its hash is stored on L1): the copy the
//! sequencer recorded in the shared database when its commit was mined (`l1_commits`),
//! checked against L1's `storedBatchHash`, or else the event read from L1's logs.
//!
//! `proveBatch` is open to anyone (`contracts/src/Rollup.sol`: "the proof is the
//! authority"), so the prover's key needs no role — only ETH for gas. It must not be the
//! sequencer's operator key: both processes would manage the same nonces.
//!
//! The proof bytes are `prover_jobs.proof` as the worker stored them: exactly the calldata
//! `proveBatch` forwards to the verifier.

use std::sync::Arc;
use std::time::Duration;

use ethers::types::Bytes;
use quire_l1::{
    rollup_status, BatchAction, CommittedBatch, Committer, CommitterConfig, Deployment, L1Client,
    L1Error, L1Watcher, WatcherConfig,
};
use quire_storage::Storage;
use tokio::sync::watch;

use crate::config::ProverL1Config;

/// Why a round failed.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// L1 failed or refused (reverts are decoded by name, e.g. `InvalidProof`).
    #[error(transparent)]
    L1(#[from] L1Error),
    /// The database failed.
    #[error("database: {0}")]
    Storage(#[from] quire_storage::StorageError),
}

/// The submitter's state: its committer owns the prover key's nonces.
pub struct ProofSubmitter {
    storage: Storage,
    deployment: Deployment,
    client: Arc<L1Client>,
    committer: Committer<L1Client>,
    events: L1Watcher<L1Client>,
}

impl ProofSubmitter {
    /// Loads the deployment and connects with the prover's key.
    pub async fn connect(storage: Storage, cfg: &ProverL1Config) -> Result<Self, SubmitError> {
        let deployment = Deployment::load(&cfg.deployment)?;
        let key = cfg
            .resolve_key()
            .map_err(|e| L1Error::Config(e.to_string()))?;
        let client = quire_l1::connect(
            &cfg.rpc_url,
            key.expose(),
            Duration::from_millis(cfg.poll_interval_ms.max(1)),
        )
        .await?;
        let committer = Committer::new(
            Arc::clone(&client),
            deployment.rollup,
            CommitterConfig {
                stuck_after: Duration::from_secs(cfg.stuck_after_secs.max(1)),
                bump_percent: cfg.bump_percent,
                max_fee_per_gas: ethers::types::U256::from(cfg.max_fee_gwei)
                    * ethers::types::U256::exp10(9),
                confirmations: 1,
                ..CommitterConfig::default()
            },
        )
        .await?;
        let events = L1Watcher::new(
            Arc::clone(&client),
            deployment.rollup,
            WatcherConfig::default(),
        );
        tracing::info!(rollup = ?deployment.rollup, from = ?committer.address(), "proof submission to L1 enabled");
        Ok(ProofSubmitter {
            storage,
            deployment,
            client,
            committer,
            events,
        })
    }

    /// One round: settle what was mined, then send `proveBatch` for the next batch if it is
    /// committed on L1 and proven here. Returns the batch sent, if any.
    pub async fn tick(&mut self) -> Result<Option<u64>, SubmitError> {
        for s in self.committer.poll().await? {
            if s.success {
                metrics::counter!("quire_prover_l1_proofs_submitted_total").increment(1);
                tracing::info!(action = ?s.action, tx = ?s.receipt.transaction_hash, "proveBatch mined");
            } else {
                metrics::counter!("quire_prover_l1_submit_failures_total").increment(1);
                tracing::error!(action = ?s.action, tx = ?s.receipt.transaction_hash, "proveBatch reverted; retried from L1's state");
            }
        }
        let status = rollup_status(Arc::clone(&self.client), self.deployment.rollup, None).await?;
        metrics::gauge!("quire_prover_l1_last_proven_batch").set(status.batches_proven as f64);
        if status.exodus_mode {
            return Ok(None);
        }
        let in_flight = self
            .committer
            .pending()
            .filter_map(|t| match t.action {
                BatchAction::Prove(n) => Some(n),
                _ => None,
            })
            .max();
        let n = in_flight.unwrap_or(0).max(status.batches_proven) + 1;
        if n > status.batches_committed {
            return Ok(None); // the sequencer has not committed it yet
        }
        let job = self.storage.job(n).await?;
        let Some(proof) = job.filter(|j| j.status == "proven").and_then(|j| j.proof) else {
            return Ok(None); // not proven here yet
        };
        // The sequencer's record of its commit (it writes `l1_commits`; the prover only
        // reads it), else L1's logs.
        let known = self.storage.l1_commit(n).await?.map(CommittedBatch::from);
        let Some(checked) = self
            .events
            .checked_committed_batch(n, known, self.deployment.block_number)
            .await?
        else {
            return Ok(None);
        };
        match self
            .committer
            .prove_batch(&checked.batch.info, Bytes::from(proof))
            .await
        {
            Ok(sent) => {
                tracing::info!(batch = n, tx = ?sent.hash, nonce = %sent.nonce, "proveBatch sent");
                Ok(Some(n))
            }
            Err(e) => {
                metrics::counter!("quire_prover_l1_submit_failures_total").increment(1);
                Err(e.into())
            }
        }
    }
}

/// Runs until `stop` turns true; failures are logged (reverts by name) and retried with
/// back-off up to a minute.
pub async fn run(storage: Storage, cfg: ProverL1Config, mut stop: watch::Receiver<bool>) {
    let interval = Duration::from_millis(cfg.poll_interval_ms.max(1));
    let mut backoff = interval;
    let mut submitter = loop {
        match ProofSubmitter::connect(storage.clone(), &cfg).await {
            Ok(s) => break s,
            Err(e) => {
                tracing::warn!(error = %e, "proof submission cannot start yet");
                if sleep_or_stop(backoff, &mut stop).await {
                    return;
                }
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    };
    backoff = interval;
    loop {
        let wait = match submitter.tick().await {
            Ok(Some(_)) => Duration::ZERO, // maybe the next batch is ready too
            Ok(None) => {
                backoff = interval;
                interval
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "proof submission failed");
                let w = backoff;
                backoff = (backoff * 2).min(Duration::from_secs(60));
                w
            }
        };
        if sleep_or_stop(wait, &mut stop).await {
            tracing::info!("proof submission stopped");
            return;
        }
    }
}

async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}
