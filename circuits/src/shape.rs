//! The batch shape: how many operations one batch proof holds and how its proofs are cut.
//!
//! One shape is one set of circuits and so one wrapper verifier on L1: the prover service
//! reads it from its configuration and the chain's deployment records it.

/// The shape of a batch proof: `chunk_steps · 2^levels` operations, of which at most
/// `max_priority` priority operations (always first in a batch), with the commitments in
/// `2^segment_levels` segments. One shape is one set of circuits and so one wrapper
/// verifier on L1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchShape {
    /// Steps per chunk proof.
    pub chunk_steps: usize,
    /// Binary aggregation levels above the chunks.
    pub levels: u32,
    /// Priority operations a batch may hold: each commitment segment folds the priority
    /// operations of its first `max_priority` steps (the sequencer puts them first).
    pub max_priority: usize,
    /// Levels of the commitment segment tree: the pubdata commitments are proven in
    /// `2^segment_levels` segments of `capacity >> segment_levels` steps (at most
    /// `levels`, so a segment's records are whole chunks).
    pub segment_levels: u32,
}

/// The devnet's shape ([`BatchShape::DEVNET`]), the one the committed verifier is for.
impl Default for BatchShape {
    fn default() -> Self {
        Self::DEVNET
    }
}

impl BatchShape {
    /// The shape of the devnet, CI and the committed Solidity verifier: one chunk of 8
    /// operations, at most 4 of them priority operations (the devnet's batch limits). One
    /// chunk of 8 (degree 2^14) beats two chunks of 4 (2^13 each) plus an aggregation node
    /// (2^13) on 2 cores: the same chunk work and one proof less.
    pub const DEVNET: BatchShape = BatchShape {
        chunk_steps: 8,
        levels: 0,
        max_priority: 4,
        segment_levels: 0,
    };

    /// Operations one batch proof holds.
    pub fn capacity(&self) -> usize {
        self.chunk_steps << self.levels
    }

    /// Commitment segments: `2^segment_levels` (`segment_levels` is capped at `levels`).
    pub fn segments(&self) -> usize {
        1 << self.segment_levels.min(self.levels)
    }

    /// The shape of one commitment segment: `capacity / segments` steps, of which the
    /// first `max_priority` (at most all) are priority slots.
    pub fn segment_shape(&self) -> crate::commitment::SegmentShape {
        let records = self.capacity() / self.segments();
        crate::commitment::SegmentShape {
            records,
            chunk_steps: self.chunk_steps,
            priority_slots: self.max_priority.min(records),
        }
    }
}

/// D9's 24 public inputs of a batch, natively, in `Rollup.batchPublicInputs`'s order: the
/// old and new roots' limbs (the big-endian u64s of `Digest::to_l1_bytes32`, i.e. the
/// digest's elements), then each commitment as eight big-endian u32 words.
pub fn batch_public_inputs(
    prev_root: &quire_core::hash::Digest,
    root: &quire_core::hash::Digest,
    pubdata_commitment: &[u8; 32],
    priority_commitment: &[u8; 32],
) -> Vec<u64> {
    let limbs = |d: &quire_core::hash::Digest| {
        d.to_l1_bytes32()
            .chunks_exact(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap_or_default()))
            .collect::<Vec<u64>>()
    };
    let words = |c: &[u8; 32]| {
        c.chunks_exact(4)
            .map(|w| u32::from_be_bytes(w.try_into().unwrap_or_default()) as u64)
            .collect::<Vec<u64>>()
    };
    let mut out = limbs(prev_root);
    out.extend(limbs(root));
    out.extend(words(pubdata_commitment));
    out.extend(words(priority_commitment));
    out
}
