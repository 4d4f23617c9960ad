//! The HTTP API (axum): `/v1/*`, `/metrics`, `/openapi.json`, `/healthz`, `/readyz`.
//!
//! The request and response types, the error codes and the OpenAPI schemas are
//! `quire-api`'s, shared with the clients; this module holds the routes, the handlers and
//! the HTTP status of each refusal.

pub mod dev;
pub mod error;
pub mod query;
pub mod submit;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

use crate::node::Node;

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quire sequencer API",
        description = "Submit L2 transactions, read accounts, proofs and batches."
    ),
    paths(
        submit::submit,
        query::transaction,
        query::account,
        query::account_by_key,
        query::proof,
        query::batches,
        query::batch,
        query::tokens,
        query::pools,
        query::status,
        dev::deposit,
    ),
    components(schemas(
        quire_api::ErrorBody,
        quire_api::SubmitResponse,
        quire_api::AccountView,
        quire_api::ProofView,
        quire_api::PoolView,
        quire_api::StatusView,
        quire_api::DevDeposit,
        quire_api::DevDepositResponse
    ))
)]
pub struct ApiDoc;

/// Builds the router.
pub fn router(node: Arc<Node>, metrics: PrometheusHandle) -> Router {
    let mut v1 = Router::new()
        .route("/transactions", post(submit::submit))
        .route("/transactions/{hash}", get(query::transaction))
        .route("/accounts/{id}", get(query::account))
        .route("/accounts/by-key/{pubkey}", get(query::account_by_key))
        .route("/accounts/{id}/proof/{token}", get(query::proof))
        .route("/batches", get(query::batches))
        .route("/batches/{number}", get(query::batch))
        .route("/tokens", get(query::tokens))
        .route("/pools", get(query::pools))
        .route("/status", get(query::status));
    if node.config.api.dev_endpoints {
        v1 = v1.route("/dev/deposits", post(dev::deposit));
    }
    let limit = node.config.api.body_limit_bytes;
    Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route(
            "/metrics",
            get(move || {
                let m = metrics.clone();
                async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], m.render()) }
            }),
        )
        .fallback(|| async { error::ApiError::not_found("route") })
        .layer(DefaultBodyLimit::max(limit))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(node)
}

/// Ready when the database answers.
async fn ready(State(node): State<Arc<Node>>) -> impl IntoResponse {
    if node.storage.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
