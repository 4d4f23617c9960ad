//! The boundary between the job queue and the circuits: [`BatchProver`].
//!
//! The worker loads a batch as the sequencer stored it ([`BatchInput`], read by
//! `quire-storage`, which owns the `batches` and `batch_ops` tables) and hands it to a
//! prover on a blocking thread, with a [`ProveContext`]: the rest of the chain (a prover
//! that keeps its own state copy needs the batches before this one), a progress sink, and a
//! cancellation flag raised when the job's lease is lost or the worker shuts down.

use std::sync::atomic::{AtomicBool, Ordering};

use quire_core::state::Genesis;

/// A batch as loaded from the database (`batches` and `batch_ops` rows).
pub use quire_storage::BatchInput;

/// What a prover produces for one batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchProof {
    /// The serialized proof. For the plonky2 prover: the wrapper proof in the EVM calldata
    /// encoding (`quire_circuits::calldata::encode`, public inputs excluded), exactly the
    /// `bytes proof` that `Rollup.proveBatch` forwards to the verifier.
    pub proof: Vec<u8>,
    /// Its public inputs, as canonical Goldilocks elements (for the plonky2 prover: D9's 24,
    /// `Rollup.batchPublicInputs`'s order).
    pub public_inputs: Vec<u64>,
}

/// Why a batch was not proven.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The batch can never be proven by this prover (corrupt rows, claims that disagree with
    /// the replay, more operations than the circuit shape holds): the job fails at once
    /// instead of being retried.
    #[error("batch cannot be proven: {0}")]
    Invalid(String),
    /// The work was abandoned because the context was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// Anything else (the database, a prover bug): retried up to the attempt limit.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl ProveError {
    /// True if another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        // A cancelled attempt was abandoned, not refuted: it may run again.
        matches!(self, ProveError::Failed(_) | ProveError::Cancelled)
    }
}

/// Read access to the chain for provers that replay history.
pub trait ChainSource: Send + Sync {
    /// The genesis the chain started from.
    fn genesis(&self) -> Result<Genesis, ProveError>;
    /// Batch `number` (which must exist).
    fn batch(&self, number: u64) -> Result<BatchInput, ProveError>;
}

/// Where a prover reports how far it got.
pub trait Progress: Send + Sync {
    /// The job has `total` units of work (for the plonky2 prover: chunk proofs, aggregation
    /// nodes and the wrapper); `stage` names what comes first.
    fn start(&self, total: u64, stage: &str);
    /// One unit is done; `stage` names the next.
    fn advance(&self, stage: &str);
}

/// A progress sink that reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64, _stage: &str) {}
    fn advance(&self, _stage: &str) {}
}

/// What a prover gets besides the batch.
pub struct ProveContext<'a> {
    /// The chain, for replaying earlier batches.
    pub chain: &'a dyn ChainSource,
    /// The progress sink.
    pub progress: &'a dyn Progress,
    /// Raised when the result would be discarded (lease lost, shutdown past its grace).
    pub cancel: &'a AtomicBool,
}

impl ProveContext<'_> {
    /// `Err(Cancelled)` once the job was cancelled: long provers call this between units.
    pub fn check_cancelled(&self) -> Result<(), ProveError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(ProveError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Proves batches. CPU-bound and synchronous: the worker calls it on a blocking thread.
pub trait BatchProver: Send + Sync {
    /// A short name for logs and metrics.
    fn name(&self) -> &str;
    /// Gets ready before the first claim (the plonky2 prover builds its circuits here, so
    /// the first job's heartbeat clock does not include minutes of circuit building).
    fn prepare(&self, chain: &dyn ChainSource) -> Result<(), ProveError> {
        let _ = chain;
        Ok(())
    }
    /// Proves `batch`. Called for one batch at a time per worker.
    fn prove(&self, batch: &BatchInput, ctx: &ProveContext<'_>) -> Result<BatchProof, ProveError>;
}
