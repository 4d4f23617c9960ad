//! The real [`BatchProver`]: witness replay, chunk proofs, binary aggregation, the
//! commitment proof, the batch node and the EVM wrapper, with the circuits of
//! [`quire_circuits`] driven by [`BatchCircuits::prove_steps`].
//!
//! Per batch: the operations are replayed by [`quire_circuits::witness::replay_batch`] on the
//! prover's own copy of the state (checked against every root, the pubdata and both
//! commitments the sequencer stored), padded to the shape's capacity, proven as
//! `2^levels` chunks of `chunk_steps`, aggregated pairwise over `levels` levels; the
//! commitment circuit proves D9's keccak commitments over the same step records; the batch
//! node joins both and the wrapper makes the keccak-config proof L1 verifies. The wrapper
//! proof is verified before it is returned, so nothing unverifiable is ever stored.
//!
//! **Circuits** are built for the chain's genesis: `StepParams::from_state` of the genesis
//! state (chain id and the pool table: AMM batches prove) and the [`BatchShape`].
//!
//! **State.** Replaying batch N needs the state after N − 1. The prover keeps the state
//! after the last batch it replayed and moves it forward by replaying the batches in
//! between from the database (replay alone, no proving: cheap next to a proof). When
//! several workers share the queue each one skips ahead this way; a job below the cached
//! state (a retry of an older batch) restarts from genesis.
//!
//! **Output.** `BatchProof::proof` is the wrapper proof in the EVM calldata encoding
//! ([`quire_circuits::calldata::encode`]): exactly the `bytes proof` that
//! `Rollup.proveBatch` forwards to the verifier. `public_inputs` are D9's 24 elements,
//! `Rollup.batchPublicInputs`'s order ([`quire_circuits::aggregate::BATCH_PUBLIC_INPUTS`]).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::anyhow;
use plonky2::field::types::PrimeField64;
use quire_circuits::step::StepParams;
use quire_circuits::witness::{self, BatchClaim, Shadow};
use quire_circuits::{BatchCircuits, BatchShape, PipelineError, PipelineHooks};
use quire_core::state::{Genesis, State};
use quire_core::tx::Operation;

use crate::prover::{BatchInput, BatchProof, BatchProver, ChainSource, ProveContext, ProveError};

/// The job's context as the pipeline's hooks: its cancellation flag and progress sink.
impl PipelineHooks for ProveContext<'_> {
    fn cancelled(&self) -> bool {
        self.check_cancelled().is_err()
    }
    fn advance(&self, stage: &str) {
        self.progress.advance(stage)
    }
}

impl From<PipelineError> for ProveError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Cancelled => ProveError::Cancelled,
            PipelineError::Failed(e) => ProveError::Failed(e),
        }
    }
}

/// The state before the next batch to replay.
struct Replayed {
    /// The batch this state is *before*.
    next: u64,
    state: State,
    shadow: Shadow,
}

/// The plonky2 batch prover.
pub struct CircuitProver {
    shape: BatchShape,
    circuits: Mutex<Option<Arc<BatchCircuits>>>,
    replayed: Mutex<Option<Replayed>>,
}

fn invalid(e: impl std::fmt::Display) -> ProveError {
    ProveError::Invalid(e.to_string())
}

fn claim_of(b: &BatchInput) -> BatchClaim {
    BatchClaim {
        prev_root: b.prev_root,
        root: b.root,
        pubdata: b.pubdata.clone(),
        pubdata_commitment: b.pubdata_commitment,
        priority_commitment: b.priority_commitment,
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".into())
}

impl CircuitProver {
    /// A prover for `shape`; circuits are built on first use (or by `prepare`).
    pub fn new(shape: BatchShape) -> Self {
        Self {
            shape,
            circuits: Mutex::new(None),
            replayed: Mutex::new(None),
        }
    }

    /// The circuits for the chain that starts from `genesis`, built on first call.
    pub fn circuits(&self, genesis: &Genesis) -> Result<Arc<BatchCircuits>, ProveError> {
        let (state, _) = witness::genesis(genesis).map_err(invalid)?;
        Ok(self.circuits_for(&StepParams::from_state(&state)))
    }

    /// The circuits for `params`, built on first call (or when the chain changes).
    pub fn circuits_for(&self, params: &StepParams) -> Arc<BatchCircuits> {
        let mut slot = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref() {
            Some(c) if &c.params == params => Arc::clone(c),
            _ => {
                let start = Instant::now();
                let c = Arc::new(BatchCircuits::build(params, self.shape));
                tracing::info!(
                    chain_id = params.chain_id,
                    pools = params.pools.len(),
                    chunk_steps = self.shape.chunk_steps,
                    levels = self.shape.levels,
                    max_priority = self.shape.max_priority,
                    segment_levels = self.shape.segment_levels,
                    chunk_degree = c.chunk.data.common.degree(),
                    commitment_degree = c.commitment.segment.data.common.degree(),
                    wrapper_degree = c.wrapper.data.common.degree(),
                    seconds = start.elapsed().as_secs_f64(),
                    "batch circuits built"
                );
                *slot = Some(Arc::clone(&c));
                c
            }
        }
    }

    /// The state before batch `n`: from the cache, moved forward, or from genesis.
    fn state_before(&self, n: u64, chain: &dyn ChainSource) -> Result<Replayed, ProveError> {
        let cached = self
            .replayed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let mut r = match cached {
            Some(r) if r.next <= n => r,
            _ => {
                let g = chain.genesis()?;
                let (state, shadow) = witness::genesis(&g).map_err(invalid)?;
                Replayed {
                    next: 1,
                    state,
                    shadow,
                }
            }
        };
        while r.next < n {
            let b = chain.batch(r.next)?;
            witness::replay_batch(&mut r.state, &mut r.shadow, &b.ops, Some(&claim_of(&b)))
                .map_err(|e| invalid(format!("replaying earlier batch {}: {e:#}", b.number)))?;
            r.next += 1;
        }
        Ok(r)
    }
}

impl BatchProver for CircuitProver {
    fn name(&self) -> &str {
        "plonky2"
    }

    fn prepare(&self, chain: &dyn ChainSource) -> Result<(), ProveError> {
        let g = chain.genesis()?;
        self.circuits(&g)?;
        Ok(())
    }

    fn prove(&self, batch: &BatchInput, ctx: &ProveContext<'_>) -> Result<BatchProof, ProveError> {
        let shape = self.shape;
        let capacity = shape.capacity();
        if batch.ops.len() > capacity {
            return Err(invalid(format!(
                "{} operations, the circuit shape holds {capacity} (chunk_steps {} × 2^{}): \
                 raise circuits.levels or lower the sequencer's batch.max_txs",
                batch.ops.len(),
                shape.chunk_steps,
                shape.levels
            )));
        }
        let priority = batch
            .ops
            .iter()
            .filter(|o| matches!(o, Operation::Priority(_)))
            .count();
        let leading = batch
            .ops
            .iter()
            .take_while(|o| matches!(o, Operation::Priority(_)))
            .count();
        let slots = shape.priority_slots();
        if priority > slots || leading < priority {
            return Err(invalid(format!(
                "{priority} priority operations ({leading} leading), the circuit shape holds \
                 at most {} and only at the start of a batch: lower the sequencer's \
                 batch.max_priority_ops",
                slots
            )));
        }
        let genesis = ctx.chain.genesis()?;
        let circuits = self.circuits(&genesis)?;
        let mut r = self.state_before(batch.number, ctx.chain)?;
        let mut w = witness::replay_batch(
            &mut r.state,
            &mut r.shadow,
            &batch.ops,
            Some(&claim_of(batch)),
        )
        .map_err(|e| invalid(format!("replay: {e:#}")))?;
        w.pad_to_multiple(capacity, &mut r.shadow)
            .map_err(|e| invalid(format!("padding: {e:#}")))?;
        // The replay succeeded: the state is now the one after this batch, whatever the
        // proof does.
        r.next = batch.number + 1;
        *self.replayed.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        ctx.check_cancelled()?;

        let chunks = capacity / shape.chunk_steps;
        // chunks + (chunks − 1) nodes + commitment + batch node + wrapper
        let total = (2 * chunks + 2) as u64;
        ctx.progress.start(total, "chunk proofs");
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<BatchProof, ProveError> {
            let wp = circuits
                .prove_steps(&w.steps, ctx)
                .map_err(ProveError::from)?;
            let expected = quire_circuits::batch_public_inputs(
                &batch.prev_root,
                &batch.root,
                &batch.pubdata_commitment,
                &batch.priority_commitment,
            );
            let pis: Vec<u64> = wp
                .public_inputs
                .iter()
                .map(|f| f.to_canonical_u64())
                .collect();
            if pis != expected {
                return Err(anyhow!("the proof's public inputs are not the batch's").into());
            }
            Ok(BatchProof {
                public_inputs: pis,
                proof: circuits.encode(&wp)?,
            })
        }));
        match outcome {
            Ok(r) => r,
            // plonky2 panics on a witness that violates a copy constraint; with a checked
            // replay that is a circuit bug, reported as a retryable failure with its message.
            Err(p) => Err(anyhow!("prover panicked: {}", panic_message(p.as_ref())).into()),
        }
    }
}
