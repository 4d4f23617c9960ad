//! # quire-executor
//!
//! The sequencer's in-memory core, without I/O: the parallel batch executor and the
//! [`mempool`]. It depends on `quire_core` and a thread pool only, so benchmarks and
//! property tests build it without the service's HTTP, database and L1 stacks. With the
//! `test-utils` feature, `workload` generates funded states and signed batches for them
//! and for other crates' tests.
//!
//! ## The parallel batch executor
//!
//! It produces exactly what the sequential reference
//! ([`quire_core::state::State::apply`] over the batch in order) produces — every receipt,
//! every rejection with its reason, the diff and the new root — while running independent
//! transactions side by side:
//!
//! 1. the batch is cut into runs: priority operations (which may open accounts) execute
//!    sequentially in L1 order; each run of L2 transactions in between is parallel;
//! 2. [`signatures`]: all signatures of a run are hashed and verified in parallel;
//! 3. [`access`] + [`schedule`]: access sets from the fields, then DAG levels;
//! 4. each level is planned in parallel against the unchanged state
//!    ([`State::plan_l2`]), then its effects are merged: final values for slots that were
//!    read, summed deltas for credit-only slots (checked additions: an overflow, impossible
//!    while the bridge reserve bounds every supply, would reject the whole merge rather
//!    than wrap);
//! 5. the trees are updated from the merged diff, dirty nodes only, in parallel.
//!
//! Small runs and narrow levels run inline on the calling thread, where rayon's fork/join
//! would cost more than it saves.

pub mod access;
pub mod mempool;
pub mod schedule;
pub mod signatures;
#[cfg(feature = "test-utils")]
pub mod workload;

use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use quire_core::hash::Digest;
use quire_core::state::{Planned, Receipt, RootStats, State, StateDiff, TxError};
use quire_core::tx::{Operation, SignedTx};

use self::signatures::SigCheck;

/// Tuning knobs of the executor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutorConfig {
    /// Runs shorter than this execute sequentially.
    pub sequential_below: usize,
    /// Levels narrower than this execute inline on the calling thread.
    pub min_parallel_level: usize,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self {
            sequential_below: 64,
            // Measured: below ~64 transactions per level on average, planning against a
            // frozen state plus a separate merge costs more than the second core returns
            // (accounts-100, ~19 per level, ran at 0.55 of sequential with 16).
            min_parallel_level: 64,
        }
    }
}

/// Per-batch statistics, exposed as metrics.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BatchStats {
    /// Operations in the batch.
    pub txs: usize,
    /// Operations accepted.
    pub accepted: usize,
    /// Sum over L2 runs of their critical path (levels).
    pub critical_path: usize,
    /// Widest level.
    pub max_width: usize,
    /// Signature stage time.
    pub signatures: Duration,
    /// Scheduling time (access sets and levels).
    pub schedule: Duration,
    /// Planning time (the rules, against the state).
    pub execute: Duration,
    /// Merge time (writing effects to the records).
    pub merge: Duration,
    /// Tree update time.
    pub root: Duration,
    /// Work of the tree update.
    pub root_work: RootStats,
}

/// The result of a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchOutput {
    /// One result per operation, in batch order.
    pub receipts: Vec<Result<Receipt, TxError>>,
    /// Final values of every slot the batch touched.
    pub diff: StateDiff,
    /// The state root after the batch.
    pub root: Digest,
    /// Statistics.
    pub stats: BatchStats,
}

/// Why a batch could not be executed in parallel; the state is then unchanged only for
/// the failing merge, so callers re-run the batch with [`execute_sequential`] on a copy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutorError {
    /// Merging a level's effects failed (a credit overflow, impossible while the bridge
    /// reserve bounds every token's supply).
    #[error("merging effects failed: {0}")]
    Merge(TxError),
}

/// Runs a batch through the sequential reference, with a separate signature stage so its
/// phases are comparable to the parallel executor's. Used as the equivalence baseline and
/// by benchmarks; must run inside a one-thread pool to be truly sequential.
pub fn execute_sequential(state: &mut State, ops: &[Operation]) -> BatchOutput {
    let run = execute_runs(state, ops, &[], |state, txs, sigs, stats, receipts| {
        let t = Instant::now();
        for (signed, sig) in txs.iter().zip(sigs) {
            let r = state
                .plan_l2(signed, sig.hash, |_| sig.valid)
                .and_then(|p| {
                    state.commit_effects(&p.effects)?;
                    Ok(p.receipt)
                });
            receipts.push(r);
        }
        stats.execute += t.elapsed();
        Ok::<(), std::convert::Infallible>(())
    });
    match run {
        Ok(out) => out,
        Err(never) => match never {},
    }
}

/// The loop both executors share: runs of priority operations go through
/// [`State::apply`]; each run of L2 transactions has its signatures checked in one parallel
/// stage (trusting `verified[i]`, see [`execute_parallel_verified`]), then `execute_l2`
/// applies the run, appending one result per transaction to the receipts.
fn execute_runs<E>(
    state: &mut State,
    ops: &[Operation],
    verified: &[bool],
    mut execute_l2: impl FnMut(
        &mut State,
        &[&SignedTx],
        &[SigCheck],
        &mut BatchStats,
        &mut Vec<Result<Receipt, TxError>>,
    ) -> Result<(), E>,
) -> Result<BatchOutput, E> {
    let mut stats = BatchStats {
        txs: ops.len(),
        ..BatchStats::default()
    };
    state.root();
    let mut receipts: Vec<Result<Receipt, TxError>> = Vec::with_capacity(ops.len());
    for (start, run) in runs(ops) {
        match run {
            Run::Priority(ops) => {
                let t = Instant::now();
                receipts.extend(ops.iter().map(|op| state.apply(op)));
                stats.execute += t.elapsed();
            }
            Run::L2(txs) => {
                let t = Instant::now();
                let known = verified.get(start..).unwrap_or(&[]);
                let sigs = signatures::verify_unless_known(state, &txs, known);
                stats.signatures += t.elapsed();
                execute_l2(state, &txs, &sigs, &mut stats, &mut receipts)?;
            }
        }
    }
    Ok(finish(state, receipts, stats))
}

/// Executes a batch in parallel (on the current rayon pool). The result equals
/// [`execute_sequential`]'s on every input.
pub fn execute_parallel(
    state: &mut State,
    ops: &[Operation],
    config: &ExecutorConfig,
) -> Result<BatchOutput, ExecutorError> {
    execute_parallel_verified(state, ops, &[], config)
}

/// [`execute_parallel`] for operations whose signatures were partly verified already:
/// `verified[i] == true` says op `i`'s signature is known valid against its signer's key
/// (the mempool checks every signature at admission), so only its hash is recomputed.
pub fn execute_parallel_verified(
    state: &mut State,
    ops: &[Operation],
    verified: &[bool],
    config: &ExecutorConfig,
) -> Result<BatchOutput, ExecutorError> {
    execute_runs(state, ops, verified, |state, txs, sigs, stats, receipts| {
        execute_l2_run(state, txs, sigs, config, stats, receipts)
    })
}

/// Commits a planned transaction's effects, or passes its rejection through.
fn commit_planned(
    state: &mut State,
    planned: Result<Planned, TxError>,
) -> Result<Result<Receipt, TxError>, ExecutorError> {
    Ok(match planned {
        Ok(p) => {
            state
                .commit_effects(&p.effects)
                .map_err(ExecutorError::Merge)?;
            Ok(p.receipt)
        }
        Err(e) => Err(e),
    })
}

/// Plans one transaction against the state and commits it at once: the sequential step.
fn apply_one(
    state: &mut State,
    tx: &SignedTx,
    sig: SigCheck,
) -> Result<Result<Receipt, TxError>, ExecutorError> {
    let planned = state.plan_l2(tx, sig.hash, |_| sig.valid);
    commit_planned(state, planned)
}

/// Executes one run of L2 transactions, appending their results to `receipts` in order.
fn execute_l2_run(
    state: &mut State,
    txs: &[&SignedTx],
    sigs: &[SigCheck],
    config: &ExecutorConfig,
    stats: &mut BatchStats,
    receipts: &mut Vec<Result<Receipt, TxError>>,
) -> Result<(), ExecutorError> {
    // Results go straight into the batch's receipts: for runs whose rules take ~100 ns a
    // transaction, copying them through an intermediate vector is not free.
    let in_order = |state: &mut State,
                    stats: &mut BatchStats,
                    receipts: &mut Vec<Result<Receipt, TxError>>| {
        let t = Instant::now();
        for (tx, sig) in txs.iter().zip(sigs) {
            receipts.push(apply_one(state, tx, *sig)?);
        }
        stats.execute += t.elapsed();
        Ok(())
    };
    if txs.len() < config.sequential_below || signer_bound_serial(txs, config) {
        stats.critical_path += txs.len();
        stats.max_width = stats.max_width.max(1);
        return in_order(state, stats, receipts);
    }

    let t = Instant::now();
    let sets: Vec<_> = txs
        .par_iter()
        .with_min_len(256)
        .map(|s| access::access_set(state, &s.tx))
        .collect();
    let sched = schedule::schedule(&sets);
    stats.schedule += t.elapsed();
    stats.critical_path += sched.depth();
    stats.max_width = stats.max_width.max(sched.max_width());

    // A mostly serial run (average level narrower than a parallel level) gains nothing
    // from level barriers: execute it in order, which is the same thing without them.
    if sched.depth() * config.min_parallel_level > txs.len() {
        return in_order(state, stats, receipts);
    }

    let mut results: Vec<Option<Result<Receipt, TxError>>> = vec![None; txs.len()];
    for level in sched.levels() {
        if level.len() < config.min_parallel_level {
            // Narrow level: plan and commit inline; no two members conflict, so
            // committing one before planning the next changes nothing.
            let t = Instant::now();
            for &i in level {
                let i = i as usize;
                results[i] = Some(apply_one(state, txs[i], sigs[i])?);
            }
            stats.execute += t.elapsed();
            continue;
        }
        let t = Instant::now();
        let shared: &State = state;
        let planned: Vec<(u32, Result<Planned, TxError>)> = level
            .par_iter()
            .with_min_len(8)
            .map(|&i| {
                let sig = sigs[i as usize];
                (i, shared.plan_l2(txs[i as usize], sig.hash, |_| sig.valid))
            })
            .collect();
        stats.execute += t.elapsed();
        let t = Instant::now();
        for (i, r) in planned {
            results[i as usize] = Some(commit_planned(state, r)?);
        }
        stats.merge += t.elapsed();
    }
    receipts.extend(results.into_iter().flatten());
    Ok(())
}

/// Whether one signer sends so many of the run's transactions that the schedule could not
/// average a parallel level's width: a signer's nonces form a chain, so its count bounds
/// the critical path from below. Deciding this before building access sets and levels
/// matters for runs like "two accounts trading", where the rules take ~100 ns per
/// transaction and scheduling would cost as much as executing. Stops counting as soon as
/// the answer is known.
fn signer_bound_serial(txs: &[&SignedTx], config: &ExecutorConfig) -> bool {
    let limit = txs.len() / config.min_parallel_level.max(1);
    let mut counts: rustc_hash::FxHashMap<u32, u32> = rustc_hash::FxHashMap::default();
    for tx in txs {
        let c = counts.entry(tx.tx.signer().get()).or_default();
        *c += 1;
        if *c as usize > limit {
            return true;
        }
    }
    false
}

fn finish(
    state: &mut State,
    receipts: Vec<Result<Receipt, TxError>>,
    mut stats: BatchStats,
) -> BatchOutput {
    stats.accepted = receipts.iter().filter(|r| r.is_ok()).count();
    let diff = state.pending_diff();
    let t = Instant::now();
    let (root, work) = state.root_with_stats();
    stats.root = t.elapsed();
    stats.root_work = work;
    BatchOutput {
        receipts,
        diff,
        root,
        stats,
    }
}

/// A maximal run of one kind of operation.
enum Run<'a> {
    Priority(&'a [Operation]),
    L2(Vec<&'a SignedTx>),
}

/// Cuts a batch into alternating runs of priority operations and L2 transactions, each
/// with the batch position it starts at.
fn runs(ops: &[Operation]) -> Vec<(usize, Run<'_>)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < ops.len() {
        let is_l2 = matches!(ops[start], Operation::L2(_));
        let len = ops[start..]
            .iter()
            .take_while(|op| matches!(op, Operation::L2(_)) == is_l2)
            .count();
        let slice = &ops[start..start + len];
        out.push((
            start,
            if is_l2 {
                Run::L2(
                    slice
                        .iter()
                        .filter_map(|op| match op {
                            Operation::L2(s) => Some(s),
                            Operation::Priority(_) => None,
                        })
                        .collect(),
                )
            } else {
                Run::Priority(slice)
            },
        ));
        start += len;
    }
    out
}
