//! Plain, serializable forms of the contract's structs, for services to store and pass back.

use ethers::types::H256;
use serde::{Deserialize, Serialize};

use crate::bindings::rollup::{CommitBatchInfo, StoredBatchInfo};

/// `IRollup.StoredBatchInfo`: what the contract keeps of a committed batch (only its hash is
/// stored on L1, so prove, execute and the next commit must pass it back exactly as emitted
/// in `BatchCommitted`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBatch {
    /// Batch number (0 = genesis).
    pub batch_number: u64,
    /// L2 timestamp the operator gave the batch.
    pub timestamp: u64,
    /// Queue index of the first priority operation the batch consumed.
    pub first_priority_id: u64,
    /// Number of priority operations it consumed.
    pub priority_ops_count: u64,
    /// State root before the batch (D9 L1 form).
    pub prev_state_root: H256,
    /// State root after the batch (D9 L1 form).
    pub state_root: H256,
    /// keccak256(pubdata).
    pub pubdata_commitment: H256,
    /// D9 fold over the consumed priority operations' hashes.
    pub priority_commitment: H256,
    /// keccak256 of the batch's payout records.
    pub payouts_hash: H256,
}

impl StoredBatch {
    /// The queue index after the last priority operation this batch consumed: where the
    /// next batch starts.
    pub fn next_priority_id(&self) -> u64 {
        self.first_priority_id + self.priority_ops_count
    }

    /// keccak256(abi.encode(StoredBatchInfo)), the value the contract stores.
    pub fn hash(&self) -> H256 {
        let info = StoredBatchInfo::from(*self);
        H256(ethers::utils::keccak256(ethers::abi::encode(&[
            ethers::abi::Token::Tuple(ethers::abi::Tokenize::into_tokens(info)),
        ])))
    }
}

impl From<StoredBatchInfo> for StoredBatch {
    fn from(s: StoredBatchInfo) -> Self {
        StoredBatch {
            batch_number: s.batch_number,
            timestamp: s.timestamp,
            first_priority_id: s.first_priority_id,
            priority_ops_count: s.priority_ops_count,
            prev_state_root: H256(s.prev_state_root),
            state_root: H256(s.state_root),
            pubdata_commitment: H256(s.pubdata_commitment),
            priority_commitment: H256(s.priority_commitment),
            payouts_hash: H256(s.payouts_hash),
        }
    }
}

impl From<StoredBatch> for StoredBatchInfo {
    fn from(s: StoredBatch) -> Self {
        StoredBatchInfo {
            batch_number: s.batch_number,
            timestamp: s.timestamp,
            first_priority_id: s.first_priority_id,
            priority_ops_count: s.priority_ops_count,
            prev_state_root: s.prev_state_root.0,
            state_root: s.state_root.0,
            pubdata_commitment: s.pubdata_commitment.0,
            priority_commitment: s.priority_commitment.0,
            payouts_hash: s.payouts_hash.0,
        }
    }
}

/// `IRollup.CommitBatchInfo`: the operator's header of a new batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchHeader {
    /// Must be the last committed batch's number + 1.
    pub batch_number: u64,
    /// L2 timestamp (seconds): not before the previous batch's, not after L1's block time.
    pub timestamp: u64,
    /// The state root after the batch (D9 L1 form, `Digest::to_l1_bytes32`).
    pub new_state_root: H256,
}

impl From<BatchHeader> for CommitBatchInfo {
    fn from(h: BatchHeader) -> Self {
        CommitBatchInfo {
            batch_number: h.batch_number,
            timestamp: h.timestamp,
            new_state_root: h.new_state_root.0,
        }
    }
}

/// A batch as committed on L1, with the payout records `executeBatch` needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommittedBatch {
    /// The stored struct.
    pub info: StoredBatch,
    /// The payout records emitted at commit (`recipient:20 token:1 amount:8` each).
    pub payouts: ethers::types::Bytes,
    /// The L1 block of the commit.
    pub block_number: u64,
}
