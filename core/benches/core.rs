//! Benchmarks of quire-core's primitives: Poseidon two-to-one, sparse Merkle batch updates
//! at 1k/10k/100k leaves, Schnorr sign and verify.
//!
//! `cargo bench -p quire-core` (criterion). Figures are per operation.

#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use quire_core::field::F;
use quire_core::hash::{hash_elements, hash_two, Digest};
use quire_core::merkle::SparseMerkleTree;
use quire_core::schnorr::{sign, verify, SecretKey};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn poseidon(c: &mut Criterion) {
    let a = hash_elements(&[F::ONE]);
    let b = hash_elements(&[F::TWO]);
    c.bench_function("poseidon_two_to_one", |bench| {
        bench.iter(|| hash_two(black_box(&a), black_box(&b)))
    });
}

fn tree_batch_update(c: &mut Criterion) {
    let mut group = c.benchmark_group("tree_batch_update_depth24");
    group.sample_size(10);
    for &n in &[1_000usize, 10_000, 100_000] {
        let mut rng = ChaCha8Rng::seed_from_u64(n as u64);
        // A tree that already holds 100k accounts, as the sequencer's does, then `n` random
        // leaves changed in one batch.
        let mut base = SparseMerkleTree::new(24);
        base.update_batch(
            (0..100_000u64)
                .map(|i| (i, Digest([i + 1, 0, 0, 0])))
                .collect(),
        )
        .unwrap();
        let updates: Vec<(u64, Digest)> = (0..n)
            .map(|_| {
                (
                    rng.gen_range(0..200_000u64),
                    Digest([rng.gen::<u32>() as u64, 1, 2, 3]),
                )
            })
            .collect();
        group.bench_with_input(
            BenchmarkId::from_parameter(n),
            &updates,
            |bench, updates| {
                bench.iter_batched(
                    || (base.clone(), updates.clone()),
                    |(mut tree, updates)| tree.update_batch(updates).unwrap(),
                    BatchSize::LargeInput,
                )
            },
        );
    }
    group.finish();
}

fn schnorr(c: &mut Criterion) {
    let key = SecretKey::from_seed(b"bench key");
    let pk = key.public_key();
    let msg = hash_elements(&[F::from_canonical_u64(42)]);
    let sig = sign(&key, &msg);
    c.bench_function("schnorr_sign", |bench| {
        bench.iter(|| sign(black_box(&key), black_box(&msg)))
    });
    c.bench_function("schnorr_verify", |bench| {
        bench.iter(|| verify(black_box(&pk), black_box(&msg), black_box(&sig)).unwrap())
    });
}

criterion_group!(benches, poseidon, tree_batch_update, schnorr);
criterion_main!(benches);
