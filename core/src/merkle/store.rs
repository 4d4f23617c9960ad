//! Where tree nodes are kept.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::hash::Digest;

/// The position of a node: `level` 0 holds the leaves, `level == depth` the root;
/// `index` counts from the left within the level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeKey {
    /// Height above the leaves.
    pub level: u8,
    /// Position within the level.
    pub index: u64,
}

/// Storage of the non-empty nodes of one tree.
///
/// A missing node means "the empty subtree of that level". Reads happen from many rayon
/// workers at once during a batch update, hence `Sync`; writes are applied afterwards in one
/// call, which lets a persistent store write them in one database transaction.
pub trait NodeStore: Sync {
    /// The stored node, or `None` if the subtree at `key` is empty.
    fn get(&self, key: NodeKey) -> Option<Digest>;

    /// Applies a set of writes, grouped by level (`writes[l]` holds level `l`'s): `Some`
    /// stores a node, `None` removes it (it became empty).
    fn apply(&mut self, writes: Vec<Vec<(u64, Option<Digest>)>>);
}

/// Nodes in memory: one hash map per level.
///
/// Separate maps let a large batch write its levels in parallel: the writes of a batch
/// update are as many as the hashes, and applying them one by one would be the serial
/// bottleneck of an otherwise parallel root update.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    levels: Vec<FxHashMap<u64, Digest>>,
}

/// Below this many writes, levels are written on the calling thread.
const PARALLEL_WRITES_MIN: usize = 4096;

impl MemoryStore {
    /// Number of non-empty nodes stored.
    pub fn len(&self) -> usize {
        self.levels.iter().map(FxHashMap::len).sum()
    }

    /// True if the tree is entirely empty.
    pub fn is_empty(&self) -> bool {
        self.levels.iter().all(FxHashMap::is_empty)
    }
}

fn write_level(map: &mut FxHashMap<u64, Digest>, writes: Vec<(u64, Option<Digest>)>) {
    map.reserve(writes.len());
    for (index, value) in writes {
        match value {
            Some(d) => {
                map.insert(index, d);
            }
            None => {
                map.remove(&index);
            }
        }
    }
}

impl NodeStore for MemoryStore {
    fn get(&self, key: NodeKey) -> Option<Digest> {
        self.levels
            .get(key.level as usize)?
            .get(&key.index)
            .copied()
    }

    fn apply(&mut self, writes: Vec<Vec<(u64, Option<Digest>)>>) {
        if self.levels.len() < writes.len() {
            self.levels.resize_with(writes.len(), FxHashMap::default);
        }
        let total: usize = writes.iter().map(Vec::len).sum();
        if total >= PARALLEL_WRITES_MIN {
            self.levels
                .par_iter_mut()
                .zip(writes)
                .for_each(|(m, w)| write_level(m, w));
        } else {
            for (m, w) in self.levels.iter_mut().zip(writes) {
                write_level(m, w);
            }
        }
    }
}
