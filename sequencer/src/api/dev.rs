//! `/v1/dev/*`: development endpoints, enabled only by `api.dev_endpoints` (the devnet).
//!
//! `POST /v1/dev/deposits` queues a deposit exactly as the L1 watcher does for a
//! `Deposit` event — the batcher then executes it as a priority operation — so a local
//! network can fund accounts without an L1. It must never be enabled in production.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use quire_api::{DevDeposit, DevDepositResponse, ErrorBody};
use quire_core::tx::{Deposit, PriorityOp};

use super::error::ApiError;
use crate::node::Node;

/// Queues a deposit as if from L1 (devnet only).
#[utoipa::path(post, path = "/v1/dev/deposits", request_body = DevDeposit,
    responses((status = 202, body = DevDepositResponse), (status = 404, body = ErrorBody)))]
pub async fn deposit(
    State(node): State<Arc<Node>>,
    Json(d): Json<DevDeposit>,
) -> Result<(StatusCode, Json<DevDepositResponse>), ApiError> {
    // One at a time: ids are assigned here, as the L1 queue would.
    let _guard = node.dev_lock.lock().await;
    let priority_id = node
        .storage
        .next_free_priority_id()
        .await
        .map_err(ApiError::internal)?;
    let op = PriorityOp::Deposit(Deposit {
        priority_id,
        from: d.from,
        to: d.to,
        token: d.token,
        amount: d.amount,
    });
    node.storage
        .insert_priority_ops(&[op])
        .await
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DevDepositResponse { priority_id }),
    ))
}
