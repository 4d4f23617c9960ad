//! `l1_commits`: what L1 stored of each committed batch (`StoredBatchInfo`) and the payout
//! records its `BatchCommitted` event carried.
//!
//! L1 keeps only the hash of a committed batch's struct, so `proveBatch`, `executeBatch` and
//! the next `commitBatch` must pass the struct back exactly as emitted. The sequencer
//! records it from the receipt of its own commit once that is mined, so settlement reads it
//! here instead of scanning L1's logs from the deployment block. The row is a copy, never
//! the authority: readers compare its hash with L1's `storedBatchHash` before using it, and
//! fall back to the logs (and record what they found) for a batch without a row, committed
//! before this table existed or by a process that crashed between the commit and the write.
//!
//! Values are plain bytes here, so the schema needs no L1 crate; with the `l1` feature,
//! [`L1Commit`] converts to and from `quire_l1::CommittedBatch`.

use sqlx::Row;

use crate::{bytes32, now_ms, unsigned, Result, Storage};

/// One committed batch as L1 stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct L1Commit {
    /// Batch number.
    pub batch_number: u64,
    /// The L2 timestamp the operator gave the batch (seconds).
    pub timestamp: u64,
    /// Queue index of the first priority operation the batch consumed.
    pub first_priority_id: u64,
    /// Number of priority operations it consumed.
    pub priority_ops_count: u64,
    /// State root before the batch (D9 L1 form).
    pub prev_state_root: [u8; 32],
    /// State root after the batch (D9 L1 form).
    pub state_root: [u8; 32],
    /// keccak256(pubdata).
    pub pubdata_commitment: [u8; 32],
    /// D9 fold over the consumed priority operations' hashes.
    pub priority_commitment: [u8; 32],
    /// Head of the chain over the batch's payout pages.
    pub payouts_hash: [u8; 32],
    /// The payout records emitted at commit (`recipient:20 token:1 amount:8` each).
    pub payouts: Vec<u8>,
    /// The L1 block of the commit.
    pub l1_block: u64,
}

const COLUMNS: &str = "batch_number, l2_timestamp, first_priority_id, priority_ops_count, \
     prev_state_root, state_root, pubdata_commitment, priority_commitment, payouts_hash, \
     payouts, l1_block";

/// An `i64` column from a `u64` that L1 bounds far below `2^63` (uint64 batch numbers,
/// timestamps, queue indices and block numbers of a real chain).
fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Storage {
    /// Records (or replaces) the commit of `c.batch_number`: a batch number is committed
    /// again after L1 reverted it, and the newest commit is the one L1 holds.
    pub async fn record_l1_commit(&self, c: &L1Commit) -> Result<()> {
        let sql = format!(
            "INSERT INTO l1_commits ({COLUMNS}, recorded_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (batch_number) DO UPDATE SET \
             l2_timestamp = excluded.l2_timestamp, \
             first_priority_id = excluded.first_priority_id, \
             priority_ops_count = excluded.priority_ops_count, \
             prev_state_root = excluded.prev_state_root, \
             state_root = excluded.state_root, \
             pubdata_commitment = excluded.pubdata_commitment, \
             priority_commitment = excluded.priority_commitment, \
             payouts_hash = excluded.payouts_hash, \
             payouts = excluded.payouts, \
             l1_block = excluded.l1_block, \
             recorded_at_ms = excluded.recorded_at_ms"
        );
        sqlx::query(&sql)
            .bind(int(c.batch_number))
            .bind(int(c.timestamp))
            .bind(int(c.first_priority_id))
            .bind(int(c.priority_ops_count))
            .bind(c.prev_state_root.to_vec())
            .bind(c.state_root.to_vec())
            .bind(c.pubdata_commitment.to_vec())
            .bind(c.priority_commitment.to_vec())
            .bind(c.payouts_hash.to_vec())
            .bind(c.payouts.clone())
            .bind(int(c.l1_block))
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The recorded commit of batch `number`, if any.
    pub async fn l1_commit(&self, number: u64) -> Result<Option<L1Commit>> {
        let sql = format!("SELECT {COLUMNS} FROM l1_commits WHERE batch_number = $1");
        let Some(r) = sqlx::query(&sql)
            .bind(int(number))
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(L1Commit {
            batch_number: unsigned(r.try_get(0)?, "l1_commits.batch_number")?,
            timestamp: unsigned(r.try_get(1)?, "l1_commits.l2_timestamp")?,
            first_priority_id: unsigned(r.try_get(2)?, "l1_commits.first_priority_id")?,
            priority_ops_count: unsigned(r.try_get(3)?, "l1_commits.priority_ops_count")?,
            prev_state_root: bytes32(r.try_get(4)?, "l1_commits.prev_state_root")?,
            state_root: bytes32(r.try_get(5)?, "l1_commits.state_root")?,
            pubdata_commitment: bytes32(r.try_get(6)?, "l1_commits.pubdata_commitment")?,
            priority_commitment: bytes32(r.try_get(7)?, "l1_commits.priority_commitment")?,
            payouts_hash: bytes32(r.try_get(8)?, "l1_commits.payouts_hash")?,
            payouts: r.try_get(9)?,
            l1_block: unsigned(r.try_get(10)?, "l1_commits.l1_block")?,
        }))
    }
}

#[cfg(feature = "l1")]
mod l1 {
    //! Conversions to and from `quire-l1`'s form of a committed batch.

    use ethers::types::{Bytes, H256};
    use quire_l1::{CommittedBatch, StoredBatch};

    use super::L1Commit;

    impl From<&CommittedBatch> for L1Commit {
        fn from(c: &CommittedBatch) -> Self {
            let i = &c.info;
            L1Commit {
                batch_number: i.batch_number,
                timestamp: i.timestamp,
                first_priority_id: i.first_priority_id,
                priority_ops_count: i.priority_ops_count,
                prev_state_root: i.prev_state_root.0,
                state_root: i.state_root.0,
                pubdata_commitment: i.pubdata_commitment.0,
                priority_commitment: i.priority_commitment.0,
                payouts_hash: i.payouts_hash.0,
                payouts: c.payouts.to_vec(),
                l1_block: c.block_number,
            }
        }
    }

    impl From<L1Commit> for CommittedBatch {
        fn from(c: L1Commit) -> Self {
            CommittedBatch {
                info: StoredBatch {
                    batch_number: c.batch_number,
                    timestamp: c.timestamp,
                    first_priority_id: c.first_priority_id,
                    priority_ops_count: c.priority_ops_count,
                    prev_state_root: H256(c.prev_state_root),
                    state_root: H256(c.state_root),
                    pubdata_commitment: H256(c.pubdata_commitment),
                    priority_commitment: H256(c.priority_commitment),
                    payouts_hash: H256(c.payouts_hash),
                },
                payouts: Bytes::from(c.payouts),
                block_number: c.l1_block,
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_committed_batch_survives_the_round_trip() {
            let c = CommittedBatch {
                info: StoredBatch {
                    batch_number: 7,
                    timestamp: 1_700_000_000,
                    first_priority_id: 3,
                    priority_ops_count: 2,
                    prev_state_root: H256::repeat_byte(1),
                    state_root: H256::repeat_byte(2),
                    pubdata_commitment: H256::repeat_byte(3),
                    priority_commitment: H256::repeat_byte(4),
                    payouts_hash: H256::repeat_byte(5),
                },
                payouts: Bytes::from(vec![9u8; 29]),
                block_number: 42,
            };
            let row = L1Commit::from(&c);
            assert_eq!(CommittedBatch::from(row), c);
        }
    }
}
