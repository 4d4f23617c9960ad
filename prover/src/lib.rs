//! # quire-prover
//!
//! The prover service: workers that take batches from the database's `prover_jobs` queue,
//! prove them with the circuits of `quire-circuits` and store their proofs (and, with an
//! `[l1]` section, send them to L1). The circuits themselves live in `quire-circuits`, the
//! Solidity verifier generator in `quire-evm-verifier`; this crate is the job service.
//!
//! - [`config`]: typed configuration (defaults ← TOML file ← `QUIRE_PROVER_*` env ← flags);
//! - the queue is the `prover_jobs` table, whose SQL is `quire-storage`'s
//!   ([`quire_storage::prover_jobs`]: claim with `FOR UPDATE SKIP LOCKED` on PostgreSQL,
//!   fenced heartbeat / completion / failure / release, reclaim of jobs whose heartbeat is
//!   older than a timeout); the worker here decides when to call each;
//! - [`prover`]: the [`BatchProver`] boundary (a batch as stored → proof bytes and public
//!   inputs) and its context (chain access, progress, cancellation);
//! - [`circuit_prover`]: [`CircuitProver`], the plonky2 implementation (witness replay →
//!   chunks → aggregation → EVM wrapper);
//! - [`worker`]: the job loop with heartbeat, retry with an attempt limit, graceful
//!   shutdown;
//! - [`progress`]: an indicatif bar on a terminal, log lines otherwise;
//! - [`metrics`]: Prometheus metrics on `/metrics`;
//! - [`l1_submit`]: with an `[l1]` section, sends proven batches' proofs to L1
//!   (`proveBatch`) in batch order, beside the worker.
//!
//! Guarantees (tested in `prover/tests/it/worker.rs`): every queued job is eventually proven
//! or marked failed with its error; a proof is stored once, by the worker holding the
//! job's current lease; a worker that dies (SIGKILL, power loss) loses its job to another
//! worker after `heartbeat_timeout_ms`.

pub mod circuit_prover;
pub mod config;
pub mod l1_submit;
pub mod metrics;
pub mod progress;
pub mod prover;
pub mod worker;

pub use circuit_prover::CircuitProver;
pub use config::ServiceConfig;
pub use prover::{BatchInput, BatchProof, BatchProver, ChainSource, ProveContext, ProveError};
pub use quire_circuits::BatchShape;
pub use quire_storage::{Lease, Storage};
pub use worker::{RunSummary, Worker, WorkerEvent};

use std::sync::Arc;

use tokio::sync::{mpsc, watch};

/// With an `[l1]` section, the circuit shape must be the one the deployment file records:
/// proofs of another shape are refused by the chain's verifier, so a worker proving them
/// would burn hours for nothing.
fn check_chain(config: &ServiceConfig) -> anyhow::Result<()> {
    let Some(l1) = &config.l1 else {
        return Ok(());
    };
    let deployment = quire_l1::Deployment::load(&l1.deployment)?;
    check_shape(&config.circuits, deployment.batch_shape.as_ref())
        .map_err(|e| anyhow::anyhow!("{e} (recorded in {})", l1.deployment.display()))
}

/// `ours` must be the recorded shape, when one is recorded.
fn check_shape(ours: &BatchShape, recorded: Option<&BatchShape>) -> anyhow::Result<()> {
    match recorded {
        Some(shape) if shape != ours => anyhow::bail!(
            "invalid setting circuits: {ours:?} is not the chain's batch shape {shape:?}"
        ),
        _ => Ok(()),
    }
}

/// Connects, serves metrics (if configured) and runs one worker until `shutdown` turns true
/// (or the queue is idle, with `exit_when_idle`). Events go to `events` if given.
pub async fn run(
    config: ServiceConfig,
    prover: Arc<dyn BatchProver>,
    shutdown: watch::Receiver<bool>,
    events: Option<mpsc::UnboundedSender<WorkerEvent>>,
) -> anyhow::Result<RunSummary> {
    config.validate()?;
    check_chain(&config)?;
    let storage = Storage::connect_with(&config.database_url, 4).await?;
    let (stop_metrics, stop_rx) = watch::channel(false);
    let server = match config.metrics_listen {
        Some(addr) => {
            let s = metrics::MetricsServer::start(addr, stop_rx).await?;
            tracing::info!(addr = %s.addr, "metrics on http://{}/metrics", s.addr);
            if let Some(tx) = &events {
                let _ = tx.send(WorkerEvent::Metrics { addr: s.addr });
            }
            Some(s)
        }
        None => None,
    };
    // The submitter stops with the worker (shutdown, or an idle queue with
    // `exit_when_idle`).
    let (stop_submit, submit_rx) = watch::channel(false);
    let submitter = config
        .l1
        .clone()
        .map(|l1| tokio::spawn(l1_submit::run(storage.clone(), l1, submit_rx)));
    let mut worker = Worker::new(storage.clone(), prover, config);
    if let Some(tx) = events {
        worker = worker.with_events(tx);
    }
    let summary = worker.run(shutdown).await;
    let _ = stop_submit.send(true);
    if let Some(task) = submitter {
        if let Err(e) = task.await {
            tracing::warn!(error = %e, "proof submission task ended abnormally");
        }
    }
    let _ = stop_metrics.send(true);
    if let Some(s) = server {
        s.join().await;
    }
    storage.close().await;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_for_another_shape_than_the_chains_is_refused() {
        let devnet = BatchShape::DEVNET;
        assert!(check_shape(&devnet, Some(&devnet)).is_ok());
        assert!(check_shape(&devnet, None).is_ok());
        let bigger = BatchShape {
            levels: 1,
            ..devnet
        };
        let e = check_shape(&bigger, Some(&devnet))
            .err()
            .map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("invalid setting circuits"));
    }
}
