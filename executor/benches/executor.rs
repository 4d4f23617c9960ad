//! Executor benchmark: the sequential path against the parallel executor, same process,
//! same batch, for each workload and thread count.
//!
//! `cargo bench -p quire-executor --bench executor` prints, per workload and thread count:
//! `workload=<name> txs=<n> threads=<t> seq_tps=<x> par_tps=<y> speedup=<y/x> root_ms=<r>`
//! where `seq_tps` is the best single-threaded path (transactions applied in order, then
//! the same dirty-node root update, no scheduling, on a one-thread pool) and `par_tps` the
//! parallel executor on a `t`-thread pool; both exclude signature checks, which are
//! reported on their own `stage=signatures` lines. Further lines give execution without the
//! root update (`exec_only_tps`) and the root update's Poseidon work against the
//! single-core permutation rate. Every run is checked against the sequential result.
//!
//! Environment: `QUIRE_BENCH_ACCOUNTS` (default 100000), `QUIRE_BENCH_TXS` (10000),
//! `QUIRE_BENCH_REPS` (3, best of), `QUIRE_BENCH_WORKLOADS` (comma-separated names; all
//! when unset).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use quire_core::hash::{hash_two, Digest};
use quire_core::tx::{Operation, SignedTx};
use quire_executor::workload::{Workload, World};
use quire_executor::{
    execute_parallel, execute_sequential, signatures, BatchOutput, ExecutorConfig,
};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Time of a run excluding the signature stage.
fn exec_time(out: &BatchOutput) -> Duration {
    let s = &out.stats;
    s.schedule + s.execute + s.merge + s.root
}

fn single_core_permutations_per_s() -> f64 {
    let mut d = Digest([1, 2, 3, 4]);
    let n = 200_000;
    let t = Instant::now();
    for _ in 0..n {
        d = hash_two(&d, &d);
    }
    std::hint::black_box(d);
    n as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; no other arguments are understood.
    let accounts = env("QUIRE_BENCH_ACCOUNTS", 100_000);
    let txs = env("QUIRE_BENCH_TXS", 10_000);
    let reps = env("QUIRE_BENCH_REPS", 3).max(1);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut thread_counts = vec![1, 2];
    if cores > 2 {
        thread_counts.push(cores);
    }

    let t = Instant::now();
    let world = World::new(accounts);
    eprintln!(
        "setup: {} accounts in {:.1} s",
        world.ids.len(),
        t.elapsed().as_secs_f64()
    );
    let perm_rate = pool(1).install(single_core_permutations_per_s);
    println!("stage=poseidon single_core_permutations_per_s={perm_rate:.0}");

    let workloads = [
        Workload::Uniform,
        Workload::Accounts(2),
        Workload::Accounts(10),
        Workload::Accounts(100),
        Workload::Accounts(1000),
        Workload::Accounts(10_000),
        Workload::Hot(10),
        Workload::Hot(30),
        Workload::FeeHotspot,
        Workload::OneSender,
        Workload::Swap1Pool,
        Workload::Swap16Pools,
        Workload::Hybrid,
    ];
    let only: Option<Vec<String>> = std::env::var("QUIRE_BENCH_WORKLOADS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let config = ExecutorConfig::default();
    for w in workloads {
        if only
            .as_ref()
            .is_some_and(|names| !names.iter().any(|n| *n == w.name()))
        {
            continue;
        }
        let batch = world.batch(w, txs, 42);
        let name = w.name();

        // Sequential baseline on one thread, best of `reps`.
        let seq_pool = pool(1);
        let mut seq_best: Option<BatchOutput> = None;
        for _ in 0..reps {
            let mut state = world.state.clone();
            let out = seq_pool.install(|| execute_sequential(&mut state, &batch));
            if seq_best
                .as_ref()
                .is_none_or(|b| exec_time(&out) < exec_time(b))
            {
                seq_best = Some(out);
            }
        }
        let seq = seq_best.unwrap();
        let seq_tps = txs as f64 / exec_time(&seq).as_secs_f64();

        for &threads in &thread_counts {
            let par_pool = pool(threads);
            let mut best: Option<BatchOutput> = None;
            for _ in 0..reps {
                let mut state = world.state.clone();
                let out = par_pool
                    .install(|| execute_parallel(&mut state, &batch, &config))
                    .expect("merge never fails on generated workloads");
                if best.as_ref().is_none_or(|b| exec_time(&out) < exec_time(b)) {
                    best = Some(out);
                }
            }
            let par = best.unwrap();
            assert_eq!(
                par.root, seq.root,
                "{name}: parallel root differs from sequential"
            );
            assert_eq!(par.receipts, seq.receipts, "{name}: receipts differ");
            assert_eq!(par.diff, seq.diff, "{name}: diffs differ");
            let par_tps = txs as f64 / exec_time(&par).as_secs_f64();
            let s = &par.stats;
            println!(
                "workload={name} txs={txs} threads={threads} seq_tps={seq_tps:.0} par_tps={par_tps:.0} speedup={:.2} root_ms={:.1}",
                par_tps / seq_tps,
                s.root.as_secs_f64() * 1e3,
            );
            let exec_only = s.schedule + s.execute + s.merge;
            let perms = s.root_work.permutations();
            let achieved = perms as f64 / s.root.as_secs_f64();
            println!(
                "detail workload={name} threads={threads} accepted={} critical_path={} max_width={} schedule_ms={:.2} execute_ms={:.2} merge_ms={:.2} exec_only_tps={:.0} root_permutations_per_tx={:.1} root_permutations_per_s={achieved:.0} root_efficiency={:.2}",
                s.accepted,
                s.critical_path,
                s.max_width,
                s.schedule.as_secs_f64() * 1e3,
                s.execute.as_secs_f64() * 1e3,
                s.merge.as_secs_f64() * 1e3,
                txs as f64 / exec_only.as_secs_f64(),
                perms as f64 / txs as f64,
                achieved / (perm_rate * threads as f64),
            );
        }
        if w == Workload::Uniform {
            signature_stage(&world, &batch, &thread_counts, reps);
        }
    }
}

/// The signature stage alone: hash and verify every transaction of a batch.
fn signature_stage(world: &World, batch: &[Operation], thread_counts: &[usize], reps: usize) {
    let txs: Vec<&SignedTx> = batch
        .iter()
        .filter_map(|op| match op {
            Operation::L2(s) => Some(s),
            Operation::Priority(_) => None,
        })
        .collect();
    for &threads in thread_counts {
        let p = pool(threads);
        let best = (0..reps)
            .map(|_| {
                let t = Instant::now();
                let checks = p.install(|| signatures::verify_all(&world.state, &txs));
                assert!(checks.iter().all(|c| c.valid));
                t.elapsed()
            })
            .min()
            .unwrap();
        println!(
            "stage=signatures txs={} threads={threads} verify_per_s={:.0}",
            txs.len(),
            txs.len() as f64 / best.as_secs_f64()
        );
    }
}
