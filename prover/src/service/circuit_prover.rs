//! The real [`BatchProver`]: witness replay, chunk proofs, binary aggregation, the
//! commitment proof, the batch node and the EVM wrapper, with the circuits of
//! [`crate::circuits`].
//!
//! Per batch: the operations are replayed by [`crate::witness::replay_batch`] on the
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
//! ([`crate::evm_verifier::layout::encode`]): exactly the `bytes proof` that
//! `Rollup.proveBatch` forwards to the verifier. `public_inputs` are D9's 24 elements,
//! `Rollup.batchPublicInputs`'s order ([`crate::circuits::aggregate::BATCH_PUBLIC_INPUTS`]).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::anyhow;
use plonky2::field::types::PrimeField64;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;
use quire_core::state::{Genesis, State};

use quire_core::tx::Operation;

use super::config::CircuitShape;
use super::prover::{BatchInput, BatchProof, BatchProver, ChainSource, ProveContext, ProveError};
use crate::circuits::aggregate::{AggregationNode, BatchNode, Wrapper, WrapperConfig};
use crate::circuits::chunk::ChunkCircuit;
use crate::circuits::commitment::CommitmentCircuit;
use crate::circuits::step::StepParams;
use crate::circuits::{BatchShape, C};
use crate::evm_verifier::layout::{self, ProofShape};
use crate::gadgets::{D, F};
use crate::witness::{self, BatchClaim, Shadow};

/// A service [`CircuitShape`] as a batch shape: every operation may be a priority
/// operation (`max_priority` = capacity, the sequencer's default `batch.max_priority_ops`).
/// Smaller commitment circuits need an explicit [`BatchShape`] (e.g. [`BatchShape::DEVNET`]).
impl From<CircuitShape> for BatchShape {
    fn from(s: CircuitShape) -> Self {
        BatchShape {
            chunk_steps: s.chunk_steps,
            levels: s.levels,
            max_priority: s.max_priority,
            segment_levels: s.segment_levels,
        }
    }
}

/// The built circuits of one chain (chain id and pool table) and shape.
pub struct BatchCircuits {
    /// The step parameters the circuits were built with (chain id, pools).
    pub params: StepParams,
    /// The shape.
    pub shape: BatchShape,
    /// The chunk circuit.
    pub chunk: ChunkCircuit,
    /// One aggregation node per level, lowest first.
    pub nodes: Vec<AggregationNode>,
    /// The commitment circuit (D9's keccak commitments).
    pub commitment: CommitmentCircuit,
    /// The batch node over the top node (or the chunk when `levels` is 0) and the
    /// commitment proof.
    pub batch: BatchNode,
    /// The wrapper over the batch node.
    pub wrapper: Wrapper,
}

impl BatchCircuits {
    /// Builds the circuits (seconds to minutes in release, depending on the shape).
    pub fn build(params: &StepParams, shape: BatchShape) -> Self {
        let chunk = ChunkCircuit::build_with(params, shape.chunk_steps);
        let mut nodes: Vec<AggregationNode> = Vec::with_capacity(shape.levels as usize);
        for _ in 0..shape.levels {
            let child = nodes.last().map_or(&chunk.data, |n| &n.data);
            nodes.push(AggregationNode::build(child));
        }
        let top: &CircuitData<F, C, D> = nodes.last().map_or(&chunk.data, |n| &n.data);
        let commitment = CommitmentCircuit::build(&shape);
        let batch = BatchNode::build(top, commitment.data());
        let wrapper = Wrapper::build(&batch.data);
        Self {
            params: params.clone(),
            shape,
            chunk,
            nodes,
            commitment,
            batch,
            wrapper,
        }
    }

    /// Proves a replayed batch padded to the shape's capacity: chunks, aggregation,
    /// commitment proof, batch node, wrapper (verified). `ctx` is checked between proofs.
    pub fn prove_steps(
        &self,
        steps: &[crate::witness::StepWitness],
        ctx: Option<&ProveContext<'_>>,
    ) -> Result<ProofWithPublicInputs<F, WrapperConfig, D>, ProveError> {
        let check = || ctx.map_or(Ok(()), |c| c.check_cancelled());
        let advance = |stage: &str| {
            if let Some(c) = ctx {
                c.progress.advance(stage)
            }
        };
        let k = self.shape.chunk_steps;
        if steps.len() != self.shape.capacity() {
            return Err(anyhow!(
                "{} steps for a shape of {}",
                steps.len(),
                self.shape.capacity()
            )
            .into());
        }
        let mut proofs = Vec::with_capacity(steps.len() / k);
        for chunk in steps.chunks(k) {
            check()?;
            proofs.push(self.chunk.prove(chunk)?);
            advance("chunk proofs");
        }
        for (level, node) in self.nodes.iter().enumerate() {
            let mut next = Vec::with_capacity(proofs.len() / 2);
            for pair in proofs.chunks(2) {
                check()?;
                let (l, rr) = match pair {
                    [l, rr] => (l, rr),
                    _ => return Err(anyhow!("odd proof count at level {level}").into()),
                };
                next.push(node.prove(l, rr)?);
                advance(&format!("aggregation level {}", level + 1));
            }
            proofs = next;
        }
        let top = match proofs.as_slice() {
            [top] => top,
            _ => return Err(anyhow!("{} top proofs", proofs.len()).into()),
        };
        check()?;
        let cp = self.commitment.prove(steps)?;
        advance("commitments");
        check()?;
        let bp = self.batch.prove(top, &cp)?;
        advance("batch node");
        check()?;
        let wp = self.wrapper.prove(&bp)?;
        self.wrapper.data.verify(wp.clone())?;
        advance("done");
        Ok(wp)
    }

    /// The EVM calldata encoding of a wrapper proof (public inputs excluded): what
    /// `Rollup.proveBatch` forwards to the verifier.
    pub fn encode(
        &self,
        proof: &ProofWithPublicInputs<F, WrapperConfig, D>,
    ) -> anyhow::Result<Vec<u8>> {
        let shape = ProofShape::from_common(&self.wrapper.data.common)?;
        layout::encode(&shape, proof)
    }

    /// Verifies a stored proof (the EVM calldata encoding) with its public inputs.
    pub fn verify(&self, proof: &[u8], public_inputs: &[u64]) -> anyhow::Result<()> {
        let shape = ProofShape::from_common(&self.wrapper.data.common)?;
        let p = layout::decode(&shape, proof, public_inputs)?;
        self.wrapper.data.verify(p)
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
    /// A prover for `shape` (a [`BatchShape`], or a service [`CircuitShape`]); circuits are
    /// built on first use (or by `prepare`).
    pub fn new(shape: impl Into<BatchShape>) -> Self {
        Self {
            shape: shape.into(),
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
        let slots = shape.segment_shape().priority_slots;
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
            let wp = circuits.prove_steps(&w.steps, Some(ctx))?;
            let expected = crate::circuits::batch_public_inputs(
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
