//! Acknowledged transactions and their status.

use serde::Serialize;
use sqlx::Row;

use quire_core::hash::Digest;
use quire_core::tx::SignedTx;

use super::{corrupt, placeholders, Result, Storage, CHUNK_ROWS};

/// An acknowledged L2 transaction waiting for a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingTx {
    /// Signing hash.
    pub hash: Digest,
    /// Arrival order, unique.
    pub seq: u64,
    /// The transaction.
    pub tx: SignedTx,
    /// When it was acknowledged (ms since the epoch).
    pub received_at_ms: i64,
}

/// Where a transaction stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TxStatus {
    /// Acknowledged, waiting for a batch.
    Pending,
    /// Executed in a batch (soft-confirmed).
    Executed {
        /// The batch.
        batch_number: u64,
        /// Position in the batch.
        position: u64,
        /// The receipt.
        receipt: serde_json::Value,
    },
    /// Rejected by the batch that tried it.
    Rejected {
        /// The batch.
        batch_number: u64,
        /// Machine-readable reason.
        code: String,
        /// Human-readable reason.
        message: String,
    },
}

/// A transaction with its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxRecord {
    /// Signing hash.
    pub hash: Digest,
    /// The transaction.
    pub tx: SignedTx,
    /// Its status.
    #[serde(flatten)]
    pub status: TxStatus,
}

fn digest(bytes: &[u8]) -> Result<Digest> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| corrupt("hash length"))?;
    Digest::from_bytes(&arr).ok_or_else(|| corrupt("hash not canonical"))
}

impl Storage {
    /// Writes acknowledged transactions in one database transaction (one sync for the
    /// whole group). Returns only once they are durable.
    pub async fn insert_transactions(&self, txs: &[PendingTx]) -> Result<()> {
        let mut db = self.pool.begin().await?;
        for chunk in txs.chunks(CHUNK_ROWS) {
            let sql = format!(
                "INSERT INTO transactions (hash, seq, account, nonce, body, received_at_ms) VALUES {}",
                placeholders(self.kind, chunk.len(), 6)
            );
            let mut q = sqlx::query(&sql);
            for t in chunk {
                q = q
                    .bind(t.hash.to_bytes().to_vec())
                    .bind(t.seq as i64)
                    .bind(t.tx.tx.signer().get() as i64)
                    .bind(t.tx.tx.nonce() as i64)
                    .bind(t.tx.encode())
                    .bind(t.received_at_ms);
            }
            q.execute(&mut *db).await?;
        }
        db.commit().await?;
        Ok(())
    }

    /// Acknowledged transactions without a result, in arrival order.
    pub async fn pending_transactions(&self) -> Result<Vec<PendingTx>> {
        let rows = sqlx::query(
            "SELECT t.hash, t.seq, t.body, t.received_at_ms FROM transactions t \
             LEFT JOIN tx_results r ON r.hash = t.hash WHERE r.hash IS NULL ORDER BY t.seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let hash: Vec<u8> = r.try_get(0)?;
                let seq: i64 = r.try_get(1)?;
                let body: Vec<u8> = r.try_get(2)?;
                Ok(PendingTx {
                    hash: digest(&hash)?,
                    seq: seq as u64,
                    tx: SignedTx::decode(&body).map_err(corrupt)?,
                    received_at_ms: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// The highest arrival number used so far.
    pub async fn max_seq(&self) -> Result<Option<u64>> {
        let v: Option<i64> = sqlx::query("SELECT MAX(seq) FROM transactions")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(v.map(|v| v as u64))
    }

    /// A transaction and its status, if it was ever acknowledged.
    pub async fn transaction(&self, hash: &Digest) -> Result<Option<TxRecord>> {
        let row = sqlx::query(
            "SELECT t.body, r.batch_number, r.position, r.status, r.receipt, r.error_code, r.error_message \
             FROM transactions t LEFT JOIN tx_results r ON r.hash = t.hash WHERE t.hash = $1",
        )
        .bind(hash.to_bytes().to_vec())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let body: Vec<u8> = r.try_get(0)?;
        let tx = SignedTx::decode(&body).map_err(corrupt)?;
        let status: Option<String> = r.try_get(3)?;
        let status = match status.as_deref() {
            None => TxStatus::Pending,
            Some("executed") => {
                let receipt: Option<String> = r.try_get(4)?;
                let receipt = receipt.ok_or_else(|| corrupt("executed without receipt"))?;
                TxStatus::Executed {
                    batch_number: r.try_get::<i64, _>(1)? as u64,
                    position: r.try_get::<Option<i64>, _>(2)?.unwrap_or(0) as u64,
                    receipt: serde_json::from_str(&receipt).map_err(corrupt)?,
                }
            }
            Some(_) => TxStatus::Rejected {
                batch_number: r.try_get::<i64, _>(1)? as u64,
                code: r.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
                message: r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
            },
        };
        Ok(Some(TxRecord {
            hash: *hash,
            tx,
            status,
        }))
    }
}
