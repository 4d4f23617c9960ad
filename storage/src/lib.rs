//! # quire-storage
//!
//! The one database the sequencer writes and the prover workers read and claim jobs from:
//! its schema (`migrations/{sqlite,postgres}/`, embedded and applied on connect) and every
//! query either service runs, so no service re-reads a table another one owns through its
//! own SQL.
//!
//! One module owns each table:
//!
//! | module | tables | written by |
//! |---|---|---|
//! | [`db`] | the schema (migrations), connection settings | both, on connect |
//! | [`meta`] | `meta` (genesis, the L1 watcher's cursor) | sequencer |
//! | [`accounts`] | `accounts`, `balances` | sequencer |
//! | [`transactions`] | `transactions`, `tx_results` | sequencer |
//! | [`priority_ops`] | `priority_ops` | sequencer |
//! | [`batches`] | `batches`, `batch_ops` | sequencer; read by the prover |
//! | [`prover_jobs`] | `prover_jobs` | sequencer (queued), prover (claims, proofs) |
//! | [`l1_commits`] | `l1_commits` (what L1 stored of each commit) | sequencer |
//!
//! A write that spans tables (a batch with everything it changes) is one database
//! transaction, built from each owner's statements.
//!
//! One code path serves SQLite and PostgreSQL through sqlx's `Any` driver. Queries use `$N`
//! placeholders, which both accept; multi-row statements are built by `placeholders` for the
//! same reason (sqlx's `QueryBuilder<Any>` emits `?`, which PostgreSQL rejects). Integers
//! are stored as `i64` (amounts are `< 2^63`), hashes and encodings as bytes.
//!
//! Durability: SQLite runs in WAL mode with `synchronous = FULL`, so a committed
//! transaction survives a crash of the process or the machine; acknowledged transactions
//! are written in groups ([`Storage::insert_transactions`]) to share one sync.

pub mod accounts;
pub mod batches;
pub mod db;
pub mod l1_commits;
pub mod meta;
pub mod priority_ops;
pub mod prover_jobs;
pub mod transactions;

pub use batches::{BatchInput, BatchRecord, L1BatchData};
pub use db::DbKind;
pub use l1_commits::L1Commit;
pub use prover_jobs::{FailOutcome, JobRow, Lease, QueueCounts, Reclaimed};
/// The stage, status and view types are the API's: what storage reads is what the API
/// answers, with no conversion in between.
pub use quire_api::{BatchStage, BatchView, TxStatus, TxView};
pub use transactions::{PendingTx, TxResult};

use sqlx::AnyPool;

/// Storage errors.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value does not decode: the database was changed outside Quire.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// A batch's settlement stage cannot move as asked.
    #[error("batch stage: {0}")]
    Stage(String),
    /// A write disagrees with what is stored (an L1 priority operation whose id is taken
    /// by a different operation).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The URL names no supported database.
    #[error("unsupported database url (expected sqlite:… or postgres://…)")]
    UnsupportedUrl,
}

/// Result alias.
pub type Result<T> = std::result::Result<T, StorageError>;

/// `(…), (…)` for `rows` rows of `cols` columns: `$1, $2, …` on PostgreSQL, `?` on SQLite.
///
/// SQLite gets anonymous `?` because sqlx's SQLite driver resolves every numbered
/// parameter through `sqlite3_bind_parameter_name`, a linear scan of the statement's
/// parameter names: quadratic in the parameter count, and it was the sequencer's single
/// hottest function under load with 500-row inserts. `?` binds positionally, which is the
/// same order here.
pub(crate) fn placeholders(kind: DbKind, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            match kind {
                DbKind::Sqlite => s.push('?'),
                DbKind::Postgres => {
                    s.push('$');
                    s.push_str(&(r * cols + c + 1).to_string());
                }
            }
        }
        s.push(')');
    }
    s
}

/// Rows per multi-row statement: keeps bind counts under SQLite's 32766 limit.
pub(crate) const CHUNK_ROWS: usize = 500;

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(what.to_string())
}

/// A stored 32-byte value (hash, root in its L1 form).
pub(crate) fn bytes32(b: Vec<u8>, what: &str) -> Result<[u8; 32]> {
    b.try_into()
        .map_err(|_| corrupt(format!("{what}: not 32 bytes")))
}

/// A stored digest (a root or an operation hash): 32 bytes, canonical.
pub(crate) fn digest(b: Vec<u8>, what: &str) -> Result<quire_core::hash::Digest> {
    let arr = bytes32(b, what)?;
    quire_core::hash::Digest::from_bytes(&arr)
        .ok_or_else(|| corrupt(format!("{what}: not canonical")))
}

/// A stored non-negative integer.
pub(crate) fn unsigned<T: TryFrom<i64>>(v: i64, what: &str) -> Result<T> {
    T::try_from(v).map_err(|_| corrupt(format!("{what}: {v} out of range")))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A handle on the database: a connection pool and which database it is. Cheap to clone;
/// every table module adds its queries to it.
#[derive(Clone, Debug)]
pub struct Storage {
    pool: AnyPool,
    kind: DbKind,
}

impl Storage {
    /// Connects with the sequencer's pool size (creating an SQLite file if needed) and
    /// applies pending migrations.
    pub async fn connect(url: &str) -> Result<Storage> {
        // The API's requests and the batcher share the pool; SQLite has one writer anyway.
        let max_connections = match DbKind::of_url(url) {
            Some(DbKind::Sqlite) => 4,
            _ => 16,
        };
        Storage::connect_with(url, max_connections).await
    }

    /// Connects with a pool of at most `max_connections` (at least 2) and applies pending
    /// migrations. A prover worker needs few (claim, heartbeat, history reads).
    pub async fn connect_with(url: &str, max_connections: u32) -> Result<Storage> {
        let (pool, kind) = db::connect(url, max_connections).await?;
        Ok(Storage { pool, kind })
    }

    /// The database kind.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// The connection pool (for tests and operator tools; services use the typed queries).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// True if the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::{placeholders, DbKind};

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(
            placeholders(DbKind::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(placeholders(DbKind::Postgres, 1, 1), "($1)");
        assert_eq!(placeholders(DbKind::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
