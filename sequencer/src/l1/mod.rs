//! Settlement on L1: the sequencer's side of the rollup contract, built on `quire-l1`.
//!
//! Two tasks run next to the batcher when the configuration has an `[l1]` section:
//!
//! - [`watcher`] reads deposits and full exits from confirmed L1 blocks and stores each with
//!   the watcher's cursor in one database transaction, so a restart resumes exactly where
//!   the last stored poll ended and a re-read range credits nothing twice;
//! - [`settlement`] walks the stored batches in order through `commitBatch`, waits for the
//!   prover's `proveBatch`, sends `executeBatch`, and moves each batch's stage
//!   (`committed` → `proven` → `finalized`) only once L1 shows it at the confirmation depth.
//!
//! L1 is the authority: both tasks re-derive what to do from L1's state on every poll
//! (`totalBatches*`; a committed batch's struct from the commit recorded in the database
//! when it was mined, checked against L1's `storedBatchHash`, or else from its
//! `BatchCommitted` event), so a restart needs no extra bookkeeping and never re-commits a
//! committed batch.

pub mod settlement;
pub mod watcher;

use std::sync::Arc;
use std::time::Duration;

use ethers::providers::Middleware;
use ethers::types::U256;
use quire_core::state::State;
use quire_l1::{Deployment, L1Client};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::L1Config;
use crate::node::{Node, StartError};

/// What both L1 tasks share: the connection, the deployment and the settings.
pub struct L1Context {
    /// A signing client for the operator key.
    pub client: Arc<L1Client>,
    /// The rollup deployment the sequencer settles to.
    pub deployment: Deployment,
    /// The `[l1]` settings.
    pub config: L1Config,
}

impl L1Context {
    /// The poll interval.
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.config.poll_interval_ms.max(1))
    }

    /// The committer's settings from the `[l1]` section.
    pub fn committer_config(&self) -> quire_l1::CommitterConfig {
        quire_l1::CommitterConfig {
            stuck_after: Duration::from_secs(self.config.stuck_after_secs.max(1)),
            bump_percent: self.config.bump_percent,
            max_fee_per_gas: U256::from(self.config.max_fee_gwei) * U256::exp10(9),
            // Settled as soon as mined: the next commit needs the previous one's event. Stages
            // advance separately, from L1's counters at the confirmation depth.
            confirmations: 1,
            ..quire_l1::CommitterConfig::default()
        }
    }
}

/// Loads the deployment, connects with the operator key and checks that the deployment
/// belongs to this chain and this sequencer's genesis.
pub async fn connect(node: &Node, config: &L1Config) -> Result<L1Context, StartError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| StartError::State(format!("l1: {what}: {e}"));
    let deployment = Deployment::load(&config.deployment).map_err(|e| bad("l1.deployment", &e))?;
    let key = config
        .resolve_operator_key()
        .map_err(|e| bad("operator key", &e))?;
    let client = quire_l1::connect(
        &config.rpc_url,
        key.expose(),
        Duration::from_millis(config.poll_interval_ms.max(1)),
    )
    .await
    .map_err(|e| bad("l1.rpc_url", &e))?;
    let chain_id = client
        .get_chainid()
        .await
        .map_err(|e| bad("l1.rpc_url", &e))?
        .as_u64();
    if chain_id != deployment.chain_id {
        return Err(StartError::State(format!(
            "l1: the node at l1.rpc_url is chain {chain_id}, the deployment is on chain {}",
            deployment.chain_id
        )));
    }
    let mut genesis_state =
        State::genesis(&node.genesis).map_err(|e| StartError::State(e.to_string()))?;
    let ours = genesis_state.root().to_l1_bytes32();
    if ours != deployment.genesis_root.0 {
        return Err(StartError::State(format!(
            "l1: the deployment's genesis root {:?} is not this sequencer's genesis root 0x{}",
            deployment.genesis_root,
            hex::encode(ours)
        )));
    }
    // A batch with more priority operations than the contract takes could never be
    // committed: refuse to start rather than build one.
    if let Some(shape) = &deployment.batch_shape {
        node.config
            .batch
            .check_shape(shape)
            .map_err(|e| bad("l1.deployment", &e))?;
    }
    let bound = quire_l1::bindings::rollup::Rollup::new(deployment.rollup, Arc::clone(&client))
        .max_priority_ops_per_batch()
        .call()
        .await
        .map_err(|e| bad("l1.deployment", &e))?;
    if U256::from(node.config.batch.max_priority_ops) > bound {
        return Err(StartError::State(format!(
            "batch.max_priority_ops = {} exceeds the rollup's MAX_PRIORITY_OPS_PER_BATCH = {bound}: \
             L1 would refuse such a batch",
            node.config.batch.max_priority_ops
        )));
    }
    // Set once per process; a second connect (tests restarting settlement) finds it set.
    let _ = node
        .rollup
        .set(quire_l1::convert::from_eth_address(deployment.rollup));
    tracing::info!(
        rollup = ?deployment.rollup,
        chain_id,
        operator = ?ethers::signers::Signer::address(client.signer()),
        confirmations = config.confirmations,
        "L1 settlement enabled"
    );
    Ok(L1Context {
        client,
        deployment,
        config: config.clone(),
    })
}

/// Starts the watcher and the settlement task; both end when `stop` turns true.
pub fn spawn(
    node: Arc<Node>,
    ctx: Arc<L1Context>,
    stop: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(watcher::run(
            Arc::clone(&node),
            Arc::clone(&ctx),
            stop.clone(),
        )),
        tokio::spawn(settlement::run(node, ctx, stop)),
    ]
}

/// Sleeps `d` unless `stop` turns true first; returns true when stopping.
pub(crate) async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}
