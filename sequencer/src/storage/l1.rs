//! What the L1 tasks keep: the watcher's cursor, stored in the same database transaction as
//! the priority operations it delivered, and the batch data `commitBatch` needs.
//!
//! The cursor is an opaque JSON string here (the `l1` module owns its shape); it lives in
//! `meta` so no migration is needed.

use sqlx::Row;

use quire_core::hash::Digest;
use quire_core::tx::PriorityOp;

use super::{corrupt, now_ms, BatchStage, Result, Storage, StorageError};

const CURSOR_KEY: &str = "l1_watcher_cursor";

/// A stored batch as the settlement task needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct L1BatchData {
    /// Batch number.
    pub number: u64,
    /// Root before.
    pub prev_root: Digest,
    /// Root after.
    pub root: Digest,
    /// The pubdata L1 receives.
    pub pubdata: Vec<u8>,
    /// When the batch was stored (ms since the epoch): its L2 timestamp.
    pub created_at_ms: i64,
    /// First consumed priority id.
    pub first_priority_id: u64,
    /// Consumed priority operations.
    pub priority_count: u64,
    /// Settlement stage.
    pub stage: BatchStage,
}

impl Storage {
    /// The watcher's stored cursor (JSON), if it ever stored one.
    pub async fn l1_cursor(&self) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(CURSOR_KEY)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get::<String, _>(0))
            .transpose()
            .map_err(Into::into)
    }

    /// Records priority operations read from L1 together with the watcher's new cursor, in
    /// one database transaction: after a crash either both are stored or neither is.
    ///
    /// Idempotent by priority id: an operation already stored with the same body is skipped
    /// (a re-read block range credits nothing twice); one stored with a *different* body is
    /// an error, never overwritten. Returns how many were new.
    pub async fn record_l1_priority_ops(&self, ops: &[PriorityOp], cursor: &str) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let mut fresh = 0;
        for op in ops {
            let id = op.priority_id() as i64;
            let body = op.encode();
            let existing = sqlx::query("SELECT body FROM priority_ops WHERE priority_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            match existing {
                Some(r) => {
                    let stored: Vec<u8> = r.try_get(0)?;
                    if stored != body {
                        return Err(StorageError::Conflict(format!(
                            "priority operation {id} is stored with a different body than L1 holds"
                        )));
                    }
                }
                None => {
                    sqlx::query(
                        "INSERT INTO priority_ops (priority_id, body, received_at_ms) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(body)
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
                    fresh += 1;
                }
            }
        }
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(CURSOR_KEY)
        .bind(cursor)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(fresh)
    }

    /// Batch `number` with its pubdata, if stored.
    pub async fn l1_batch(&self, number: u64) -> Result<Option<L1BatchData>> {
        let row = sqlx::query(
            "SELECT number, prev_root, root, pubdata, created_at_ms, first_priority_id, \
             priority_count, status FROM batches WHERE number = $1",
        )
        .bind(number as i64)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let d = |b: Vec<u8>| -> Result<Digest> {
            let arr: [u8; 32] = b.try_into().map_err(|_| corrupt("root length"))?;
            Digest::from_bytes(&arr).ok_or_else(|| corrupt("root not canonical"))
        };
        let status: String = r.try_get(7)?;
        Ok(Some(L1BatchData {
            number: r.try_get::<i64, _>(0)? as u64,
            prev_root: d(r.try_get(1)?)?,
            root: d(r.try_get(2)?)?,
            pubdata: r.try_get(3)?,
            created_at_ms: r.try_get(4)?,
            first_priority_id: r.try_get::<i64, _>(5)? as u64,
            priority_count: r.try_get::<i64, _>(6)? as u64,
            stage: BatchStage::parse(&status)
                .ok_or_else(|| corrupt(format!("batch status {status}")))?,
        }))
    }

    /// The proof a prover worker stored for batch `number` (`prover_jobs.proof` of a
    /// `proven` job: the calldata `proveBatch` forwards to the verifier), if any. The
    /// sequencer and the provers share the database; with `l1.commit_with_proof` the
    /// settlement task sends it with the batch in one `commitAndProveBatch`.
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

    /// Batches not yet finalized, oldest first (at most `limit`): what the settlement task
    /// still has to move.
    pub async fn unsettled_batches(&self, limit: u32) -> Result<Vec<(u64, BatchStage)>> {
        let rows = sqlx::query(
            "SELECT number, status FROM batches WHERE status <> 'finalized' ORDER BY number LIMIT $1",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get(0)?;
                let s: String = r.try_get(1)?;
                let stage =
                    BatchStage::parse(&s).ok_or_else(|| corrupt(format!("batch status {s}")))?;
                Ok((n as u64, stage))
            })
            .collect()
    }
}
