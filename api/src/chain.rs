//! The chain as a whole: status, pools, batches.

use serde::{Deserialize, Serialize};

use quire_core::amm::Pool;
use quire_core::hash::Digest;

use crate::tx::BatchStage;

// `GET /v1/status`. The `///` texts of the schema types are their OpenAPI descriptions.
/// Chain status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusView {
    /// Chain id.
    pub chain_id: u32,
    /// Latest batch.
    pub latest_batch: u64,
    /// State root after the latest batch (stored durably).
    #[schema(value_type = String)]
    pub root: Digest,
    /// Open accounts.
    pub accounts: u32,
    /// Pending transactions.
    pub pending: usize,
    /// Next priority operation expected.
    pub next_priority_id: u64,
}

// `GET /v1/pools`.
/// A pool with its reserves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PoolView {
    /// Static description.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub pool: Pool,
    /// Reserve of token A.
    pub reserve_a: String,
    /// Reserve of token B.
    pub reserve_b: String,
    /// Outstanding shares.
    pub supply: String,
}

/// Paging of the batch list.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct BatchPage {
    /// Batches numbered below this (newest first); latest if absent.
    pub before: Option<u64>,
    /// Page size, at most 100 (default 20).
    pub limit: Option<u32>,
}

/// `GET /v1/batches` and `/v1/batches/{number}`: a stored batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    /// Number.
    pub number: u64,
    /// Root before.
    pub prev_root: Digest,
    /// Root after.
    pub root: Digest,
    /// Accepted operations.
    pub op_count: u64,
    /// Rejected transactions.
    pub rejected_count: u64,
    /// Pubdata bytes.
    pub pubdata_bytes: u64,
    /// keccak-256 of the pubdata, 0x-hex.
    pub pubdata_commitment: String,
    /// Priority commitment, 0x-hex.
    pub priority_commitment: String,
    /// Consumed priority operations.
    pub priority_count: u64,
    /// How far it has settled on L1.
    pub status: BatchStage,
    /// Creation time (ms since the epoch).
    pub created_at_ms: i64,
}
