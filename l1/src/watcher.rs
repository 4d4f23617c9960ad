//! The L1 watcher: turns the rollup's `DepositQueued` / `FullExitQueued` events into core
//! priority operations, reading confirmed blocks only, resumable from a stored cursor.
//!
//! The pages are read by [`crate::log_pages::LogPager`], which holds the reorg checks
//! (confirmed blocks only, checkpoint hashes before and after every read). On top of them,
//! priority ids must continue the cursor's `next_priority_id` without gaps; ids already
//! delivered are skipped, so re-reading a range never delivers an operation twice.
//!
//! Each event's `opHash` is compared with `keccak256` of the operation's canonical encoding
//! (core's codec), so a decoding disagreement with the contract surfaces here rather than as
//! a batch L1 refuses.

use std::sync::Arc;

use ethers::contract::EthEvent;
use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, BlockNumber, Filter, Log, TransactionReceipt, H256};
use quire_core::account::{AccountId, Address};
use quire_core::schnorr::{PublicKey, PUBLIC_KEY_LEN};
use quire_core::token::TokenId;
use quire_core::tx::{Deposit, FullExit, PriorityOp};
use serde::{Deserialize, Serialize};

use crate::bindings::rollup::{BatchCommittedFilter, DepositQueuedFilter, FullExitQueuedFilter};
use crate::deploy::Deployment;
use crate::error::L1Error;
use crate::log_pages::{log_block, BlockRef, LogPager, PageCursor};
use crate::types::{CommittedBatch, StoredBatch};

/// Where the watcher resumes. Persist it together with the operations a poll returned (in
/// one database transaction), so a restart neither skips nor repeats any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatcherCursor {
    /// First block not read yet.
    pub next_block: u64,
    /// The priority id the next operation must have.
    pub next_priority_id: u64,
    /// A block already read whose hash must still be on the chain (the last block of the
    /// previous poll, or the deployment block).
    pub checkpoint: Option<BlockRef>,
}

impl WatcherCursor {
    /// The cursor of a fresh deployment: read from the rollup's creation block, with that
    /// block as the checkpoint.
    pub fn from_deployment(d: &Deployment) -> Self {
        WatcherCursor {
            next_block: d.block_number,
            next_priority_id: 0,
            checkpoint: Some(BlockRef {
                number: d.block_number,
                hash: d.block_hash,
            }),
        }
    }
}

/// Watcher settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatcherConfig {
    /// Blocks on top of an event's block before it is read (0 reads the head; mainnet
    /// operators typically use 12–64).
    pub confirmations: u64,
    /// Most blocks one `eth_getLogs` may span (public RPCs cap ranges, often at 1,000–10,000).
    pub max_blocks_per_poll: u64,
}

impl Default for WatcherConfig {
    fn default() -> Self {
        WatcherConfig {
            confirmations: 12,
            max_blocks_per_poll: 2_000,
        }
    }
}

/// A priority operation with where L1 queued it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedOp {
    /// The operation (its priority id is `op.priority_id()`).
    pub op: PriorityOp,
    /// L1 time (seconds) after which, if no executed batch has consumed it, anyone can
    /// start exodus: the sequencer must get it into a batch well before.
    pub deadline: u64,
    /// The L1 block that queued it.
    pub l1_block: u64,
    /// The L1 transaction that queued it (what a user's wallet shows).
    pub l1_tx: H256,
}

/// What one poll found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchPoll {
    /// New priority operations, in queue order, ids contiguous from the old cursor's
    /// `next_priority_id`.
    pub ops: Vec<WatchedOp>,
    /// The cursor to store with them.
    pub cursor: WatcherCursor,
    /// Last confirmed block (head − confirmations) at the time of the poll; `caught_up` is
    /// whether the new cursor reached it.
    pub safe_head: u64,
    /// False when more confirmed blocks remain (the range was capped): poll again at once.
    pub caught_up: bool,
}

/// Reads priority operations from the rollup's events.
#[derive(Clone, Debug)]
pub struct L1Watcher<M> {
    client: Arc<M>,
    rollup: EthAddress,
    cfg: WatcherConfig,
}

impl<M: Middleware + 'static> L1Watcher<M> {
    /// A watcher of the rollup at `rollup`.
    pub fn new(client: Arc<M>, rollup: EthAddress, cfg: WatcherConfig) -> Self {
        L1Watcher {
            client,
            rollup,
            cfg,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &WatcherConfig {
        &self.cfg
    }

    fn pager(&self) -> LogPager<M> {
        LogPager::new(
            Arc::clone(&self.client),
            self.rollup,
            vec![
                DepositQueuedFilter::signature(),
                FullExitQueuedFilter::signature(),
            ],
            self.cfg.confirmations,
            self.cfg.max_blocks_per_poll,
        )
    }

    /// Reads the confirmed blocks after `cursor` (at most `max_blocks_per_poll`) and returns
    /// their priority operations with the cursor to resume from.
    pub async fn poll(&self, cursor: &WatcherCursor) -> Result<WatchPoll, L1Error> {
        let page = self
            .pager()
            .next_page(&PageCursor {
                next_block: cursor.next_block,
                checkpoint: cursor.checkpoint,
            })
            .await?;
        let logs = page.logs;
        let mut ops = Vec::new();
        let mut next_id = cursor.next_priority_id;
        for log in &logs {
            let watched = decode_watched_op(log)?;
            let id = watched.op.priority_id();
            if id < next_id {
                continue; // already delivered
            }
            if id > next_id {
                return Err(L1Error::PriorityGap {
                    expected: next_id,
                    found: id,
                });
            }
            ops.push(watched);
            next_id += 1;
        }
        Ok(WatchPoll {
            ops,
            cursor: WatcherCursor {
                next_block: page.cursor.next_block,
                next_priority_id: next_id,
                checkpoint: page.cursor.checkpoint,
            },
            safe_head: page.safe_head,
            caught_up: page.caught_up,
        })
    }

    /// The latest `BatchCommitted` event of batch `number` (a batch number is emitted again
    /// after `revertBatches`): the struct to pass back to prove, execute or commit on top,
    /// and the payout records `executeBatch` needs. Searches blocks `from_block..=head`
    /// newest first, in pages of `max_blocks_per_poll` (RPC providers cap `eth_getLogs`
    /// ranges), stopping at the first page that holds one: the latest commit is usually in
    /// the newest page, so a long chain costs one query, not a scan from the deployment.
    pub async fn committed_batch(
        &self,
        number: u64,
        from_block: u64,
    ) -> Result<Option<CommittedBatch>, L1Error> {
        let head = self
            .client
            .get_block_number()
            .await
            .map_err(L1Error::rpc)?
            .as_u64();
        let span = self.cfg.max_blocks_per_poll.max(1);
        let mut to = head;
        while to >= from_block {
            let from = to.saturating_sub(span - 1).max(from_block);
            let filter = Filter::new()
                .address(self.rollup)
                .from_block(from)
                .to_block(to)
                .topic0(BatchCommittedFilter::signature())
                .topic1(H256::from_low_u64_be(number));
            let logs = self.client.get_logs(&filter).await.map_err(L1Error::rpc)?;
            if let Some(log) = logs
                .into_iter()
                .max_by_key(|l| (l.block_number, l.log_index))
            {
                return decode_batch_committed(&log).map(Some);
            }
            if from == from_block {
                break;
            }
            to = from - 1;
        }
        Ok(None)
    }

    /// `storedBatchHash(number)` at the latest block: keccak256 of the `StoredBatchInfo` L1
    /// holds for batch `number` (zero if it holds none).
    pub async fn stored_batch_hash(&self, number: u64) -> Result<H256, L1Error> {
        let rollup = crate::bindings::rollup::Rollup::new(self.rollup, Arc::clone(&self.client));
        let h = rollup
            .stored_batch_hash(number.into())
            .call()
            .await
            .map_err(L1Error::contract)?;
        Ok(H256(h))
    }

    /// Batch `number` as L1 holds it now, preferring `known` — a copy recorded earlier (from
    /// the commit's receipt, [`committed_batch_in`]) — which costs one `eth_call` instead of
    /// an `eth_getLogs` scan from `from_block`. The copy is used only if its hash is L1's
    /// `storedBatchHash`; otherwise (absent, or stale after `revertBatches` or a reorg) the
    /// latest `BatchCommitted` log is read, and it must hash to `storedBatchHash` too.
    /// `None` if L1 emitted no `BatchCommitted` for the batch.
    pub async fn checked_committed_batch(
        &self,
        number: u64,
        known: Option<CommittedBatch>,
        from_block: u64,
    ) -> Result<Option<CheckedBatch>, L1Error> {
        let on_l1 = self.stored_batch_hash(number).await?;
        if let Some(batch) = known.filter(|k| k.info.hash() == on_l1) {
            return Ok(Some(CheckedBatch {
                batch,
                from_logs: false,
            }));
        }
        let Some(batch) = self.committed_batch(number, from_block).await? else {
            return Ok(None);
        };
        if batch.info.hash() != on_l1 {
            return Err(L1Error::InvalidEvent(format!(
                "the latest BatchCommitted of batch {number} hashes to {:?}, L1 stores {on_l1:?}",
                batch.info.hash()
            )));
        }
        Ok(Some(CheckedBatch {
            batch,
            from_logs: true,
        }))
    }
}

/// A committed batch checked against L1's `storedBatchHash`
/// ([`L1Watcher::checked_committed_batch`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedBatch {
    /// The batch as L1 holds it.
    pub batch: CommittedBatch,
    /// True if it was read from L1's logs (the known copy was absent or stale): a copy worth
    /// recording for next time.
    pub from_logs: bool,
}

/// The `BatchCommitted` event in `receipt` (of a transaction to the rollup at `rollup`:
/// `commitBatch` or `commitAndProveBatch`), if it emitted one: what L1 stored of the batch,
/// exactly, without a log query.
pub fn committed_batch_in(
    receipt: &TransactionReceipt,
    rollup: EthAddress,
) -> Result<Option<CommittedBatch>, L1Error> {
    receipt
        .logs
        .iter()
        .filter(|l| {
            l.address == rollup && l.topics.first() == Some(&BatchCommittedFilter::signature())
        })
        .max_by_key(|l| l.log_index)
        .map(decode_batch_committed)
        .transpose()
}

fn decode_batch_committed(log: &Log) -> Result<CommittedBatch, L1Error> {
    let (block_number, _) = log_block(log)?;
    let e = BatchCommittedFilter::decode_log(&log.clone().into())
        .map_err(|e| L1Error::InvalidEvent(format!("BatchCommitted: {e}")))?;
    Ok(CommittedBatch {
        info: StoredBatch::from(e.info),
        payouts: e.payouts,
        block_number,
    })
}

/// Decodes a `DepositQueued` or `FullExitQueued` log into a core priority operation and checks
/// its `opHash` against core's canonical encoding.
pub fn decode_priority_op(log: &Log) -> Result<PriorityOp, L1Error> {
    decode_watched_op(log).map(|w| w.op)
}

/// [`decode_priority_op`] with the deadline and the log's block and transaction.
pub fn decode_watched_op(log: &Log) -> Result<WatchedOp, L1Error> {
    let (l1_block, _) = log_block(log)?;
    let l1_tx = log
        .transaction_hash
        .ok_or_else(|| L1Error::InvalidEvent("log without transaction hash".into()))?;
    let topic = log.topics.first().copied().unwrap_or_default();
    let raw = log.clone().into();
    let (op, op_hash, deadline) = if topic == DepositQueuedFilter::signature() {
        let e = DepositQueuedFilter::decode_log(&raw)
            .map_err(|e| L1Error::InvalidEvent(format!("DepositQueued: {e}")))?;
        let key: &[u8; PUBLIC_KEY_LEN] = e.l_2_key.as_ref().try_into().map_err(|_| {
            L1Error::InvalidEvent(format!(
                "deposit {}: key of {} bytes",
                e.priority_id,
                e.l_2_key.len()
            ))
        })?;
        let to = PublicKey::from_bytes(key).map_err(|err| {
            L1Error::InvalidEvent(format!("deposit {}: key rejected: {err}", e.priority_id))
        })?;
        let op = PriorityOp::Deposit(Deposit {
            priority_id: e.priority_id,
            from: Address(e.from.0),
            to,
            token: TokenId(e.token),
            amount: e.amount,
        });
        (op, e.op_hash, e.deadline)
    } else if topic == FullExitQueuedFilter::signature() {
        let e = FullExitQueuedFilter::decode_log(&raw)
            .map_err(|e| L1Error::InvalidEvent(format!("FullExitQueued: {e}")))?;
        let account = AccountId::new(e.account_id).ok_or_else(|| {
            L1Error::InvalidEvent(format!(
                "full exit {}: account id out of range",
                e.priority_id
            ))
        })?;
        let op = PriorityOp::FullExit(FullExit {
            priority_id: e.priority_id,
            account,
            owner: Address(e.owner.0),
            token: TokenId(e.token),
        });
        (op, e.op_hash, e.deadline)
    } else {
        return Err(L1Error::InvalidEvent(format!(
            "unexpected event topic {topic:?}"
        )));
    };
    let ours = quire_core::hash::keccak256(&op.encode());
    if ours != op_hash {
        return Err(L1Error::InvalidEvent(format!(
            "priority op {}: L1 opHash 0x{} != keccak256(encode(op)) 0x{}",
            op.priority_id(),
            hex::encode(op_hash),
            hex::encode(ours)
        )));
    }
    Ok(WatchedOp {
        op,
        deadline,
        l1_block,
        l1_tx,
    })
}

/// The rollup's pipeline counters and modes at one block: what a wallet shows as "proven" or
/// "final on L1" for a batch, and what a sequencer checks before committing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupStatus {
    /// The block the values were read at.
    pub block: u64,
    /// Last committed batch number.
    pub batches_committed: u64,
    /// Last proven batch number.
    pub batches_proven: u64,
    /// Last executed batch number (its root is final; its payouts are claimable).
    pub batches_executed: u64,
    /// Priority operations ever queued.
    pub priority_ops_queued: u64,
    /// Priority operations consumed by executed batches.
    pub priority_ops_executed: u64,
    /// Exodus mode is on: no more batches.
    pub exodus_mode: bool,
    /// Deposits and commits are paused by governance.
    pub paused: bool,
    /// The link of the last executed batch's next payout page still to credit
    /// (`executePayouts`); zero when every payout is claimable.
    pub pending_payouts_link: H256,
}

/// Reads [`RollupStatus`] at `block` (the latest block if `None`), every value at the same
/// block so they are mutually consistent.
pub async fn rollup_status<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    block: Option<u64>,
) -> Result<RollupStatus, L1Error> {
    let block = match block {
        Some(b) => b,
        None => client
            .get_block_number()
            .await
            .map_err(L1Error::rpc)?
            .as_u64(),
    };
    let r = crate::bindings::rollup::Rollup::new(rollup, client);
    let at = ethers::types::BlockId::Number(BlockNumber::Number(block.into()));
    Ok(RollupStatus {
        block,
        batches_committed: r
            .total_batches_committed()
            .block(at)
            .call()
            .await
            .map_err(L1Error::contract)?,
        batches_proven: r
            .total_batches_proven()
            .block(at)
            .call()
            .await
            .map_err(L1Error::contract)?,
        batches_executed: r
            .total_batches_executed()
            .block(at)
            .call()
            .await
            .map_err(L1Error::contract)?,
        priority_ops_queued: r
            .total_priority_ops()
            .block(at)
            .call()
            .await
            .map_err(L1Error::contract)?,
        priority_ops_executed: r
            .total_priority_ops_executed()
            .block(at)
            .call()
            .await
            .map_err(L1Error::contract)?,
        exodus_mode: r
            .exodus_mode()
            .block(at)
            .call()
            .await
            .map_err(L1Error::contract)?,
        paused: r
            .paused()
            .block(at)
            .call()
            .await
            .map_err(L1Error::contract)?,
        pending_payouts_link: H256(
            r.pending_payouts_link()
                .block(at)
                .call()
                .await
                .map_err(L1Error::contract)?,
        ),
    })
}
