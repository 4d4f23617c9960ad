//! The job loop: reclaim dead workers' jobs, claim one, heartbeat while a [`BatchProver`]
//! works on a blocking thread, store the proof or record the failure, repeat.
//!
//! Shutdown (the `shutdown` watch turning true, wired to SIGTERM/Ctrl-C by the binary):
//! no new claim; a proof under way gets `shutdown_grace` to finish and be stored, after
//! which the job is released to the queue (not counted as an attempt) and the prover is
//! told to stop at its next checkpoint.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::config::ServiceConfig;
use crate::progress::JobProgress;
use crate::prover::{BatchInput, BatchProver, ChainSource, ProveContext, ProveError};
use quire_core::state::Genesis;
use quire_storage::{FailOutcome, Lease, Storage, StorageError};

/// What a worker did, for the binary's stdout and for tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerEvent {
    /// The metrics endpoint is listening (sent by [`crate::run`]).
    Metrics {
        /// The bound address.
        addr: std::net::SocketAddr,
    },
    /// A job was claimed.
    Claimed {
        /// The batch.
        batch: u64,
        /// The attempt.
        attempt: u32,
    },
    /// A proof was stored.
    Proven {
        /// The batch.
        batch: u64,
        /// The attempt.
        attempt: u32,
        /// Proving wall time in milliseconds.
        millis: u64,
    },
    /// An attempt failed.
    Failed {
        /// The batch.
        batch: u64,
        /// The attempt.
        attempt: u32,
        /// True if the job was queued again.
        retrying: bool,
        /// The error.
        error: String,
    },
    /// The job was released on shutdown.
    Released {
        /// The batch.
        batch: u64,
    },
    /// The job was reclaimed from this worker while it worked; nothing was stored.
    LeaseLost {
        /// The batch.
        batch: u64,
    },
    /// A job of a dead worker was taken back.
    Reclaimed {
        /// The batch.
        batch: u64,
        /// The worker that had it.
        from: Option<String>,
        /// Queued again (else failed: attempts used up).
        requeued: bool,
    },
}

/// Totals of one [`Worker::run`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Proofs stored.
    pub proven: u64,
    /// Attempts that failed and were queued again.
    pub retried: u64,
    /// Jobs marked failed by this worker.
    pub failed: u64,
    /// Jobs released on shutdown.
    pub released: u64,
    /// Jobs lost to a reclaim while this worker held them.
    pub lease_lost: u64,
    /// Dead workers' jobs this worker took back.
    pub reclaimed: u64,
}

/// One worker.
pub struct Worker {
    queue: Storage,
    prover: Arc<dyn BatchProver>,
    config: ServiceConfig,
    id: String,
    tty: bool,
    events: Option<mpsc::UnboundedSender<WorkerEvent>>,
}

/// [`ChainSource`] over the database, for provers on blocking threads: each call blocks on
/// the async query through the runtime handle (allowed on `spawn_blocking` threads).
struct DbChain {
    queue: Storage,
    handle: tokio::runtime::Handle,
}

/// A corrupt row can never be proven; anything else (the database) may pass next time.
fn storage_error(e: StorageError) -> ProveError {
    match e {
        StorageError::Corrupt(m) => ProveError::Invalid(m),
        other => ProveError::Failed(other.into()),
    }
}

impl ChainSource for DbChain {
    fn genesis(&self) -> Result<Genesis, ProveError> {
        // A missing genesis is an uninitialised database, not a bad batch: retryable.
        self.handle
            .block_on(self.queue.genesis())
            .map_err(|e| ProveError::Failed(e.into()))?
            .ok_or_else(|| {
                ProveError::Failed(anyhow::anyhow!(
                    "no genesis in meta: the sequencer never ran on this database"
                ))
            })
    }

    fn batch(&self, number: u64) -> Result<BatchInput, ProveError> {
        self.handle
            .block_on(self.queue.batch_input(number))
            .map_err(storage_error)
    }
}

/// Resolves once `rx` holds true (or its sender is gone, which also means stop).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    while !*rx.borrow() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

enum Ended {
    Proven,
    Retrying,
    Failed,
    Released,
    LeaseLost,
}

impl Worker {
    /// A worker over `queue` with `prover`; its id from the config.
    pub fn new(queue: Storage, prover: Arc<dyn BatchProver>, config: ServiceConfig) -> Self {
        let id = config.resolved_worker_id();
        Self {
            queue,
            prover,
            config,
            id,
            tty: crate::progress::stderr_is_terminal(),
            events: None,
        }
    }

    /// Sends every [`WorkerEvent`] to `tx`.
    pub fn with_events(mut self, tx: mpsc::UnboundedSender<WorkerEvent>) -> Self {
        self.events = Some(tx);
        self
    }

    /// Forces the progress bar on or off (default: on when stderr is a terminal).
    pub fn with_progress_bar(mut self, tty: bool) -> Self {
        self.tty = tty;
        self
    }

    /// This worker's id (`prover_jobs.worker`).
    pub fn id(&self) -> &str {
        &self.id
    }

    fn emit(&self, e: WorkerEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(e);
        }
    }

    fn chain(&self) -> DbChain {
        DbChain {
            queue: self.queue.clone(),
            handle: tokio::runtime::Handle::current(),
        }
    }

    /// Runs until `shutdown` turns true (or, with `exit_when_idle`, until no job is queued
    /// or being proven).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> RunSummary {
        let mut summary = RunSummary::default();
        tracing::info!(worker = %self.id, prover = self.prover.name(), "worker starting");
        if !self.prepare(&mut shutdown).await {
            return summary;
        }
        let timeout = Duration::from_millis(self.config.heartbeat_timeout_ms);
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self
                .queue
                .reclaim_expired_jobs(timeout, self.config.max_attempts)
                .await
            {
                Ok(list) => {
                    for r in list {
                        summary.reclaimed += 1;
                        let outcome = if r.requeued { "requeued" } else { "failed" };
                        metrics::counter!("quire_prover_reclaimed_total", "outcome" => outcome)
                            .increment(1);
                        tracing::warn!(
                            batch = r.batch_number,
                            from = r.worker.as_deref().unwrap_or("?"),
                            outcome,
                            "reclaimed a job whose worker stopped heartbeating"
                        );
                        self.emit(WorkerEvent::Reclaimed {
                            batch: r.batch_number,
                            from: r.worker,
                            requeued: r.requeued,
                        });
                    }
                }
                Err(e) => tracing::warn!("reclaiming expired jobs: {e}"),
            }
            match self.queue.claim_job(&self.id).await {
                Ok(Some(lease)) => {
                    match self.process(lease, &mut shutdown).await {
                        Ended::Proven => summary.proven += 1,
                        Ended::Retrying => summary.retried += 1,
                        Ended::Failed => summary.failed += 1,
                        Ended::Released => summary.released += 1,
                        Ended::LeaseLost => summary.lease_lost += 1,
                    }
                    continue;
                }
                Ok(None) => match self.queue.job_counts().await {
                    Ok(c) => {
                        for (status, n) in [
                            ("queued", c.queued),
                            ("proving", c.proving),
                            ("proven", c.proven),
                            ("failed", c.failed),
                        ] {
                            metrics::gauge!("quire_prover_queue_jobs", "status" => status)
                                .set(n as f64);
                        }
                        if self.config.exit_when_idle && c.queued == 0 && c.proving == 0 {
                            tracing::info!("no job queued or being proven: exiting");
                            break;
                        }
                    }
                    Err(e) => tracing::warn!("counting jobs: {e}"),
                },
                Err(e) => tracing::warn!("claiming a job: {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll_interval()) => {}
                _ = stopped(&mut shutdown) => {}
            }
        }
        tracing::info!(worker = %self.id, ?summary, "worker stopped");
        summary
    }

    /// Readies the prover, retrying while it fails: the worker may start before the
    /// sequencer has initialised the database (no genesis yet). False if the worker should
    /// stop instead (shutdown, or `exit_when_idle` with nothing to do).
    async fn prepare(&self, shutdown: &mut watch::Receiver<bool>) -> bool {
        let mut wait = self.config.poll_interval();
        loop {
            if self.config.exit_when_idle {
                if let Ok(c) = self.queue.job_counts().await {
                    if c.queued == 0 && c.proving == 0 {
                        tracing::info!("no job queued or being proven: exiting");
                        return false;
                    }
                }
            }
            let prover = Arc::clone(&self.prover);
            let chain = self.chain();
            let mut task = tokio::task::spawn_blocking(move || prover.prepare(&chain));
            let outcome = tokio::select! {
                r = &mut task => r,
                _ = stopped(shutdown) => return false,
            };
            match outcome {
                Ok(Ok(())) => return true,
                Ok(Err(e)) => tracing::warn!("preparing the prover (will retry): {e:#}"),
                Err(e) => tracing::warn!("preparing the prover panicked (will retry): {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped(shutdown) => return false,
            }
            wait = (wait * 2).min(Duration::from_secs(30));
        }
    }

    fn heartbeat(
        &self,
        lease: &Lease,
        cancel: &Arc<AtomicBool>,
        lost: &Arc<AtomicBool>,
    ) -> JoinHandle<()> {
        let queue = self.queue.clone();
        let lease = lease.clone();
        let (cancel, lost) = (Arc::clone(cancel), Arc::clone(lost));
        let every = self.config.heartbeat_interval();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await; // the claim itself was the first heartbeat
            loop {
                tick.tick().await;
                match queue.heartbeat_job(&lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(
                            batch = lease.batch_number,
                            "lease lost (the job was reclaimed): abandoning it"
                        );
                        lost.store(true, Ordering::SeqCst);
                        cancel.store(true, Ordering::SeqCst);
                        return;
                    }
                    // A missed beat is survivable: the timeout is several intervals.
                    Err(e) => tracing::warn!(batch = lease.batch_number, "heartbeat: {e}"),
                }
            }
        })
    }

    async fn process(&self, lease: Lease, shutdown: &mut watch::Receiver<bool>) -> Ended {
        let batch = lease.batch_number;
        tracing::info!(batch, attempt = lease.attempt, worker = %self.id, "claimed");
        self.emit(WorkerEvent::Claimed {
            batch,
            attempt: lease.attempt,
        });
        metrics::gauge!("quire_prover_busy").set(1.0);
        let cancel = Arc::new(AtomicBool::new(false));
        let lost = Arc::new(AtomicBool::new(false));
        let hb = self.heartbeat(&lease, &cancel, &lost);
        let started = Instant::now();
        let progress = Arc::new(JobProgress::new(batch, self.tty));
        let result = match self.queue.batch_input(batch).await {
            Err(e) => Some(Ok(Err(storage_error(e)))),
            Ok(input) => {
                let prover = Arc::clone(&self.prover);
                let chain = self.chain();
                let (p, c) = (Arc::clone(&progress), Arc::clone(&cancel));
                let mut task = tokio::task::spawn_blocking(move || {
                    let ctx = ProveContext {
                        chain: &chain,
                        progress: &*p,
                        cancel: &c,
                    };
                    prover.prove(&input, &ctx)
                });
                tokio::select! {
                    r = &mut task => Some(r),
                    _ = stopped(shutdown) => {
                        let grace = self.config.shutdown_grace();
                        tracing::info!(batch, grace_ms = grace.as_millis() as u64, "shutdown: letting the current proof finish");
                        tokio::time::timeout(grace, &mut task).await.ok()
                    }
                }
            }
        };
        hb.abort();
        progress.finish();
        metrics::gauge!("quire_prover_busy").set(0.0);
        let lease_lost = |this: &Self| {
            tracing::warn!(
                batch,
                "the job was reclaimed while this worker held it; nothing stored"
            );
            metrics::counter!("quire_prover_jobs_total", "result" => "lease_lost").increment(1);
            this.emit(WorkerEvent::LeaseLost { batch });
            Ended::LeaseLost
        };
        let Some(result) = result else {
            // Shutdown past the grace: stop the prover at its next checkpoint, give the job back.
            cancel.store(true, Ordering::SeqCst);
            return match self.queue.release_job(&lease).await {
                Ok(true) => {
                    tracing::info!(batch, "released to the queue on shutdown");
                    metrics::counter!("quire_prover_jobs_total", "result" => "released")
                        .increment(1);
                    self.emit(WorkerEvent::Released { batch });
                    Ended::Released
                }
                Ok(false) => lease_lost(self),
                Err(e) => {
                    // The heartbeat stops with this process: the job is reclaimed after the
                    // timeout instead.
                    tracing::warn!(batch, "releasing on shutdown: {e}");
                    Ended::Released
                }
            };
        };
        if lost.load(Ordering::SeqCst) {
            return lease_lost(self);
        }
        let error = match result {
            Ok(Ok(proof)) => {
                let took = started.elapsed();
                return match self
                    .queue
                    .complete_job(&lease, &proof.proof, &proof.public_inputs, took)
                    .await
                {
                    Ok(true) => {
                        tracing::info!(
                            batch,
                            attempt = lease.attempt,
                            seconds = took.as_secs_f64(),
                            proof_bytes = proof.proof.len(),
                            "proven"
                        );
                        metrics::counter!("quire_prover_jobs_total", "result" => "proven")
                            .increment(1);
                        metrics::histogram!("quire_prover_job_seconds").record(took.as_secs_f64());
                        metrics::histogram!("quire_prover_proof_bytes")
                            .record(proof.proof.len() as f64);
                        metrics::gauge!("quire_prover_last_proven_batch").set(batch as f64);
                        self.emit(WorkerEvent::Proven {
                            batch,
                            attempt: lease.attempt,
                            millis: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
                        });
                        Ended::Proven
                    }
                    Ok(false) => lease_lost(self),
                    Err(e) => {
                        // Not stored and the lease is still ours until the timeout: record
                        // the failure so the job is retried instead of waiting for a reclaim.
                        self.record_failure(
                            &lease,
                            ProveError::Failed(anyhow::anyhow!("storing the proof: {e}")),
                        )
                        .await
                    }
                };
            }
            Ok(Err(e)) => e,
            Err(join) => ProveError::Failed(anyhow::anyhow!("prover task failed: {join}")),
        };
        self.record_failure(&lease, error).await
    }

    async fn record_failure(&self, lease: &Lease, error: ProveError) -> Ended {
        let batch = lease.batch_number;
        let message = format!("{error:#}");
        let backoff = Duration::from_millis(
            self.config
                .retry_backoff_ms
                .saturating_mul(u64::from(lease.attempt)),
        );
        match self
            .queue
            .fail_job(
                lease,
                &message,
                error.is_retryable(),
                self.config.max_attempts,
                backoff,
            )
            .await
        {
            Ok(FailOutcome::Retrying) => {
                tracing::warn!(batch, attempt = lease.attempt, error = %message, "attempt failed; will retry");
                metrics::counter!("quire_prover_jobs_total", "result" => "retrying").increment(1);
                self.emit(WorkerEvent::Failed {
                    batch,
                    attempt: lease.attempt,
                    retrying: true,
                    error: message,
                });
                Ended::Retrying
            }
            Ok(FailOutcome::Failed) => {
                tracing::error!(batch, attempt = lease.attempt, error = %message, "job failed");
                metrics::counter!("quire_prover_jobs_total", "result" => "failed").increment(1);
                self.emit(WorkerEvent::Failed {
                    batch,
                    attempt: lease.attempt,
                    retrying: false,
                    error: message,
                });
                Ended::Failed
            }
            Ok(FailOutcome::LeaseLost) => {
                metrics::counter!("quire_prover_jobs_total", "result" => "lease_lost").increment(1);
                self.emit(WorkerEvent::LeaseLost { batch });
                Ended::LeaseLost
            }
            Err(e) => {
                // The job stays `proving` under our lease; with no heartbeat it is
                // reclaimed after the timeout.
                tracing::warn!(batch, error = %message, "recording the failure: {e}");
                Ended::Retrying
            }
        }
    }
}
