//! The error type of every quire-l1 operation.

use ethers::abi::AbiDecode;
use ethers::contract::ContractError;
use ethers::providers::{Middleware, MiddlewareError, RpcError};
use ethers::types::{H256, U256};

use crate::bindings::rollup::RollupErrors;

/// What went wrong talking to L1.
#[derive(Debug, thiserror::Error)]
pub enum L1Error {
    /// Bad configuration or arguments (RPC URL, key, deployment file, token list).
    #[error("configuration: {0}")]
    Config(String),
    /// The node answered with an error or could not be reached.
    #[error("rpc: {0}")]
    Rpc(String),
    /// A call or transaction would revert (or reverted) with this reason; Rollup's custom
    /// errors are decoded by name.
    #[error("contract reverted: {0}")]
    Reverted(String),
    /// A transaction was mined but failed.
    #[error("transaction {hash:?} failed (status 0) in block {block}")]
    TxFailed {
        /// The failed transaction.
        hash: H256,
        /// Its block.
        block: u64,
    },
    /// A block the watcher had already accepted as confirmed is no longer on the chain: a
    /// reorg deeper than the confirmation depth. Not retryable: the operator must look.
    #[error("reorg below the confirmation depth at block {number}: expected {expected:?}, found {found:?}")]
    Reorg {
        /// The block number.
        number: u64,
        /// The hash recorded earlier.
        expected: H256,
        /// The hash the node reports now (zero if the block no longer exists).
        found: H256,
    },
    /// The priority queue's events skip an id (a missed log or a node bug).
    #[error("priority id gap: expected {expected}, found {found}")]
    PriorityGap {
        /// The next id the cursor expects.
        expected: u64,
        /// The id the events hold.
        found: u64,
    },
    /// An event that cannot be turned into a core priority operation.
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    /// A nonce of ours was used by a transaction the committer did not send.
    #[error("nonce {0} was consumed by a transaction this committer did not send")]
    NonceConsumed(U256),
    /// Waiting for a transaction timed out.
    #[error("timed out: {0}")]
    Timeout(String),
    /// Reading or writing a file.
    #[error("i/o on {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A malformed JSON file.
    #[error("json in {path}: {source}")]
    Json {
        /// The file.
        path: String,
        /// The cause.
        source: serde_json::Error,
    },
}

impl L1Error {
    /// Wraps a provider or middleware error.
    pub fn rpc(e: impl std::fmt::Display) -> Self {
        L1Error::Rpc(e.to_string())
    }

    /// Converts a contract-call error, decoding Rollup's custom errors where possible so the
    /// message names the revert (e.g. `LastBatchMismatch`) instead of raw bytes.
    pub fn contract<M: Middleware>(e: ContractError<M>) -> Self {
        if let Some(data) = e.as_revert() {
            return L1Error::Reverted(decode_revert(data));
        }
        match e {
            ContractError::MiddlewareError { e } => {
                // Reverts during gas estimation arrive as JSON-RPC errors with the revert data.
                match e.as_error_response() {
                    Some(resp) => match resp.as_revert_data() {
                        Some(data) => L1Error::Reverted(decode_revert(&data)),
                        None => L1Error::Rpc(resp.to_string()),
                    },
                    None => L1Error::Rpc(e.to_string()),
                }
            }
            ContractError::ProviderError { e } => match RpcError::as_error_response(&e) {
                Some(resp) => match resp.as_revert_data() {
                    Some(data) => L1Error::Reverted(decode_revert(&data)),
                    None => L1Error::Rpc(resp.to_string()),
                },
                None => L1Error::Rpc(e.to_string()),
            },
            other => L1Error::Rpc(other.to_string()),
        }
    }
}

/// Names a revert: a Rollup custom error (`PriorityOpMismatch(3)`), an `Error(string)`, or
/// the raw bytes.
pub fn decode_revert(data: &[u8]) -> String {
    match RollupErrors::decode(data) {
        Ok(RollupErrors::RevertString(s)) => s,
        Ok(err) => format!("{err:?}"),
        Err(_) => format!("0x{}", hex::encode(data)),
    }
}
