//! API errors: the shared [`ErrorBody`] (`{code, message, field?}`, one [`ErrorCode`] per
//! cause) with the HTTP status that goes with it. The codes and the body are `quire-api`'s;
//! which status a cause answers with is decided here, on the server.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use quire_api::{ErrorBody, ErrorCode};
use quire_core::state::TxError;
use quire_executor::mempool::AdmitError;

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
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody::new(code, message),
        }
    }

    /// Names the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    /// 400 `malformed`.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, message)
    }

    /// 404 `not_found`.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("{what} not found"),
        )
    }

    /// 500 `internal` (details are logged, not returned).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
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
        let err = ApiError::new(status, ErrorCode::from(&e), e.to_string());
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
                ApiError::new(StatusCode::CONFLICT, ErrorCode::AlreadyKnown, e.to_string())
            }
            AdmitError::NonceTaken(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::NonceTaken, e.to_string())
                    .field("nonce")
            }
            AdmitError::Full => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::MempoolFull,
                e.to_string(),
            ),
            AdmitError::AccountFull => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::AccountQueueFull,
                e.to_string(),
            ),
        }
    }
}
