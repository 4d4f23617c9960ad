//! Exodus from L1 data alone (no sequencer): the chain is read into a local mirror file
//! (`quire_chain`), the state rebuilt at the last executed batch, and exits, pool
//! settlements and deposit reclaims sent to the Rollup contract. This module maps the
//! chain's errors to the wallet's.

use quire_chain::{ChainError, FlagError};

use super::error::WalletError;

impl From<FlagError> for WalletError {
    fn from(e: FlagError) -> Self {
        WalletError::invalid(e.flag, e.message)
    }
}

impl From<ChainError> for WalletError {
    fn from(e: ChainError) -> Self {
        match e {
            ChainError::L1(e) => e.into(),
            ChainError::Db(_) | ChainError::Migrate(_) => WalletError::local(e.to_string()),
            ChainError::WrongMirror { .. } => WalletError::invalid("--mirror", e.to_string()),
            ChainError::NoContract(_) => WalletError::invalid("--rollup", e.to_string()),
            ChainError::GenesisMismatch { .. } | ChainError::Genesis(_) => {
                WalletError::invalid("--genesis", e.to_string())
            }
            ChainError::UnknownBatch(_) => WalletError::local(e.to_string()),
            ChainError::IndirectCall { .. } | ChainError::Calldata { .. } => WalletError::Refused {
                code: "chain_unreadable".into(),
                message: e.to_string(),
                field: None,
            },
            ChainError::PubdataMismatch { .. }
            | ChainError::History(_)
            | ChainError::Replay { .. }
            | ChainError::PriorityCount { .. }
            | ChainError::RootMismatch { .. } => WalletError::Refused {
                code: "chain_mismatch".into(),
                message: e.to_string(),
                field: None,
            },
        }
    }
}
