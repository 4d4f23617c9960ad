//! `batches` and `batch_ops`: each stored batch (roots, pubdata, commitments, its settlement
//! stage) and its accepted operations in order, which the prover replays.
//!
//! A batch is written with everything it changes in one database transaction
//! ([`Storage::commit_batch`]); the readers here serve the API ([`BatchView`]), the
//! settlement task ([`L1BatchData`], [`Storage::unsettled_batches`]) and the prover
//! ([`BatchInput`], [`Storage::batch_input`]).

use sqlx::Row;

use quire_core::account::{Account, AccountId};
use quire_core::hash::Digest;
use quire_core::state::StateDiff;
use quire_core::token::TokenId;
use quire_core::tx::Operation;

use quire_api::{BatchStage, BatchView};

use crate::{
    accounts, bytes32, corrupt, digest, now_ms, placeholders, priority_ops, prover_jobs,
    transactions, unsigned, Result, Storage, StorageError, TxResult, CHUNK_ROWS,
};

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

/// A batch as the prover loads it (`batches` and `batch_ops` rows), checked for
/// consistency (contiguous positions, `op_count` rows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchInput {
    /// Batch number (1, 2, …).
    pub number: u64,
    /// Root before the batch.
    pub prev_root: Digest,
    /// Root after the batch.
    pub root: Digest,
    /// The accepted operations, in order.
    pub ops: Vec<Operation>,
    /// Concatenated pubdata.
    pub pubdata: Vec<u8>,
    /// keccak-256 of the pubdata.
    pub pubdata_commitment: [u8; 32],
    /// Commitment to the consumed priority operations (D9).
    pub priority_commitment: [u8; 32],
    /// First consumed priority id.
    pub first_priority_id: u64,
    /// Consumed priority operations.
    pub priority_count: u64,
}

/// Everything a batch writes.
#[derive(Clone, Debug)]
pub struct BatchRecord {
    /// Batch number (1, 2, …).
    pub number: u64,
    /// Root before.
    pub prev_root: Digest,
    /// Root after.
    pub root: Digest,
    /// Accepted operations in order: (hash, canonical `Operation` encoding).
    pub ops: Vec<(Digest, Vec<u8>)>,
    /// Results of the batch's L2 transactions.
    pub tx_results: Vec<(Digest, TxResult)>,
    /// Executed priority operations: (priority id, position, JSON receipt).
    pub priority_results: Vec<(u64, u64, String)>,
    /// Concatenated pubdata.
    pub pubdata: Vec<u8>,
    /// keccak-256 of the pubdata.
    pub pubdata_commitment: [u8; 32],
    /// Commitment to the consumed priority operations.
    pub priority_commitment: [u8; 32],
    /// First consumed priority id.
    pub first_priority_id: u64,
    /// The diff.
    pub diff: StateDiff,
    /// JSON statistics.
    pub stats: String,
}

fn summary(r: &sqlx::any::AnyRow) -> Result<BatchView> {
    let pubdata: Vec<u8> = r.try_get("pubdata")?;
    Ok(BatchView {
        number: r.try_get::<i64, _>("number")? as u64,
        prev_root: digest(r.try_get("prev_root")?, "prev_root")?,
        root: digest(r.try_get("root")?, "root")?,
        op_count: r.try_get::<i64, _>("op_count")? as u64,
        rejected_count: r.try_get::<i64, _>("rejected_count")? as u64,
        pubdata_bytes: pubdata.len() as u64,
        pubdata_commitment: format!(
            "0x{}",
            hex::encode(r.try_get::<Vec<u8>, _>("pubdata_commitment")?)
        ),
        priority_commitment: format!(
            "0x{}",
            hex::encode(r.try_get::<Vec<u8>, _>("priority_commitment")?)
        ),
        priority_count: r.try_get::<i64, _>("priority_count")? as u64,
        status: {
            let name: String = r.try_get("status")?;
            BatchStage::parse(&name).ok_or_else(|| corrupt(format!("batch status {name}")))?
        },
        created_at_ms: r.try_get("created_at_ms")?,
    })
}

const SUMMARY_COLUMNS: &str = "number, prev_root, root, op_count, rejected_count, pubdata, \
     pubdata_commitment, priority_commitment, priority_count, status, created_at_ms";

impl Storage {
    /// Writes a batch and everything it changes — the batch row, its operations, every
    /// transaction's result, the priority operations it consumed, the account and balance
    /// rows of its diff, and its prover job — in one database transaction.
    pub async fn commit_batch(&self, b: &BatchRecord) -> Result<()> {
        let kind = self.kind;
        let mut db = self.pool.begin().await?;
        let n = b.number as i64;
        let now = now_ms();
        let rejected = b
            .tx_results
            .iter()
            .filter(|(_, r)| matches!(r, TxResult::Rejected { .. }))
            .count();
        sqlx::query(
            "INSERT INTO batches (number, prev_root, root, op_count, rejected_count, pubdata, \
             pubdata_commitment, priority_commitment, first_priority_id, priority_count, diff, stats, \
             status, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'executed', $13)",
        )
        .bind(n)
        .bind(b.prev_root.to_bytes().to_vec())
        .bind(b.root.to_bytes().to_vec())
        .bind(b.ops.len() as i64)
        .bind(rejected as i64)
        .bind(b.pubdata.clone())
        .bind(b.pubdata_commitment.to_vec())
        .bind(b.priority_commitment.to_vec())
        .bind(b.first_priority_id as i64)
        .bind(b.priority_results.len() as i64)
        .bind(serde_json::to_string(&b.diff).map_err(corrupt)?)
        .bind(b.stats.clone())
        .bind(now)
        .execute(&mut *db)
        .await?;

        for (chunk_start, chunk) in b.ops.chunks(CHUNK_ROWS).enumerate() {
            let sql = format!(
                "INSERT INTO batch_ops (batch_number, position, hash, body) VALUES {}",
                placeholders(kind, chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for (i, (hash, body)) in chunk.iter().enumerate() {
                let pos = (chunk_start * CHUNK_ROWS + i) as i64;
                q = q
                    .bind(n)
                    .bind(pos)
                    .bind(hash.to_bytes().to_vec())
                    .bind(body.clone());
            }
            q.execute(&mut *db).await?;
        }

        transactions::insert_results(kind, &mut db, n, &b.tx_results).await?;
        priority_ops::mark_executed(&mut db, n, &b.priority_results).await?;

        let created: Vec<(AccountId, Account)> = b
            .diff
            .created
            .iter()
            .map(|(id, pk, owner)| (*id, Account::with_key(*pk, *owner)))
            .collect();
        let created_refs: Vec<(AccountId, &Account)> =
            created.iter().map(|(id, a)| (*id, a)).collect();
        accounts::insert(kind, &mut db, &created_refs).await?;
        accounts::set_nonces(&mut db, b.diff.nonces.iter().map(|(id, n)| (*id, *n))).await?;
        let balances: Vec<(AccountId, TokenId, u64)> = b
            .diff
            .balances
            .iter()
            .map(|(&(a, t), &v)| (a, t, v))
            .collect();
        accounts::upsert_balances(kind, &mut db, &balances).await?;

        prover_jobs::enqueue(&mut db, n, now).await?;
        db.commit().await?;
        Ok(())
    }

    /// Moves batch `number` one stage on (the L1 committer and watcher call this as
    /// `commitBatch`, `proveBatch` and `executeBatch` land). Repeating the current stage is
    /// a no-op, so replayed L1 events are harmless; going back, skipping a stage, passing
    /// the previous batch (L1 settles in order) or naming an unknown batch is refused.
    pub async fn advance_batch(&self, number: u64, stage: BatchStage) -> Result<()> {
        let mut db = self.pool.begin().await?;
        let rows =
            sqlx::query("SELECT number, status FROM batches WHERE number = $1 OR number = $2")
                .bind(number as i64)
                .bind(number as i64 - 1)
                .fetch_all(&mut *db)
                .await?;
        let (mut current, mut previous) = (None, None);
        for r in rows {
            let n: i64 = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            let st =
                BatchStage::parse(&name).ok_or_else(|| corrupt(format!("batch status {name}")))?;
            if n as u64 == number {
                current = Some(st);
            } else {
                previous = Some(st);
            }
        }
        let current =
            current.ok_or_else(|| StorageError::Stage(format!("batch {number} does not exist")))?;
        if stage == current {
            return Ok(());
        }
        if (stage as u8) != (current as u8) + 1 {
            return Err(StorageError::Stage(format!(
                "batch {number} is {}; it cannot become {}",
                current.as_str(),
                stage.as_str()
            )));
        }
        if let Some(prev) = previous.filter(|p| *p < stage) {
            return Err(StorageError::Stage(format!(
                "batch {} is only {}; batch {number} cannot become {} before it",
                number - 1,
                prev.as_str(),
                stage.as_str()
            )));
        }
        sqlx::query("UPDATE batches SET status = $1 WHERE number = $2")
            .bind(stage.as_str())
            .bind(number as i64)
            .execute(&mut *db)
            .await?;
        db.commit().await?;
        Ok(())
    }

    /// The latest batch, if any.
    pub async fn latest_batch(&self) -> Result<Option<BatchView>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM batches ORDER BY number DESC LIMIT 1");
        let row = sqlx::query(&sql).fetch_optional(&self.pool).await?;
        row.as_ref().map(summary).transpose()
    }

    /// One batch.
    pub async fn batch(&self, number: u64) -> Result<Option<BatchView>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM batches WHERE number = $1");
        let row = sqlx::query(&sql)
            .bind(number as i64)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(summary).transpose()
    }

    /// Up to `limit` batches, newest first, numbered below `before` if given.
    pub async fn batches(&self, before: Option<u64>, limit: u32) -> Result<Vec<BatchView>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM batches WHERE number < $1 ORDER BY number DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(before.map_or(i64::MAX, |b| b as i64))
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary).collect()
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
        let status: String = r.try_get(7)?;
        Ok(Some(L1BatchData {
            number: unsigned(r.try_get(0)?, "number")?,
            prev_root: digest(r.try_get(1)?, "prev_root")?,
            root: digest(r.try_get(2)?, "root")?,
            pubdata: r.try_get(3)?,
            created_at_ms: r.try_get(4)?,
            first_priority_id: unsigned(r.try_get(5)?, "first_priority_id")?,
            priority_count: unsigned(r.try_get(6)?, "priority_count")?,
            stage: BatchStage::parse(&status)
                .ok_or_else(|| corrupt(format!("batch status {status}")))?,
        }))
    }

    /// Batches not yet finalized, oldest first (at most `limit`): what the settlement task
    /// still has to move.
    pub async fn unsettled_batches(&self, limit: u32) -> Result<Vec<(u64, BatchStage)>> {
        let rows = sqlx::query(
            "SELECT number, status FROM batches WHERE status <> 'finalized' ORDER BY number LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get(1)?;
                let stage =
                    BatchStage::parse(&s).ok_or_else(|| corrupt(format!("batch status {s}")))?;
                Ok((unsigned(r.try_get(0)?, "number")?, stage))
            })
            .collect()
    }

    /// Batch `number` with its operations, for the prover. A missing row or an
    /// inconsistent one is [`StorageError::Corrupt`]: the prover only asks for batches that
    /// have a job, and the job was written with the batch.
    pub async fn batch_input(&self, number: u64) -> Result<BatchInput> {
        let row = sqlx::query(
            "SELECT prev_root, root, pubdata, pubdata_commitment, priority_commitment, \
             first_priority_id, priority_count, op_count FROM batches WHERE number = $1",
        )
        .bind(number as i64)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| corrupt(format!("batch {number} has a job but no batches row")))?;
        let what = |field: &str| format!("batch {number}: {field}");
        let op_count: i64 = row.try_get(7)?;
        let ops_rows = sqlx::query(
            "SELECT position, body FROM batch_ops WHERE batch_number = $1 ORDER BY position",
        )
        .bind(number as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut ops = Vec::with_capacity(ops_rows.len());
        for (i, r) in ops_rows.iter().enumerate() {
            let pos: i64 = r.try_get(0)?;
            if pos != i as i64 {
                return Err(corrupt(format!(
                    "batch {number}: operation positions not contiguous at {pos}"
                )));
            }
            let body: Vec<u8> = r.try_get(1)?;
            ops.push(
                Operation::decode(&body)
                    .map_err(|e| corrupt(format!("batch {number} operation {i}: {e}")))?,
            );
        }
        if ops.len() as i64 != op_count {
            return Err(corrupt(format!(
                "batch {number}: op_count {op_count} but {} batch_ops rows",
                ops.len()
            )));
        }
        Ok(BatchInput {
            number,
            prev_root: digest(row.try_get(0)?, &what("prev_root"))?,
            root: digest(row.try_get(1)?, &what("root"))?,
            ops,
            pubdata: row.try_get(2)?,
            pubdata_commitment: bytes32(row.try_get(3)?, &what("pubdata_commitment"))?,
            priority_commitment: bytes32(row.try_get(4)?, &what("priority_commitment"))?,
            first_priority_id: unsigned(row.try_get(5)?, &what("first_priority_id"))?,
            priority_count: unsigned(row.try_get(6)?, &what("priority_count"))?,
        })
    }
}
