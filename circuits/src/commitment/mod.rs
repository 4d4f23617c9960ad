//! D9's keccak-256 pubdata and priority commitments, proven from the same step records the
//! chunks hash (so no chunk pays for a keccak), split into segments so that the batch size
//! is bounded by recursion depth rather than by one circuit over the whole pubdata.
//!
//! The compacted pubdata stream `S` (each step's first `len_i` bytes, concatenated; length
//! `T`, zero past it) is cut into `2^segment_levels` fixed **windows** of `W` bytes, a
//! multiple of keccak's rate; the batch's records are cut into as many **slices** of whole
//! chunks. Segment `j` ([`segment`]) proves slice `j` and window `j` together:
//!
//! - the slice's Poseidon record subtree (a node of the chunk aggregation tree);
//! - its share of the compaction identity `Σ_g S_g·γ^g = Σ_i γ^{off_i}·Σ_t b_{i,t}·γ^t`,
//!   with `off_{i+1} = off_i + len_i`: the records side chains `γ^{off}`, the bytes side
//!   chains `γ^{pos}`; slices and windows need not line up, only the sums must agree;
//! - the keccak sponge over its window, from the state the previous window left: plain
//!   sponge chaining, since windows are whole blocks; padding is added where `T` falls;
//! - the priority fold of its first `priority_slots` records.
//!
//! Segment nodes ([`node`]) join neighbours, and the root ([`root`]) pins the start values,
//! checks the totals and derives γ from the results, exposing the 20 public inputs the
//! batch node reads. Per segment, everything but the priority slots is linear in its
//! size, so segments of a fixed size keep every circuit a fixed degree whatever the batch.
//!
//! The values chained between segments are computed natively ([`native`]) and witnessed;
//! the node and root circuits are what make them consistent.

pub mod io;
pub mod native;
pub mod node;
pub mod root;
pub mod segment;

use anyhow::Result;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;

use super::keccak::RATE_BYTES;
use super::step::MAX_PUBDATA;
use super::{BatchShape, C};
use crate::gadgets::{D, F};
use crate::witness::StepWitness;

pub use native::{digest_words, native_public_inputs, CommitmentWitness};
pub use root::COMMITMENT_PUBLIC_INPUTS;

/// The size of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentShape {
    /// Records (steps) per slice: whole chunks, a power of two of them.
    pub records: usize,
    /// Steps per chunk (the record subtree's leaves).
    pub chunk_steps: usize,
    /// Priority slots: the slice's first records whose priority operations are folded.
    pub priority_slots: usize,
}

impl SegmentShape {
    /// The segment of a batch of `shape`: `capacity / segments` steps, of which the first
    /// `shape.priority_slots()` are priority slots.
    pub fn of(shape: &crate::BatchShape) -> Self {
        SegmentShape {
            records: shape.segment_steps(),
            chunk_steps: shape.chunk_steps,
            priority_slots: shape.priority_slots(),
        }
    }

    /// keccak blocks per window: room for a full slice's worst-case pubdata plus the
    /// padding byte, so the last window always has room for the padding.
    pub fn window_blocks(&self) -> usize {
        (MAX_PUBDATA * self.records + 1).div_ceil(RATE_BYTES)
    }

    /// Bytes per window.
    pub fn window_bytes(&self) -> usize {
        self.window_blocks() * RATE_BYTES
    }
}

/// The built commitment circuits of one [`BatchShape`]: the segment, one node per level,
/// the root.
pub struct CommitmentCircuit {
    /// The shape they were built for.
    pub shape: BatchShape,
    /// The segment circuit.
    pub segment: segment::SegmentCircuit,
    /// One segment node per level, lowest first.
    pub nodes: Vec<node::SegmentNode>,
    /// The root.
    pub root: root::CommitmentRoot,
}

impl CommitmentCircuit {
    /// Builds the commitment circuits of `shape` (standard recursion config).
    pub fn build(shape: &BatchShape) -> Self {
        let segment = segment::SegmentCircuit::build(SegmentShape::of(shape));
        let levels = shape.segments().trailing_zeros();
        let mut nodes: Vec<node::SegmentNode> = Vec::with_capacity(levels as usize);
        for _ in 0..levels {
            let child = nodes.last().map_or(&segment.data, |n| &n.data);
            nodes.push(node::segment_node(child));
        }
        let top = nodes.last().map_or(&segment.data, |n| &n.data);
        let root = root::CommitmentRoot::build(top);
        Self {
            shape: *shape,
            segment,
            nodes,
            root,
        }
    }

    /// The root circuit: what the batch node verifies.
    pub fn data(&self) -> &CircuitData<F, C, D> {
        &self.root.data
    }

    /// Proves the commitments of `steps` (the whole padded batch).
    pub fn prove(&self, steps: &[StepWitness]) -> Result<ProofWithPublicInputs<F, C, D>> {
        self.prove_witness(&CommitmentWitness::from_steps(&self.shape, steps)?)
    }

    /// Proves from an explicit witness (tests tamper with it): every segment, the nodes,
    /// the root.
    pub fn prove_witness(&self, w: &CommitmentWitness) -> Result<ProofWithPublicInputs<F, C, D>> {
        let mut proofs = native::segment_witnesses(&self.shape, w)?
            .iter()
            .map(|s| self.segment.prove(s))
            .collect::<Result<Vec<_>>>()?;
        for node in &self.nodes {
            proofs = proofs
                .chunks(2)
                .map(|p| match p {
                    [l, r] => node.prove(l, r),
                    _ => Err(anyhow::anyhow!("odd segment proof count")),
                })
                .collect::<Result<Vec<_>>>()?;
        }
        match proofs.as_slice() {
            [top] => self.root.prove(top),
            _ => Err(anyhow::anyhow!("{} top segment proofs", proofs.len())),
        }
    }
}
