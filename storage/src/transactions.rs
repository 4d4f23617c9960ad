//! `transactions` and `tx_results`: every acknowledged L2 transaction (written before the
//! API replies: the durable mempool), and its outcome once a batch decided it.

use sqlx::{Any, Row, Transaction};

use quire_core::hash::Digest;
use quire_core::tx::SignedTx;

use quire_api::{BatchStage, ErrorCode, TxStatus, TxView};

use crate::{corrupt, digest, placeholders, unsigned, DbKind, Result, Storage, CHUNK_ROWS};

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

/// Writes the results of batch `batch`'s transactions inside its transaction, in groups of
/// [`CHUNK_ROWS`].
pub(crate) async fn insert_results(
    kind: DbKind,
    db: &mut Transaction<'_, Any>,
    batch: i64,
    results: &[(Digest, TxResult)],
) -> Result<()> {
    for chunk in results.chunks(CHUNK_ROWS) {
        let sql = format!(
            "INSERT INTO tx_results (hash, batch_number, position, status, receipt, error_code, \
             error_message) VALUES {}",
            placeholders(kind, chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (hash, r) in chunk {
            q = q.bind(hash.to_bytes().to_vec()).bind(batch);
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
        q.execute(&mut **db).await?;
    }
    Ok(())
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
                let seq: i64 = r.try_get(1)?;
                let body: Vec<u8> = r.try_get(2)?;
                Ok(PendingTx {
                    hash: digest(r.try_get(0)?, "transaction hash")?,
                    seq: unsigned(seq, "seq")?,
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
        v.map(|v| unsigned(v, "seq")).transpose()
    }

    /// A transaction and its status, if it was ever acknowledged.
    pub async fn transaction(&self, hash: &Digest) -> Result<Option<TxView>> {
        let row = sqlx::query(
            "SELECT t.body, r.batch_number, r.position, r.status, r.receipt, r.error_code, r.error_message, \
             b.status FROM transactions t LEFT JOIN tx_results r ON r.hash = t.hash \
             LEFT JOIN batches b ON b.number = r.batch_number WHERE t.hash = $1",
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
                    stage: r
                        .try_get::<Option<String>, _>(7)?
                        .as_deref()
                        .and_then(BatchStage::parse)
                        .ok_or_else(|| corrupt("executed in an unknown batch"))?,
                }
            }
            Some(_) => TxStatus::Rejected {
                batch_number: r.try_get::<i64, _>(1)? as u64,
                // Written from `ErrorCode` by the batcher; a code a newer version wrote
                // reads as `Unknown`.
                code: ErrorCode::from_wire(&r.try_get::<Option<String>, _>(5)?.unwrap_or_default()),
                message: r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
            },
        };
        Ok(Some(TxView {
            hash: *hash,
            tx,
            status,
        }))
    }
}
