//! Membership proofs.

use serde::{Deserialize, Serialize};

use crate::hash::{hash_two, Digest};

/// A Merkle path from a leaf to the root: the sibling at each level, leaf level first.
///
/// The same proof proves membership (the leaf holds a value) and non-membership (the leaf
/// holds the empty value), since every index of a sparse tree has a leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerkleProof {
    /// Index of the leaf.
    pub index: u64,
    /// Siblings from the leaf level up to just below the root.
    pub siblings: Vec<Digest>,
}

impl MerkleProof {
    /// The root obtained by hashing `leaf` up the path.
    pub fn compute_root(&self, leaf: &Digest) -> Digest {
        let mut node = *leaf;
        for (level, sibling) in self.siblings.iter().enumerate() {
            // Bit `level` of the index says whether the node is a right child.
            node = if (self.index >> level) & 1 == 1 {
                hash_two(sibling, &node)
            } else {
                hash_two(&node, sibling)
            };
        }
        node
    }

    /// True if `leaf` sits at `self.index` in the tree whose root is `root`.
    ///
    /// Rejects an index that does not fit the proof's depth, so one proof cannot be read as
    /// a proof for another leaf.
    pub fn verify(&self, root: &Digest, leaf: &Digest) -> bool {
        let depth = self.siblings.len();
        let index_fits = depth >= 64 || self.index < (1u64 << depth);
        index_fits && self.compute_root(leaf) == *root
    }
}
