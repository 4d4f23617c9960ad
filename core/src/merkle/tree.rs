//! The sparse Merkle tree and its batch update.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::{MemoryStore, MerkleProof, NodeKey, NodeStore};
use crate::hash::{hash_two, Digest};

/// Maximum supported depth: indices are `u64` and we keep one bit of headroom.
pub const MAX_DEPTH: u8 = 63;

/// Below this many dirty nodes in a level, hashing stays on the calling thread: rayon's
/// fork/join costs more than the few hashes it would spread.
const PARALLEL_LEVEL_MIN: usize = 64;

/// Errors of tree operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// The index does not fit the tree's depth.
    #[error("leaf index {index} out of range for a tree of depth {depth}")]
    IndexOutOfRange {
        /// The offending index.
        index: u64,
        /// The tree's depth.
        depth: u8,
    },
}

/// `empty_hashes(d)[l]` is the root of an empty subtree of height `l` (leaf level 0, whose
/// value is [`Digest::ZERO`]), for `l` in `0..=d`. Computed once per depth and shared.
pub fn empty_hashes(depth: u8) -> Arc<Vec<Digest>> {
    // One shared vector per depth: trees are created often (one per account), and each
    // must not pay an allocation for constants.
    static CACHE: OnceLock<Vec<Arc<Vec<Digest>>>> = OnceLock::new();
    let per_depth = CACHE.get_or_init(|| {
        let mut all = Vec::with_capacity(MAX_DEPTH as usize + 1);
        all.push(Digest::ZERO);
        for l in 0..MAX_DEPTH as usize {
            let h = hash_two(&all[l], &all[l]);
            all.push(h);
        }
        (0..=MAX_DEPTH as usize)
            .map(|d| Arc::new(all[..=d].to_vec()))
            .collect()
    });
    Arc::clone(&per_depth[depth.min(MAX_DEPTH) as usize])
}

/// A sparse Merkle tree of fixed depth whose non-empty nodes live in a [`NodeStore`].
#[derive(Clone, Debug)]
pub struct SparseMerkleTree<S: NodeStore = MemoryStore> {
    depth: u8,
    empty: Arc<Vec<Digest>>,
    store: S,
}

impl SparseMerkleTree<MemoryStore> {
    /// An empty in-memory tree of the given depth (1..=63).
    pub fn new(depth: u8) -> Self {
        Self::with_store(depth, MemoryStore::default())
    }
}

impl<S: NodeStore> SparseMerkleTree<S> {
    /// A tree over an existing store (for example nodes loaded from a database).
    pub fn with_store(depth: u8, store: S) -> Self {
        assert!(
            (1..=MAX_DEPTH).contains(&depth),
            "tree depth must be in 1..=63"
        );
        Self {
            depth,
            empty: empty_hashes(depth),
            store,
        }
    }

    /// The tree's depth (number of levels below the root).
    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// Number of leaves the tree can hold.
    pub fn capacity(&self) -> u64 {
        1u64 << self.depth
    }

    /// The node store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The current root.
    pub fn root(&self) -> Digest {
        self.node(NodeKey {
            level: self.depth,
            index: 0,
        })
    }

    fn node(&self, key: NodeKey) -> Digest {
        self.store
            .get(key)
            .unwrap_or(self.empty[key.level as usize])
    }

    fn check_index(&self, index: u64) -> Result<(), TreeError> {
        if index < self.capacity() {
            Ok(())
        } else {
            Err(TreeError::IndexOutOfRange {
                index,
                depth: self.depth,
            })
        }
    }

    /// The leaf at `index` ([`Digest::ZERO`] if never set).
    pub fn get(&self, index: u64) -> Result<Digest, TreeError> {
        self.check_index(index)?;
        Ok(self.node(NodeKey { level: 0, index }))
    }

    /// Sets one leaf and returns the new root.
    pub fn update(&mut self, index: u64, leaf: Digest) -> Result<Digest, TreeError> {
        self.update_batch(vec![(index, leaf)])
    }

    /// Sets many leaves at once and returns the new root.
    ///
    /// Only nodes above a changed leaf are rehashed, level by level from the leaves up; in
    /// each level the dirty nodes are independent, so they are hashed in parallel with
    /// rayon (which is how disjoint subtrees proceed side by side). If an index appears
    /// twice, the last value wins. Nothing is written unless every index is in range.
    pub fn update_batch(&mut self, leaves: Vec<(u64, Digest)>) -> Result<Digest, TreeError> {
        self.update_batch_counted(leaves).map(|(root, _)| root)
    }

    /// [`Self::update_batch`], also returning how many inner nodes were hashed (one
    /// Poseidon permutation each), for throughput accounting.
    pub fn update_batch_counted(
        &mut self,
        mut leaves: Vec<(u64, Digest)>,
    ) -> Result<(Digest, usize), TreeError> {
        for &(index, _) in &leaves {
            self.check_index(index)?;
        }
        // Stable sort keeps the input order among equal indices; keep the last of each run.
        leaves.sort_by_key(|&(i, _)| i);
        let mut level_nodes: Vec<(u64, Digest)> = Vec::with_capacity(leaves.len());
        for (i, d) in leaves {
            match level_nodes.last_mut() {
                Some(last) if last.0 == i => last.1 = d,
                _ => level_nodes.push((i, d)),
            }
        }
        if level_nodes.is_empty() {
            return Ok((self.root(), 0));
        }
        let mut hashed = 0;

        let mut writes: Vec<Vec<(u64, Option<Digest>)>> =
            Vec::with_capacity(self.depth as usize + 1);
        for level in 0..self.depth {
            let empty = self.empty[level as usize];
            writes.push(
                level_nodes
                    .iter()
                    .map(|&(i, d)| (i, (d != empty).then_some(d)))
                    .collect(),
            );
            level_nodes = self.parents(level, &level_nodes);
            hashed += level_nodes.len();
        }
        let root_empty = self.empty[self.depth as usize];
        writes.push(
            level_nodes
                .iter()
                .map(|&(i, d)| (i, (d != root_empty).then_some(d)))
                .collect(),
        );
        self.store.apply(writes);
        Ok((self.root(), hashed))
    }

    /// Hashes the parents of the sorted, deduplicated dirty `nodes` of `level`, reading
    /// unchanged siblings from the store.
    fn parents(&self, level: u8, nodes: &[(u64, Digest)]) -> Vec<(u64, Digest)> {
        // Pair up siblings first (cheap, sequential), then hash (expensive, parallel).
        let mut pairs: Vec<(u64, Option<Digest>, Option<Digest>)> = Vec::with_capacity(nodes.len());
        let mut i = 0;
        while i < nodes.len() {
            let (index, d) = nodes[i];
            let parent = index >> 1;
            if index & 1 == 0 {
                if let Some(&(next, right)) = nodes.get(i + 1) {
                    if next == index + 1 {
                        pairs.push((parent, Some(d), Some(right)));
                        i += 2;
                        continue;
                    }
                }
                pairs.push((parent, Some(d), None));
            } else {
                pairs.push((parent, None, Some(d)));
            }
            i += 1;
        }
        let hash_pair = |&(parent, l, r): &(u64, Option<Digest>, Option<Digest>)| {
            let left = l.unwrap_or_else(|| {
                self.node(NodeKey {
                    level,
                    index: parent << 1,
                })
            });
            let right = r.unwrap_or_else(|| {
                self.node(NodeKey {
                    level,
                    index: (parent << 1) | 1,
                })
            });
            (parent, hash_two(&left, &right))
        };
        if pairs.len() >= PARALLEL_LEVEL_MIN {
            pairs
                .par_iter()
                .with_min_len(PARALLEL_LEVEL_MIN / 2)
                .map(hash_pair)
                .collect()
        } else {
            pairs.iter().map(hash_pair).collect()
        }
    }

    /// The Merkle path of the leaf at `index` against the current root.
    pub fn proof(&self, index: u64) -> Result<MerkleProof, TreeError> {
        self.check_index(index)?;
        let siblings = (0..self.depth)
            .map(|level| {
                self.node(NodeKey {
                    level,
                    index: (index >> level) ^ 1,
                })
            })
            .collect();
        Ok(MerkleProof { index, siblings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::F;
    use crate::hash::hash_elements;

    fn leaf(v: u64) -> Digest {
        hash_elements(&[F::from_canonical_u64(v)])
    }

    #[test]
    fn empty_tree_root_is_precomputed_empty_hash() {
        let t = SparseMerkleTree::new(24);
        assert_eq!(t.root(), empty_hashes(24)[24]);
        assert_ne!(t.root(), Digest::ZERO);
    }

    #[test]
    fn single_update_matches_proof_and_resetting_restores_empty() {
        let mut t = SparseMerkleTree::new(8);
        let before = t.root();
        let root = t.update(5, leaf(5)).unwrap();
        let p = t.proof(5).unwrap();
        assert!(p.verify(&root, &leaf(5)));
        assert!(!p.verify(&root, &leaf(6)));
        t.update(5, Digest::ZERO).unwrap();
        assert_eq!(t.root(), before);
        assert!(
            t.store().is_empty(),
            "a reset leaf leaves no stored node behind"
        );
    }

    #[test]
    fn out_of_range_index_is_an_error_and_writes_nothing() {
        let mut t = SparseMerkleTree::new(8);
        let before = t.root();
        assert_eq!(
            t.update_batch(vec![(1, leaf(1)), (256, leaf(2))]),
            Err(TreeError::IndexOutOfRange {
                index: 256,
                depth: 8
            })
        );
        assert_eq!(t.root(), before);
    }

    #[test]
    fn last_write_wins_within_a_batch() {
        let mut a = SparseMerkleTree::new(8);
        a.update_batch(vec![(3, leaf(1)), (3, leaf(2))]).unwrap();
        let mut b = SparseMerkleTree::new(8);
        b.update(3, leaf(2)).unwrap();
        assert_eq!(a.root(), b.root());
    }
}
