//! The mirror's SQLite file: every query of it.
//!
//! Its own small database rather than tables in `quire-storage`: the mirror belongs to a
//! verifier or a user leaving in exodus, runs with no sequencer, and everything in it is
//! derived from L1 (deleting the file costs a re-read, nothing else).

use std::path::Path;
use std::str::FromStr;

use ethers::types::{Address as EthAddress, H256};
use quire_l1::{BlockRef, PageCursor};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::error::ChainError;
use crate::events::ChainEvent;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// Which rollup a mirror file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MirrorMeta {
    /// The L1's chain id.
    pub chain_id: u64,
    /// The rollup contract.
    pub rollup: EthAddress,
    /// The block that created it.
    pub deployment_block: u64,
}

/// An event with where L1 emitted it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its block.
    pub block: u64,
    /// Its index in the block.
    pub log_index: u64,
    /// The event.
    pub event: ChainEvent,
}

/// The open mirror file.
#[derive(Clone, Debug)]
pub struct MirrorStore {
    pool: SqlitePool,
}

fn int(v: u64) -> i64 {
    // Block numbers and log indexes are far below 2^63.
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn uint(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn hash(bytes: &[u8]) -> H256 {
    if bytes.len() == 32 {
        H256::from_slice(bytes)
    } else {
        H256::zero()
    }
}

impl MirrorStore {
    /// Opens (creating if absent) the mirror at `path` and applies its schema. One writer:
    /// WAL and `synchronous = NORMAL` (the data is re-readable from L1, so an fsync per
    /// page would buy nothing).
    pub async fn open(path: &Path) -> Result<Self, ChainError> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(opts)
            .await?;
        MIGRATIONS.run(&pool).await?;
        Ok(MirrorStore { pool })
    }

    /// The rollup this file holds, if it holds one yet.
    pub async fn meta(&self) -> Result<Option<MirrorMeta>, ChainError> {
        let row = sqlx::query("SELECT chain_id, rollup, deployment_block FROM mirror_meta")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| MirrorMeta {
            chain_id: uint(r.get(0)),
            rollup: EthAddress::from_slice(&r.get::<Vec<u8>, _>(1)),
            deployment_block: uint(r.get(2)),
        }))
    }

    /// Records which rollup this file holds and where reading starts.
    pub async fn init(&self, meta: &MirrorMeta, start: BlockRef) -> Result<(), ChainError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO mirror_meta (id, chain_id, rollup, deployment_block) VALUES (1, ?, ?, ?)",
        )
        .bind(int(meta.chain_id))
        .bind(meta.rollup.as_bytes().to_vec())
        .bind(int(meta.deployment_block))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO mirror_cursor (id, next_block, checkpoint_number, checkpoint_hash) VALUES (1, ?, ?, ?)",
        )
        .bind(int(start.number))
        .bind(int(start.number))
        .bind(start.hash.as_bytes().to_vec())
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO mirror_checkpoints (number, hash) VALUES (?, ?)")
            .bind(int(start.number))
            .bind(start.hash.as_bytes().to_vec())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Where reading resumes.
    pub async fn cursor(&self) -> Result<PageCursor, ChainError> {
        let r =
            sqlx::query("SELECT next_block, checkpoint_number, checkpoint_hash FROM mirror_cursor")
                .fetch_one(&self.pool)
                .await?;
        Ok(PageCursor {
            next_block: uint(r.get(0)),
            checkpoint: Some(BlockRef {
                number: uint(r.get(1)),
                hash: hash(&r.get::<Vec<u8>, _>(2)),
            }),
        })
    }

    /// Stores one page's events and the cursor after it, in one transaction: a crash
    /// leaves the file at the page before or after, never in between.
    pub async fn append_page(
        &self,
        events: &[StoredEvent],
        cursor: &PageCursor,
    ) -> Result<(), ChainError> {
        let Some(cp) = cursor.checkpoint else {
            return Err(ChainError::History("a page without a checkpoint".into()));
        };
        let mut tx = self.pool.begin().await?;
        for e in events {
            let body = serde_json::to_string(&e.event)
                .map_err(|err| ChainError::History(format!("event does not serialize: {err}")))?;
            sqlx::query("INSERT INTO mirror_events (block, log_index, body) VALUES (?, ?, ?)")
                .bind(int(e.block))
                .bind(int(e.log_index))
                .bind(body)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT OR REPLACE INTO mirror_checkpoints (number, hash) VALUES (?, ?)")
            .bind(int(cp.number))
            .bind(cp.hash.as_bytes().to_vec())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE mirror_cursor SET next_block = ?, checkpoint_number = ?, checkpoint_hash = ?",
        )
        .bind(int(cursor.next_block))
        .bind(int(cp.number))
        .bind(cp.hash.as_bytes().to_vec())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The page checkpoints, newest first.
    pub async fn checkpoints(&self) -> Result<Vec<BlockRef>, ChainError> {
        let rows = sqlx::query("SELECT number, hash FROM mirror_checkpoints ORDER BY number DESC")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| BlockRef {
                number: uint(r.get(0)),
                hash: hash(&r.get::<Vec<u8>, _>(1)),
            })
            .collect())
    }

    /// Forgets everything read after block `to.number` (a reorg dropped it) and resumes
    /// reading after `to`.
    pub async fn roll_back_to(&self, to: BlockRef) -> Result<u64, ChainError> {
        let mut tx = self.pool.begin().await?;
        let dropped = sqlx::query("DELETE FROM mirror_events WHERE block > ?")
            .bind(int(to.number))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM mirror_checkpoints WHERE number > ?")
            .bind(int(to.number))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE mirror_cursor SET next_block = ?, checkpoint_number = ?, checkpoint_hash = ?",
        )
        .bind(int(to.number + 1))
        .bind(int(to.number))
        .bind(to.hash.as_bytes().to_vec())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(dropped)
    }

    /// Every stored event, in chain order.
    pub async fn events(&self) -> Result<Vec<StoredEvent>, ChainError> {
        let rows = sqlx::query(
            "SELECT block, log_index, body FROM mirror_events ORDER BY block, log_index",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let body: String = r.get(2);
                let event = serde_json::from_str(&body).map_err(|e| {
                    ChainError::History(format!(
                        "stored event does not parse ({e}): delete the mirror file"
                    ))
                })?;
                Ok(StoredEvent {
                    block: uint(r.get(0)),
                    log_index: uint(r.get(1)),
                    event,
                })
            })
            .collect()
    }
}
