//! A typed async client of the sequencer's HTTP API.
//!
//! One method per endpoint, returning the same types the server serializes, so a wallet, a
//! load generator or a test cannot drift from the server's wire format. Refusals come back
//! as [`ClientError::Api`] with the server's [`ErrorBody`] (its [`ErrorCode`]); lookups
//! answer `Ok(None)` for `not_found`, so "absent" is not an error to match on.

use std::time::Duration;

use serde::de::DeserializeOwned;

use quire_core::account::{AccountId, Address};
use quire_core::hash::Digest;
use quire_core::schnorr::PublicKey;
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::SignedTx;

use crate::account::{AccountView, ProofView};
use crate::chain::{BatchPage, BatchView, PoolView, StatusView};
use crate::dev::{DevDeposit, DevDepositResponse};
use crate::error::{ErrorBody, ErrorCode};
use crate::tx::{SubmitResponse, TxView};

/// The request timeout of [`Client::new`]: `?wait=soft` holds a request for up to the
/// server's `api.max_wait_secs` (default 10 s), so this leaves room for it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of a non-JSON error body [`ClientError::Http`] keeps.
const HTTP_BODY_CHARS: usize = 200;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Setup(#[source] reqwest::Error),
    /// The request could not be sent, or the answer not read.
    #[error("{base}: {source}")]
    Transport {
        /// The server's base URL.
        base: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The server refused, with its error body.
    #[error("refused ({code}): {message}", code = body.code, message = body.message)]
    Api {
        /// The HTTP status.
        status: u16,
        /// The server's `{code, message, field?}`.
        body: ErrorBody,
    },
    /// A non-success answer without an error body (a proxy, a server panic).
    #[error("HTTP {status}: {body}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// A success answer that is not the expected JSON.
    #[error("unexpected reply from {base}: {message}")]
    Decode {
        /// The server's base URL.
        base: String,
        /// What did not decode.
        message: String,
    },
    /// A reply field out of its range (an account id, a balance that is not an integer).
    #[error("{0}")]
    Invalid(String),
}

impl ClientError {
    /// The server's error code, if it refused with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api { body, .. } => Some(body.code),
            _ => None,
        }
    }

    /// The HTTP status of a non-success answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } | ClientError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// How a submitted transaction is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// `application/json`, as wallets send.
    Json,
    /// `application/octet-stream`: the canonical binary encoding (`SignedTx::encode`).
    Binary,
}

impl Encoding {
    /// The `Content-Type` of the request.
    pub const fn content_type(self) -> &'static str {
        match self {
            Encoding::Json => "application/json",
            Encoding::Binary => "application/octet-stream",
        }
    }
}

/// When the server answers a submission.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Wait {
    /// Once the transaction is durable (`202`, status `pending`).
    #[default]
    Durable,
    /// Once a stored batch executed or rejected it (`?wait=soft`; `202 pending` if that
    /// takes longer than the server waits).
    Soft,
}

/// The sequencer's API at one base URL.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    /// A client of the API at `base` (e.g. `http://127.0.0.1:3030`), with
    /// [`DEFAULT_TIMEOUT`] per request.
    pub fn new(base: &str) -> Result<Client, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(DEFAULT_TIMEOUT)
            .build()
            .map_err(ClientError::Setup)?;
        Ok(Client::with_http(base, http))
    }

    /// A client over a configured `reqwest` client (pool size, timeouts).
    pub fn with_http(base: &str, http: reqwest::Client) -> Client {
        Client {
            base: base.trim_end_matches('/').to_string(),
            http,
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET /v1/status`.
    pub async fn status(&self) -> Result<StatusView, ClientError> {
        self.get("/v1/status").await
    }

    /// `GET /v1/tokens`: the registered tokens.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, ClientError> {
        self.get("/v1/tokens").await
    }

    /// `GET /v1/pools`: the AMM pools with their reserves.
    pub async fn pools(&self) -> Result<Vec<PoolView>, ClientError> {
        self.get("/v1/pools").await
    }

    /// `GET /v1/accounts/{id}`; `None` if there is no such account.
    pub async fn account(&self, id: AccountId) -> Result<Option<AccountView>, ClientError> {
        self.get_opt(&format!("/v1/accounts/{}", id.get())).await
    }

    /// `GET /v1/accounts/by-key/{key}?owner=…`: the account of `key` owned by `owner` on
    /// L1 (an account is the pair, decision D10); `None` if no deposit from `owner` to
    /// `key` opened one yet.
    pub async fn account_by_key(
        &self,
        key: &PublicKey,
        owner: &Address,
    ) -> Result<Option<AccountView>, ClientError> {
        self.get_opt(&format!("/v1/accounts/by-key/{key}?owner={owner}"))
            .await
    }

    /// `GET /v1/accounts/{id}/proof/{token}`: a Merkle proof of the balance against the
    /// latest stored root; `None` if there is no such account.
    pub async fn proof(
        &self,
        id: AccountId,
        token: TokenId,
    ) -> Result<Option<ProofView>, ClientError> {
        self.get_opt(&format!("/v1/accounts/{}/proof/{}", id.get(), token.0))
            .await
    }

    /// `GET /v1/transactions/{hash}`; `None` if the sequencer never acknowledged it.
    pub async fn transaction(&self, hash: &Digest) -> Result<Option<TxView>, ClientError> {
        self.get_opt(&format!("/v1/transactions/{hash}")).await
    }

    /// `GET /v1/batches`: a page of batches, newest first.
    pub async fn batches(&self, page: &BatchPage) -> Result<Vec<BatchView>, ClientError> {
        let mut query = Vec::new();
        if let Some(before) = page.before {
            query.push(format!("before={before}"));
        }
        if let Some(limit) = page.limit {
            query.push(format!("limit={limit}"));
        }
        let path = if query.is_empty() {
            "/v1/batches".to_string()
        } else {
            format!("/v1/batches?{}", query.join("&"))
        };
        self.get(&path).await
    }

    /// `GET /v1/batches/{number}`; `None` if there is no such batch.
    pub async fn batch(&self, number: u64) -> Result<Option<BatchView>, ClientError> {
        self.get_opt(&format!("/v1/batches/{number}")).await
    }

    /// `POST /v1/transactions` in JSON.
    pub async fn submit(&self, tx: &SignedTx, wait: Wait) -> Result<SubmitResponse, ClientError> {
        let req = self.http.post(self.submit_url(wait)).json(tx);
        self.send(req).await
    }

    /// `POST /v1/transactions` of a transaction already encoded as `encoding` (a load
    /// generator encodes ahead of its timed phase).
    pub async fn submit_encoded(
        &self,
        body: Vec<u8>,
        encoding: Encoding,
        wait: Wait,
    ) -> Result<SubmitResponse, ClientError> {
        let req = self
            .http
            .post(self.submit_url(wait))
            .header(reqwest::header::CONTENT_TYPE, encoding.content_type())
            .body(body);
        self.send(req).await
    }

    /// `POST /v1/dev/deposits`: queues a deposit as if from L1 (dev endpoints only).
    pub async fn dev_deposit(
        &self,
        deposit: &DevDeposit,
    ) -> Result<DevDepositResponse, ClientError> {
        let req = self
            .http
            .post(format!("{}/v1/dev/deposits", self.base))
            .json(deposit);
        self.send(req).await
    }

    fn submit_url(&self, wait: Wait) -> String {
        match wait {
            Wait::Durable => format!("{}/v1/transactions", self.base),
            Wait::Soft => format!("{}/v1/transactions?wait=soft", self.base),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// Like `get`, with `not_found` as `None`.
    async fn get_opt<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, ClientError> {
        match self.get(path).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.code() == Some(ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn send<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let transport = |source| ClientError::Transport {
            base: self.base.clone(),
            source,
        };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transport)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode {
                base: self.base.clone(),
                message: e.to_string(),
            });
        }
        Err(match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => ClientError::Api {
                status: status.as_u16(),
                body,
            },
            Err(_) => ClientError::Http {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(HTTP_BODY_CHARS)
                    .collect(),
            },
        })
    }
}
