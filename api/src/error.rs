//! Error codes and the error body of every refusal.
//!
//! Every error response is `{code, message, field?}`; `code` is one of a fixed set of
//! machine-readable strings, listed once, in [`ErrorCode`]. The server, the batcher (which
//! records why a batch rejected a transaction), the metrics labels and the clients all use
//! that one list, so a code cannot be spelled two ways. Which HTTP status goes with a code is
//! the server's business and is not part of this crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use quire_core::amm::AmmError;
use quire_core::state::TxError;

/// Declares [`ErrorCode`] from one table of variants and wire strings, so the enum, its
/// strings and [`ErrorCode::ALL`] cannot drift apart.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal,)*) => {
        /// A machine-readable error code, as sent in [`ErrorBody::code`] and in the `code` of
        /// a rejected transaction. On the wire it is a `snake_case` string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire string, e.g. `"bad_nonce"` (also a `'static` metrics label).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)*
                }
            }
        }
    };
}

error_codes! {
    // Requests the server cannot read.
    /// The body or a path or query parameter could not be decoded.
    Malformed = "malformed",
    /// The body is over the configured limit.
    TooLarge = "too_large",
    /// Neither `application/json` nor `application/octet-stream`.
    UnsupportedMediaType = "unsupported_media_type",
    /// No such transaction, account, batch or route.
    NotFound = "not_found",
    /// An account lookup by key without the `owner` that names the account (decision D10).
    OwnerRequired = "owner_required",
    /// The state is being updated; retry.
    Busy = "busy",
    /// A server-side failure (details are logged, not returned).
    Internal = "internal",

    // The rules of the state transition (`quire_core::state::TxError`).
    /// An amount is zero or not below 2^63, or an AMM result overflows.
    AmountOutOfRange = "amount_out_of_range",
    /// The fee has no 16-bit packed form.
    FeeNotPackable = "fee_not_packable",
    /// The token id is not usable.
    UnknownToken = "unknown_token",
    /// A pool share token where only L1 assets are allowed.
    NotAnL1Asset = "not_an_l1_asset",
    /// A withdrawal to address zero (decision D11).
    ZeroRecipient = "zero_recipient",
    /// No pool has this account id.
    UnknownPool = "unknown_pool",
    /// The token is not one of the pool's reserves.
    TokenNotInPool = "token_not_in_pool",
    /// No such account.
    UnknownAccount = "unknown_account",
    /// The signer's account has no key.
    KeylessAccount = "keyless_account",
    /// The signature does not verify.
    BadSignature = "bad_signature",
    /// The nonce is not the account's next one (or outside the mempool's window).
    BadNonce = "bad_nonce",
    /// A swap or liquidity operation would give less than its minimum.
    Slippage = "slippage",
    /// The pool has no liquidity.
    NoLiquidity = "no_liquidity",
    /// The operation would give nothing.
    AmountTooSmall = "amount_too_small",
    /// The debited balance is too small.
    InsufficientBalance = "insufficient_balance",
    /// A credited balance would overflow.
    BalanceOverflow = "balance_overflow",

    // Admission policy of the sequencer.
    /// A withdrawal to the rollup contract itself, which can never claim it.
    RollupRecipient = "rollup_recipient",
    /// The fee is below the sequencer's minimum.
    FeeTooLow = "fee_too_low",
    /// The same transaction is already known.
    AlreadyKnown = "already_known",
    /// Another pending transaction holds this account's nonce.
    NonceTaken = "nonce_taken",
    /// The mempool is full.
    MempoolFull = "mempool_full",
    /// The account has too many pending transactions.
    AccountQueueFull = "account_queue_full",
    /// A pending transaction whose nonce gap never closed, rejected after the mempool's TTL.
    Expired = "expired",

    /// A code this version does not know (a newer server's); never sent by this version.
    Unknown = "unknown",
}

impl From<&TxError> for ErrorCode {
    fn from(e: &TxError) -> Self {
        match e {
            TxError::AmountOutOfRange { .. } => ErrorCode::AmountOutOfRange,
            TxError::FeeNotPackable { .. } => ErrorCode::FeeNotPackable,
            TxError::UnknownToken(_) => ErrorCode::UnknownToken,
            TxError::NotAnL1Asset(_) => ErrorCode::NotAnL1Asset,
            TxError::ZeroRecipient => ErrorCode::ZeroRecipient,
            TxError::UnknownPool(_) => ErrorCode::UnknownPool,
            TxError::TokenNotInPool { .. } => ErrorCode::TokenNotInPool,
            TxError::UnknownAccount(_) => ErrorCode::UnknownAccount,
            TxError::KeylessAccount(_) => ErrorCode::KeylessAccount,
            TxError::BadSignature => ErrorCode::BadSignature,
            TxError::BadNonce { .. } | TxError::NonceOverflow => ErrorCode::BadNonce,
            TxError::Amm(AmmError::Slippage { .. }) => ErrorCode::Slippage,
            TxError::Amm(AmmError::NoLiquidity) => ErrorCode::NoLiquidity,
            TxError::Amm(AmmError::ZeroOutput) => ErrorCode::AmountTooSmall,
            TxError::Amm(AmmError::Overflow) => ErrorCode::AmountOutOfRange,
            TxError::InsufficientBalance { .. } => ErrorCode::InsufficientBalance,
            TxError::BalanceOverflow { .. } => ErrorCode::BalanceOverflow,
            TxError::PriorityOutOfOrder { .. } => ErrorCode::Internal,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of [`ErrorCode::ALL`]'s.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code {0:?}")]
pub struct UnknownCode(pub String);

impl FromStr for ErrorCode {
    type Err = UnknownCode;

    /// Strict: only the wire strings of this version (`"unknown"` included).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL
            .iter()
            .find(|c| c.as_str() == s)
            .copied()
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

impl ErrorCode {
    /// Lenient: a code this version does not know reads as [`ErrorCode::Unknown`], so a
    /// client keeps working against a newer server that added codes.
    pub fn from_wire(s: &str) -> ErrorCode {
        s.parse().unwrap_or(ErrorCode::Unknown)
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(ErrorCode::from_wire(&s))
    }
}

/// The body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `bad_nonce`.
    #[schema(value_type = String)]
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    /// A body without a field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            field: None,
        }
    }
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field {field})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_strings_that_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for &code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} listed twice");
            assert!(
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{s}"
            );
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).ok(), Some(code));
            assert_eq!(s.parse::<ErrorCode>(), Ok(code));
        }
    }

    /// The wire strings the sequencer sent before the codes became an enum: none may change.
    #[test]
    fn wire_strings_are_the_published_ones() {
        let published = [
            "malformed",
            "too_large",
            "unsupported_media_type",
            "not_found",
            "owner_required",
            "busy",
            "internal",
            "amount_out_of_range",
            "fee_not_packable",
            "unknown_token",
            "not_an_l1_asset",
            "zero_recipient",
            "unknown_pool",
            "token_not_in_pool",
            "unknown_account",
            "keyless_account",
            "bad_signature",
            "bad_nonce",
            "slippage",
            "no_liquidity",
            "amount_too_small",
            "insufficient_balance",
            "balance_overflow",
            "rollup_recipient",
            "fee_too_low",
            "already_known",
            "nonce_taken",
            "mempool_full",
            "account_queue_full",
            "expired",
        ];
        for s in published {
            assert!(s.parse::<ErrorCode>().is_ok(), "{s} is no longer a code");
        }
        assert_eq!(ErrorCode::ALL.len(), published.len() + 1, "plus `unknown`");
    }

    #[test]
    fn an_unknown_code_reads_as_unknown_and_is_refused_strictly() {
        let c: ErrorCode = serde_json::from_str("\"added_later\"").unwrap_or(ErrorCode::Internal);
        assert_eq!(c, ErrorCode::Unknown);
        assert!("added_later".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn tx_errors_map_to_their_codes() {
        use quire_core::token::TokenId;
        assert_eq!(
            ErrorCode::from(&TxError::BadNonce {
                expected: 1,
                got: 0
            }),
            ErrorCode::BadNonce
        );
        assert_eq!(
            ErrorCode::from(&TxError::NonceOverflow),
            ErrorCode::BadNonce
        );
        assert_eq!(
            ErrorCode::from(&TxError::Amm(AmmError::ZeroOutput)),
            ErrorCode::AmountTooSmall
        );
        assert_eq!(
            ErrorCode::from(&TxError::NotAnL1Asset(TokenId(200))),
            ErrorCode::NotAnL1Asset
        );
    }

    #[test]
    fn error_body_omits_an_absent_field() {
        let b = ErrorBody::new(ErrorCode::NotFound, "account not found");
        let v = serde_json::to_value(&b).unwrap_or_default();
        assert_eq!(
            v,
            serde_json::json!({"code": "not_found", "message": "account not found"})
        );
        let back: ErrorBody = serde_json::from_value(v).unwrap_or_else(|_| b.clone());
        assert_eq!(back, b);
    }
}
