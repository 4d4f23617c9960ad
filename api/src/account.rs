//! Accounts and balance proofs.
//!
//! Balances travel as decimal strings: they are `u64` L2 amounts, and JSON readers that
//! parse numbers as doubles would round them above 2^53.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use quire_core::account::{AccountId, Address};
use quire_core::hash::Digest;
use quire_core::schnorr::PublicKey;
use quire_core::state::BalanceProof;
use quire_core::token::TokenId;

use crate::client::ClientError;

// `GET /v1/accounts/{id}` and `/v1/accounts/by-key/{key}?owner=…`. The `///` texts of
// the schema types are their OpenAPI descriptions.
/// An account as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountView {
    /// Id.
    pub id: u32,
    /// Public key (absent for keyless accounts).
    #[schema(value_type = Option<String>)]
    pub pubkey: Option<PublicKey>,
    /// L1 owner.
    #[schema(value_type = String)]
    pub l1_owner: Address,
    /// Nonce.
    pub nonce: u32,
    /// Balances by token id, as decimal strings.
    pub balances: BTreeMap<u8, String>,
}

impl AccountView {
    /// The account id, checked to be below 2^24.
    pub fn account_id(&self) -> Result<AccountId, ClientError> {
        AccountId::new(self.id)
            .ok_or_else(|| ClientError::Invalid(format!("account id {} out of range", self.id)))
    }

    /// Balance of `token` in L2 units (0 if absent).
    pub fn balance(&self, token: TokenId) -> Result<u64, ClientError> {
        match self.balances.get(&token.0) {
            None => Ok(0),
            Some(s) => s
                .parse()
                .map_err(|_| ClientError::Invalid(format!("balance {s:?} is not an integer"))),
        }
    }
}

/// The L1 owner that, with a key, names an account.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct OwnerQuery {
    /// The account's L1 owner (0x + 40 hex digits): the address whose deposit opened it.
    pub owner: Option<String>,
}

// `GET /v1/accounts/{id}/proof/{token}`.
/// A balance proof with the root it proves against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProofView {
    /// The state root.
    #[schema(value_type = String)]
    pub root: Digest,
    /// The proof.
    #[schema(value_type = Object)]
    pub proof: BalanceProof,
}
