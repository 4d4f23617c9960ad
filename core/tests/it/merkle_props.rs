//! Properties of the sparse Merkle tree: batch updates equal one-by-one updates, proofs of
//! the result verify, and any altered proof, leaf or root fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use quire_core::hash::Digest;
use quire_core::merkle::SparseMerkleTree;

fn updates(depth: u8) -> impl Strategy<Value = Vec<(u64, Digest)>> {
    let cap = 1u64 << depth;
    // Small values, zero included, so leaves are also reset to empty.
    prop::collection::vec((0..cap, 0u64..4), 0..200).prop_map(|v| {
        v.into_iter()
            .map(|(i, x)| (i, Digest([x, x * 7, 0, 1 - x.min(1)])))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn batch_update_equals_sequential_updates(depth in 1u8..=12, pre in updates(12), batch in updates(12)) {
        let cap = 1u64 << depth;
        let pre: Vec<_> = pre.into_iter().map(|(i, d)| (i % cap, d)).collect();
        let batch: Vec<_> = batch.into_iter().map(|(i, d)| (i % cap, d)).collect();
        let mut one = SparseMerkleTree::new(depth);
        let mut many = SparseMerkleTree::new(depth);
        one.update_batch(pre.clone()).unwrap();
        for (i, d) in &pre {
            many.update(*i, *d).unwrap();
        }
        prop_assert_eq!(one.root(), many.root());
        let r1 = one.update_batch(batch.clone()).unwrap();
        for (i, d) in &batch {
            many.update(*i, *d).unwrap();
        }
        prop_assert_eq!(r1, many.root());
        // Same stored nodes, not just the same root: no stale node survives a batch.
        prop_assert_eq!(one.store().len(), many.store().len());
    }

    #[test]
    fn proofs_verify_and_alterations_fail(batch in updates(24), probe in 0u64..(1 << 24), flip in 0usize..24, limb in 0usize..4) {
        let mut t = SparseMerkleTree::new(24);
        let root = t.update_batch(batch.clone()).unwrap();
        let index = batch.first().map_or(probe, |b| b.0);
        for i in [index, probe] {
            let leaf = t.get(i).unwrap();
            let proof = t.proof(i).unwrap();
            prop_assert!(proof.verify(&root, &leaf));

            let mut bad_leaf = leaf;
            bad_leaf.0[limb] = bad_leaf.0[limb].wrapping_add(1) % 0xFFFF_FFFF_0000_0001;
            prop_assert!(!proof.verify(&root, &bad_leaf));

            let mut bad_path = proof.clone();
            bad_path.siblings[flip].0[limb] ^= 1;
            prop_assert!(!bad_path.verify(&root, &leaf));

            let mut out_of_range = proof.clone();
            out_of_range.index |= 1 << 24;
            prop_assert!(!out_of_range.verify(&root, &leaf));

            let mut bad_root = root;
            bad_root.0[limb] ^= 1;
            prop_assert!(!proof.verify(&bad_root, &leaf));
        }
    }
}
