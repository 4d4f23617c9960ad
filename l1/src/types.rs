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
    /// Head of the chain over the batch's payout pages ([`payout_pages`]).
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

/// Payout records the contract credits per transaction (`Rollup.PAYOUTS_PER_PAGE`).
pub const PAYOUTS_PER_PAGE: usize = 256;
/// Bytes of a payout record (`recipient:20 token:1 amount:8`).
pub const PAYOUT_BYTES: usize = 29;

/// A batch's payout records as the contract executes them: pages of [`PAYOUTS_PER_PAGE`]
/// records (one empty page when there are none), each with the link of the page after it
/// (zero for the last), where `link(page, next) = keccak256(keccak256(page) ‖ next)`.
/// `executeBatch` takes the first page and its next link; `executePayouts` each later one,
/// in order. [`PayoutPage::link`] of the first page is the batch's `payoutsHash`.
pub fn payout_pages(payouts: &[u8]) -> Vec<PayoutPage> {
    let chunk = PAYOUTS_PER_PAGE * PAYOUT_BYTES;
    let mut pages: Vec<PayoutPage> = if payouts.is_empty() {
        vec![PayoutPage::default()]
    } else {
        payouts
            .chunks(chunk)
            .map(|c| PayoutPage {
                records: ethers::types::Bytes::from(c.to_vec()),
                next: H256::zero(),
            })
            .collect()
    };
    let mut link = H256::zero();
    for page in pages.iter_mut().rev() {
        page.next = link;
        link = page.link();
    }
    pages
}

/// One page of a batch's payout records; see [`payout_pages`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PayoutPage {
    /// The records.
    pub records: ethers::types::Bytes,
    /// The link of the page after this one (zero for the last page).
    pub next: H256,
}

impl PayoutPage {
    /// This page's link: what the contract stores before crediting it.
    pub fn link(&self) -> H256 {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(&ethers::utils::keccak256(&self.records));
        buf[32..].copy_from_slice(self.next.as_bytes());
        H256(ethers::utils::keccak256(buf))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payout_pages_chain_each_page_to_the_rest() {
        assert_eq!(payout_pages(&[]).len(), 1, "no payouts: one empty page");
        let records: Vec<u8> = (0..600 * PAYOUT_BYTES).map(|i| (i % 251) as u8).collect();
        let pages = payout_pages(&records);
        let sizes: Vec<usize> = pages
            .iter()
            .map(|p| p.records.len() / PAYOUT_BYTES)
            .collect();
        assert_eq!(sizes, vec![256, 256, 88]);
        assert_eq!(pages[2].next, H256::zero());
        for j in 0..2 {
            assert_eq!(pages[j].next, pages[j + 1].link());
        }
        let joined: Vec<u8> = pages.iter().flat_map(|p| p.records.to_vec()).collect();
        assert_eq!(joined, records);
        // A record changed anywhere changes the head.
        let mut other = records.clone();
        other[599 * PAYOUT_BYTES] ^= 1;
        assert_ne!(payout_pages(&other)[0].link(), pages[0].link());
    }
}
