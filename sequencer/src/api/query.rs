//! Read endpoints: transactions, accounts and proofs, batches, tokens, pools, status.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;

use quire_api::{
    AccountView, BatchPage, BatchView, ErrorBody, ErrorCode, OwnerQuery, PoolView, ProofView,
    StatusView, TxView,
};
use quire_core::account::{AccountId, Address};
use quire_core::hash::Digest;
use quire_core::schnorr::PublicKey;
use quire_core::token::{TokenId, TokenInfo};

use super::error::ApiError;
use crate::node::Node;

fn view(node: &Node, id: AccountId) -> Result<AccountView, ApiError> {
    let state = node.state.read();
    let a = state
        .account(id)
        .ok_or_else(|| ApiError::not_found("account"))?;
    Ok(AccountView {
        id: id.get(),
        pubkey: a.pubkey,
        l1_owner: a.l1_owner,
        nonce: a.nonce,
        balances: a
            .balances
            .iter()
            .map(|(t, b)| (t.0, b.to_string()))
            .collect(),
    })
}

fn account_id(raw: u32) -> Result<AccountId, ApiError> {
    AccountId::new(raw).ok_or_else(|| ApiError::malformed("account id must be < 2^24").field("id"))
}

/// A transaction and its status.
#[utoipa::path(get, path = "/v1/transactions/{hash}",
    params(("hash" = String, Path, description = "0x-hex signing hash")),
    responses((status = 200, description = "Found", body = Object), (status = 404, body = ErrorBody)))]
pub async fn transaction(
    State(node): State<Arc<Node>>,
    Path(hash): Path<String>,
) -> Result<Json<TxView>, ApiError> {
    let hash: Digest = hash
        .parse()
        .map_err(|e| ApiError::malformed(format!("{e}")).field("hash"))?;
    let rec = node
        .storage
        .transaction(&hash)
        .await
        .map_err(ApiError::internal)?;
    rec.map(Json)
        .ok_or_else(|| ApiError::not_found("transaction"))
}

/// An account by id.
#[utoipa::path(get, path = "/v1/accounts/{id}", params(("id" = u32, Path)),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorBody)))]
pub async fn account(
    State(node): State<Arc<Node>>,
    Path(id): Path<u32>,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(view(&node, account_id(id)?)?))
}

/// The account of a public key and an L1 owner. An account is the pair (key, L1 owner)
/// (decision D10): a key alone may have accounts opened by several L1 addresses, any of
/// which could exit its funds, so a lookup by key alone is refused rather than answered
/// with one of them.
#[utoipa::path(get, path = "/v1/accounts/by-key/{pubkey}", params(("pubkey" = String, Path), OwnerQuery),
    responses((status = 200, body = AccountView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn account_by_key(
    State(node): State<Arc<Node>>,
    Path(key): Path<String>,
    Query(query): Query<OwnerQuery>,
) -> Result<Json<AccountView>, ApiError> {
    let pk: PublicKey = key
        .parse()
        .map_err(|e| ApiError::malformed(format!("{e}")).field("pubkey"))?;
    let owner = query.owner.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            ErrorCode::OwnerRequired,
            "an account is a key and its L1 owner: add ?owner=0x…",
        )
        .field("owner")
    })?;
    let owner: Address = owner
        .trim()
        .parse()
        .map_err(|e| ApiError::malformed(format!("owner: {e}")).field("owner"))?;
    let id = node
        .state
        .read()
        .account_id(&pk, &owner)
        .ok_or_else(|| ApiError::not_found("account"))?;
    Ok(Json(view(&node, id)?))
}

/// Merkle proof of an account's balance of a token against the latest root.
#[utoipa::path(get, path = "/v1/accounts/{id}/proof/{token}",
    params(("id" = u32, Path), ("token" = u8, Path)),
    responses((status = 200, body = ProofView), (status = 404, body = ErrorBody)))]
pub async fn proof(
    State(node): State<Arc<Node>>,
    Path((id, token)): Path<(u32, u8)>,
) -> Result<Json<ProofView>, ApiError> {
    let id = account_id(id)?;
    let state = node.state.read();
    if state.account(id).is_none() {
        return Err(ApiError::not_found("account"));
    }
    // A batch being applied holds the state: retry rather than serve a torn proof.
    let proof = state
        .committed_balance_proof(id, TokenId(token))
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Busy,
                "state is being updated; retry",
            )
        })?;
    Ok(Json(ProofView {
        root: state.committed_root(),
        proof,
    }))
}

/// Batches, newest first.
#[utoipa::path(get, path = "/v1/batches", params(BatchPage), responses((status = 200, body = Object)))]
pub async fn batches(
    State(node): State<Arc<Node>>,
    Query(page): Query<BatchPage>,
) -> Result<Json<Vec<BatchView>>, ApiError> {
    let limit = page.limit.unwrap_or(20).clamp(1, 100);
    let batches = node
        .storage
        .batches(page.before, limit)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(batches))
}

/// One batch.
#[utoipa::path(get, path = "/v1/batches/{number}", params(("number" = u64, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn batch(
    State(node): State<Arc<Node>>,
    Path(number): Path<u64>,
) -> Result<Json<BatchView>, ApiError> {
    let b = node
        .storage
        .batch(number)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("batch"))?;
    Ok(Json(b))
}

/// Registered tokens.
#[utoipa::path(get, path = "/v1/tokens", responses((status = 200, body = Object)))]
pub async fn tokens(State(node): State<Arc<Node>>) -> Json<Vec<TokenInfo>> {
    Json(node.state.read().tokens().iter().cloned().collect())
}

/// AMM pools.
#[utoipa::path(get, path = "/v1/pools", responses((status = 200, body = Vec<PoolView>)))]
pub async fn pools(State(node): State<Arc<Node>>) -> Json<Vec<PoolView>> {
    let state = node.state.read();
    Json(
        state
            .pools()
            .values()
            .map(|p| PoolView {
                reserve_a: state.balance(p.account, p.token_a).to_string(),
                reserve_b: state.balance(p.account, p.token_b).to_string(),
                supply: state.pool_supply(p).to_string(),
                pool: p.clone(),
            })
            .collect(),
    )
}

/// Chain status.
#[utoipa::path(get, path = "/v1/status", responses((status = 200, body = StatusView)))]
pub async fn status(State(node): State<Arc<Node>>) -> Json<StatusView> {
    let pending = node.mempool.lock().len();
    let head = *node.head.read();
    let state = node.state.read();
    Json(StatusView {
        chain_id: state.chain_id(),
        latest_batch: head.number,
        root: head.root,
        accounts: state.num_accounts(),
        pending,
        next_priority_id: state.next_priority_id(),
    })
}
