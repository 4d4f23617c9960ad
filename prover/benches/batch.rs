//! Batch-proving benchmark (`cargo bench -p quire-prover`, or `… -- 16` for one size):
//! batches of 16 and 64 signed transfers, proven as the service does (chunks of
//! [`CHUNK_STEPS`] steps, binary aggregation, the EVM wrapper). Prints `name=value` lines:
//! seconds per transaction (chunks only, and end to end), each aggregation level's time,
//! the wrapper's time and its proof size. Circuit building is timed separately (it is paid
//! once per worker, not per batch).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, PoolSpec};
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::{Deposit, L2Tx, Operation, PriorityOp, Transfer};
use quire_prover::circuits::aggregate::{AggregationNode, Wrapper};
use quire_prover::circuits::chunk::ChunkCircuit;
use quire_prover::circuits::step::StepParams;
use quire_prover::witness;

const CHAIN_ID: u32 = 7;
/// Steps per chunk proof.
const CHUNK_STEPS: usize = 8;
/// Funded senders; each sends `n / SENDERS` transfers with increasing nonces.
const SENDERS: usize = 16;

fn key(i: usize) -> SecretKey {
    SecretKey::from_seed(format!("bench key {i}").as_bytes())
}

fn genesis() -> Genesis {
    Genesis {
        chain_id: CHAIN_ID,
        operator: SecretKey::from_seed(b"operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![TokenInfo {
            id: TokenId(1),
            symbol: "USDC".into(),
            l1_address: Address([1; 20]),
            scale: 1,
        }],
        pools: vec![PoolSpec {
            token_a: TokenId::ETH,
            token_b: TokenId(1),
            fee_bps: 30,
        }],
    }
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
    let mut chunks_needed = n.div_ceil(CHUNK_STEPS).next_power_of_two();
    chunks_needed = chunks_needed.max(2);
    while w.steps.len() < chunks_needed * CHUNK_STEPS {
        w.steps.push(shadow.padding_step().unwrap());
    }

    let t = Instant::now();
    let chunk = ChunkCircuit::build_with(&params, CHUNK_STEPS);
    println!(
        "build_chunk_s={:.2} chunk_rows={} chunk_degree={}",
        t.elapsed().as_secs_f64(),
        chunk.rows,
        chunk.data.common.degree()
    );
    let total = Instant::now();
    let t = Instant::now();
    let mut level: Vec<_> = w
        .steps
        .chunks(CHUNK_STEPS)
        .map(|s| chunk.prove(s).unwrap())
        .collect();
    let chunk_s = t.elapsed().as_secs_f64();
    println!(
        "chunks={} chunk_prove_s={chunk_s:.2} chunk_s_per_tx={:.3}",
        level.len(),
        chunk_s / n as f64
    );
    let mut child = &chunk.data;
    let mut nodes = Vec::new();
    let mut build_s = 0.0;
    let mut agg_s = 0.0;
    let mut depth = 0;
    while level.len() > 1 {
        let t = Instant::now();
        nodes.push(AggregationNode::build(child));
        build_s += t.elapsed().as_secs_f64();
        let node = nodes.last().unwrap();
        let t = Instant::now();
        level = level
            .chunks(2)
            .map(|p| node.prove(&p[0], &p[1]).unwrap())
            .collect();
        let s = t.elapsed().as_secs_f64();
        agg_s += s;
        depth += 1;
        println!(
            "aggregation_level{depth}_s={s:.2} aggregation_level{depth}_proofs={}",
            level.len()
        );
        child = &nodes.last().unwrap().data;
    }
    let t = Instant::now();
    let wrapper = Wrapper::build(child);
    build_s += t.elapsed().as_secs_f64();
    let t = Instant::now();
    let proof = wrapper.prove(&level[0]).unwrap();
    let wrap_s = t.elapsed().as_secs_f64();
    let prove_total = chunk_s + agg_s + wrap_s;
    let bytes = proof.to_bytes().len();
    wrapper.data.verify(proof).unwrap();
    println!("build_nodes_and_wrapper_s={build_s:.2}");
    println!("wrapper_s={wrap_s:.2} wrapper_proof_bytes={bytes}");
    println!(
        "batch{n}_prove_s={prove_total:.2} batch{n}_s_per_tx={:.3} (wall incl. building {:.2})",
        prove_total / n as f64,
        total.elapsed().as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number selects one batch size.
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![16, 64]
    } else {
        sizes
    };
    for n in sizes {
        bench(n);
    }
}
