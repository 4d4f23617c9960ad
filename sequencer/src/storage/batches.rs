//! Batches: written with everything they change in one database transaction.

use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use quire_core::account::{Account, AccountId};
use quire_core::hash::Digest;
use quire_core::state::StateDiff;
use quire_core::token::TokenId;

use super::{
    corrupt, now_ms, placeholders, BatchStage, DbKind, Result, Storage, StorageError, CHUNK_ROWS,
};

/// The fate of one L2 transaction in a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxResult {
    /// Executed at `position` with this JSON receipt.
    Executed {
        /// Position among the batch's accepted operations.
        position: u64,
        /// JSON receipt.
        receipt: String,
    },
    /// Rejected with a machine-readable code and a message.
    Rejected {
        /// Code.
        code: String,
        /// Message.
        message: String,
    },
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

/// A stored batch, as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    /// Number.
    pub number: u64,
    /// Root before.
    pub prev_root: Digest,
    /// Root after.
    pub root: Digest,
    /// Accepted operations.
    pub op_count: u64,
    /// Rejected transactions.
    pub rejected_count: u64,
    /// Pubdata bytes.
    pub pubdata_bytes: u64,
    /// keccak-256 of the pubdata, hex.
    pub pubdata_commitment: String,
    /// Priority commitment, hex.
    pub priority_commitment: String,
    /// Consumed priority operations.
    pub priority_count: u64,
    /// executed | committed | proven | finalized.
    pub status: String,
    /// Creation time (ms since the epoch).
    pub created_at_ms: i64,
}

pub(super) async fn write_accounts(
    kind: DbKind,
    db: &mut Transaction<'_, Any>,
    created: &[(AccountId, &Account)],
) -> Result<()> {
    for chunk in created.chunks(CHUNK_ROWS) {
        let sql = format!(
            "INSERT INTO accounts (id, pubkey, l1_owner, nonce) VALUES {}",
            placeholders(kind, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (id, a) in chunk {
            q = q
                .bind(id.get() as i64)
                .bind(a.pubkey.map(|pk| pk.to_bytes().to_vec()))
                .bind(a.l1_owner.0.to_vec())
                .bind(a.nonce as i64);
        }
        q.execute(&mut **db).await?;
    }
    Ok(())
}

pub(super) async fn upsert_balances(
    kind: DbKind,
    db: &mut Transaction<'_, Any>,
    balances: &[(AccountId, TokenId, u64)],
) -> Result<()> {
    for chunk in balances.chunks(CHUNK_ROWS) {
        let sql = format!(
            "INSERT INTO balances (account, token, amount) VALUES {} \
             ON CONFLICT (account, token) DO UPDATE SET amount = excluded.amount",
            placeholders(kind, chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (a, t, v) in chunk {
            q = q.bind(a.get() as i64).bind(t.0 as i64).bind(*v as i64);
        }
        q.execute(&mut **db).await?;
    }
    Ok(())
}

fn summary(r: &sqlx::any::AnyRow) -> Result<BatchSummary> {
    let d = |b: Vec<u8>| -> Result<Digest> {
        let arr: [u8; 32] = b.try_into().map_err(|_| corrupt("root length"))?;
        Digest::from_bytes(&arr).ok_or_else(|| corrupt("root not canonical"))
    };
    let pubdata: Vec<u8> = r.try_get("pubdata")?;
    Ok(BatchSummary {
        number: r.try_get::<i64, _>("number")? as u64,
        prev_root: d(r.try_get("prev_root")?)?,
        root: d(r.try_get("root")?)?,
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
        status: r.try_get("status")?,
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

        for chunk in b.tx_results.chunks(CHUNK_ROWS) {
            let sql = format!(
                "INSERT INTO tx_results (hash, batch_number, position, status, receipt, error_code, \
                 error_message) VALUES {}",
                placeholders(kind, chunk.len(), 7)
            );
            let mut q = sqlx::query(&sql);
            for (hash, r) in chunk {
                q = q.bind(hash.to_bytes().to_vec()).bind(n);
                q = match r {
                    TxResult::Executed { position, receipt } => q
                        .bind(Some(*position as i64))
                        .bind("executed")
                        .bind(Some(receipt.clone()))
                        .bind(None::<String>)
                        .bind(None::<String>),
                    TxResult::Rejected { code, message } => q
                        .bind(None::<i64>)
                        .bind("rejected")
                        .bind(None::<String>)
                        .bind(Some(code.clone()))
                        .bind(Some(message.clone())),
                };
            }
            q.execute(&mut *db).await?;
        }

        for (id, position, receipt) in &b.priority_results {
            sqlx::query(
                "UPDATE priority_ops SET batch_number = $1, position = $2, receipt = $3 WHERE priority_id = $4",
            )
            .bind(n)
            .bind(*position as i64)
            .bind(receipt.clone())
            .bind(*id as i64)
            .execute(&mut *db)
            .await?;
        }

        let created: Vec<(AccountId, Account)> = b
            .diff
            .created
            .iter()
            .map(|(id, pk, owner)| (*id, Account::with_key(*pk, *owner)))
            .collect();
        let created_refs: Vec<(AccountId, &Account)> =
            created.iter().map(|(id, a)| (*id, a)).collect();
        write_accounts(self.kind, &mut db, &created_refs).await?;
        for (id, nonce) in &b.diff.nonces {
            sqlx::query("UPDATE accounts SET nonce = $1 WHERE id = $2")
                .bind(*nonce as i64)
                .bind(id.get() as i64)
                .execute(&mut *db)
                .await?;
        }
        let balances: Vec<(AccountId, TokenId, u64)> = b
            .diff
            .balances
            .iter()
            .map(|(&(a, t), &v)| (a, t, v))
            .collect();
        upsert_balances(self.kind, &mut db, &balances).await?;

        sqlx::query(
            "INSERT INTO prover_jobs (batch_number, status, attempts, created_at_ms, updated_at_ms) \
             VALUES ($1, 'queued', 0, $2, $2)",
        )
        .bind(n)
        .bind(now)
        .execute(&mut *db)
        .await?;
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
    pub async fn latest_batch(&self) -> Result<Option<BatchSummary>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM batches ORDER BY number DESC LIMIT 1");
        let row = sqlx::query(&sql).fetch_optional(&self.pool).await?;
        row.as_ref().map(summary).transpose()
    }

    /// One batch.
    pub async fn batch(&self, number: u64) -> Result<Option<BatchSummary>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM batches WHERE number = $1");
        let row = sqlx::query(&sql)
            .bind(number as i64)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(summary).transpose()
    }

    /// Up to `limit` batches, newest first, numbered below `before` if given.
    pub async fn batches(&self, before: Option<u64>, limit: u32) -> Result<Vec<BatchSummary>> {
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
}
