//! `/v1/dev/*`: development endpoints, served only by a sequencer started with
//! `api.dev_endpoints` (the devnet, `--dev`); never in production.

use serde::{Deserialize, Serialize};

use quire_core::account::Address;
use quire_core::schnorr::PublicKey;
use quire_core::token::TokenId;

// `POST /v1/dev/deposits`, as if from L1. The `///` texts of the schema types are their
// OpenAPI descriptions.
/// A deposit to queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DevDeposit {
    /// The L2 key credited.
    #[schema(value_type = String)]
    pub to: PublicKey,
    /// The L1 sender (owner of a new account).
    #[schema(value_type = String)]
    pub from: Address,
    /// Token id.
    #[schema(value_type = u8)]
    pub token: TokenId,
    /// Amount in L2 units (decimal string or number).
    #[serde(with = "quire_core::tx::amount_serde")]
    pub amount: u64,
}

/// The queued operation's id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DevDepositResponse {
    /// Position in the priority queue.
    pub priority_id: u64,
}
