//! `POST /v1/transactions`: admission of a signed L2 transaction.
//!
//! Checks run cheapest first and nothing is stored until all pass: decoding, the
//! static rules of the state transition, signer and nonce window, minimum fee, a balance
//! pre-check, the signature, then the mempool's slot and bounds.
//! The reply is sent only after the transaction is in the database.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;

use quire_api::{ErrorBody, ErrorCode, SubmitQuery, SubmitResponse, TxStatus};
use quire_core::schnorr;
use quire_core::state::TxError;
use quire_core::tx::{L2Tx, SignedTx};
use quire_executor::mempool::AdmitError;

use super::error::ApiError;
use crate::node::{now, Node};
use quire_storage::PendingTx;

fn decode(headers: &HeaderMap, body: &[u8]) -> Result<SignedTx, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    if content_type.starts_with("application/octet-stream") {
        return SignedTx::decode(body).map_err(|e| ApiError::malformed(e.to_string()));
    }
    if !content_type.starts_with("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send application/json or application/octet-stream (canonical encoding)",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = match path.as_str() {
            // Inside the internally tagged `tx`, serde loses the path: find the field by
            // decoding the body again as the named variant.
            "tx" => variant_field(body).unwrap_or(path),
            _ => path,
        };
        let err = ApiError::malformed(e.inner().to_string());
        if field == "." {
            err
        } else {
            err.field(field)
        }
    })
}

/// The path of the first bad field of the `tx` object, decoded as its `type`'s struct.
fn variant_field(body: &[u8]) -> Option<String> {
    use quire_core::tx::{AddLiquidity, RemoveLiquidity, Swap, Transfer, Withdraw};
    fn path_of<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Option<String> {
        serde_path_to_error::deserialize::<_, T>(v)
            .err()
            .map(|e| format!("tx.{}", e.path()))
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut tx = value.get("tx")?.clone();
    let kind = tx.as_object_mut()?.remove("type")?;
    match kind.as_str()? {
        "transfer" => path_of::<Transfer>(&tx),
        "withdraw" => path_of::<Withdraw>(&tx),
        "swap" => path_of::<Swap>(&tx),
        "add_liquidity" => path_of::<AddLiquidity>(&tx),
        "remove_liquidity" => path_of::<RemoveLiquidity>(&tx),
        _ => Some("tx.type".into()),
    }
}

/// The amount of the main debit, checked against the balance before admission.
fn debit(tx: &L2Tx) -> Option<(quire_core::token::TokenId, u128)> {
    match tx {
        L2Tx::Transfer(t) => Some((t.token, t.amount as u128 + t.fee as u128)),
        L2Tx::Withdraw(t) => Some((t.token, t.amount as u128 + t.fee as u128)),
        L2Tx::Swap(t) => Some((t.token_in, t.amount_in as u128 + t.fee as u128)),
        L2Tx::AddLiquidity(_) | L2Tx::RemoveLiquidity(_) => None,
    }
}

/// A withdrawal to the settlement contract itself would be credited to an address that can
/// never claim it. Core refuses address zero for every node; the contract's address is known
/// only to a node connected to L1, so this check lives here.
fn refuse_rollup_recipient(node: &Node, tx: &L2Tx) -> Result<(), ApiError> {
    match (tx, node.rollup.get()) {
        (L2Tx::Withdraw(w), Some(rollup)) if w.to == *rollup => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RollupRecipient,
            "a withdrawal cannot go to the rollup contract: nobody could claim it",
        )
        .field("to")),
        _ => Ok(()),
    }
}

/// Submits a signed transaction (JSON, or the canonical binary encoding).
#[utoipa::path(
    post,
    path = "/v1/transactions",
    params(SubmitQuery),
    request_body(content = Object, description = "A signed transaction: {\"tx\": {\"type\": \"transfer\", …}, \"signature\": \"0x…\"}, or its canonical encoding as application/octet-stream"),
    responses(
        (status = 202, description = "Acknowledged and durable", body = SubmitResponse),
        (status = 200, description = "With ?wait=soft: executed or rejected", body = SubmitResponse),
        (status = 400, description = "Malformed", body = ErrorBody),
        (status = 409, description = "Already known, or nonce taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Invalid transaction", body = ErrorBody),
        (status = 429, description = "Mempool full", body = ErrorBody),
    )
)]
pub async fn submit(
    State(node): State<Arc<Node>>,
    Query(query): Query<SubmitQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SubmitResponse>), ApiError> {
    let result = admit(&node, &headers, body, query.wait.as_deref() == Some("soft")).await;
    // Codes are a fixed set of `'static` strings: bounded label values.
    let label = match &result {
        Ok(_) => "accepted",
        Err(e) => e.body.code.as_str(),
    };
    metrics::counter!("quire_tx_submitted_total", "result" => label).increment(1);
    result
}

async fn admit(
    node: &Arc<Node>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    wait: bool,
) -> Result<(StatusCode, Json<SubmitResponse>), ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::TooLarge,
                "request body too large",
            )
        } else {
            ApiError::malformed(e.body_text())
        }
    })?;
    let signed = decode(headers, &body)?;
    let chain_id = node.genesis.chain_id;
    let hash = signed.tx.signing_hash(chain_id);
    if node.mempool.lock().contains(&hash) {
        return Err(AdmitError::AlreadyKnown.into());
    }

    // Rules that need the state, under a short read lock.
    let pubkey = {
        let state = node.state.read();
        state.check_static(&signed.tx)?;
        refuse_rollup_recipient(node, &signed.tx)?;
        let signer = signed.tx.signer();
        let account = state
            .account(signer)
            .ok_or(TxError::UnknownAccount(signer))?;
        let pubkey = account.pubkey.ok_or(TxError::KeylessAccount(signer))?;
        let nonce = signed.tx.nonce();
        let window = node.config.mempool.nonce_window;
        if nonce < account.nonce || nonce - account.nonce >= window {
            return Err(ApiError::from(TxError::BadNonce {
                expected: account.nonce,
                got: nonce,
            }));
        }
        if signed.tx.fee() < node.config.mempool.min_fee {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::FeeTooLow,
                format!(
                    "fee {} is below the minimum {}",
                    signed.tx.fee(),
                    node.config.mempool.min_fee
                ),
            )
            .field("fee"));
        }
        if nonce == account.nonce {
            if let Some((token, needed)) = debit(&signed.tx) {
                let available = account.balance(token);
                if needed > available as u128 {
                    return Err(TxError::InsufficientBalance {
                        account: signer,
                        token,
                        needed,
                        available,
                    }
                    .into());
                }
            }
        }
        pubkey
    };

    // The signature, inline on this worker. It takes ~80 µs of CPU, which sits at tokio's
    // "don't block longer than this" line, but handing it to the blocking pool cost more:
    // under load the thread hand-off (two context switches per request) took a quarter of
    // the service's CPU in profiles, while the check itself cannot wait on anything.
    let valid = schnorr::verify(&pubkey, &hash, &signed.signature).is_ok();
    if !valid {
        return Err(TxError::BadSignature.into());
    }

    // Reserve the slot, write durably, then offer it to the batcher.
    let seq = node.take_seq();
    let received_at_ms = now();
    node.mempool
        .lock()
        .admit(hash, seq, signed.clone(), received_at_ms, false)?;
    let waiter = wait.then(|| node.wait_for(hash));
    if let Err(e) = node
        .persist(PendingTx {
            hash,
            seq,
            tx: signed,
            received_at_ms,
        })
        .await
    {
        node.mempool.lock().remove(&[hash]);
        return Err(ApiError::internal(e));
    }
    let ready = {
        let mut pool = node.mempool.lock();
        pool.mark_durable(&[hash]);
        pool.len() >= node.config.batch.max_txs
    };
    if ready {
        node.batch_ready.notify_one();
    }

    let Some(waiter) = waiter else {
        return Ok((
            StatusCode::ACCEPTED,
            Json(SubmitResponse {
                hash,
                status: TxStatus::Pending,
            }),
        ));
    };
    let limit = Duration::from_secs(node.config.api.max_wait_secs);
    match tokio::time::timeout(limit, waiter).await {
        Ok(Ok(status)) => Ok((StatusCode::OK, Json(SubmitResponse { hash, status }))),
        // Timed out (or shutting down): still durable and pending.
        _ => Ok((
            StatusCode::ACCEPTED,
            Json(SubmitResponse {
                hash,
                status: TxStatus::Pending,
            }),
        )),
    }
}
