//! The devnet's L2 side: the sequencer and the prover worker, in this process, on one
//! SQLite file.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use quire_l1::anvil::Anvil;
use quire_prover::config::{ProverL1Config, Secret as ProverSecret};
use quire_prover::{BatchShape, CircuitProver, RunSummary, ServiceConfig};
use quire_sequencer::app::Running;
use quire_sequencer::config::{Config, L1Config, Secret};
use tokio::sync::watch;

/// Operations per batch on the devnet: the capacity of [`BatchShape::DEVNET`], the shape
/// the committed verifier was generated for (a larger batch could never be proven).
pub const DEVNET_MAX_TXS: usize = BatchShape::DEVNET.chunk_steps << BatchShape::DEVNET.levels;

/// Priority operations (deposits, full exits) per batch: the DEVNET shape's slots.
pub const DEVNET_MAX_PRIORITY_OPS: usize = BatchShape::DEVNET.max_priority;

/// anvil account whose key the sequencer commits and executes batches with.
pub const SEQUENCER_L1_ACCOUNT: usize = 0;

/// anvil account whose key the prover submits proofs with (`proveBatch` is open to anyone;
/// a key of its own keeps the two processes' nonces apart).
pub const PROVER_L1_ACCOUNT: usize = 1;

/// Confirmation depth of the devnet's L1 reads (blocks come every `--block-time`).
pub const DEVNET_CONFIRMATIONS: u64 = 2;

/// Starts the sequencer on `database_url` with the devnet genesis, the devnet batch limits
/// and the dev endpoints off (accounts are funded by real L1 deposits).
pub(crate) async fn start_sequencer(
    database_url: &str,
    genesis: &Path,
    deployment: &Path,
    anvil: &Anvil,
    listen: SocketAddr,
) -> Result<Running> {
    let key = anvil
        .keys
        .get(SEQUENCER_L1_ACCOUNT)
        .context("anvil printed no keys")?;
    let mut config = Config {
        listen,
        database_url: database_url.to_string(),
        genesis: Some(genesis.to_path_buf()),
        ..Config::default()
    };
    config.batch.max_txs = DEVNET_MAX_TXS;
    config.batch.max_priority_ops = DEVNET_MAX_PRIORITY_OPS;
    config.l1 = Some(L1Config {
        rpc_url: anvil.url.clone(),
        deployment: deployment.to_path_buf(),
        operator_key: Some(Secret::new(key.clone())),
        confirmations: DEVNET_CONFIRMATIONS,
        poll_interval_ms: 500,
        ..L1Config::default()
    });
    // A batch closes after a second of quiet: the devnet favours fewer, fuller batches
    // (each costs a proof) over latency.
    config.batch.max_wait_ms = 1_000;
    quire_sequencer::app::start(config)
        .await
        .context("starting the sequencer")
}

/// The prover worker running in this process.
pub struct ProverHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<RunSummary>>,
}

impl ProverHandle {
    /// Asks the worker to stop and waits for it: the proof in flight is stored if it ends
    /// within the grace period, otherwise its job is released to the queue.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        match self.task.await {
            Ok(Ok(s)) => tracing::info!(proven = s.proven, failed = s.failed, "prover stopped"),
            Ok(Err(e)) => tracing::warn!(error = %e, "prover ended with an error"),
            Err(e) => tracing::warn!(error = %e, "prover task ended abnormally"),
        }
    }
}

/// Starts one prover worker on `database_url` with the devnet circuit shape, submitting
/// each proof to L1 (`proveBatch`) once the sequencer has committed its batch.
pub(crate) fn start_prover(
    database_url: &str,
    deployment: &Path,
    anvil: &Anvil,
) -> Result<ProverHandle> {
    let key = anvil
        .keys
        .get(PROVER_L1_ACCOUNT)
        .context("anvil printed too few keys")?;
    let config = ServiceConfig {
        database_url: database_url.to_string(),
        worker_id: Some("devnet-prover".into()),
        metrics_listen: None,
        circuits: BatchShape::DEVNET,
        // Ctrl-C should not wait minutes for a proof: its job is released and redone.
        shutdown_grace_ms: 2_000,
        l1: Some(ProverL1Config {
            rpc_url: anvil.url.clone(),
            deployment: deployment.to_path_buf(),
            key: Some(ProverSecret::new(key.clone())),
            poll_interval_ms: 500,
            ..ProverL1Config::default()
        }),
        ..ServiceConfig::default()
    };
    config.validate().context("prover configuration")?;
    let prover = Arc::new(CircuitProver::new(BatchShape::DEVNET));
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(async move { quire_prover::run(config, prover, stop_rx, None).await });
    Ok(ProverHandle { stop, task })
}
