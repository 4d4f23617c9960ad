//! `priority_ops`: L1 priority operations (deposits, full exits) in queue order, and their
//! outcome once a batch executed them.
//!
//! The L1 watcher records what it read together with its cursor, in one database
//! transaction ([`Storage::record_l1_priority_ops`]): after a crash either both are stored
//! or neither is, so a restart neither skips nor credits an operation twice.

use sqlx::{Any, AnyPool, Row, Transaction};

use quire_core::tx::PriorityOp;

use crate::{corrupt, meta, now_ms, unsigned, Result, Storage, StorageError};

/// Records that batch `batch` executed priority operation `id` at `position`, inside the
/// batch's transaction.
pub(crate) async fn mark_executed(
    db: &mut Transaction<'_, Any>,
    batch: i64,
    results: &[(u64, u64, String)],
) -> Result<()> {
    for (id, position, receipt) in results {
        sqlx::query(
            "UPDATE priority_ops SET batch_number = $1, position = $2, receipt = $3 \
             WHERE priority_id = $4",
        )
        .bind(batch)
        .bind(*position as i64)
        .bind(receipt.clone())
        .bind(*id as i64)
        .execute(&mut **db)
        .await?;
    }
    Ok(())
}

/// The priority id after the last one a batch consumed (0 before any).
pub(crate) async fn next_unconsumed(pool: &AnyPool) -> Result<u64> {
    let last: Option<i64> =
        sqlx::query("SELECT MAX(priority_id) FROM priority_ops WHERE batch_number IS NOT NULL")
            .fetch_one(pool)
            .await?
            .try_get(0)?;
    Ok(match last {
        Some(n) => unsigned::<u64>(n, "priority_id")? + 1,
        None => 0,
    })
}

impl Storage {
    /// Records L1 priority operations (idempotent by priority id; the development deposit
    /// endpoint's path, without a watcher cursor).
    pub async fn insert_priority_ops(&self, ops: &[PriorityOp]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for op in ops {
            sqlx::query(
                "INSERT INTO priority_ops (priority_id, body, received_at_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (priority_id) DO NOTHING",
            )
            .bind(op.priority_id() as i64)
            .bind(op.encode())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Priority operations not yet in a batch, in queue order.
    pub async fn pending_priority_ops(&self) -> Result<Vec<PriorityOp>> {
        let rows = sqlx::query(
            "SELECT body FROM priority_ops WHERE batch_number IS NULL ORDER BY priority_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let body: Vec<u8> = r.try_get(0)?;
                PriorityOp::decode(&body).map_err(corrupt)
            })
            .collect()
    }

    /// The next free priority id (for the development deposit endpoint).
    pub async fn next_free_priority_id(&self) -> Result<u64> {
        let max: Option<i64> = sqlx::query("SELECT MAX(priority_id) FROM priority_ops")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(match max {
            Some(m) => unsigned::<u64>(m, "priority_id")? + 1,
            None => 0,
        })
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
        meta::put_l1_cursor(&mut tx, cursor).await?;
        tx.commit().await?;
        Ok(fresh)
    }
}
