//! The L2 state rebuilt from L1 data alone: the genesis file (checked against the rollup's
//! genesis root), then each batch's pubdata replayed through core's state transition
//! (`State::replay_batch`) with the priority operations L1 queued, each resulting root held
//! equal to the root L1 committed.

use ethers::types::H256;
use quire_core::state::{Genesis, State};
use tracing::debug;

use crate::error::ChainError;
use crate::view::ChainView;

/// A rebuilt state and the batch it stands at.
pub struct Rebuilt {
    /// The state after `batch`.
    pub state: State,
    /// The last batch replayed.
    pub batch: u64,
    /// Operations replayed (all batches).
    pub operations: u64,
}

fn l1_root(state: &mut State) -> H256 {
    H256(state.root().to_l1_bytes32())
}

impl Rebuilt {
    /// The genesis state, refused unless its root is the rollup's genesis root.
    pub fn genesis(view: &ChainView, genesis: &Genesis) -> Result<Self, ChainError> {
        let mut state = State::genesis(genesis).map_err(|e| ChainError::Genesis(e.to_string()))?;
        let contract = view.batch(0)?.info.state_root;
        let file = l1_root(&mut state);
        if file != contract {
            return Err(ChainError::GenesisMismatch { file, contract });
        }
        Ok(Rebuilt {
            state,
            batch: 0,
            operations: 0,
        })
    }

    /// Replays the next batch; stops at the first mismatch, naming the batch.
    pub fn replay_next(&mut self, view: &ChainView) -> Result<(), ChainError> {
        let n = self.batch + 1;
        let record = view.batch(n)?;
        let queue = view.consumed_by(n)?;
        let before = self.state.next_priority_id();
        let receipts = self
            .state
            .replay_batch(&record.pubdata, &mut queue.into_iter())
            .map_err(|error| ChainError::Replay { batch: n, error })?;
        let replayed = self.state.next_priority_id() - before;
        if replayed != record.info.priority_ops_count {
            return Err(ChainError::PriorityCount {
                batch: n,
                committed: record.info.priority_ops_count,
                replayed,
            });
        }
        let rebuilt = l1_root(&mut self.state);
        if rebuilt != record.info.state_root {
            return Err(ChainError::RootMismatch {
                batch: n,
                committed: record.info.state_root,
                rebuilt,
            });
        }
        self.batch = n;
        self.operations += receipts.len() as u64;
        debug!(batch = n, ops = receipts.len(), "batch replayed");
        Ok(())
    }

    /// Replays every batch up to `up_to` (inclusive).
    pub fn replay_to(&mut self, view: &ChainView, up_to: u64) -> Result<(), ChainError> {
        while self.batch < up_to {
            self.replay_next(view)?;
        }
        Ok(())
    }

    /// The state after batch `up_to`, rebuilt from genesis.
    pub fn at(view: &ChainView, genesis: &Genesis, up_to: u64) -> Result<Self, ChainError> {
        let mut r = Self::genesis(view, genesis)?;
        r.replay_to(view, up_to)?;
        Ok(r)
    }
}
