//! Reading a contract's logs in reorg-checked pages of confirmed blocks.
//!
//! The one place that reads L1 history: the watcher (priority operations), the chain mirror
//! of L1-only verifiers and exodus tools, and anything else that follows the rollup's
//! events page through it.
//!
//! Safety rests on three checks:
//! - only blocks at least `confirmations` deep are read, so ordinary reorgs never reach a
//!   reader;
//! - every page checks, before and after reading, that the cursor's checkpoint block still
//!   has the hash recorded when it was read, and that the new page's last block and every
//!   block holding a log kept theirs while the logs were fetched. Block hashes chain, so an
//!   unchanged checkpoint means every block before it, and every log already delivered, is
//!   unchanged; a changed one is a reorg deeper than the confirmation depth, reported as
//!   [`L1Error::Reorg`] for the reader to roll back (never papered over);
//! - a page spans at most `max_blocks` blocks: many RPC providers refuse wider
//!   `eth_getLogs` ranges (10,000 blocks is a common cap).

use std::collections::BTreeMap;
use std::sync::Arc;

use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, BlockNumber, Filter, Log, ValueOrArray, H256};
use serde::{Deserialize, Serialize};

use crate::error::L1Error;

/// A block a reader has read, identified by number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRef {
    /// Block number.
    pub number: u64,
    /// Block hash when it was read.
    pub hash: H256,
}

/// Where the next page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor {
    /// First block not read yet.
    pub next_block: u64,
    /// A block already read whose hash must still be on the chain (the last block of the
    /// previous page, or the deployment block).
    pub checkpoint: Option<BlockRef>,
}

/// One page of logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogPage {
    /// The logs, in chain order (block, then log index).
    pub logs: Vec<Log>,
    /// The cursor after this page (its checkpoint is the page's last block).
    pub cursor: PageCursor,
    /// Last confirmed block (head − confirmations) when the page was read.
    pub safe_head: u64,
    /// False when more confirmed blocks remain (the page was capped): read again at once.
    pub caught_up: bool,
}

/// Pages through one contract's logs with the given first topics.
#[derive(Clone, Debug)]
pub struct LogPager<M> {
    client: Arc<M>,
    address: EthAddress,
    topics: Vec<H256>,
    confirmations: u64,
    max_blocks: u64,
}

impl<M: Middleware + 'static> LogPager<M> {
    /// A pager over `address`'s logs whose first topic is one of `topics`, `confirmations`
    /// behind the head, `max_blocks` blocks at most per page.
    pub fn new(
        client: Arc<M>,
        address: EthAddress,
        topics: Vec<H256>,
        confirmations: u64,
        max_blocks: u64,
    ) -> Self {
        LogPager {
            client,
            address,
            topics,
            confirmations,
            max_blocks: max_blocks.max(1),
        }
    }

    /// The hash of block `number` on the node's chain, if it has one.
    pub async fn block_hash(&self, number: u64) -> Result<Option<H256>, L1Error> {
        let block = self
            .client
            .get_block(BlockNumber::Number(number.into()))
            .await
            .map_err(L1Error::rpc)?;
        Ok(block.and_then(|b| b.hash))
    }

    /// `Ok` if `r` is still on the node's chain, else [`L1Error::Reorg`].
    pub async fn check(&self, r: BlockRef) -> Result<(), L1Error> {
        let found = self.block_hash(r.number).await?;
        if found != Some(r.hash) {
            return Err(L1Error::Reorg {
                number: r.number,
                expected: r.hash,
                found: found.unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// Reads the confirmed blocks after `cursor`, at most `max_blocks` of them.
    pub async fn next_page(&self, cursor: &PageCursor) -> Result<LogPage, L1Error> {
        let unchanged = |safe_head| LogPage {
            logs: Vec::new(),
            cursor: *cursor,
            safe_head,
            caught_up: true,
        };
        if let Some(cp) = cursor.checkpoint {
            self.check(cp).await?;
        }
        let head = self
            .client
            .get_block_number()
            .await
            .map_err(L1Error::rpc)?
            .as_u64();
        let Some(safe_head) = head.checked_sub(self.confirmations) else {
            return Ok(unchanged(0));
        };
        if safe_head < cursor.next_block {
            return Ok(unchanged(safe_head));
        }
        let to = safe_head.min(cursor.next_block.saturating_add(self.max_blocks - 1));
        let to_hash = self.block_hash(to).await?.ok_or_else(|| {
            L1Error::Rpc(format!("node reports head {head} but has no block {to}"))
        })?;

        let filter = Filter::new()
            .address(self.address)
            .from_block(cursor.next_block)
            .to_block(to)
            .topic0(ValueOrArray::Array(self.topics.clone()));
        let mut logs = self.client.get_logs(&filter).await.map_err(L1Error::rpc)?;
        logs.sort_by_key(|l| (l.block_number, l.log_index));

        // The logs must come from the chain whose block `to` we hashed: a log's block must
        // still carry the hash the log names, and `to` must not have moved meanwhile.
        let mut seen: BTreeMap<u64, H256> = BTreeMap::new();
        for log in &logs {
            let (number, hash) = log_block(log)?;
            if log.removed == Some(true) || number < cursor.next_block || number > to {
                return Err(L1Error::InvalidEvent(format!(
                    "log outside the requested range or removed: block {number}"
                )));
            }
            seen.insert(number, hash);
        }
        for (&number, &hash) in &seen {
            self.check(BlockRef { number, hash }).await?;
        }
        let checkpoint = BlockRef {
            number: to,
            hash: to_hash,
        };
        self.check(checkpoint).await?;
        // And the old checkpoint must still be canonical too, now: then the new page
        // descends from what was delivered before, even if a reorg raced this read.
        if let Some(cp) = cursor.checkpoint {
            self.check(cp).await?;
        }
        Ok(LogPage {
            logs,
            cursor: PageCursor {
                next_block: to + 1,
                checkpoint: Some(checkpoint),
            },
            safe_head,
            caught_up: to == safe_head,
        })
    }
}

/// A log's block number and hash (a log without them is pending, which pages never read).
pub fn log_block(log: &Log) -> Result<(u64, H256), L1Error> {
    match (log.block_number, log.block_hash) {
        (Some(n), Some(h)) => Ok((n.as_u64(), h)),
        _ => Err(L1Error::InvalidEvent(
            "log without block number or hash".into(),
        )),
    }
}
