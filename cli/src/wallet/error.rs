//! The wallet's error type and the exit codes it maps to.
//!
//! Exit codes are part of the CLI's contract so scripts can branch on them:
//! 0 ok, 1 usage or validation (nothing was sent), 2 a service refused or failed
//! (its machine-readable code is printed), 3 a wait timed out.

use std::time::Duration;

/// Exit status for usage and validation errors (nothing was sent).
pub const EXIT_USAGE: i32 = 1;
/// Exit status when a service (sequencer or L1) refused or could not be reached.
pub const EXIT_REFUSED: i32 = 2;
/// Exit status when a `--wait` ran out of time.
pub const EXIT_TIMEOUT: i32 = 3;

/// Why a wallet command failed.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// A flag's value is invalid; `field` is the flag (`--amount`).
    #[error("{field}: {message}")]
    Invalid {
        /// The flag at fault, as typed on the command line.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A local problem: keystore, configuration, files.
    #[error("{0}")]
    Local(String),
    /// The sequencer or the L1 contract refused, with a machine-readable code.
    #[error("refused ({code}): {message}")]
    Refused {
        /// Machine-readable code (the sequencer's, or `l1_reverted`, `rejected`…).
        code: String,
        /// Human-readable message.
        message: String,
        /// The request field the service named, if any.
        field: Option<String>,
    },
    /// The service could not be reached or answered something unreadable.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A wait did not reach its stage in time.
    #[error("timed out waiting for {target} (last seen: {last}; waited {:?})", .after)]
    Timeout {
        /// The stage waited for.
        target: String,
        /// The last stage seen.
        last: String,
        /// How long it waited.
        after: Duration,
    },
}

impl WalletError {
    /// An invalid flag value.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        WalletError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A local problem.
    pub fn local(message: impl Into<String>) -> Self {
        WalletError::Local(message.into())
    }

    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            WalletError::Invalid { .. } | WalletError::Local(_) => EXIT_USAGE,
            WalletError::Refused { .. } | WalletError::Unavailable(_) => EXIT_REFUSED,
            WalletError::Timeout { .. } => EXIT_TIMEOUT,
        }
    }

    /// The machine-readable code of a refusal, if this is one.
    pub fn code(&self) -> Option<&str> {
        match self {
            WalletError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl From<quire_api::ClientError> for WalletError {
    fn from(e: quire_api::ClientError) -> Self {
        use quire_api::ClientError as E;
        match e {
            E::Setup(_) => WalletError::Local(e.to_string()),
            E::Api { body, .. } => WalletError::Refused {
                code: body.code.as_str().into(),
                message: body.message,
                field: body.field,
            },
            // No error body (a proxy, a crash): the HTTP status stands in for the code.
            E::Http { status, body } => WalletError::Refused {
                code: format!("http_{status}"),
                message: body,
                field: None,
            },
            E::Transport { .. } | E::Decode { .. } | E::Invalid(_) => {
                WalletError::Unavailable(e.to_string())
            }
        }
    }
}

impl From<quire_l1::L1Error> for WalletError {
    fn from(e: quire_l1::L1Error) -> Self {
        use quire_l1::L1Error as E;
        match e {
            E::Config(m) => WalletError::Local(format!("L1 configuration: {m}")),
            E::Reverted(m) => WalletError::Refused {
                code: "l1_reverted".into(),
                message: m,
                field: None,
            },
            E::TxFailed { .. } => WalletError::Refused {
                code: "l1_tx_failed".into(),
                message: e.to_string(),
                field: None,
            },
            E::Timeout(m) => WalletError::Timeout {
                target: format!("L1 ({m})"),
                last: "unknown".into(),
                after: Duration::ZERO,
            },
            E::Io { .. } | E::Json { .. } => WalletError::Local(e.to_string()),
            other => WalletError::Unavailable(format!("L1: {other}")),
        }
    }
}

/// Result of wallet operations.
pub type Result<T, E = WalletError> = std::result::Result<T, E>;
