//! What the mirrored events say about the chain: tokens, the priority queue, and every batch
//! with its pubdata, proof and stage, folded in chain order.

use std::collections::BTreeMap;

use ethers::types::{Address as EthAddress, Bytes, H256, U256};
use quire_core::tx::PriorityOp;
use quire_l1::{StoredBatch, WatchedOp};

use crate::error::ChainError;
use crate::events::ChainEvent;
use crate::store::StoredEvent;

/// One batch as L1 holds it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchRecord {
    /// The stored batch.
    pub info: StoredBatch,
    /// Its pubdata (keccak-checked against `info.pubdata_commitment` when read).
    pub pubdata: Bytes,
    /// Its payout records (`executeBatch` takes them page by page).
    pub payouts: Bytes,
    /// The commit transaction.
    pub commit_tx: H256,
    /// The commit's L1 block.
    pub commit_block: u64,
    /// The proof and its transaction, once proven.
    pub proof: Option<(Bytes, H256)>,
}

/// A batch's stage on L1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum L1Stage {
    /// Committed: its pubdata is on L1.
    Committed,
    /// Its proof was accepted.
    Proven,
    /// Executed: its root is final and its payouts claimable.
    Executed,
}

/// The chain as the events say it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainView {
    /// Registered L1 assets: id → (ERC-20, scale).
    pub tokens: BTreeMap<u8, (EthAddress, U256)>,
    /// Every queued priority operation, by id (index).
    pub priority_ops: Vec<WatchedOp>,
    /// Batches by number (index; 0 is genesis). Reverted batches are gone.
    pub batches: Vec<BatchRecord>,
    /// Last proven batch.
    pub proven: u64,
    /// Last executed batch.
    pub executed: u64,
    /// Exodus mode is on.
    pub exodus: bool,
}

impl ChainView {
    /// Folds stored events, in chain order, refusing a history the contract cannot emit.
    pub fn fold(events: &[StoredEvent]) -> Result<Self, ChainError> {
        let mut v = ChainView::default();
        for e in events {
            v.apply(e)?;
        }
        if v.batches.is_empty() && !events.is_empty() {
            return Err(ChainError::History(
                "events without the genesis batch".into(),
            ));
        }
        Ok(v)
    }

    fn apply(&mut self, e: &StoredEvent) -> Result<(), ChainError> {
        let history = |m: String| Err(ChainError::History(m));
        match &e.event {
            ChainEvent::TokenRegistered {
                token,
                address,
                scale,
            } => {
                self.tokens.insert(*token, (*address, *scale));
            }
            ChainEvent::PriorityQueued(op) => {
                let id = op.op.priority_id();
                if id != self.priority_ops.len() as u64 {
                    return history(format!(
                        "priority operation {id} queued after {} operations",
                        self.priority_ops.len()
                    ));
                }
                self.priority_ops.push(op.clone());
            }
            ChainEvent::Committed {
                info,
                pubdata,
                payouts,
                tx,
            } => {
                let n = info.batch_number;
                if n != self.batches.len() as u64 {
                    return history(format!(
                        "batch {n} committed after {} batches",
                        self.batches.len()
                    ));
                }
                if let Some(prev) = self.batches.last() {
                    if info.prev_state_root != prev.info.state_root
                        || info.first_priority_id != prev.info.next_priority_id()
                    {
                        return history(format!("batch {n} does not continue batch {}", n - 1));
                    }
                }
                self.batches.push(BatchRecord {
                    info: *info,
                    pubdata: pubdata.clone(),
                    payouts: payouts.clone(),
                    commit_tx: *tx,
                    commit_block: e.block,
                    proof: None,
                });
            }
            ChainEvent::Proven {
                batch,
                hash,
                proof,
                tx,
            } => {
                let record = self.batch_mut(*batch)?;
                if record.info.hash() != *hash {
                    return history(format!("batch {batch} proven with another hash"));
                }
                record.proof = proof.clone().map(|p| (p, *tx));
                self.proven = *batch;
            }
            ChainEvent::Executed { batch, root } => {
                let record = self.batch_mut(*batch)?;
                if record.info.state_root != *root {
                    return history(format!("batch {batch} executed with another root"));
                }
                self.executed = *batch;
            }
            ChainEvent::Reverted { first, .. } => {
                if *first <= self.executed.max(self.proven) || *first == 0 {
                    return history(format!("proven batch {first} reverted"));
                }
                self.batches.truncate(*first as usize);
            }
            ChainEvent::ExodusActivated { .. } => self.exodus = true,
        }
        Ok(())
    }

    fn batch_mut(&mut self, n: u64) -> Result<&mut BatchRecord, ChainError> {
        self.batches
            .get_mut(n as usize)
            .ok_or_else(|| ChainError::History(format!("event for uncommitted batch {n}")))
    }

    /// Batch `n`, if committed.
    pub fn batch(&self, n: u64) -> Result<&BatchRecord, ChainError> {
        self.batches
            .get(n as usize)
            .ok_or(ChainError::UnknownBatch(n))
    }

    /// Last committed batch.
    pub fn committed(&self) -> u64 {
        (self.batches.len() as u64).saturating_sub(1)
    }

    /// The stage of batch `n`.
    pub fn stage(&self, n: u64) -> Option<L1Stage> {
        if n > self.committed() {
            None
        } else if n <= self.executed {
            Some(L1Stage::Executed)
        } else if n <= self.proven {
            Some(L1Stage::Proven)
        } else {
            Some(L1Stage::Committed)
        }
    }

    /// The first priority id no executed batch consumed: what exodus reclaims from, and
    /// whose deadline allows it.
    pub fn first_unexecuted_priority_id(&self) -> u64 {
        self.batches
            .get(self.executed as usize)
            .map_or(0, |b| b.info.next_priority_id())
    }

    /// The priority operations batch `n` consumed, in order.
    pub fn consumed_by(&self, n: u64) -> Result<Vec<PriorityOp>, ChainError> {
        let info = &self.batch(n)?.info;
        let first = info.first_priority_id as usize;
        let end = first + info.priority_ops_count as usize;
        let ops = self.priority_ops.get(first..end).ok_or_else(|| {
            ChainError::History(format!(
                "batch {n} consumes priority operations {first}..{end}, {} are queued",
                self.priority_ops.len()
            ))
        })?;
        Ok(ops.iter().map(|w| w.op.clone()).collect())
    }
}
