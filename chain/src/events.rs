//! The rollup's events as the mirror records them, each with the calldata it needs.
//!
//! A `BatchCommitted` event carries the stored batch but not its pubdata, and a
//! `BatchProven` event not its proof: both are read from the calldata of the transaction that
//! emitted them (`commitBatch` / `commitAndProveBatch`, `proveBatch`). The pubdata is checked
//! against the event's keccak commitment right here, so an RPC that serves altered calldata
//! is refused at the batch it altered.

use std::sync::Arc;

use ethers::abi::AbiDecode;
use ethers::contract::EthEvent;
use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, Bytes, Log, H256, U256};
use quire_l1::bindings::rollup::{
    BatchCommittedFilter, BatchExecutedFilter, BatchProvenFilter, BatchesRevertedFilter,
    DepositQueuedFilter, ExodusActivatedFilter, FullExitQueuedFilter, RollupCalls,
    TokenRegisteredFilter,
};
use quire_l1::log_pages::log_block;
use quire_l1::watcher::decode_watched_op;
use quire_l1::{L1Error, StoredBatch, WatchedOp};
use serde::{Deserialize, Serialize};

use crate::error::ChainError;

/// One event of the rollup, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ChainEvent {
    /// `TokenRegistered`: an L1 asset id.
    TokenRegistered {
        /// The id.
        token: u8,
        /// The ERC-20 (zero for ETH).
        address: EthAddress,
        /// L1 units per L2 unit.
        scale: U256,
    },
    /// `DepositQueued` / `FullExitQueued`.
    PriorityQueued(WatchedOp),
    /// `BatchCommitted`, with the pubdata of its transaction.
    Committed {
        /// What L1 stores of the batch.
        info: StoredBatch,
        /// The batch's pubdata (keccak-checked against `info.pubdata_commitment`).
        pubdata: Bytes,
        /// The payout records emitted with it (what `executeBatch` pays, page by page).
        payouts: Bytes,
        /// The committing transaction (the deployment for the genesis batch).
        tx: H256,
    },
    /// `BatchProven`, with the proof of its transaction (none for the genesis batch).
    Proven {
        /// The batch number.
        batch: u64,
        /// The stored batch's hash.
        hash: H256,
        /// The wrapper proof's calldata.
        proof: Option<Bytes>,
        /// The proving transaction.
        tx: H256,
    },
    /// `BatchExecuted`.
    Executed {
        /// The batch number.
        batch: u64,
        /// Its state root, now final.
        root: H256,
    },
    /// `BatchesReverted`: committed, unexecuted batches dropped by the operator.
    Reverted {
        /// First batch dropped.
        first: u64,
        /// Last batch dropped.
        last: u64,
    },
    /// `ExodusActivated`.
    ExodusActivated {
        /// The expired priority operation that allowed it.
        expired_priority_id: u64,
    },
}

/// The first topics of every event the mirror reads.
pub fn topics() -> Vec<H256> {
    vec![
        TokenRegisteredFilter::signature(),
        DepositQueuedFilter::signature(),
        FullExitQueuedFilter::signature(),
        BatchCommittedFilter::signature(),
        BatchProvenFilter::signature(),
        BatchExecutedFilter::signature(),
        BatchesRevertedFilter::signature(),
        ExodusActivatedFilter::signature(),
    ]
}

fn bad(what: &str, e: impl std::fmt::Display) -> ChainError {
    ChainError::L1(L1Error::InvalidEvent(format!("{what}: {e}")))
}

/// Decodes one log of the rollup at `rollup`, fetching the calldata commits and proofs need.
pub async fn decode<M: Middleware + 'static>(
    client: &Arc<M>,
    rollup: EthAddress,
    log: &Log,
) -> Result<ChainEvent, ChainError> {
    let topic = log.topics.first().copied().unwrap_or_default();
    let raw = log.clone().into();
    let tx = log
        .transaction_hash
        .ok_or_else(|| bad("log", "no transaction hash"))?;
    if topic == DepositQueuedFilter::signature() || topic == FullExitQueuedFilter::signature() {
        return Ok(ChainEvent::PriorityQueued(decode_watched_op(log)?));
    }
    if topic == TokenRegisteredFilter::signature() {
        let e = TokenRegisteredFilter::decode_log(&raw).map_err(|e| bad("TokenRegistered", e))?;
        return Ok(ChainEvent::TokenRegistered {
            token: e.token_id,
            address: e.token,
            scale: e.scale,
        });
    }
    if topic == BatchCommittedFilter::signature() {
        let e = BatchCommittedFilter::decode_log(&raw).map_err(|e| bad("BatchCommitted", e))?;
        let info = StoredBatch::from(e.info);
        let pubdata = if info.batch_number == 0 {
            // The constructor's genesis batch: no commit call, no pubdata.
            Bytes::new()
        } else {
            let (pubdata, _) = commit_calldata(client, rollup, tx, info.batch_number).await?;
            let digest = H256(ethers::utils::keccak256(&pubdata));
            if digest != info.pubdata_commitment {
                return Err(ChainError::PubdataMismatch {
                    batch: info.batch_number,
                    tx,
                    committed: info.pubdata_commitment,
                    served: digest,
                });
            }
            pubdata
        };
        return Ok(ChainEvent::Committed {
            info,
            pubdata,
            payouts: e.payouts,
            tx,
        });
    }
    if topic == BatchProvenFilter::signature() {
        let e = BatchProvenFilter::decode_log(&raw).map_err(|e| bad("BatchProven", e))?;
        let proof = if e.batch_number == 0 {
            None
        } else {
            Some(proof_calldata(client, rollup, tx, e.batch_number).await?)
        };
        return Ok(ChainEvent::Proven {
            batch: e.batch_number,
            hash: H256(e.batch_hash),
            proof,
            tx,
        });
    }
    if topic == BatchExecutedFilter::signature() {
        let e = BatchExecutedFilter::decode_log(&raw).map_err(|e| bad("BatchExecuted", e))?;
        return Ok(ChainEvent::Executed {
            batch: e.batch_number,
            root: H256(e.state_root),
        });
    }
    if topic == BatchesRevertedFilter::signature() {
        let e = BatchesRevertedFilter::decode_log(&raw).map_err(|e| bad("BatchesReverted", e))?;
        return Ok(ChainEvent::Reverted {
            first: e.first_batch,
            last: e.last_batch,
        });
    }
    if topic == ExodusActivatedFilter::signature() {
        let e = ExodusActivatedFilter::decode_log(&raw).map_err(|e| bad("ExodusActivated", e))?;
        return Ok(ChainEvent::ExodusActivated {
            expired_priority_id: e.expired_priority_id,
        });
    }
    let (block, _) = log_block(log)?;
    Err(bad(
        "log",
        format!("unexpected topic {topic:?} in block {block}"),
    ))
}

/// The call of transaction `tx`, which must be a direct call of the rollup: the pubdata and
/// proofs of batches committed through another contract are not in any transaction's own
/// calldata (reading them would take call traces, which most RPC providers do not serve).
async fn rollup_call<M: Middleware + 'static>(
    client: &Arc<M>,
    rollup: EthAddress,
    tx: H256,
    batch: u64,
) -> Result<RollupCalls, ChainError> {
    let t = client
        .get_transaction(tx)
        .await
        .map_err(L1Error::rpc)?
        .ok_or_else(|| L1Error::Rpc(format!("node has no transaction {tx:?}")))?;
    if t.to != Some(rollup) {
        return Err(ChainError::IndirectCall { batch, tx });
    }
    RollupCalls::decode(&t.input).map_err(|e| ChainError::Calldata {
        batch,
        tx,
        reason: e.to_string(),
    })
}

/// The pubdata (and, for `commitAndProveBatch`, the proof) a commit transaction carries.
async fn commit_calldata<M: Middleware + 'static>(
    client: &Arc<M>,
    rollup: EthAddress,
    tx: H256,
    batch: u64,
) -> Result<(Bytes, Option<Bytes>), ChainError> {
    match rollup_call(client, rollup, tx, batch).await? {
        RollupCalls::CommitBatch(c) => Ok((c.pubdata, None)),
        RollupCalls::CommitAndProveBatch(c) => Ok((c.pubdata, Some(c.proof))),
        other => Err(ChainError::Calldata {
            batch,
            tx,
            reason: format!("BatchCommitted emitted by an unexpected call {other:?}"),
        }),
    }
}

/// The proof a `proveBatch` or `commitAndProveBatch` transaction carries.
async fn proof_calldata<M: Middleware + 'static>(
    client: &Arc<M>,
    rollup: EthAddress,
    tx: H256,
    batch: u64,
) -> Result<Bytes, ChainError> {
    match rollup_call(client, rollup, tx, batch).await? {
        RollupCalls::ProveBatch(c) => Ok(c.proof),
        RollupCalls::CommitAndProveBatch(c) => Ok(c.proof),
        _ => Err(ChainError::Calldata {
            batch,
            tx,
            reason: "BatchProven emitted by an unexpected call".into(),
        }),
    }
}
