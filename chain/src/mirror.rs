//! Keeping the mirror file in step with L1: page through the rollup's events a confirmation
//! depth behind the head, decode each with its calldata, store page by page, and roll back
//! past a reorg deeper than the confirmation depth.

use std::path::Path;
use std::sync::Arc;

use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, BlockNumber};
use quire_l1::{BlockRef, L1Error, LogPager};
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use crate::error::ChainError;
use crate::events;
use crate::store::{MirrorMeta, MirrorStore, StoredEvent};
use crate::view::ChainView;

/// How the mirror reads L1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorConfig {
    /// Blocks on top of a block before it is read.
    pub confirmations: u64,
    /// Most blocks one `eth_getLogs` spans: 10,000 is the cap many RPC providers enforce.
    pub page_blocks: u64,
}

impl Default for MirrorConfig {
    fn default() -> Self {
        MirrorConfig {
            confirmations: 12,
            page_blocks: 10_000,
        }
    }
}

/// What one [`Mirror::sync`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Pages read.
    pub pages: u64,
    /// Events stored.
    pub events: u64,
    /// Events dropped by reorg roll-backs.
    pub rolled_back: u64,
    /// Last block read (the safe head when caught up).
    pub last_block: u64,
}

/// The mirror of one rollup: its file and its L1 connection.
pub struct Mirror<M> {
    client: Arc<M>,
    rollup: EthAddress,
    store: MirrorStore,
    cfg: MirrorConfig,
}

impl<M: Middleware + 'static> Mirror<M> {
    /// Opens the mirror file at `path` for the rollup at `rollup`, creating it (and finding
    /// the rollup's deployment block) if it is new; refuses a file of another rollup.
    pub async fn open(
        client: Arc<M>,
        rollup: EthAddress,
        path: &Path,
        cfg: MirrorConfig,
    ) -> Result<Self, ChainError> {
        let store = MirrorStore::open(path).await?;
        let chain_id = client.get_chainid().await.map_err(L1Error::rpc)?.as_u64();
        match store.meta().await? {
            Some(meta) if meta.rollup == rollup && meta.chain_id == chain_id => {}
            Some(meta) => {
                return Err(ChainError::WrongMirror {
                    path: path.display().to_string(),
                    found: format!("{:?}", meta.rollup),
                    found_chain: meta.chain_id,
                    expected: format!("{rollup:?}"),
                    expected_chain: chain_id,
                })
            }
            None => {
                let block = deployment_block(&client, rollup).await?;
                let hash = block_hash(&client, block).await?;
                let meta = MirrorMeta {
                    chain_id,
                    rollup,
                    deployment_block: block,
                };
                store
                    .init(
                        &meta,
                        BlockRef {
                            number: block,
                            hash,
                        },
                    )
                    .await?;
                info!(%rollup, deployment_block = block, "new chain mirror");
            }
        }
        Ok(Mirror {
            client,
            rollup,
            store,
            cfg,
        })
    }

    /// The rollup mirrored.
    pub fn rollup(&self) -> EthAddress {
        self.rollup
    }

    /// The L1 client.
    pub fn client(&self) -> &Arc<M> {
        &self.client
    }

    /// Reads every confirmed block not read yet. A reorg deeper than the confirmation depth
    /// rolls the file back to the newest page checkpoint still on the chain and reads on.
    pub async fn sync(&self) -> Result<SyncReport, ChainError> {
        let pager = LogPager::new(
            Arc::clone(&self.client),
            self.rollup,
            events::topics(),
            self.cfg.confirmations,
            self.cfg.page_blocks,
        );
        let mut report = SyncReport::default();
        loop {
            let cursor = self.store.cursor().await?;
            let page = match pager.next_page(&cursor).await {
                Ok(page) => page,
                Err(L1Error::Reorg { number, .. }) => {
                    report.rolled_back += self.roll_back(&pager, number).await?;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let mut stored = Vec::with_capacity(page.logs.len());
            for log in &page.logs {
                let (block, _) = quire_l1::log_pages::log_block(log)?;
                let event = events::decode(&self.client, self.rollup, log).await?;
                stored.push(StoredEvent {
                    block,
                    log_index: log.log_index.map_or(0, |i| i.as_u64()),
                    event,
                });
            }
            if page.cursor != cursor {
                self.store.append_page(&stored, &page.cursor).await?;
                report.pages += 1;
                report.events += stored.len() as u64;
            }
            report.last_block = page.cursor.next_block.saturating_sub(1);
            if page.caught_up {
                return Ok(report);
            }
        }
    }

    /// Drops what was read from blocks a reorg replaced: back to the newest checkpoint
    /// whose block is still on the chain.
    async fn roll_back(&self, pager: &LogPager<M>, at: u64) -> Result<u64, ChainError> {
        for cp in self.store.checkpoints().await? {
            if pager.check(cp).await.is_ok() {
                let dropped = self.store.roll_back_to(cp).await?;
                warn!(
                    reorg_at = at,
                    back_to = cp.number,
                    dropped,
                    "L1 reorg deeper than the confirmation depth: rolled the mirror back"
                );
                return Ok(dropped);
            }
        }
        Err(ChainError::History(
            "a reorg replaced the rollup's deployment block: this is another chain".into(),
        ))
    }

    /// The chain as mirrored so far.
    pub async fn view(&self) -> Result<ChainView, ChainError> {
        ChainView::fold(&self.store.events().await?)
    }
}

async fn block_hash<M: Middleware + 'static>(
    client: &Arc<M>,
    number: u64,
) -> Result<ethers::types::H256, ChainError> {
    client
        .get_block(BlockNumber::Number(number.into()))
        .await
        .map_err(L1Error::rpc)?
        .and_then(|b| b.hash)
        .ok_or_else(|| L1Error::Rpc(format!("node has no block {number}")).into())
}

/// The block that created the contract at `address`: the first block whose state holds its
/// code, found by bisection over `eth_getCode` (about 25 calls on a chain of 20M blocks; a
/// contract is never created and destroyed again, so its code's presence is monotonic).
pub async fn deployment_block<M: Middleware + 'static>(
    client: &Arc<M>,
    address: EthAddress,
) -> Result<u64, ChainError> {
    let head = client
        .get_block_number()
        .await
        .map_err(L1Error::rpc)?
        .as_u64();
    let has_code = |block: u64| {
        let client = Arc::clone(client);
        async move {
            client
                .get_code(address, Some(BlockNumber::Number(block.into()).into()))
                .await
                .map(|c| !c.is_empty())
                .map_err(L1Error::rpc)
        }
    };
    if !has_code(head).await? {
        return Err(ChainError::NoContract(address));
    }
    let (mut lo, mut hi) = (0u64, head); // code absent below lo is unknown; present at hi
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if has_code(mid).await? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(hi)
}
