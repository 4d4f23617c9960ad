//! `accounts` and `balances`: the state as of the latest stored batch, from which a restart
//! rebuilds the trees. Written inside a batch's transaction (its diff) and at genesis.

use sqlx::{Any, Row, Transaction};

use quire_core::account::{Account, AccountId, Address};
use quire_core::schnorr::PublicKey;
use quire_core::token::TokenId;

use crate::{corrupt, placeholders, priority_ops, unsigned, DbKind, Result, Storage, CHUNK_ROWS};

/// Inserts newly created accounts, in groups of [`CHUNK_ROWS`].
pub(crate) async fn insert(
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

/// Sets the nonces a batch changed.
pub(crate) async fn set_nonces(
    db: &mut Transaction<'_, Any>,
    nonces: impl Iterator<Item = (AccountId, u32)>,
) -> Result<()> {
    for (id, nonce) in nonces {
        sqlx::query("UPDATE accounts SET nonce = $1 WHERE id = $2")
            .bind(i64::from(nonce))
            .bind(id.get() as i64)
            .execute(&mut **db)
            .await?;
    }
    Ok(())
}

/// Writes balances (new or changed), in groups of [`CHUNK_ROWS`].
pub(crate) async fn upsert_balances(
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

impl Storage {
    /// Every account record as of the latest batch, in id order, and the next priority id
    /// (after the last one a batch consumed).
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
            account.nonce = unsigned(nonce, "nonce")?;
            accounts.push(account);
        }
        let rows = sqlx::query("SELECT account, token, amount FROM balances WHERE amount > 0")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let (a, t, v): (i64, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            let account = accounts
                .get_mut(unsigned::<usize>(a, "balance account")?)
                .ok_or_else(|| corrupt("balance of unknown account"))?;
            let token: u8 = unsigned(t, "token")?;
            account.set_balance(TokenId(token), unsigned(v, "amount")?);
        }
        let next = priority_ops::next_unconsumed(&self.pool).await?;
        Ok((accounts, next))
    }
}
