//! The whole proof of one batch, natively: the circuits of one chain and shape built
//! together ([`BatchCircuits`]) and the order their proofs are made in.
//!
//! Per batch: `2^levels` chunk proofs over the padded steps, aggregated pairwise over
//! `levels` levels; the commitment proof over the same step records; the batch node that
//! joins both; the wrapper that L1 verifies (checked before it is returned, so nothing
//! unverifiable leaves this module). The prover service drives this with its job's
//! cancellation flag and progress bar through [`PipelineHooks`].

use anyhow::anyhow;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;

use crate::aggregate::{AggregationNode, BatchNode, Wrapper};
use crate::calldata::{self, ProofShape};
use crate::chunk::ChunkCircuit;
use crate::commitment::CommitmentCircuit;
use crate::config::{WrapperConfig, C};
use crate::gadgets::{D, F};
use crate::step::StepParams;
use crate::witness::StepWitness;
use crate::BatchShape;

/// What the caller of [`BatchCircuits::prove_steps`] is asked and told between proofs.
pub trait PipelineHooks {
    /// True once the result would be thrown away (a lost lease, a shutdown): the pipeline
    /// stops before its next proof.
    fn cancelled(&self) -> bool {
        false
    }
    /// One proof is done; `stage` names the next.
    fn advance(&self, stage: &str) {
        let _ = stage;
    }
}

/// Hooks that never cancel and report nothing (benches, fixtures, tests).
pub struct NoHooks;

impl PipelineHooks for NoHooks {}

/// `Cancelled` once the hooks say stop (asked before every proof).
fn check(hooks: &dyn PipelineHooks) -> Result<(), PipelineError> {
    if hooks.cancelled() {
        Err(PipelineError::Cancelled)
    } else {
        Ok(())
    }
}

/// Why [`BatchCircuits::prove_steps`] returned no proof.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// [`PipelineHooks::cancelled`] said stop.
    #[error("cancelled")]
    Cancelled,
    /// The witness does not fit the shape, or plonky2 refused a proof.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
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
            nodes.push(crate::aggregate::aggregation_node(child));
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
    /// commitment proof, batch node, wrapper (verified). `hooks` is asked between proofs
    /// whether to go on, and told of each proof done.
    pub fn prove_steps(
        &self,
        steps: &[StepWitness],
        hooks: &dyn PipelineHooks,
    ) -> Result<ProofWithPublicInputs<F, WrapperConfig, D>, PipelineError> {
        let top = self.prove_aggregation(steps, hooks)?;
        self.prove_from_top(&top, steps, hooks)
    }

    /// The first half of [`BatchCircuits::prove_steps`]: the chunk proofs and the
    /// aggregation tree over them, up to the top node (the chunk proof when `levels` is 0).
    pub fn prove_aggregation(
        &self,
        steps: &[StepWitness],
        hooks: &dyn PipelineHooks,
    ) -> Result<ProofWithPublicInputs<F, C, D>, PipelineError> {
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
            check(hooks)?;
            proofs.push(self.chunk.prove(chunk)?);
            hooks.advance("chunk proofs");
        }
        for (level, node) in self.nodes.iter().enumerate() {
            let mut next = Vec::with_capacity(proofs.len() / 2);
            for pair in proofs.chunks(2) {
                check(hooks)?;
                let (l, rr) = match pair {
                    [l, rr] => (l, rr),
                    _ => return Err(anyhow!("odd proof count at level {level}").into()),
                };
                next.push(node.prove(l, rr)?);
                hooks.advance(&format!("aggregation level {}", level + 1));
            }
            proofs = next;
        }
        match <[_; 1]>::try_from(proofs) {
            Ok([top]) => Ok(top),
            Err(proofs) => Err(anyhow!("{} top proofs", proofs.len()).into()),
        }
    }

    /// The second half of [`BatchCircuits::prove_steps`]: given the aggregation's `top`
    /// proof of `steps`, the commitment proof, the batch node and the wrapper (verified).
    pub fn prove_from_top(
        &self,
        top: &ProofWithPublicInputs<F, C, D>,
        steps: &[StepWitness],
        hooks: &dyn PipelineHooks,
    ) -> Result<ProofWithPublicInputs<F, WrapperConfig, D>, PipelineError> {
        check(hooks)?;
        let cp = self.commitment.prove(steps)?;
        hooks.advance("commitments");
        check(hooks)?;
        let bp = self.batch.prove(top, &cp)?;
        hooks.advance("batch node");
        check(hooks)?;
        let wp = self.wrapper.prove(&bp)?;
        self.wrapper.data.verify(wp.clone())?;
        hooks.advance("done");
        Ok(wp)
    }

    /// The EVM calldata encoding of a wrapper proof (public inputs excluded, see
    /// [`crate::calldata`]): what `Rollup.proveBatch` forwards to the verifier.
    pub fn encode(
        &self,
        proof: &ProofWithPublicInputs<F, WrapperConfig, D>,
    ) -> anyhow::Result<Vec<u8>> {
        let shape = ProofShape::from_common(&self.wrapper.data.common)?;
        calldata::encode(&shape, proof)
    }

    /// Verifies a stored proof (the EVM calldata encoding) with its public inputs.
    pub fn verify(&self, proof: &[u8], public_inputs: &[u64]) -> anyhow::Result<()> {
        let shape = ProofShape::from_common(&self.wrapper.data.common)?;
        let p = calldata::decode(&shape, proof, public_inputs)?;
        self.wrapper.data.verify(p)
    }
}
