//! The real [`BatchProver`]: witness replay, chunk proofs, binary aggregation and the EVM
//! wrapper, with the circuits of [`crate::circuits`].
//!
//! Per batch: the operations are replayed by [`crate::witness::replay_batch`] on the
//! prover's own copy of the state (checked against every root, the pubdata and both
//! commitments the sequencer stored), padded to the shape's capacity, proven as
//! `2^levels` chunks of `chunk_steps`, aggregated pairwise over `levels` levels and
//! wrapped in the keccak-config proof L1 verifies. The wrapper proof is verified before it
//! is returned, so nothing unverifiable is ever stored.
//!
//! **State.** Replaying batch N needs the state after N − 1. The prover keeps the state
//! after the last batch it replayed and moves it forward by replaying the batches in
//! between from the database (replay alone, no proving: cheap next to a proof). When
//! several workers share the queue each one skips ahead this way; a job below the cached
//! state (a retry of an older batch) restarts from genesis.
//!
//! **Public inputs** are the wrapper's: today the 12 of `circuits::aggregate` (old root,
//! new root, interim Poseidon pubdata digest); they become D9's 24 when the in-circuit
//! keccak lands there, with no change here.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::anyhow;
use plonky2::field::types::PrimeField64;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;
use quire_core::state::State;

use super::config::CircuitShape;
use super::prover::{BatchInput, BatchProof, BatchProver, ChainSource, ProveContext, ProveError};
use crate::circuits::aggregate::{AggregationNode, Wrapper, WrapperConfig};
use crate::circuits::chunk::ChunkCircuit;
use crate::circuits::C;
use crate::gadgets::{D, F};
use crate::witness::{self, BatchClaim, Shadow};

/// The built circuits of one chain and shape.
pub struct BatchCircuits {
    /// Chain id baked into the step circuits (signing hashes).
    pub chain_id: u32,
    /// The shape.
    pub shape: CircuitShape,
    /// The chunk circuit.
    pub chunk: ChunkCircuit,
    /// One aggregation node per level, lowest first.
    pub nodes: Vec<AggregationNode>,
    /// The wrapper over the top node (or over the chunk when `levels` is 0).
    pub wrapper: Wrapper,
}

impl BatchCircuits {
    /// Builds the circuits (seconds to minutes in release, depending on the shape).
    pub fn build(chain_id: u32, shape: CircuitShape) -> Self {
        let chunk = ChunkCircuit::build(chain_id, shape.chunk_steps);
        let mut nodes: Vec<AggregationNode> = Vec::with_capacity(shape.levels as usize);
        for _ in 0..shape.levels {
            let child = nodes.last().map_or(&chunk.data, |n| &n.data);
            nodes.push(AggregationNode::build(child));
        }
        let top: &CircuitData<F, C, D> = nodes.last().map_or(&chunk.data, |n| &n.data);
        let wrapper = Wrapper::build(top);
        Self {
            chain_id,
            shape,
            chunk,
            nodes,
            wrapper,
        }
    }

    /// Deserializes and verifies a stored wrapper proof; its public inputs.
    pub fn verify(&self, proof: &[u8]) -> anyhow::Result<Vec<u64>> {
        let p = ProofWithPublicInputs::<F, WrapperConfig, D>::from_bytes(
            proof.to_vec(),
            &self.wrapper.data.common,
        )?;
        let pis = p
            .public_inputs
            .iter()
            .map(|f| f.to_canonical_u64())
            .collect();
        self.wrapper.data.verify(p)?;
        Ok(pis)
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
    shape: CircuitShape,
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
    pub fn new(shape: CircuitShape) -> Self {
        Self {
            shape,
            circuits: Mutex::new(None),
            replayed: Mutex::new(None),
        }
    }

    /// The circuits for `chain_id`, built on first call.
    pub fn circuits(&self, chain_id: u32) -> Arc<BatchCircuits> {
        let mut slot = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref() {
            Some(c) if c.chain_id == chain_id => Arc::clone(c),
            _ => {
                let start = Instant::now();
                let c = Arc::new(BatchCircuits::build(chain_id, self.shape));
                tracing::info!(
                    chain_id,
                    chunk_steps = self.shape.chunk_steps,
                    levels = self.shape.levels,
                    chunk_degree = c.chunk.data.common.degree(),
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
        self.circuits(g.chain_id);
        Ok(())
    }

    fn prove(&self, batch: &BatchInput, ctx: &ProveContext<'_>) -> Result<BatchProof, ProveError> {
        let capacity = self.shape.capacity();
        if batch.ops.len() > capacity {
            return Err(invalid(format!(
                "{} operations, the circuit shape holds {capacity} (chunk_steps {} × 2^{}): \
                 raise circuits.levels or lower the sequencer's batch.max_txs",
                batch.ops.len(),
                self.shape.chunk_steps,
                self.shape.levels
            )));
        }
        let mut r = self.state_before(batch.number, ctx.chain)?;
        let chain_id = r.state.chain_id();
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

        let circuits = self.circuits(chain_id);
        let k = self.shape.chunk_steps;
        let chunks = w.steps.len() / k;
        let total = (2 * chunks) as u64; // chunks + (chunks − 1) nodes + the wrapper
        ctx.progress.start(total, "chunk proofs");
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<BatchProof, ProveError> {
            let mut proofs = Vec::with_capacity(chunks);
            for steps in w.steps.chunks(k) {
                ctx.check_cancelled()?;
                proofs.push(circuits.chunk.prove(steps)?);
                ctx.progress.advance("chunk proofs");
            }
            for (level, node) in circuits.nodes.iter().enumerate() {
                let mut next = Vec::with_capacity(proofs.len() / 2);
                for pair in proofs.chunks(2) {
                    ctx.check_cancelled()?;
                    let (l, rr) = match pair {
                        [l, rr] => (l, rr),
                        _ => return Err(anyhow!("odd proof count at level {level}").into()),
                    };
                    next.push(node.prove(l, rr)?);
                    ctx.progress
                        .advance(&format!("aggregation level {}", level + 1));
                }
                proofs = next;
            }
            let top = match proofs.as_slice() {
                [top] => top,
                _ => return Err(anyhow!("{} top proofs", proofs.len()).into()),
            };
            let old = &top.public_inputs[0..4];
            let new = &top.public_inputs[4..8];
            if old != batch.prev_root.elements() || new != batch.root.elements() {
                return Err(anyhow!("aggregated proof has other roots than the batch").into());
            }
            ctx.check_cancelled()?;
            let wp = circuits.wrapper.prove(top)?;
            circuits.wrapper.data.verify(wp.clone())?;
            ctx.progress.advance("done");
            Ok(BatchProof {
                public_inputs: wp
                    .public_inputs
                    .iter()
                    .map(|f| f.to_canonical_u64())
                    .collect(),
                proof: wp.to_bytes(),
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
