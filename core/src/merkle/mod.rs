//! Sparse Merkle trees of any depth over Poseidon.
//!
//! Quire keeps two kinds: the account tree (depth 24, one leaf per account id) and one
//! balance tree per account (depth 8, one leaf per token id). Both are mostly empty, so the
//! tree stores only nodes that differ from the empty subtree of their level; the hashes of
//! empty subtrees are precomputed once per depth.
//!
//! Nodes live behind the [`NodeStore`] trait: the in-memory [`MemoryStore`] serves the
//! executor and the prover, and the sequencer can persist nodes through its own store.

mod proof;
mod store;
mod tree;

pub use proof::MerkleProof;
pub use store::{MemoryStore, NodeKey, NodeStore};
pub use tree::{empty_hashes, SparseMerkleTree, TreeError};
