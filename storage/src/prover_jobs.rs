//! `prover_jobs`: the proving queue. The sequencer fills it (one `queued` row per batch,
//! written in the batch's own database transaction); prover workers claim jobs, heartbeat,
//! and store proofs or failures; the settlement task reads stored proofs.
//!
//! The worker's policy (when to heartbeat, how many attempts, the back-off) is the
//! prover's; this module is the SQL that makes each step safe between workers.
//!
//! States: `queued` → `proving` (claimed: `worker`, `attempts + 1`, heartbeat) → `proven`
//! (proof stored) or back to `queued` (retry, release, reclaim) or `failed` (attempt
//! limit, or a batch that can never be proven).
//!
//! **Fencing.** A claim is a [`Lease`]: the worker id and the attempt number it set. Every
//! later write of the holder (heartbeat, completion, failure, release) matches
//! `status = 'proving' AND worker = $w AND attempts = $a`, so once a job was reclaimed from
//! a worker presumed dead, that worker can no longer store anything for it even if it was
//! only slow: a job is stored once, by the current holder.
//!
//! **Time** is the database's clock (`now_sql`), never the worker's: heartbeats written by
//! one machine are judged by another, and clock skew between them must not reclaim live
//! jobs.
//!
//! **Claim.** PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` and the `UPDATE` in one
//! transaction, so any number of workers on any number of machines take distinct jobs
//! without waiting on each other. SQLite: one `UPDATE … WHERE batch_number = (SELECT …)
//! RETURNING`, atomic under SQLite's single-writer lock (meant for one worker).

use std::time::Duration;

use sqlx::{Any, Row, Transaction};

use crate::{corrupt, DbKind, Result, Storage};

/// Queues the proving job of batch `batch` inside the batch's own transaction.
pub(crate) async fn enqueue(db: &mut Transaction<'_, Any>, batch: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO prover_jobs (batch_number, status, attempts, created_at_ms, updated_at_ms) \
         VALUES ($1, 'queued', 0, $2, $2)",
    )
    .bind(batch)
    .bind(now)
    .execute(&mut **db)
    .await?;
    Ok(())
}

/// A claimed job: only the holder of this lease may write to the job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The batch.
    pub batch_number: u64,
    /// The worker holding it.
    pub worker: String,
    /// The attempt this claim is (1 for the first claim).
    pub attempt: u32,
}

/// What happened to a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOutcome {
    /// Queued again (after the back-off).
    Retrying,
    /// Marked `failed`: no more attempts.
    Failed,
    /// The lease had been lost: nothing was written.
    LeaseLost,
}

/// A job taken back from a worker whose heartbeat stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reclaimed {
    /// The batch.
    pub batch_number: u64,
    /// The worker that had it.
    pub worker: Option<String>,
    /// True if it was queued again, false if its attempts are used up (`failed`).
    pub requeued: bool,
}

/// Jobs per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// `queued`.
    pub queued: u64,
    /// `proving`.
    pub proving: u64,
    /// `proven`.
    pub proven: u64,
    /// `failed`.
    pub failed: u64,
}

/// One job row, for operators and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRow {
    /// The batch.
    pub batch_number: u64,
    /// queued | proving | proven | failed.
    pub status: String,
    /// Current or last holder.
    pub worker: Option<String>,
    /// Claims so far.
    pub attempts: u32,
    /// The last error.
    pub error: Option<String>,
    /// The stored proof.
    pub proof: Option<Vec<u8>>,
    /// Its public inputs.
    pub public_inputs: Option<Vec<u64>>,
}

/// Public inputs as stored: 8 bytes big-endian per element.
pub fn encode_public_inputs(pis: &[u64]) -> Vec<u8> {
    pis.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// Inverse of [`encode_public_inputs`].
pub fn decode_public_inputs(bytes: &[u8]) -> Option<Vec<u64>> {
    if bytes.len() % 8 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                u64::from_be_bytes(b)
            })
            .collect(),
    )
}

/// The `WHERE` clause that fences a holder's writes, binding `$1` (batch), `$2` (worker),
/// `$3` (attempt) — see the module docs.
const FENCE: &str = "batch_number = $1 AND worker = $2 AND attempts = $3 AND status = 'proving'";

fn fenced<'q>(
    sql: &'q str,
    lease: &Lease,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(lease.batch_number as i64)
        .bind(lease.worker.clone())
        .bind(i64::from(lease.attempt))
}

impl Storage {
    /// The database clock in milliseconds since the epoch, as an SQL expression.
    fn now_sql(&self) -> &'static str {
        match self.kind {
            DbKind::Postgres => "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT",
            DbKind::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
        }
    }

    /// The database clock, in milliseconds since the epoch.
    pub async fn db_now_ms(&self) -> Result<i64> {
        let sql = format!("SELECT {}", self.now_sql());
        Ok(sqlx::query(&sql).fetch_one(&self.pool).await?.try_get(0)?)
    }

    /// Claims the lowest-numbered claimable job for `worker`, if any.
    pub async fn claim_job(&self, worker: &str) -> Result<Option<Lease>> {
        let now = self.now_sql();
        let row = match self.kind {
            DbKind::Postgres => {
                let mut tx = self.pool.begin().await?;
                let select = format!(
                    "SELECT batch_number FROM prover_jobs WHERE status = 'queued' \
                     AND (retry_at_ms IS NULL OR retry_at_ms <= {now}) \
                     ORDER BY batch_number LIMIT 1 FOR UPDATE SKIP LOCKED"
                );
                let Some(found) = sqlx::query(&select).fetch_optional(&mut *tx).await? else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let n: i64 = found.try_get(0)?;
                let update = format!(
                    "UPDATE prover_jobs SET status = 'proving', worker = $1, \
                     attempts = attempts + 1, heartbeat_at_ms = {now}, updated_at_ms = {now}, \
                     retry_at_ms = NULL WHERE batch_number = $2 RETURNING batch_number, attempts"
                );
                let row = sqlx::query(&update)
                    .bind(worker)
                    .bind(n)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                row
            }
            DbKind::Sqlite => {
                let update = format!(
                    "UPDATE prover_jobs SET status = 'proving', worker = $1, \
                     attempts = attempts + 1, heartbeat_at_ms = {now}, updated_at_ms = {now}, \
                     retry_at_ms = NULL WHERE status = 'queued' AND batch_number = \
                     (SELECT batch_number FROM prover_jobs WHERE status = 'queued' \
                      AND (retry_at_ms IS NULL OR retry_at_ms <= {now}) \
                      ORDER BY batch_number LIMIT 1) \
                     RETURNING batch_number, attempts"
                );
                match sqlx::query(&update)
                    .bind(worker)
                    .fetch_optional(&self.pool)
                    .await?
                {
                    Some(r) => r,
                    None => return Ok(None),
                }
            }
        };
        let n: i64 = row.try_get(0)?;
        let attempts: i64 = row.try_get(1)?;
        Ok(Some(Lease {
            batch_number: u64::try_from(n).map_err(corrupt)?,
            worker: worker.to_string(),
            attempt: u32::try_from(attempts).map_err(corrupt)?,
        }))
    }

    /// Refreshes the lease's heartbeat; false if the lease was lost (reclaimed).
    pub async fn heartbeat_job(&self, lease: &Lease) -> Result<bool> {
        let now = self.now_sql();
        let sql = format!(
            "UPDATE prover_jobs SET heartbeat_at_ms = {now}, updated_at_ms = {now} WHERE {}",
            FENCE
        );
        let done = fenced(&sql, lease).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores the proof and its public inputs (Goldilocks elements); false if the lease was
    /// lost (nothing written).
    pub async fn complete_job(
        &self,
        lease: &Lease,
        proof: &[u8],
        public_inputs: &[u64],
        proving: Duration,
    ) -> Result<bool> {
        let now = self.now_sql();
        let sql = format!(
            "UPDATE prover_jobs SET status = 'proven', proof = $4, public_inputs = $5, \
             proving_ms = $6, error = NULL, heartbeat_at_ms = NULL, proven_at_ms = {now}, \
             updated_at_ms = {now} WHERE {}",
            FENCE
        );
        let done = fenced(&sql, lease)
            .bind(proof.to_vec())
            .bind(encode_public_inputs(public_inputs))
            .bind(i64::try_from(proving.as_millis()).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt: queued again after `backoff` if `retry` and attempts are
    /// left, else `failed`.
    pub async fn fail_job(
        &self,
        lease: &Lease,
        error: &str,
        retry: bool,
        max_attempts: u32,
        backoff: Duration,
    ) -> Result<FailOutcome> {
        let now = self.now_sql();
        let retrying = retry && lease.attempt < max_attempts;
        let sql = format!(
            "UPDATE prover_jobs SET status = $4, error = $5, worker = NULL, \
             heartbeat_at_ms = NULL, retry_at_ms = {now} + $6, updated_at_ms = {now} WHERE {}",
            FENCE
        );
        let done = fenced(&sql, lease)
            .bind(if retrying { "queued" } else { "failed" })
            .bind(error.to_string())
            .bind(i64::try_from(backoff.as_millis()).unwrap_or(i64::MAX / 4))
            .execute(&self.pool)
            .await?;
        Ok(match (done.rows_affected(), retrying) {
            (1, true) => FailOutcome::Retrying,
            (1, false) => FailOutcome::Failed,
            _ => FailOutcome::LeaseLost,
        })
    }

    /// Gives a job back untouched (shutdown): queued at once, the attempt not counted.
    /// False if the lease was lost.
    pub async fn release_job(&self, lease: &Lease) -> Result<bool> {
        let now = self.now_sql();
        let sql = format!(
            "UPDATE prover_jobs SET status = 'queued', worker = NULL, attempts = attempts - 1, \
             heartbeat_at_ms = NULL, retry_at_ms = NULL, updated_at_ms = {now} WHERE {}",
            FENCE
        );
        let done = fenced(&sql, lease).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes back every job whose heartbeat is older than `timeout`: queued again, or
    /// `failed` if its attempts are used up (a crash counts as an attempt).
    pub async fn reclaim_expired_jobs(
        &self,
        timeout: Duration,
        max_attempts: u32,
    ) -> Result<Vec<Reclaimed>> {
        let now = self.now_sql();
        // PostgreSQL re-checks the WHERE clause against a row a concurrent heartbeat just
        // updated (READ COMMITTED re-evaluation), so a live job is never taken back here.
        let sql = format!(
            "UPDATE prover_jobs SET \
             status = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END, \
             error = 'worker ' || COALESCE(worker, '?') || ' stopped heartbeating (attempt ' \
                     || CAST(attempts AS TEXT) || ')', \
             heartbeat_at_ms = NULL, retry_at_ms = NULL, updated_at_ms = {now} \
             WHERE status = 'proving' AND (heartbeat_at_ms IS NULL OR heartbeat_at_ms < {now} - $2) \
             RETURNING batch_number, worker, status"
        );
        let rows = sqlx::query(&sql)
            .bind(i64::from(max_attempts))
            .bind(i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX / 4))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get(0)?;
                let status: String = r.try_get(2)?;
                Ok(Reclaimed {
                    batch_number: u64::try_from(n).map_err(corrupt)?,
                    worker: r.try_get(1)?,
                    requeued: status == "queued",
                })
            })
            .collect()
    }

    /// Jobs per status.
    pub async fn job_counts(&self) -> Result<QueueCounts> {
        let rows = sqlx::query("SELECT status, COUNT(*) FROM prover_jobs GROUP BY status")
            .fetch_all(&self.pool)
            .await?;
        let mut c = QueueCounts::default();
        for r in rows {
            let status: String = r.try_get(0)?;
            let n = u64::try_from(r.try_get::<i64, _>(1)?).map_err(corrupt)?;
            match status.as_str() {
                "queued" => c.queued = n,
                "proving" => c.proving = n,
                "proven" => c.proven = n,
                "failed" => c.failed = n,
                other => return Err(corrupt(format!("job status {other}"))),
            }
        }
        Ok(c)
    }

    /// One job.
    pub async fn job(&self, batch_number: u64) -> Result<Option<JobRow>> {
        let row = sqlx::query(
            "SELECT batch_number, status, worker, attempts, error, proof, public_inputs \
             FROM prover_jobs WHERE batch_number = $1",
        )
        .bind(batch_number as i64)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let pis: Option<Vec<u8>> = r.try_get(6)?;
        Ok(Some(JobRow {
            batch_number: u64::try_from(r.try_get::<i64, _>(0)?).map_err(corrupt)?,
            status: r.try_get(1)?,
            worker: r.try_get(2)?,
            attempts: u32::try_from(r.try_get::<i64, _>(3)?).map_err(corrupt)?,
            error: r.try_get(4)?,
            proof: r.try_get(5)?,
            public_inputs: match pis {
                Some(b) => Some(decode_public_inputs(&b).ok_or_else(|| corrupt("public_inputs"))?),
                None => None,
            },
        }))
    }

    /// The proof a prover worker stored for batch `number` (`proof` of a `proven` job: the
    /// calldata `proveBatch` forwards to the verifier), if any. With
    /// `l1.commit_with_proof` the sequencer's settlement task sends it with the batch in
    /// one `commitAndProveBatch`.
    pub async fn batch_proof(&self, number: u64) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query(
            "SELECT proof FROM prover_jobs WHERE batch_number = $1 AND status = 'proven' \
             AND proof IS NOT NULL",
        )
        .bind(number as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_inputs_round_trip_big_endian() {
        let pis = vec![0, 1, u64::MAX - 1, 0x0102_0304_0506_0708];
        let b = encode_public_inputs(&pis);
        assert_eq!(&b[24..32], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(decode_public_inputs(&b), Some(pis));
        assert_eq!(decode_public_inputs(&b[..7]), None);
    }
}
