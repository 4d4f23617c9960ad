//! `meta`: key/value facts of the chain: the genesis (JSON), and the L1 watcher's cursor.
//!
//! The cursor is an opaque JSON string here (the sequencer's `l1` module owns its shape);
//! it lives in `meta` so that it needs no table of its own, and it is written in the same
//! database transaction as the priority operations it delivered
//! ([`Storage::record_l1_priority_ops`]).

use sqlx::{Any, Row, Transaction};

use quire_core::account::{Account, AccountId};
use quire_core::state::Genesis;
use quire_core::token::TokenId;

use crate::{accounts, corrupt, Result, Storage};

const GENESIS_KEY: &str = "genesis";
const CURSOR_KEY: &str = "l1_watcher_cursor";

/// Sets `key` to `value` inside `db`.
pub(crate) async fn put(db: &mut Transaction<'_, Any>, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut **db)
    .await?;
    Ok(())
}

/// Writes the watcher's cursor inside `db` (with the operations it delivered).
pub(crate) async fn put_l1_cursor(db: &mut Transaction<'_, Any>, cursor: &str) -> Result<()> {
    put(db, CURSOR_KEY, cursor).await
}

impl Storage {
    async fn meta(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
    }

    /// The stored genesis, if the database was initialised (by the sequencer's first start).
    pub async fn genesis(&self) -> Result<Option<Genesis>> {
        match self.meta(GENESIS_KEY).await? {
            None => Ok(None),
            Some(json) => serde_json::from_str(&json).map(Some).map_err(corrupt),
        }
    }

    /// Stores the genesis and its accounts: the database's first write, one transaction.
    pub async fn init_genesis(&self, genesis: &Genesis, accounts: &[Account]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let json = serde_json::to_string(genesis).map_err(corrupt)?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2)")
            .bind(GENESIS_KEY)
            .bind(json)
            .execute(&mut *tx)
            .await?;
        let created: Vec<(AccountId, &Account)> = accounts
            .iter()
            .enumerate()
            .filter_map(|(i, a)| AccountId::new(i as u32).map(|id| (id, a)))
            .collect();
        accounts::insert(self.kind, &mut tx, &created).await?;
        let balances: Vec<(AccountId, TokenId, u64)> = created
            .iter()
            .flat_map(|(id, a)| a.balances.iter().map(move |(t, b)| (*id, *t, *b)))
            .collect();
        accounts::upsert_balances(self.kind, &mut tx, &balances).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The watcher's stored cursor (JSON), if it ever stored one.
    pub async fn l1_cursor(&self) -> Result<Option<String>> {
        self.meta(CURSOR_KEY).await
    }
}
