//! `l1_commits` (migration 0003): what L1 stored of each committed batch, recorded by the
//! sequencer so that settlement reads it here instead of scanning L1's logs.

use quire_storage::{L1Commit, Storage};

use crate::{count, deposits_chain, on_both_databases, TestDb};

fn commit(n: u64, seed: u8) -> L1Commit {
    L1Commit {
        batch_number: n,
        timestamp: 1_700_000_000 + n,
        first_priority_id: n - 1,
        priority_ops_count: 1,
        prev_state_root: [seed; 32],
        state_root: [seed + 1; 32],
        pubdata_commitment: [seed + 2; 32],
        priority_commitment: [seed + 3; 32],
        payouts_hash: [seed + 4; 32],
        payouts: vec![seed; 29 * 3],
        l1_block: 100 + n,
    }
}

async fn a_recorded_commit_reads_back_and_a_recommit_replaces_it(db: &TestDb) {
    let s = db.open().await;
    deposits_chain(&s, 2).await;
    assert_eq!(s.l1_commit(1).await.unwrap(), None, "nothing recorded yet");
    let (c1, c2) = (commit(1, 10), commit(2, 20));
    s.record_l1_commit(&c1).await.unwrap();
    s.record_l1_commit(&c2).await.unwrap();
    assert_eq!(s.l1_commit(1).await.unwrap(), Some(c1.clone()));
    assert_eq!(s.l1_commit(2).await.unwrap(), Some(c2));
    // Batch 2 committed again (after `revertBatches`, with another timestamp): the newest
    // commit is the one kept. Recording the same commit twice is harmless.
    let mut c2b = commit(2, 30);
    c2b.payouts.clear();
    s.record_l1_commit(&c2b).await.unwrap();
    s.record_l1_commit(&c2b).await.unwrap();
    assert_eq!(s.l1_commit(2).await.unwrap(), Some(c2b));
    assert_eq!(s.l1_commit(1).await.unwrap(), Some(c1));
    assert_eq!(count(&s, "l1_commits").await, 2);
    // Extremes round-trip (L1's uint64 values are stored as BIGINT).
    let mut big = commit(3, 40);
    big.timestamp = u64::from(u32::MAX) * 4;
    big.l1_block = 1 << 40;
    s.record_l1_commit(&big).await.unwrap();
    assert_eq!(s.l1_commit(3).await.unwrap(), Some(big));
    s.close().await;
}
on_both_databases!(
    a_recorded_commit_reads_back_and_a_recommit_replaces_it,
    super::a_recorded_commit_reads_back_and_a_recommit_replaces_it
);

/// A database created before migration 0003 (an older sequencer's) gets the table on the
/// next connect, keeps its batches, and has no commit rows: settlement then reads those
/// batches from L1's logs.
async fn an_older_database_is_upgraded_in_place(db: &TestDb) {
    let s = db.open().await;
    deposits_chain(&s, 1).await;
    // Undo 0003 as if it had never run.
    sqlx::query("DROP TABLE l1_commits")
        .execute(s.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 3")
        .execute(s.pool())
        .await
        .unwrap();
    s.close().await;

    let s = Storage::connect_with(&db.url, 2).await.unwrap();
    assert_eq!(s.latest_batch().await.unwrap().unwrap().number, 1);
    assert_eq!(s.l1_commit(1).await.unwrap(), None);
    s.record_l1_commit(&commit(1, 1)).await.unwrap();
    assert_eq!(s.l1_commit(1).await.unwrap(), Some(commit(1, 1)));
    s.close().await;
}
on_both_databases!(
    an_older_database_is_upgraded_in_place,
    super::an_older_database_is_upgraded_in_place
);
