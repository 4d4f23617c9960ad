//! The proof submitter against a real anvil: `proveBatch` only once the batch is committed
//! and proven here, in batch order, decoded reverts on a bad proof, batches L1 already
//! shows as proven skipped. The rollup is bound to the test-double verifier, whose valid
//! proof for a batch is `keccak256(abi.encode(publicInputs))`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ethers::types::{Bytes, H256};
use quire_l1::bindings::rollup::Rollup;
use quire_l1::bindings::test_doubles::TestBatchVerifier;
use quire_l1::test_chain::{latest_timestamp, TestChain};
use quire_l1::{
    BatchHeader, Committer, CommitterConfig, L1Client, L1Error, L1Watcher, StoredBatch,
    WatcherConfig,
};
use quire_prover::config::{ProverL1Config, Secret};
use quire_prover::l1_submit::{ProofSubmitter, SubmitError};
use quire_storage::Storage;

async fn set_job(queue: &Storage, n: u64, status: &str, proof: Option<Vec<u8>>) {
    sqlx::query(
        "INSERT INTO prover_jobs (batch_number, status, attempts, proof, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, 1, $3, 0, 0) \
         ON CONFLICT (batch_number) DO UPDATE SET status = excluded.status, proof = excluded.proof",
    )
    .bind(n as i64)
    .bind(status)
    .bind(proof)
    .execute(queue.pool())
    .await
    .unwrap();
}

async fn proven(client: &std::sync::Arc<L1Client>, rollup: ethers::types::Address) -> u64 {
    quire_l1::rollup_status(client.clone(), rollup, None)
        .await
        .unwrap()
        .batches_proven
}

/// The operator commits an empty batch `n` on top of `last` (as the sequencer would) and
/// returns the `StoredBatch` L1 emitted.
async fn commit(
    committer: &mut Committer<L1Client>,
    events: &L1Watcher<L1Client>,
    last: &mut StoredBatch,
    operator: &std::sync::Arc<L1Client>,
    n: u64,
    from_block: u64,
) -> StoredBatch {
    let header = BatchHeader {
        batch_number: n,
        timestamp: latest_timestamp(operator.as_ref()).await.unwrap(),
        new_state_root: H256::from_low_u64_be(1000 + n),
    };
    let sent = committer
        .commit_batch(last, &header, Bytes::new())
        .await
        .unwrap();
    committer
        .wait(
            sent.nonce,
            Duration::from_millis(20),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    *last = events
        .committed_batch(n, from_block)
        .await
        .unwrap()
        .unwrap()
        .info;
    *last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_go_to_l1_in_order_once_committed() {
    let dir = tempfile::tempdir().unwrap();
    let chain = TestChain::builder().without_token().start().await.unwrap();
    let (anvil, d) = (&chain.anvil, &chain.deployment);
    let operator = anvil.client(0).await.unwrap();
    let deployment_path = chain.save_deployment(dir.path()).unwrap();
    let rollup = Rollup::new(d.rollup, operator.clone());
    let verifier = TestBatchVerifier::new(chain.verifier, operator.clone());
    let events = L1Watcher::new(operator.clone(), d.rollup, WatcherConfig::default());

    let db = format!("sqlite:{}", dir.path().join("q.db").display());
    let queue = Storage::connect_with(&db, 2).await.unwrap();
    let l1 = ProverL1Config {
        rpc_url: anvil.url.clone(),
        deployment: deployment_path,
        key: Some(Secret::new(anvil.keys[4].clone())), // any funded key: proveBatch is open
        poll_interval_ms: 50,
        ..ProverL1Config::default()
    };
    let mut submitter = ProofSubmitter::connect(queue.clone(), &l1).await.unwrap();

    // The operator commits empty batches on top of each other (as the sequencer would).
    let mut committer = Committer::new(operator.clone(), d.rollup, CommitterConfig::default())
        .await
        .unwrap();
    let mut last: StoredBatch = d.genesis_batch;
    let good_proof = |b: StoredBatch| {
        let (rollup, verifier) = (&rollup, &verifier);
        async move {
            let inputs = rollup.batch_public_inputs(b.into()).call().await.unwrap();
            verifier.proof_for(inputs).call().await.unwrap().to_vec()
        }
    };

    // Proven here but not committed on L1: nothing is sent.
    set_job(&queue, 1, "proven", Some(vec![1, 2, 3])).await;
    assert_eq!(submitter.tick().await.unwrap(), None);

    // Committed, but the stored proof is wrong: the revert comes back decoded, nothing sent.
    let b1 = commit(
        &mut committer,
        &events,
        &mut last,
        &operator,
        1,
        d.block_number,
    )
    .await;
    match submitter.tick().await {
        Err(SubmitError::L1(L1Error::Reverted(m))) => assert!(m.contains("InvalidProof"), "{m}"),
        other => panic!("expected InvalidProof, got {other:?}"),
    }
    assert_eq!(proven(&operator, d.rollup).await, 0);

    // With the right proof it is sent and lands.
    set_job(&queue, 1, "proven", Some(good_proof(b1).await)).await;
    assert_eq!(submitter.tick().await.unwrap(), Some(1));
    for _ in 0..100 {
        if proven(&operator, d.rollup).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(proven(&operator, d.rollup).await, 1);

    // Batch 2 committed while its job is still queued: waits; once proven, it goes.
    let b2 = commit(
        &mut committer,
        &events,
        &mut last,
        &operator,
        2,
        d.block_number,
    )
    .await;
    set_job(&queue, 2, "queued", None).await;
    assert_eq!(submitter.tick().await.unwrap(), None);
    set_job(&queue, 2, "proven", Some(good_proof(b2).await)).await;
    assert_eq!(submitter.tick().await.unwrap(), Some(2));
    for _ in 0..100 {
        submitter.tick().await.unwrap();
        if proven(&operator, d.rollup).await == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(proven(&operator, d.rollup).await, 2);

    // Batch 3 proven on L1 by someone else first: the submitter skips it.
    let b3 = commit(
        &mut committer,
        &events,
        &mut last,
        &operator,
        3,
        d.block_number,
    )
    .await;
    let p3 = good_proof(b3).await;
    rollup
        .prove_batch(b3.into(), Bytes::from(p3.clone()))
        .send()
        .await
        .unwrap()
        .await
        .unwrap();
    set_job(&queue, 3, "proven", Some(p3)).await;
    assert_eq!(submitter.tick().await.unwrap(), None);
    assert_eq!(proven(&operator, d.rollup).await, 3);
    queue.close().await;
}
