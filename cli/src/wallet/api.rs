//! A small client of the sequencer's HTTP API (`sequencer/src/api/`), in its JSON encoding.
//!
//! Only what the wallet needs: chain status, tokens, pools, accounts, submission and
//! transaction status. Error bodies (`{code, message, field?}`) become
//! [`WalletError::Refused`] so the CLI can print the machine-readable code.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use quire_core::account::{AccountId, Address};
use quire_core::hash::Digest;
use quire_core::schnorr::PublicKey;
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::SignedTx;

use super::error::{Result, WalletError};

/// `GET /v1/status`.
#[derive(Clone, Debug, Deserialize)]
pub struct ChainStatus {
    /// Chain id (signed into every transaction).
    pub chain_id: u32,
    /// Latest batch.
    pub latest_batch: u64,
    /// Next priority operation the L2 expects: every id below it has been executed.
    pub next_priority_id: u64,
}

/// `GET /v1/accounts/{id}` and `/v1/accounts/by-key/{key}`.
#[derive(Clone, Debug, Deserialize)]
pub struct AccountInfo {
    /// Account id.
    pub id: u32,
    /// Its public key (absent for keyless accounts).
    pub pubkey: Option<PublicKey>,
    /// The L1 owner (may request full exits).
    pub l1_owner: Address,
    /// Current nonce.
    pub nonce: u32,
    /// Balances by token id, as decimal strings in L2 units.
    pub balances: BTreeMap<u8, String>,
}

impl AccountInfo {
    /// The account id.
    pub fn account_id(&self) -> Result<AccountId> {
        AccountId::new(self.id)
            .ok_or_else(|| WalletError::Unavailable(format!("account id {} out of range", self.id)))
    }

    /// Balance of `token` in L2 units (0 if absent).
    pub fn balance(&self, token: TokenId) -> Result<u64> {
        match self.balances.get(&token.0) {
            None => Ok(0),
            Some(s) => s
                .parse()
                .map_err(|_| WalletError::Unavailable(format!("balance {s:?} is not an integer"))),
        }
    }
}

/// `GET /v1/pools`: a pool and its reserves.
#[derive(Clone, Debug, Deserialize)]
pub struct PoolInfo {
    /// The pool's account id (its id in transactions).
    pub account: u32,
    /// First reserve token.
    pub token_a: TokenId,
    /// Second reserve token.
    pub token_b: TokenId,
    /// Its liquidity-share token.
    pub share_token: TokenId,
    /// Swap fee in basis points.
    pub fee_bps: u16,
    /// Reserve of token A (L2 units, decimal string).
    pub reserve_a: String,
    /// Reserve of token B.
    pub reserve_b: String,
    /// Outstanding shares.
    pub supply: String,
}

/// `GET /v1/transactions/{hash}`: where a transaction stands.
#[derive(Clone, Debug, Deserialize)]
pub struct TxState {
    /// `pending`, `executed`, `committed`, `proven`, `finalized` or `rejected`.
    pub status: String,
    /// The batch that executed (or rejected) it.
    pub batch_number: Option<u64>,
    /// The receipt, once executed.
    pub receipt: Option<serde_json::Value>,
    /// Why it was rejected.
    pub code: Option<String>,
    /// Why it was rejected, for humans.
    pub message: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    field: Option<String>,
}

#[derive(Deserialize)]
struct SubmitReply {
    hash: Digest,
}

/// The sequencer at one base URL.
#[derive(Clone, Debug)]
pub struct Sequencer {
    base: String,
    http: reqwest::Client,
}

impl Sequencer {
    /// A client of the API at `base` (e.g. `http://127.0.0.1:3030`).
    pub fn new(base: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| WalletError::local(format!("HTTP client: {e}")))?;
        Ok(Sequencer {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn read<T: DeserializeOwned>(&self, resp: reqwest::Response) -> Result<T> {
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| WalletError::Unavailable(format!("{}: {e}", self.base)))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                WalletError::Unavailable(format!("unexpected reply from {}: {e}", self.base))
            });
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(b) => Err(WalletError::Refused {
                code: b.code,
                message: b.message,
                field: b.field,
            }),
            Err(_) => Err(WalletError::Refused {
                code: format!("http_{}", status.as_u16()),
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                field: None,
            }),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| WalletError::Unavailable(format!("{}: {e}", self.base)))?;
        self.read(resp).await
    }

    /// Like `get`, with 404 as `None`.
    async fn get_opt<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>> {
        match self.get(path).await {
            Ok(v) => Ok(Some(v)),
            Err(WalletError::Refused { code, .. }) if code == "not_found" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Chain status.
    pub async fn status(&self) -> Result<ChainStatus> {
        self.get("/v1/status").await
    }

    /// Registered tokens.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        self.get("/v1/tokens").await
    }

    /// AMM pools.
    pub async fn pools(&self) -> Result<Vec<PoolInfo>> {
        self.get("/v1/pools").await
    }

    /// An account by id, `None` if there is none.
    pub async fn account(&self, id: AccountId) -> Result<Option<AccountInfo>> {
        self.get_opt(&format!("/v1/accounts/{}", id.get())).await
    }

    /// The account of `key` owned by `owner` on L1 (an account is the pair, decision D10),
    /// `None` if no deposit from `owner` to `key` opened one yet.
    pub async fn account_by_key(
        &self,
        key: &PublicKey,
        owner: &Address,
    ) -> Result<Option<AccountInfo>> {
        self.get_opt(&format!("/v1/accounts/by-key/{key}?owner={owner}"))
            .await
    }

    /// A transaction's status, `None` if the sequencer does not know it.
    pub async fn transaction(&self, hash: &Digest) -> Result<Option<TxState>> {
        self.get_opt(&format!("/v1/transactions/{hash}")).await
    }

    /// Submits a signed transaction; returns its hash once it is durable (`pending`).
    pub async fn submit(&self, tx: &SignedTx) -> Result<Digest> {
        let resp = self
            .http
            .post(format!("{}/v1/transactions", self.base))
            .json(tx)
            .send()
            .await
            .map_err(|e| WalletError::Unavailable(format!("{}: {e}", self.base)))?;
        let reply: SubmitReply = self.read(resp).await?;
        Ok(reply.hash)
    }
}
