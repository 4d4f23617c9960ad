//! How fast a chain is checked from L1 alone (`cargo bench -p quire-verifier --bench
//! rebuild`; release profile). Prints `name=value` lines:
//!
//! - a chain of 16 deposits and 16 batches of 64 signed transfers (1,040 operations) on
//!   anvil, committed, proven with the verifier test double and executed: the mirror's
//!   read of L1 (`sync_s`), the replay from genesis with every root checked (`replay_s`),
//!   and `rebuild_ops_per_s` over both;
//! - `verify_batch_s`: one devnet-shape batch (8 transfers) really proven with the
//!   circuits, then checked as `quire-verifier` checks a proven batch (replay, public
//!   inputs recomputed, plonky2 verification of the wrapper proof's calldata). Circuit
//!   building (`build_s`, once per verifier process) and proving are reported apart.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use quire_chain::test_utils::{id, transfer, Operator};
use quire_chain::{Mirror, MirrorConfig, Rebuilt};
use quire_circuits::step::StepParams;
use quire_circuits::{witness, BatchCircuits, BatchShape, NoHooks};
use quire_core::schnorr::SecretKey;
use quire_core::tx::{Operation, PriorityOp};
use quire_verifier::ProofChecker;

const USERS: usize = 16;
const BATCHES: usize = 16;
const PER_BATCH: usize = 64;

async fn rebuild() {
    let mut op = Operator::start().await;
    let keys: Vec<SecretKey> = (0..USERS)
        .map(|i| SecretKey::from_seed(format!("bench user {i}").as_bytes()))
        .collect();
    for (i, k) in keys.iter().enumerate() {
        let user = op.chain.anvil.client(1 + i % 8).await.unwrap();
        let wei = ethers::types::U256::from(10u64.pow(18));
        quire_l1::user::deposit_eth(user, op.rollup(), &k.public_key(), wei, 1)
            .await
            .unwrap();
    }
    op.batch(vec![], &[]).await;
    // Accounts 2.. in deposit order (one per (key, owner) pair).
    let accounts: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let owner = quire_core::account::Address(
                ethers::signers::Signer::address(&k_wallet(&op, 1 + i % 8)).0,
            );
            op.state.account_id(&k.public_key(), &owner).unwrap()
        })
        .collect();
    let mut nonces = [0u32; USERS];
    for _ in 0..BATCHES {
        let mut txs = Vec::new();
        let mut signers = Vec::new();
        for j in 0..PER_BATCH {
            let from = j % USERS;
            let to = (from + 1) % USERS;
            txs.push(transfer(
                accounts[from],
                accounts[to],
                1 + j as u64,
                nonces[from],
            ));
            nonces[from] += 1;
            signers.push(&keys[from]);
        }
        op.batch(txs, &signers).await;
    }
    let operations = USERS + BATCHES * PER_BATCH;
    println!(
        "# chain of {operations} operations in {} batches",
        BATCHES + 1
    );

    let dir = tempfile::tempdir().unwrap();
    let reader = op.chain.anvil.client(9).await.unwrap();
    let cfg = MirrorConfig {
        confirmations: 0,
        page_blocks: 10_000,
    };
    let t = Instant::now();
    let mirror = Mirror::open(reader, op.rollup(), &dir.path().join("m.sqlite"), cfg)
        .await
        .unwrap();
    mirror.sync().await.unwrap();
    let view = mirror.view().await.unwrap();
    let sync_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut rebuilt = Rebuilt::at(&view, &op.chain.genesis, view.executed).unwrap();
    let replay_s = t.elapsed().as_secs_f64();
    assert_eq!(rebuilt.state.root(), op.state.root());
    assert_eq!(rebuilt.operations as usize, operations);
    println!("sync_s={sync_s:.3}");
    println!("replay_s={replay_s:.3}");
    println!("replay_ops_per_s={:.0}", operations as f64 / replay_s);
    println!(
        "rebuild_ops_per_s={:.0}",
        operations as f64 / (sync_s + replay_s)
    );
}

fn k_wallet(op: &Operator, i: usize) -> ethers::signers::LocalWallet {
    op.chain.anvil.keys[i].parse().unwrap()
}

fn verify_batch() {
    let g = quire_core::test_utils::usdc_pool_genesis(1);
    let (mut state, mut shadow) = witness::genesis(&g).unwrap();
    let keys: Vec<SecretKey> = (0..4)
        .map(|i| SecretKey::from_seed(format!("verify bench {i}").as_bytes()))
        .collect();
    let deposits: Vec<Operation> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Operation::Priority(PriorityOp::Deposit(quire_core::tx::Deposit {
                priority_id: i as u64,
                from: quire_core::account::Address([i as u8 + 1; 20]),
                to: k.public_key(),
                token: quire_core::token::TokenId::ETH,
                amount: 1_000_000_000,
            }))
        })
        .collect();
    witness::replay_batch(&mut state, &mut shadow, &deposits, None).unwrap();
    let first = 3u32; // after the bridge, the operator and the pool
    let ops: Vec<Operation> = (0..8)
        .map(|j| {
            let from = j % 4;
            let tx = transfer(
                id(first + from as u32),
                id(first + ((from + 1) % 4) as u32),
                100 + j as u64,
                (j / 4) as u32,
            );
            Operation::L2(tx.sign(&keys[from], g.chain_id))
        })
        .collect();
    let params = StepParams::from_state(&state);
    let mut w = witness::replay_batch(&mut state, &mut shadow, &ops, None).unwrap();
    w.pad_to_multiple(BatchShape::DEVNET.capacity(), &mut shadow)
        .unwrap();
    let t = Instant::now();
    let checker = ProofChecker::from_circuits(BatchCircuits::build(&params, BatchShape::DEVNET));
    println!("build_s={:.2}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let proof = checker.circuits().prove_steps(&w.steps, &NoHooks).unwrap();
    let calldata = checker.circuits().encode(&proof).unwrap();
    println!("prove_s={:.2}", t.elapsed().as_secs_f64());
    // What the verifier does per proven batch: replay it (a core state at the batch's
    // start), recompute the commitments, verify.
    let mut core_state = quire_core::state::State::genesis(&g).unwrap();
    for d in &deposits {
        core_state.apply(d).unwrap();
    }
    let prev = core_state.root();
    let runs = 5;
    let t = Instant::now();
    for _ in 0..runs {
        let mut s = core_state.clone();
        let mut pubdata = Vec::new();
        for o in &ops {
            pubdata.extend(s.apply(o).unwrap().pubdata);
        }
        let dc = quire_core::hash::keccak256(&pubdata);
        let qc = quire_core::tx::priority_commitment(std::iter::empty());
        checker
            .check(&calldata, &prev, &s.root(), &dc, &qc)
            .unwrap();
    }
    println!(
        "verify_batch_s={:.4}",
        t.elapsed().as_secs_f64() / runs as f64
    );
    // An altered proof is refused (the check is not vacuous).
    let mut bad = calldata.clone();
    bad[100] ^= 1;
    let mut s = core_state.clone();
    let mut pubdata = Vec::new();
    for o in &ops {
        pubdata.extend(s.apply(o).unwrap().pubdata);
    }
    let dc = quire_core::hash::keccak256(&pubdata);
    let qc = quire_core::tx::priority_commitment(std::iter::empty());
    assert!(checker.check(&bad, &prev, &s.root(), &dc, &qc).is_err());
}

fn main() {
    let only = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if only.as_deref().is_none_or(|o| o == "rebuild") {
        rt.block_on(rebuild());
    }
    if only.as_deref().is_none_or(|o| o == "verify") {
        verify_batch();
    }
}
