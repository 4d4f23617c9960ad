//! `batches` and `batch_ops` with everything a batch writes: one transaction, read back by
//! the API, the settlement task and the prover.

use quire_core::account::AccountId;
use quire_core::hash::Digest;
use quire_core::token::TokenId;
use quire_core::tx::Operation;
use quire_storage::{BatchStage, PendingTx, StorageError, TxResult, TxStatus};

use crate::{batch, count, deposit, init, key, on_both_databases, transfer, TestDb, CHAIN_ID};

async fn a_batch_is_written_with_everything_it_changes(db: &TestDb) {
    let s = db.open().await;
    let mut state = init(&s).await;
    let genesis_accounts = count(&s, "accounts").await;

    // Batch 1: two deposits open accounts; batch 2: a transfer between them, and a
    // transaction the batch rejected.
    let (d0, d1) = (deposit(0, 0, 1_000_000), deposit(1, 1, 5));
    s.insert_priority_ops(&[d0.clone(), d1.clone()])
        .await
        .unwrap();
    assert_eq!(s.pending_priority_ops().await.unwrap().len(), 2);
    let b1 = batch(
        &mut state,
        1,
        &[Operation::Priority(d0), Operation::Priority(d1)],
    );
    s.commit_batch(&b1).await.unwrap();
    let (a, b) = (
        AccountId::new(genesis_accounts as u32).unwrap(),
        AccountId::new(genesis_accounts as u32 + 1).unwrap(),
    );

    let tx = transfer(a.get(), b.get(), 1_000, 0).sign(&key(0), CHAIN_ID);
    let rejected = transfer(b.get(), a.get(), 1, 7).sign(&key(1), CHAIN_ID);
    let pending: Vec<PendingTx> = [&tx, &rejected]
        .iter()
        .enumerate()
        .map(|(i, t)| PendingTx {
            hash: t.tx.signing_hash(CHAIN_ID),
            seq: i as u64,
            tx: (*t).clone(),
            received_at_ms: 1,
        })
        .collect();
    s.insert_transactions(&pending).await.unwrap();
    let mut b2 = batch(&mut state, 2, &[Operation::L2(tx.clone())]);
    b2.tx_results.push((
        pending[1].hash,
        TxResult::Rejected {
            code: "bad_nonce".into(),
            message: "nonce 7, expected 0".into(),
        },
    ));
    s.commit_batch(&b2).await.unwrap();

    // The API's view.
    let latest = s.latest_batch().await.unwrap().unwrap();
    assert_eq!(
        (latest.number, latest.op_count, latest.rejected_count),
        (2, 1, 1)
    );
    assert_eq!(latest.root, b2.root);
    assert_eq!(latest.status, quire_storage::BatchStage::Executed);
    assert_eq!(s.batches(None, 10).await.unwrap().len(), 2);
    assert_eq!(s.batches(Some(2), 10).await.unwrap()[0].number, 1);
    match s
        .transaction(&pending[0].hash)
        .await
        .unwrap()
        .unwrap()
        .status
    {
        TxStatus::Executed {
            batch_number,
            position,
            stage,
            ..
        } => assert_eq!(
            (batch_number, position, stage),
            (2, 0, BatchStage::Executed)
        ),
        other => panic!("{other:?}"),
    }
    match s
        .transaction(&pending[1].hash)
        .await
        .unwrap()
        .unwrap()
        .status
    {
        TxStatus::Rejected { code, .. } => assert_eq!(code.as_str(), "bad_nonce"),
        other => panic!("{other:?}"),
    }
    assert!(s.pending_transactions().await.unwrap().is_empty());

    // The state a restart rebuilds from, and the priority queue.
    let (accounts, next_priority) = s.snapshot().await.unwrap();
    assert_eq!(next_priority, 2);
    assert!(s.pending_priority_ops().await.unwrap().is_empty());
    assert_eq!(accounts.len() as u32, state.num_accounts());
    for (i, acc) in accounts.iter().enumerate() {
        let id = AccountId::new(i as u32).unwrap();
        let ours = state.account(id).unwrap();
        assert_eq!(acc.nonce, ours.nonce, "account {i}");
        assert_eq!(
            acc.balance(TokenId::ETH),
            ours.balance(TokenId::ETH),
            "account {i}"
        );
    }
    assert_eq!(accounts[a.index()].balance(TokenId::ETH), 1_000_000 - 1_000);

    // The settlement task's view and the prover's.
    let l1 = s.l1_batch(2).await.unwrap().unwrap();
    assert_eq!((l1.prev_root, l1.root), (b1.root, b2.root));
    assert_eq!(l1.pubdata, b2.pubdata);
    assert_eq!(
        s.unsettled_batches(10).await.unwrap(),
        vec![(1, BatchStage::Executed), (2, BatchStage::Executed)]
    );
    let input = s.batch_input(2).await.unwrap();
    assert_eq!(input.ops, vec![Operation::L2(tx)]);
    assert_eq!(input.pubdata_commitment, b2.pubdata_commitment);
    let input = s.batch_input(1).await.unwrap();
    assert_eq!((input.first_priority_id, input.priority_count), (0, 2));
    assert!(matches!(
        s.batch_input(3).await,
        Err(StorageError::Corrupt(_))
    ));
    // Each batch queued its proving job.
    assert_eq!(s.job(2).await.unwrap().unwrap().status, "queued");

    // Stages move one at a time, never ahead of the batch before.
    assert!(s.advance_batch(2, BatchStage::Committed).await.is_err());
    s.advance_batch(1, BatchStage::Committed).await.unwrap();
    s.advance_batch(1, BatchStage::Committed).await.unwrap(); // replays are no-ops
    assert!(s.advance_batch(1, BatchStage::Finalized).await.is_err());
    s.advance_batch(2, BatchStage::Committed).await.unwrap();
    assert_eq!(
        s.l1_batch(2).await.unwrap().unwrap().stage,
        BatchStage::Committed
    );
    s.close().await;
}
on_both_databases!(
    a_batch_is_written_with_everything_it_changes,
    super::a_batch_is_written_with_everything_it_changes
);

async fn a_failed_batch_write_leaves_nothing_behind(db: &TestDb) {
    let s = db.open().await;
    let mut state = init(&s).await;
    let d = deposit(0, 0, 10);
    s.insert_priority_ops(std::slice::from_ref(&d))
        .await
        .unwrap();
    let before = row_counts(&s).await;

    // The batch row and its operations are written first; the duplicate transaction result
    // after them fails: none of the batch's statements stays.
    let mut b1 = batch(&mut state, 1, &[Operation::Priority(d)]);
    let rejected = TxResult::Rejected {
        code: "x".into(),
        message: "y".into(),
    };
    b1.tx_results = vec![
        (Digest::default(), rejected.clone()),
        (Digest::default(), rejected),
    ];
    assert!(s.commit_batch(&b1).await.is_err());
    assert_eq!(row_counts(&s).await, before);
    assert_eq!(s.batch(1).await.unwrap(), None);
    assert_eq!(s.pending_priority_ops().await.unwrap().len(), 1);
    s.close().await;
}
on_both_databases!(
    a_failed_batch_write_leaves_nothing_behind,
    super::a_failed_batch_write_leaves_nothing_behind
);

async fn row_counts(s: &quire_storage::Storage) -> Vec<i64> {
    let mut v = Vec::new();
    for t in [
        "batches",
        "batch_ops",
        "tx_results",
        "prover_jobs",
        "accounts",
        "balances",
    ] {
        v.push(count(s, t).await);
    }
    v
}
