//! Batch-proving benchmark (`cargo bench -p quire-prover`, or `… -- 8` for one size):
//! batches of 8 (`BatchShape::DEVNET`) and 64 signed transfers (chunks of [`CHUNK_STEPS`],
//! no priority slots), proven as the service does (chunks, binary aggregation, the
//! commitment circuit, the batch node, the EVM wrapper). Prints `name=value` lines: the time
//! of each stage, seconds per transaction (chunks only, and end to end) and the wrapper
//! proof's EVM encoding size. Circuit building is timed separately (it is paid once per
//! worker, not per batch).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use quire_circuits::step::StepParams;
use quire_circuits::witness;
use quire_circuits::BatchCircuits;
use quire_circuits::BatchShape;
use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::state::Genesis;
use quire_core::token::TokenId;
use quire_core::tx::{Deposit, L2Tx, Operation, PriorityOp, Transfer};

const CHAIN_ID: u32 = 7;
/// Steps per chunk proof.
const CHUNK_STEPS: usize = 8;
/// Steps per commitment segment in batches larger than one segment.
const SEGMENT_STEPS: usize = 32;
/// Funded senders; each sends `n / SENDERS` transfers with increasing nonces.
const SENDERS: usize = 16;

fn key(i: usize) -> SecretKey {
    SecretKey::from_seed(format!("bench key {i}").as_bytes())
}

fn genesis() -> Genesis {
    quire_core::test_utils::usdc_pool_genesis(1)
}

fn bench(n: usize) {
    println!("# batch of {n} transfers, chunks of {CHUNK_STEPS} steps");
    let g = genesis();
    let (mut state, mut shadow) = witness::genesis(&g).unwrap();
    // Setup (not timed): deposits open the senders (accounts 3.. after the pool, 2).
    let deposits: Vec<Operation> = (0..SENDERS)
        .map(|i| {
            Operation::Priority(PriorityOp::Deposit(Deposit {
                priority_id: i as u64,
                from: Address([i as u8; 20]),
                to: key(i).public_key(),
                token: TokenId::ETH,
                amount: 1_000_000_000,
            }))
        })
        .collect();
    witness::replay_batch(&mut state, &mut shadow, &deposits, None).unwrap();
    let first = 3u32;
    let ops: Vec<Operation> = (0..n)
        .map(|j| {
            let from = j % SENDERS;
            let to = (from + 1) % SENDERS;
            let tx = L2Tx::Transfer(Transfer {
                from: AccountId::new(first + from as u32).unwrap(),
                to: AccountId::new(first + to as u32).unwrap(),
                token: TokenId::ETH,
                amount: 1000 + j as u64,
                fee: 10,
                nonce: (j / SENDERS) as u32,
            });
            Operation::L2(tx.sign(&key(from), CHAIN_ID))
        })
        .collect();
    let params = StepParams::from_state(&state);
    let mut w = witness::replay_batch(&mut state, &mut shadow, &ops, None).unwrap();
    let shape = if n <= BatchShape::DEVNET.capacity() {
        BatchShape::DEVNET
    } else {
        let chunks = n.div_ceil(CHUNK_STEPS).next_power_of_two();
        BatchShape {
            chunk_steps: CHUNK_STEPS,
            levels: chunks.trailing_zeros(),
            max_priority: 0,
            // Commitment segments of at most SEGMENT_STEPS steps.
            segment_levels: (chunks * CHUNK_STEPS / SEGMENT_STEPS.min(chunks * CHUNK_STEPS))
                .trailing_zeros(),
        }
    };
    w.pad_to_multiple(shape.capacity(), &mut shadow).unwrap();
    println!("shape={shape:?}");

    let t = Instant::now();
    let c = BatchCircuits::build(&params, shape);
    println!(
        "build_s={:.2} chunk_rows={} chunk_degree={} segment_rows={} segment_degree={} \
         segments={} commitment_root_rows={} batch_node_rows={} wrapper_rows={}",
        t.elapsed().as_secs_f64(),
        c.chunk.rows,
        c.chunk.data.common.degree(),
        c.commitment.segment.rows,
        c.commitment.segment.data.common.degree(),
        shape.segments(),
        c.commitment.root.rows,
        c.batch.rows,
        c.wrapper.rows
    );
    let total = Instant::now();
    let t = Instant::now();
    let mut level: Vec<_> = w
        .steps
        .chunks(shape.chunk_steps)
        .map(|s| c.chunk.prove(s).unwrap())
        .collect();
    let chunk_s = t.elapsed().as_secs_f64();
    println!(
        "chunks={} chunk_prove_s={chunk_s:.2} chunk_s_per_tx={:.3}",
        level.len(),
        chunk_s / n as f64
    );
    for (depth, node) in c.nodes.iter().enumerate() {
        let t = Instant::now();
        level = level
            .chunks(2)
            .map(|p| node.prove(&p[0], &p[1]).unwrap())
            .collect();
        println!(
            "aggregation_level{}_s={:.2} aggregation_level{}_proofs={}",
            depth + 1,
            t.elapsed().as_secs_f64(),
            depth + 1,
            level.len()
        );
    }
    let t = Instant::now();
    let cp = c.commitment.prove(&w.steps).unwrap();
    println!("commitment_s={:.2}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let bp = c.batch.prove(&level[0], &cp).unwrap();
    println!("batch_node_s={:.2}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let proof = c.wrapper.prove(&bp).unwrap();
    let wrap_s = t.elapsed().as_secs_f64();
    let bytes = c.encode(&proof).unwrap().len();
    c.wrapper.data.verify(proof).unwrap();
    let prove_total = total.elapsed().as_secs_f64();
    println!("wrapper_s={wrap_s:.2} wrapper_proof_bytes={bytes}");
    println!(
        "batch{n}_prove_s={prove_total:.2} batch{n}_s_per_tx={:.3}",
        prove_total / n as f64,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number selects one batch size.
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() { vec![8, 64] } else { sizes };
    for n in sizes {
        bench(n);
    }
}
