//! `transactions`: acknowledged transactions are written in groups (one database
//! transaction, multi-row statements) and come back pending, in arrival order.

use quire_storage::{PendingTx, TxStatus};

use crate::{init, key, on_both_databases, transfer, TestDb, CHAIN_ID};

async fn acknowledged_transactions_are_written_in_groups(db: &TestDb) {
    let s = db.open().await;
    init(&s).await;
    // More than one multi-row statement's worth (500 rows each).
    let txs: Vec<PendingTx> = (0..1_100u32)
        .map(|i| {
            let t = transfer(2, 3, 1, i).sign(&key(0), CHAIN_ID);
            PendingTx {
                hash: t.tx.signing_hash(CHAIN_ID),
                seq: u64::from(i) + 10,
                tx: t,
                received_at_ms: i64::from(i),
            }
        })
        .collect();
    s.insert_transactions(&txs).await.unwrap();
    assert_eq!(s.pending_transactions().await.unwrap(), txs);
    assert_eq!(s.max_seq().await.unwrap(), Some(1_109));
    let rec = s.transaction(&txs[700].hash).await.unwrap().unwrap();
    assert_eq!(rec.status, TxStatus::Pending);
    assert_eq!(rec.tx, txs[700].tx);
    // A group is one transaction: a duplicate anywhere refuses all of it.
    let fresh = transfer(2, 3, 1, 5_000).sign(&key(0), CHAIN_ID);
    let again = vec![
        PendingTx {
            hash: fresh.tx.signing_hash(CHAIN_ID),
            seq: 5_000,
            tx: fresh,
            received_at_ms: 0,
        },
        txs[0].clone(),
    ];
    assert!(s.insert_transactions(&again).await.is_err());
    assert_eq!(s.pending_transactions().await.unwrap().len(), 1_100);
    s.close().await;
}
on_both_databases!(
    acknowledged_transactions_are_written_in_groups,
    super::acknowledged_transactions_are_written_in_groups
);
