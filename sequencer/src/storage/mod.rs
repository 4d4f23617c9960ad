//! Durable storage with sqlx: an SQLite file by default, PostgreSQL for operators.
//!
//! One code path serves both through sqlx's `Any` driver. Queries use `$N` placeholders,
//! which both SQLite and PostgreSQL accept; multi-row statements are built by
//! `placeholders` for the same reason (sqlx's `QueryBuilder<Any>` emits `?`, which
//! PostgreSQL rejects). Integers are stored as `i64` (amounts are `< 2^63`), hashes and
//! encodings as bytes.
//!
//! Durability: SQLite runs in WAL mode with `synchronous = FULL`, so a committed
//! transaction survives a crash of the process or the machine; acknowledged transactions
//! are written in groups ([`Storage::insert_transactions`]) to share one sync.

mod batches;
mod l1;
mod records;

pub use batches::{BatchRecord, BatchSummary, TxResult};
pub use l1::L1BatchData;
pub use records::{BatchStage, PendingTx, TxRecord, TxStatus};

use sqlx::{AnyPool, Row};

use quire_core::account::{Account, AccountId, Address};
use quire_core::schnorr::PublicKey;
use quire_core::state::Genesis;
use quire_core::token::TokenId;
use quire_core::tx::PriorityOp;

use quire_service_kit::db::DbError;
pub use quire_service_kit::db::DbKind;

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

impl From<DbError> for StorageError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Db(e) => StorageError::Db(e),
            DbError::Migrate(e) => StorageError::Migrate(e),
            DbError::UnsupportedUrl => StorageError::UnsupportedUrl,
        }
    }
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

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The sequencer's database.
#[derive(Clone, Debug)]
pub struct Storage {
    pool: AnyPool,
    kind: DbKind,
}

impl Storage {
    /// Connects (creating an SQLite file if needed) and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Storage> {
        // The API's requests and the batcher share the pool; SQLite has one writer anyway.
        let max_connections = match DbKind::of_url(url) {
            Some(DbKind::Sqlite) => 4,
            _ => 16,
        };
        let (pool, kind) = quire_service_kit::db::connect(url, max_connections).await?;
        Ok(Storage { pool, kind })
    }

    /// The database kind.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// The connection pool.
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

    /// The stored genesis, if the database was initialised.
    pub async fn genesis(&self) -> Result<Option<Genesis>> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'genesis'")
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let json: String = r.try_get(0)?;
                serde_json::from_str(&json).map(Some).map_err(corrupt)
            }
        }
    }

    /// Stores the genesis and its accounts: the database's first write.
    pub async fn init_genesis(&self, genesis: &Genesis, accounts: &[Account]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let json = serde_json::to_string(genesis).map_err(corrupt)?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ('genesis', $1)")
            .bind(json)
            .execute(&mut *tx)
            .await?;
        let created: Vec<(AccountId, &Account)> = accounts
            .iter()
            .enumerate()
            .filter_map(|(i, a)| AccountId::new(i as u32).map(|id| (id, a)))
            .collect();
        batches::write_accounts(self.kind, &mut tx, &created).await?;
        let balances: Vec<(AccountId, TokenId, u64)> = created
            .iter()
            .flat_map(|(id, a)| a.balances.iter().map(move |(t, b)| (*id, *t, *b)))
            .collect();
        batches::upsert_balances(self.kind, &mut tx, &balances).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every account record as of the latest batch, in id order, and the next priority id.
    pub async fn snapshot(&self) -> Result<(Vec<Account>, u64)> {
        let rows = sqlx::query("SELECT id, pubkey, l1_owner, nonce FROM accounts ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut accounts = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let id: i64 = r.try_get(0)?;
            if id != i as i64 {
                return Err(corrupt(format!("account ids not contiguous at {id}")));
            }
            let pubkey: Option<Vec<u8>> = r.try_get(1)?;
            let owner: Vec<u8> = r.try_get(2)?;
            let nonce: i64 = r.try_get(3)?;
            let pubkey = match pubkey {
                Some(b) => Some(PublicKey::from_slice(&b).map_err(corrupt)?),
                None => None,
            };
            let mut account = match pubkey {
                Some(pk) => Account::with_key(
                    pk,
                    Address(owner.try_into().map_err(|_| corrupt("l1_owner"))?),
                ),
                None => Account::keyless(),
            };
            account.nonce = u32::try_from(nonce).map_err(corrupt)?;
            accounts.push(account);
        }
        let rows = sqlx::query("SELECT account, token, amount FROM balances WHERE amount > 0")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let (a, t, v): (i64, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            let account = accounts
                .get_mut(a as usize)
                .ok_or_else(|| corrupt("balance of unknown account"))?;
            let token = u8::try_from(t).map_err(corrupt)?;
            account.set_balance(TokenId(token), u64::try_from(v).map_err(corrupt)?);
        }
        let next: Option<i64> =
            sqlx::query("SELECT MAX(priority_id) FROM priority_ops WHERE batch_number IS NOT NULL")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
        Ok((accounts, next.map_or(0, |n| n as u64 + 1)))
    }

    /// Records L1 priority operations (idempotent by priority id).
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
        Ok(max.map_or(0, |m| m as u64 + 1))
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
