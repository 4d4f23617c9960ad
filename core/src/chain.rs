//! What is fixed for the life of a chain besides its genesis: the shape of its batch proofs,
//! and the devnet's genesis.
//!
//! The shape lives here, not with the circuits, because everything that must agree on it
//! reads it from here: the circuits are built for it, the deployment file records it, and
//! the sequencer refuses to build batches past it (a batch the circuits cannot hold could
//! never be proven, and every priority operation behind it would wait for exodus).

use crate::state::Genesis;

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

    /// Steps of one commitment segment: `capacity / segments`.
    pub fn segment_steps(&self) -> usize {
        self.capacity() / self.segments()
    }

    /// Priority operations a batch of this shape can hold: `max_priority`, at most one
    /// segment's steps (every segment folds the priority operations of its first
    /// `max_priority` steps, and they come first in a batch).
    pub fn priority_slots(&self) -> usize {
        self.max_priority.min(self.segment_steps())
    }
}

/// The devnet genesis, `deploy/genesis.example.json`: the one devnet genesis the devnet, the
/// sequencer's dev mode and the committed verifier (generated for its chain id and pools)
/// share. Embedded, so binaries work outside the repository.
pub const DEVNET_GENESIS_JSON: &str = include_str!("../../deploy/genesis.example.json");

/// The devnet genesis's chain id (a test checks it against [`DEVNET_GENESIS_JSON`]).
pub const DEVNET_CHAIN_ID: u32 = 1_364_543_826;

/// The devnet genesis, parsed from [`DEVNET_GENESIS_JSON`] (token L1 addresses are
/// placeholders until a deployment fills them in).
pub fn devnet_genesis() -> Result<Genesis, serde_json::Error> {
    serde_json::from_str(DEVNET_GENESIS_JSON)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_devnet_chain_id_is_the_files() {
        let g = devnet_genesis().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.chain_id, DEVNET_CHAIN_ID);
    }

    #[test]
    fn priority_slots_are_capped_by_one_segment() {
        let s = BatchShape {
            chunk_steps: 2,
            levels: 2,
            max_priority: 5,
            segment_levels: 1,
        };
        assert_eq!((s.capacity(), s.segments(), s.segment_steps()), (8, 2, 4));
        assert_eq!(s.priority_slots(), 4);
        assert_eq!(BatchShape::DEVNET.priority_slots(), 4);
    }
}
