//! Connecting to the shared database, and its schema.
//!
//! The sequencer and every prover worker open the same database (SQLite for one machine,
//! PostgreSQL for several): both run the same migrations on connect, so whichever starts
//! first creates the schema, and both get the same SQLite settings, which the sequencer's
//! durability promise depends on.
//!
//! The migrations are `storage/migrations/{sqlite,postgres}/`, embedded at compile time
//! (`build.rs` reruns the embedding when a file there changes). The two directories hold
//! the same tables and columns; only type names differ (BLOB/BYTEA, INTEGER/BIGINT).

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::{Result, StorageError};

/// Which database a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    /// An SQLite file (or memory).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl DbKind {
    /// The kind of `url` (`sqlite:…`, `postgres://…` or `postgresql://…`), if supported.
    pub fn of_url(url: &str) -> Option<DbKind> {
        if url.starts_with("sqlite:") {
            Some(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(DbKind::Postgres)
        } else {
            None
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Opens a pool of at most `max_connections` (at least 2) to `url`, creating an SQLite
/// file if there is none, and applies pending migrations.
///
/// SQLite connections use WAL (the sequencer's writes and the provers' reads do not block
/// each other), `synchronous = FULL` (a committed transaction survives power loss: an
/// acknowledged transaction is never lost), a 10 s busy timeout instead of an immediate
/// `SQLITE_BUSY`, and enforced foreign keys.
pub(crate) async fn connect(url: &str, max_connections: u32) -> Result<(AnyPool, DbKind)> {
    sqlx::any::install_default_drivers();
    let kind = DbKind::of_url(url).ok_or(StorageError::UnsupportedUrl)?;
    let url = match kind {
        DbKind::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
            format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
        }
        _ => url.to_string(),
    };
    let options = AnyConnectOptions::from_str(&url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections.max(2))
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if kind == DbKind::Sqlite {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    match kind {
        DbKind::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
        DbKind::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
    }
    Ok((pool, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_their_database() {
        assert_eq!(DbKind::of_url("sqlite:q.db"), Some(DbKind::Sqlite));
        assert_eq!(DbKind::of_url("sqlite::memory:"), Some(DbKind::Sqlite));
        assert_eq!(DbKind::of_url("postgres://u@h/d"), Some(DbKind::Postgres));
        assert_eq!(DbKind::of_url("postgresql://u@h/d"), Some(DbKind::Postgres));
        assert_eq!(DbKind::of_url("mysql://u@h/d"), None);
        assert_eq!(DbKind::of_url("q.db"), None);
    }

    #[tokio::test]
    async fn an_unsupported_url_is_refused_before_connecting() {
        let err = connect("mysql://root@127.0.0.1/test", 2).await.err();
        assert!(matches!(err, Some(StorageError::UnsupportedUrl)), "{err:?}");
    }

    #[tokio::test]
    async fn sqlite_gets_its_settings_and_the_schema() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite:{}", dir.path().join("storage.db").display());
        let (pool, kind) = connect(&url, 2).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kind, DbKind::Sqlite);
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mode.0.to_lowercase(), "wal");
        let sync: (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sync.0, 2, "synchronous = FULL");
        let fk: (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fk.0, 1);
        // Connecting again finds the schema current (migrations are idempotent).
        pool.close().await;
        let (pool, _) = connect(&url, 2).await.unwrap_or_else(|e| panic!("{e}"));
        pool.close().await;
    }
}
