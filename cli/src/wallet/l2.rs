//! L2 transactions: build from what the user typed, sign with the key, submit.
//!
//! Every flag is validated before anything is sent, and errors name the flag. The nonce is
//! the account's current one (or `--nonce`); fees are rounded up to the nearest packable
//! value (pubdata stores fees in 16 bits), and the rounding is reported.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use quire_api::{AccountView, Client, PoolView, Wait};
use quire_core::account::{AccountId, Address};
use quire_core::amm::Pool;
use quire_core::hash::Digest;
use quire_core::schnorr::PublicKey;
use quire_core::token::TokenId;
use quire_core::tx::packing::round_fee_up;
use quire_core::tx::{AddLiquidity, L2Tx, RemoveLiquidity, SignedTx, Swap, Transfer, Withdraw};

use super::amount::{format_l2_amount, parse_l2_amount};
use super::error::{Result, WalletError};
use super::keystore::Key;
use super::tokens::{Token, Tokens};

/// A connection to the sequencer with the chain's tokens and id.
#[derive(Clone, Debug)]
pub struct Wallet {
    /// The API client.
    pub sequencer: Client,
    /// Registered tokens, with decimals where known.
    pub tokens: Tokens,
    /// The chain id transactions are signed for.
    pub chain_id: u32,
    /// Amounts are integers in L2 units (`--raw-amounts`) rather than decimals.
    pub raw_amounts: bool,
}

impl Wallet {
    /// Connects: reads the chain id and the tokens. With `l1_rpc`, ERC-20 decimals are read
    /// from L1.
    pub async fn connect(url: &str, l1_rpc: Option<&str>, raw_amounts: bool) -> Result<Wallet> {
        let sequencer = Client::new(url)?;
        let status = sequencer.status().await?;
        let infos = sequencer.tokens().await?;
        let provider = match l1_rpc {
            Some(rpc) => Some(Arc::new(quire_l1::client::provider(
                rpc,
                Duration::from_millis(200),
            )?)),
            None => None,
        };
        let tokens = Tokens::new(&infos, provider).await;
        Ok(Wallet {
            sequencer,
            tokens,
            chain_id: status.chain_id,
            raw_amounts,
        })
    }

    /// Parses an amount of `token` typed into `field`.
    pub fn amount(&self, field: &str, input: &str, token: &Token) -> Result<u64> {
        parse_l2_amount(field, input, token, self.raw_amounts)
    }

    /// Formats an L2 amount of token `id`.
    pub fn format(&self, amount: u64, id: TokenId) -> String {
        match self.tokens.by_id(id) {
            Some(t) => format_l2_amount(amount, t),
            None => format!("{amount} (token {id})"),
        }
    }

    /// The key's L2 account: the one its own L1 address's deposits opened. An account is
    /// the pair (key, L1 owner) (decision D10), so a key without an L1 address names none.
    pub async fn own_account(&self, key: &Key) -> Result<AccountView> {
        let owner = key.l1_address().ok_or_else(|| {
            WalletError::invalid(
                "--key",
                format!(
                    "key {:?} has no L1 address: an L2 account is a key and the L1 address \
                     that deposited to it (re-import the key with --l1-key)",
                    key.name
                ),
            )
        })?;
        self.sequencer
            .account_by_key(&key.public_key(), &owner)
            .await?
            .ok_or_else(|| {
                WalletError::invalid(
                    "--key",
                    format!(
                        "key {:?} ({}) has no L2 account owned by {owner} yet: deposit from \
                         that address first",
                        key.name,
                        key.public_key()
                    ),
                )
            })
    }

    /// Resolves `--to`: an account id, or `<public key>@<L1 owner>` (an account is the pair:
    /// a key alone could name an account whose L1 owner is a stranger, decision D10).
    pub async fn recipient(&self, field: &str, input: &str) -> Result<AccountId> {
        let input = input.trim();
        if let Ok(n) = input.parse::<u32>() {
            let id = AccountId::new(n)
                .ok_or_else(|| WalletError::invalid(field, "account ids are below 2^24"))?;
            return match self.sequencer.account(id).await? {
                Some(_) => Ok(id),
                None => Err(WalletError::invalid(field, format!("no L2 account {n}"))),
            };
        }
        let Some((key, owner)) = input.split_once('@') else {
            let message = if PublicKey::from_str(input).is_ok() {
                format!(
                    "a key alone does not name an account: give {input}@<L1 owner> (the L1 \
                     address whose deposit opened it) or an account id"
                )
            } else {
                format!("{input:?} is neither an account id nor <public key>@<L1 owner>")
            };
            return Err(WalletError::invalid(field, message));
        };
        let pk = PublicKey::from_str(key.trim()).map_err(|_| {
            WalletError::invalid(
                field,
                format!("{key:?} is not a public key (0x + 80 hex digits)"),
            )
        })?;
        let owner = Address::from_str(owner.trim()).map_err(|_| {
            WalletError::invalid(
                field,
                format!("{owner:?} is not an L1 address (0x + 40 hex digits)"),
            )
        })?;
        match self.sequencer.account_by_key(&pk, &owner).await? {
            Some(a) => Ok(a.account_id()?),
            None => Err(WalletError::invalid(
                field,
                format!(
                    "no L2 account of this key owned by {owner} (a deposit from {owner} opens one)"
                ),
            )),
        }
    }

    /// Resolves `--pool`: a pool account id, or `A/B` by token symbols or ids.
    pub async fn pool(&self, field: &str, input: &str) -> Result<PoolView> {
        let pools = self.sequencer.pools().await?;
        let input = input.trim();
        let found = if let Ok(n) = input.parse::<u32>() {
            pools.into_iter().find(|p| p.pool.account.get() == n)
        } else if let Some((a, b)) = input.split_once('/') {
            let a = self.tokens.resolve(field, a)?.id;
            let b = self.tokens.resolve(field, b)?.id;
            pools.into_iter().find(|p| {
                let pair = (p.pool.token_a, p.pool.token_b);
                pair == (a, b) || pair == (b, a)
            })
        } else {
            return Err(WalletError::invalid(
                field,
                format!("{input:?}: give a pool account id or TOKEN_A/TOKEN_B"),
            ));
        };
        found.ok_or_else(|| WalletError::invalid(field, format!("no pool {input:?}")))
    }

    fn token_of(&self, field: &str, id: TokenId) -> Result<&Token> {
        self.tokens
            .by_id(id)
            .ok_or_else(|| WalletError::invalid(field, format!("token {id} is not registered")))
    }

    /// Parses a fee and rounds it up to a packable value.
    fn fee(&self, input: &str, token: &Token) -> Result<(u64, Option<String>)> {
        let fee = self.amount("--fee", input, token)?;
        let rounded = round_fee_up(fee)
            .ok_or_else(|| WalletError::invalid("--fee", "cannot be represented"))?;
        let note = (rounded != fee).then(|| {
            format!(
                "fee rounded up from {} to {} (fees are packed into 16 bits)",
                format_l2_amount(fee, token),
                format_l2_amount(rounded, token)
            )
        });
        Ok((rounded, note))
    }

    /// Signs `tx` into a [`Prepared`] with its summary and the fee-rounding note, if any.
    fn prepared(&self, key: &Key, tx: L2Tx, summary: String, fee_note: Option<String>) -> Prepared {
        Prepared {
            summary,
            notes: fee_note.into_iter().collect(),
            signed: tx.sign(&key.secret, self.chain_id),
        }
    }

    /// A pool's two tokens and its share token, as registered.
    fn pool_tokens(&self, pool: &Pool) -> Result<(Token, Token, Token)> {
        let token = |id| self.token_of("--pool", id).cloned();
        Ok((
            token(pool.token_a)?,
            token(pool.token_b)?,
            token(pool.share_token)?,
        ))
    }

    /// Validates and signs a transfer; nothing is sent.
    pub async fn prepare_transfer(&self, key: &Key, req: &TransferRequest) -> Result<Prepared> {
        let token = self.tokens.resolve("--token", &req.token)?.clone();
        let amount = self.amount("--amount", &req.amount, &token)?;
        let (fee, note) = self.fee(&req.fee, &token)?;
        let to = self.recipient("--to", &req.to).await?;
        let me = self.own_account(key).await?;
        let tx = L2Tx::Transfer(Transfer {
            from: me.account_id()?,
            to,
            token: token.id,
            amount,
            fee,
            nonce: req.nonce.unwrap_or(me.nonce),
        });
        let summary = format!(
            "transfer {} from account {} to account {to} (fee {})",
            format_l2_amount(amount, &token),
            me.id,
            format_l2_amount(fee, &token)
        );
        Ok(self.prepared(key, tx, summary, note))
    }

    /// Validates and signs a withdrawal to L1; nothing is sent.
    pub async fn prepare_withdraw(&self, key: &Key, req: &WithdrawRequest) -> Result<Prepared> {
        let token = self.tokens.resolve("--token", &req.token)?.clone();
        if !token.id.is_l1_asset() {
            return Err(WalletError::invalid(
                "--token",
                format!("{} exists only on L2 and cannot be withdrawn", token.symbol),
            ));
        }
        let amount = self.amount("--amount", &req.amount, &token)?;
        let (fee, note) = self.fee(&req.fee, &token)?;
        let to = match &req.to {
            Some(s) => Address::from_str(s.trim())
                .map_err(|e| WalletError::invalid("--to", format!("{s:?}: {e}")))?,
            None => key.l1_address().ok_or_else(|| {
                WalletError::invalid("--to", "required: the key has no L1 address")
            })?,
        };
        let me = self.own_account(key).await?;
        let tx = L2Tx::Withdraw(Withdraw {
            from: me.account_id()?,
            to,
            token: token.id,
            amount,
            fee,
            nonce: req.nonce.unwrap_or(me.nonce),
        });
        let summary = format!(
            "withdraw {} from account {} to {to} on L1 (fee {})",
            format_l2_amount(amount, &token),
            me.id,
            format_l2_amount(fee, &token)
        );
        Ok(self.prepared(key, tx, summary, note))
    }

    /// Validates and signs a swap; nothing is sent.
    pub async fn prepare_swap(&self, key: &Key, req: &SwapRequest) -> Result<Prepared> {
        let token_in = self.tokens.resolve("--token-in", &req.token_in)?.clone();
        let amount_in = self.amount("--amount-in", &req.amount_in, &token_in)?;
        let (fee, note) = self.fee(&req.fee, &token_in)?;
        let pool = self.pool("--pool", &req.pool).await?.pool;
        let out_id = if token_in.id == pool.token_a {
            pool.token_b
        } else if token_in.id == pool.token_b {
            pool.token_a
        } else {
            return Err(WalletError::invalid(
                "--token-in",
                format!(
                    "{} is not a reserve of pool {}",
                    token_in.symbol, pool.account
                ),
            ));
        };
        let token_out = self.token_of("--pool", out_id)?.clone();
        let min_out = self.amount("--min-out", &req.min_out, &token_out)?;
        let me = self.own_account(key).await?;
        let pool_id = pool.account;
        let tx = L2Tx::Swap(Swap {
            account: me.account_id()?,
            pool: pool_id,
            token_in: token_in.id,
            amount_in,
            min_amount_out: min_out,
            fee,
            nonce: req.nonce.unwrap_or(me.nonce),
        });
        let summary = format!(
            "swap {} for at least {} in pool {} (fee {})",
            format_l2_amount(amount_in, &token_in),
            format_l2_amount(min_out, &token_out),
            pool.account,
            format_l2_amount(fee, &token_in)
        );
        Ok(self.prepared(key, tx, summary, note))
    }

    /// Validates and signs a liquidity deposit; nothing is sent.
    pub async fn prepare_add_liquidity(
        &self,
        key: &Key,
        req: &AddLiquidityRequest,
    ) -> Result<Prepared> {
        let pool = self.pool("--pool", &req.pool).await?.pool;
        let (ta, tb, ts) = self.pool_tokens(&pool)?;
        let max_a = self.amount("--max-a", &req.max_a, &ta)?;
        let max_b = self.amount("--max-b", &req.max_b, &tb)?;
        let min_shares = self.amount("--min-shares", &req.min_shares, &ts)?;
        let (fee, note) = self.fee(&req.fee, &ta)?;
        let me = self.own_account(key).await?;
        let pool_id = pool.account;
        let tx = L2Tx::AddLiquidity(AddLiquidity {
            account: me.account_id()?,
            pool: pool_id,
            max_amount_a: max_a,
            max_amount_b: max_b,
            min_shares,
            fee,
            nonce: req.nonce.unwrap_or(me.nonce),
        });
        let summary = format!(
            "add at most {} and {} to pool {} for at least {} (fee {})",
            format_l2_amount(max_a, &ta),
            format_l2_amount(max_b, &tb),
            pool.account,
            format_l2_amount(min_shares, &ts),
            format_l2_amount(fee, &ta)
        );
        Ok(self.prepared(key, tx, summary, note))
    }

    /// Validates and signs a liquidity withdrawal; nothing is sent.
    pub async fn prepare_remove_liquidity(
        &self,
        key: &Key,
        req: &RemoveLiquidityRequest,
    ) -> Result<Prepared> {
        let pool = self.pool("--pool", &req.pool).await?.pool;
        let (ta, tb, ts) = self.pool_tokens(&pool)?;
        let shares = self.amount("--shares", &req.shares, &ts)?;
        let min_a = self.amount("--min-a", &req.min_a, &ta)?;
        let min_b = self.amount("--min-b", &req.min_b, &tb)?;
        let (fee, note) = self.fee(&req.fee, &ta)?;
        let me = self.own_account(key).await?;
        let pool_id = pool.account;
        let tx = L2Tx::RemoveLiquidity(RemoveLiquidity {
            account: me.account_id()?,
            pool: pool_id,
            shares,
            min_amount_a: min_a,
            min_amount_b: min_b,
            fee,
            nonce: req.nonce.unwrap_or(me.nonce),
        });
        let summary = format!(
            "remove {} from pool {} for at least {} and {} (fee {})",
            format_l2_amount(shares, &ts),
            pool.account,
            format_l2_amount(min_a, &ta),
            format_l2_amount(min_b, &tb),
            format_l2_amount(fee, &ta)
        );
        Ok(self.prepared(key, tx, summary, note))
    }

    /// Sends a prepared transaction; returns its hash once the sequencer holds it durably.
    pub async fn submit(&self, prepared: &Prepared) -> Result<Digest> {
        let hash = self
            .sequencer
            .submit(&prepared.signed, Wait::Durable)
            .await?
            .hash;
        let expected = prepared.signed.tx.signing_hash(self.chain_id);
        if hash != expected {
            return Err(WalletError::Unavailable(format!(
                "the sequencer acknowledged {hash}, but the transaction's hash is {expected}"
            )));
        }
        Ok(hash)
    }
}

/// A signed transaction ready to send, with a human summary.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// What it does, in token units.
    pub summary: String,
    /// Adjustments made (fee rounding).
    pub notes: Vec<String>,
    /// The signed transaction.
    pub signed: SignedTx,
}

/// `quire transfer` as typed.
#[derive(Clone, Debug, Default)]
pub struct TransferRequest {
    /// `--to`: account id or public key.
    pub to: String,
    /// `--token`: symbol or id.
    pub token: String,
    /// `--amount`.
    pub amount: String,
    /// `--fee`.
    pub fee: String,
    /// `--nonce` (default: the account's current nonce).
    pub nonce: Option<u32>,
}

/// `quire withdraw` as typed.
#[derive(Clone, Debug, Default)]
pub struct WithdrawRequest {
    /// `--to`: L1 address (default: the key's L1 address).
    pub to: Option<String>,
    /// `--token`.
    pub token: String,
    /// `--amount`.
    pub amount: String,
    /// `--fee`.
    pub fee: String,
    /// `--nonce`.
    pub nonce: Option<u32>,
}

/// `quire swap` as typed.
#[derive(Clone, Debug, Default)]
pub struct SwapRequest {
    /// `--pool`: pool account id or `A/B`.
    pub pool: String,
    /// `--token-in`.
    pub token_in: String,
    /// `--amount-in`.
    pub amount_in: String,
    /// `--min-out`, in the pool's other token.
    pub min_out: String,
    /// `--fee`, in `token_in`.
    pub fee: String,
    /// `--nonce`.
    pub nonce: Option<u32>,
}

/// `quire add-liquidity` as typed.
#[derive(Clone, Debug, Default)]
pub struct AddLiquidityRequest {
    /// `--pool`.
    pub pool: String,
    /// `--max-a`: most of token A.
    pub max_a: String,
    /// `--max-b`: most of token B.
    pub max_b: String,
    /// `--min-shares`.
    pub min_shares: String,
    /// `--fee`, in token A.
    pub fee: String,
    /// `--nonce`.
    pub nonce: Option<u32>,
}

/// `quire remove-liquidity` as typed.
#[derive(Clone, Debug, Default)]
pub struct RemoveLiquidityRequest {
    /// `--pool`.
    pub pool: String,
    /// `--shares` to burn.
    pub shares: String,
    /// `--min-a`.
    pub min_a: String,
    /// `--min-b`.
    pub min_b: String,
    /// `--fee`, in token A.
    pub fee: String,
    /// `--nonce`.
    pub nonce: Option<u32>,
}
