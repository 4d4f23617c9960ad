//! `prover_jobs`: the claim, the lease fence and the reclaim, on the queue's SQL directly
//! (the prover's worker tests cover the policy that drives them).

use std::collections::BTreeSet;
use std::time::Duration;

use crate::{deposits_chain, on_both_databases, TestDb};

/// Makes the heartbeat of batch `n`'s job ten minutes old.
async fn age_heartbeat(s: &quire_storage::Storage, n: i64) {
    sqlx::query(
        "UPDATE prover_jobs SET heartbeat_at_ms = heartbeat_at_ms - 600000 WHERE batch_number = $1",
    )
    .bind(n)
    .execute(s.pool())
    .await
    .unwrap();
}

async fn lease_fencing_and_reclaim(db: &TestDb) {
    let q = db.open().await;
    deposits_chain(&q, 2).await;
    let a = q.claim_job("a").await.unwrap().unwrap();
    assert_eq!((a.batch_number, a.attempt), (1, 1));
    let b = q.claim_job("b").await.unwrap().unwrap();
    assert_eq!((b.batch_number, b.attempt), (2, 1));
    assert_eq!(q.claim_job("c").await.unwrap(), None);
    assert!(q.heartbeat_job(&a).await.unwrap());

    // Fresh heartbeats are not reclaimed.
    assert!(q
        .reclaim_expired_jobs(Duration::from_secs(60), 3)
        .await
        .unwrap()
        .is_empty());
    // a's heartbeat is 10 minutes old: reclaimed, and a can no longer write.
    age_heartbeat(&q, 1).await;
    let r = q
        .reclaim_expired_jobs(Duration::from_secs(60), 3)
        .await
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].batch_number, r[0].worker.as_deref(), r[0].requeued),
        (1, Some("a"), true)
    );
    assert!(!q.heartbeat_job(&a).await.unwrap());
    let (proof, pis) = (vec![1u8, 2, 3], vec![9u64]);
    assert!(!q
        .complete_job(&a, &proof, &pis, Duration::ZERO)
        .await
        .unwrap());
    let job = q.job(1).await.unwrap().unwrap();
    assert_eq!(job.status, "queued");
    assert!(job.error.unwrap().contains("worker a stopped heartbeating"));

    // c takes it over as attempt 2; a's stale lease still cannot touch it.
    let c = q.claim_job("c").await.unwrap().unwrap();
    assert_eq!((c.batch_number, c.attempt), (1, 2));
    assert!(!q.release_job(&a).await.unwrap());
    assert!(q
        .complete_job(&c, &proof, &pis, Duration::ZERO)
        .await
        .unwrap());
    let job = q.job(1).await.unwrap().unwrap();
    assert_eq!(job.status, "proven");
    assert_eq!(job.proof, Some(vec![1, 2, 3]));
    assert_eq!(job.public_inputs, Some(vec![9]));
    assert_eq!(q.batch_proof(1).await.unwrap(), Some(vec![1, 2, 3]));
    // Stored once: a second completion of the same lease changes nothing.
    assert!(!q
        .complete_job(&c, &proof, &pis, Duration::ZERO)
        .await
        .unwrap());

    // Release gives the attempt back; a reclaim past the attempt limit fails the job.
    assert!(q.release_job(&b).await.unwrap());
    let job = q.job(2).await.unwrap().unwrap();
    assert_eq!((job.status.as_str(), job.attempts), ("queued", 0));
    assert_eq!(q.batch_proof(2).await.unwrap(), None);
    let b2 = q.claim_job("b").await.unwrap().unwrap();
    assert_eq!(b2.attempt, 1);
    age_heartbeat(&q, 2).await;
    let r = q
        .reclaim_expired_jobs(Duration::from_secs(60), 1)
        .await
        .unwrap();
    assert_eq!(r.len(), 1);
    assert!(!r[0].requeued);
    assert_eq!(q.job(2).await.unwrap().unwrap().status, "failed");
    let c = q.job_counts().await.unwrap();
    assert_eq!((c.queued, c.proving, c.proven, c.failed), (0, 0, 1, 1));
    q.close().await;
}
on_both_databases!(lease_fencing_and_reclaim, super::lease_fencing_and_reclaim);

async fn a_failed_attempt_waits_for_its_backoff(db: &TestDb) {
    let q = db.open().await;
    deposits_chain(&q, 1).await;
    let a = q.claim_job("a").await.unwrap().unwrap();
    let outcome = q
        .fail_job(&a, "boom", true, 3, Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(outcome, quire_storage::FailOutcome::Retrying);
    // Queued again, but not claimable before the back-off.
    assert_eq!(q.claim_job("b").await.unwrap(), None);
    sqlx::query("UPDATE prover_jobs SET retry_at_ms = retry_at_ms - 700000")
        .execute(q.pool())
        .await
        .unwrap();
    let b = q.claim_job("b").await.unwrap().unwrap();
    assert_eq!(b.attempt, 2);
    // A non-retryable failure fails the job at once; the old lease writes nothing.
    assert_eq!(
        q.fail_job(&a, "late", false, 3, Duration::ZERO)
            .await
            .unwrap(),
        quire_storage::FailOutcome::LeaseLost
    );
    assert_eq!(
        q.fail_job(&b, "invalid", false, 3, Duration::ZERO)
            .await
            .unwrap(),
        quire_storage::FailOutcome::Failed
    );
    let job = q.job(1).await.unwrap().unwrap();
    assert_eq!(
        (job.status.as_str(), job.error.as_deref()),
        ("failed", Some("invalid"))
    );
    q.close().await;
}
on_both_databases!(
    a_failed_attempt_waits_for_its_backoff,
    super::a_failed_attempt_waits_for_its_backoff
);

/// Many workers claiming at once take distinct jobs (PostgreSQL: `FOR UPDATE SKIP
/// LOCKED`; SQLite: one atomic `UPDATE … RETURNING`), each job once.
async fn concurrent_claims_take_distinct_jobs(db: &TestDb) {
    let q = db.open().await;
    deposits_chain(&q, 6).await;
    let claims: Vec<_> = (0..12)
        .map(|i| {
            let q = q.clone();
            tokio::spawn(async move { q.claim_job(&format!("w{i}")).await.unwrap() })
        })
        .collect();
    let mut got = Vec::new();
    for c in claims {
        if let Some(lease) = c.await.unwrap() {
            got.push(lease.batch_number);
        }
    }
    got.sort_unstable();
    assert_eq!(got, (1..=6).collect::<Vec<_>>(), "each job claimed once");
    let holders: BTreeSet<Option<String>> = {
        let mut h = BTreeSet::new();
        for n in 1..=6 {
            h.insert(q.job(n).await.unwrap().unwrap().worker);
        }
        h
    };
    assert_eq!(holders.len(), 6, "six different workers hold them");
    q.close().await;
}
on_both_databases!(
    concurrent_claims_take_distinct_jobs,
    super::concurrent_claims_take_distinct_jobs
);
