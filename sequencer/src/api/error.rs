//! API errors: JSON `{code, message, field?}` with a distinct machine-readable code per
//! cause and the matching HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use quire_core::amm::AmmError;
use quire_core::state::TxError;

use crate::mempool::AdmitError;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `bad_nonce`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Body.
    pub body: ErrorBody,
}

impl ApiError {
    /// An error with a code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                field: None,
            },
        }
    }

    /// Names the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    /// 400 `malformed`.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed", message)
    }

    /// 404 `not_found`.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 500 `internal` (details are logged, not returned).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The machine-readable code of a state-transition error.
pub fn tx_error_code(e: &TxError) -> &'static str {
    match e {
        TxError::AmountOutOfRange { .. } => "amount_out_of_range",
        TxError::FeeNotPackable { .. } => "fee_not_packable",
        TxError::UnknownToken(_) => "unknown_token",
        TxError::NotAnL1Asset(_) => "not_an_l1_asset",
        TxError::ZeroRecipient => "zero_recipient",
        TxError::UnknownPool(_) => "unknown_pool",
        TxError::TokenNotInPool { .. } => "token_not_in_pool",
        TxError::UnknownAccount(_) => "unknown_account",
        TxError::KeylessAccount(_) => "keyless_account",
        TxError::BadSignature => "bad_signature",
        TxError::BadNonce { .. } | TxError::NonceOverflow => "bad_nonce",
        TxError::Amm(AmmError::Slippage { .. }) => "slippage",
        TxError::Amm(AmmError::NoLiquidity) => "no_liquidity",
        TxError::Amm(AmmError::ZeroOutput) => "amount_too_small",
        TxError::Amm(AmmError::Overflow) => "amount_out_of_range",
        TxError::InsufficientBalance { .. } => "insufficient_balance",
        TxError::BalanceOverflow { .. } => "balance_overflow",
        TxError::PriorityOutOfOrder { .. } => "internal",
    }
}

/// The request field a state-transition error points at.
fn tx_error_field(e: &TxError) -> Option<&'static str> {
    Some(match e {
        TxError::AmountOutOfRange { field, .. } => field,
        TxError::FeeNotPackable { .. } => "fee",
        TxError::UnknownToken(_) | TxError::NotAnL1Asset(_) => "token",
        TxError::UnknownPool(_) | TxError::TokenNotInPool { .. } => "pool",
        TxError::ZeroRecipient => "to",
        TxError::BadSignature => "signature",
        TxError::BadNonce { .. } | TxError::NonceOverflow => "nonce",
        _ => return None,
    })
}

impl From<TxError> for ApiError {
    fn from(e: TxError) -> Self {
        let status = match e {
            TxError::PriorityOutOfOrder { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let err = ApiError::new(status, tx_error_code(&e), e.to_string());
        match tx_error_field(&e) {
            Some(f) => err.field(f),
            None => err,
        }
    }
}

impl From<AdmitError> for ApiError {
    fn from(e: AdmitError) -> Self {
        match e {
            AdmitError::AlreadyKnown => {
                ApiError::new(StatusCode::CONFLICT, "already_known", e.to_string())
            }
            AdmitError::NonceTaken(_) => {
                ApiError::new(StatusCode::CONFLICT, "nonce_taken", e.to_string()).field("nonce")
            }
            AdmitError::Full => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "mempool_full", e.to_string())
            }
            AdmitError::AccountFull => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "account_queue_full",
                e.to_string(),
            ),
        }
    }
}
