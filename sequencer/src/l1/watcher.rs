//! The watcher task: deposits and full exits from L1 into the priority queue the batcher
//! drains, exactly once.
//!
//! Each poll's operations and the cursor after them are written in one database transaction
//! ([`quire_storage::Storage::record_l1_priority_ops`]), and the insert is idempotent by
//! priority id, so neither a crash between poll and write nor a re-delivered range credits
//! anything twice. The cursor is stored with the rollup's address: a database used with
//! another deployment is refused rather than silently mixed.
//!
//! A reorg deeper than the confirmation depth (the library's [`L1Error::Reorg`]) means
//! operations already credited on L2 may no longer exist on L1. Nothing automatic is safe
//! then, so intake stops, loudly, until an operator looks.

use std::sync::Arc;
use std::time::Duration;

use ethers::types::Address as EthAddress;
use quire_core::token::TokenId;
use quire_core::tx::PriorityOp;
use quire_l1::{L1Error, L1Watcher, WatcherConfig, WatcherCursor};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::{sleep_or_stop, L1Context};
use crate::node::Node;
use quire_storage::StorageError;

/// The cursor as stored, bound to the rollup it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCursor {
    /// The rollup contract.
    pub rollup: EthAddress,
    /// Where to resume.
    pub cursor: WatcherCursor,
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// L1 failed or disagreed (a reorg is one of these).
    #[error(transparent)]
    L1(#[from] L1Error),
    /// The database failed or holds a different operation under an L1 id.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The stored cursor is unusable.
    #[error("stored cursor: {0}")]
    Cursor(String),
}

impl WatchError {
    /// Errors after which continuing could credit an operation L1 does not hold.
    fn is_fatal(&self) -> bool {
        matches!(
            self,
            WatchError::L1(L1Error::Reorg { .. })
                | WatchError::Storage(StorageError::Conflict(_))
                | WatchError::Cursor(_)
        )
    }
}

/// The cursor to resume from: the stored one, or the deployment block for a new database.
pub async fn load_cursor(node: &Node, ctx: &L1Context) -> Result<WatcherCursor, WatchError> {
    match node.storage.l1_cursor().await? {
        None => Ok(WatcherCursor::from_deployment(&ctx.deployment)),
        Some(json) => {
            let stored: StoredCursor =
                serde_json::from_str(&json).map_err(|e| WatchError::Cursor(e.to_string()))?;
            if stored.rollup != ctx.deployment.rollup {
                return Err(WatchError::Cursor(format!(
                    "the database follows rollup {:?}, the deployment is {:?}",
                    stored.rollup, ctx.deployment.rollup
                )));
            }
            Ok(stored.cursor)
        }
    }
}

/// One poll: reads, stores ops and cursor atomically, wakes the batcher. Returns whether
/// the watcher caught up with the confirmed head.
pub async fn poll_once(
    node: &Node,
    ctx: &L1Context,
    watcher: &L1Watcher<quire_l1::L1Client>,
    cursor: &mut WatcherCursor,
) -> Result<bool, WatchError> {
    learn_tokens(node, ctx).await?;
    let poll = watcher.poll(cursor).await?;
    metrics::gauge!("quire_l1_safe_head").set(poll.safe_head as f64);
    if poll.cursor == *cursor {
        return Ok(poll.caught_up);
    }
    let stored = StoredCursor {
        rollup: ctx.deployment.rollup,
        cursor: poll.cursor,
    };
    let json = serde_json::to_string(&stored).map_err(|e| WatchError::Cursor(e.to_string()))?;
    let ops: Vec<PriorityOp> = poll.ops.iter().map(|w| w.op.clone()).collect();
    let fresh = node.storage.record_l1_priority_ops(&ops, &json).await?;
    *cursor = poll.cursor;
    for w in &poll.ops {
        let kind = match w.op {
            PriorityOp::Deposit(_) => "deposit",
            PriorityOp::FullExit(_) => "full_exit",
        };
        tracing::info!(
            priority_id = w.op.priority_id(),
            kind,
            l1_block = w.l1_block,
            l1_tx = ?w.l1_tx,
            deadline = w.deadline,
            "priority operation queued from L1"
        );
        metrics::counter!("quire_l1_priority_ops_total", "kind" => kind).increment(1);
    }
    metrics::gauge!("quire_l1_watcher_next_block").set(cursor.next_block as f64);
    if fresh > 0 {
        node.batch_ready.notify_one();
    }
    Ok(poll.caught_up)
}

/// Adds the tokens governance registered on L1 since the last poll to the node's registry,
/// so `/v1/tokens` lists them. Descriptive only: every L1 asset id is usable on L2 whether
/// or not the node has learnt it yet (issue 14, part 3), so reading at the head rather than
/// at the confirmed depth is harmless. One `tokenCount()` call per poll when nothing is new.
async fn learn_tokens(node: &Node, ctx: &L1Context) -> Result<(), WatchError> {
    let known = {
        let state = node.state.read();
        (0..TokenId::FIRST_SHARE_TOKEN)
            .take_while(|&id| state.tokens().contains(TokenId(id)))
            .count() as u8
    };
    let new =
        quire_l1::tokens::registered_tokens(Arc::clone(&ctx.client), ctx.deployment.rollup, known)
            .await?;
    if new.is_empty() {
        return Ok(());
    }
    let mut state = node.state.write();
    for t in new {
        match state.register_token(t.info()) {
            Ok(()) => tracing::info!(
                token = t.id.0,
                symbol = %t.symbol,
                address = ?t.address,
                scale = t.scale,
                "token registered on L1 after genesis"
            ),
            Err(e) => tracing::warn!(token = t.id.0, error = %e, "token from L1 not recorded"),
        }
    }
    Ok(())
}

/// Runs until `stop`, or until a fatal error stops intake.
pub async fn run(node: Arc<Node>, ctx: Arc<L1Context>, mut stop: watch::Receiver<bool>) {
    let watcher = L1Watcher::new(
        Arc::clone(&ctx.client),
        ctx.deployment.rollup,
        WatcherConfig {
            confirmations: ctx.config.confirmations,
            max_blocks_per_poll: ctx.config.max_blocks_per_poll.max(1),
        },
    );
    metrics::gauge!("quire_l1_intake_stopped").set(0.0);
    let mut cursor = match load_cursor(&node, &ctx).await {
        Ok(c) => c,
        Err(e) => return stop_intake(&e),
    };
    tracing::info!(
        next_block = cursor.next_block,
        next_priority_id = cursor.next_priority_id,
        "L1 watcher resuming"
    );
    let interval = ctx.interval();
    let mut backoff = interval;
    loop {
        let wait = match poll_once(&node, &ctx, &watcher, &mut cursor).await {
            Ok(true) => {
                backoff = interval;
                interval
            }
            Ok(false) => Duration::ZERO, // the range was capped: more confirmed blocks wait
            Err(e) if e.is_fatal() => return stop_intake(&e),
            Err(e) => {
                metrics::counter!("quire_l1_watcher_errors_total").increment(1);
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "L1 watcher poll failed");
                let w = backoff;
                backoff = (backoff * 2).min(Duration::from_secs(60));
                w
            }
        };
        if sleep_or_stop(wait, &mut stop).await {
            tracing::info!("L1 watcher stopped");
            return;
        }
    }
}

fn stop_intake(e: &WatchError) {
    if matches!(e, WatchError::L1(L1Error::Reorg { .. })) {
        metrics::counter!("quire_l1_reorgs_total").increment(1);
    }
    metrics::gauge!("quire_l1_intake_stopped").set(1.0);
    tracing::error!(
        error = %e,
        "L1 INTAKE STOPPED: no further deposits or exits are read until an operator \
         investigates (a reorg below the confirmation depth, or the database disagrees with L1)"
    );
}
