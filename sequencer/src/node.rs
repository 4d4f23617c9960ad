//! The running sequencer: shared state, start-up (recovery from the database) and the
//! group-commit writer of acknowledged transactions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use rustc_hash::FxHashMap;
use tokio::sync::{mpsc, oneshot, Notify};

use quire_core::account::{Account, AccountId};
use quire_core::hash::Digest;
use quire_core::state::{Genesis, State};
use quire_executor::mempool::Mempool;

use crate::config::Config;
use quire_storage::{now_ms, PendingTx, Storage, TxStatus};

/// Chain id of the built-in devnet genesis.
pub use quire_core::chain::DEVNET_CHAIN_ID;

/// With an `[l1]` section and no `genesis` file, the genesis the deployment file records:
/// the chain is described once, where it was deployed.
fn recorded_genesis(config: &Config) -> Result<Option<Genesis>, StartError> {
    let Some(l1) = &config.l1 else {
        return Ok(None);
    };
    let deployment = quire_l1::Deployment::load(&l1.deployment)
        .map_err(|e| StartError::State(format!("l1.deployment: {e}")))?;
    Ok(deployment.genesis)
}

/// A write of acknowledged transactions waiting for the group commit.
pub(crate) struct PersistRequest {
    pub(crate) tx: PendingTx,
    pub(crate) done: oneshot::Sender<Result<(), String>>,
}

/// Everything the API handlers and the batcher share.
pub struct Node {
    /// Configuration.
    pub config: Config,
    /// The database.
    pub storage: Storage,
    /// The genesis.
    pub genesis: Genesis,
    /// The state as of the latest batch (during a batch, the batcher holds it).
    pub state: RwLock<State>,
    /// Pending transactions.
    pub mempool: Mutex<Mempool>,
    /// Next arrival number.
    pub(crate) next_seq: AtomicU64,
    /// The latest batch that is durable in the database. The in-memory `state` runs ahead
    /// of it while a batch is being stored; readers that must agree with the database
    /// (chain status, the batch list) use this.
    pub head: RwLock<Head>,
    pub(crate) persist: mpsc::Sender<PersistRequest>,
    pub(crate) waiters: Mutex<FxHashMap<Digest, Vec<oneshot::Sender<TxStatus>>>>,
    /// Wakes the batcher early (the mempool holds a full batch).
    pub(crate) batch_ready: Notify,
    pub(crate) dev_lock: tokio::sync::Mutex<()>,
    /// The settlement contract's address, once L1 is connected. A withdrawal to it is
    /// refused at admission: the contract can never claim what it is paid (issue 14).
    pub(crate) rollup: std::sync::OnceLock<quire_core::account::Address>,
}

/// The latest durable batch: its number (0 before the first) and the state root after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Batch number.
    pub number: u64,
    /// State root after the batch (the genesis root before the first batch).
    pub root: Digest,
}

/// Start-up failures.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] quire_storage::StorageError),
    /// The genesis file or the stored state is invalid.
    #[error("state: {0}")]
    State(String),
    /// The stored records do not hash to the latest batch's root.
    #[error("stored state root {computed} does not match batch {batch}'s root {expected}")]
    RootMismatch {
        /// Latest batch.
        batch: u64,
        /// Its root.
        expected: Digest,
        /// Root of the stored records.
        computed: Digest,
    },
}

impl Node {
    /// Opens the database, initialises it with the genesis if new, rebuilds the state from
    /// the stored records (no replay: the trees are rehashed once and checked against the
    /// latest batch's root), reloads pending transactions, and starts the group-commit
    /// writer.
    pub async fn start(config: Config) -> Result<Arc<Node>, StartError> {
        let storage = Storage::connect(&config.database_url).await?;
        let genesis = match storage.genesis().await? {
            Some(g) => g,
            None => {
                let g = match &config.genesis {
                    Some(path) => {
                        let text = std::fs::read_to_string(path)
                            .map_err(|e| StartError::State(format!("{}: {e}", path.display())))?;
                        serde_json::from_str(&text)
                            .map_err(|e| StartError::State(format!("{}: {e}", path.display())))?
                    }
                    None => match recorded_genesis(&config)? {
                        Some(g) => g,
                        None => quire_core::chain::devnet_genesis()
                            .map_err(|e| StartError::State(format!("the devnet genesis: {e}")))?,
                    },
                };
                let state = State::genesis(&g).map_err(|e| StartError::State(e.to_string()))?;
                let accounts: Vec<Account> = (0..state.num_accounts())
                    .filter_map(|i| AccountId::new(i).and_then(|id| state.account(id)).cloned())
                    .collect();
                storage.init_genesis(&g, &accounts).await?;
                tracing::info!(
                    chain_id = g.chain_id,
                    "initialised a new database from genesis"
                );
                g
            }
        };
        let (accounts, next_priority) = storage.snapshot().await?;
        let started = std::time::Instant::now();
        let mut state = State::from_snapshot(&genesis, accounts, next_priority)
            .map_err(|e| StartError::State(e.to_string()))?;
        let root = state.root();
        let latest = storage.latest_batch().await?;
        if let Some(b) = &latest {
            if b.root != root {
                return Err(StartError::RootMismatch {
                    batch: b.number,
                    expected: b.root,
                    computed: root,
                });
            }
        }
        tracing::info!(
            accounts = state.num_accounts(),
            root = %root,
            latest_batch = latest.as_ref().map_or(0, |b| b.number),
            rebuild_ms = started.elapsed().as_millis() as u64,
            "state rebuilt from storage"
        );

        let mut mempool = Mempool::new(config.mempool.clone());
        let pending = storage.pending_transactions().await?;
        let reloaded = pending.len();
        for p in pending {
            // Reloaded transactions were acknowledged: keep every one, even beyond the
            // current bounds (admission bounds apply to new submissions only).
            if let Err(e) = mempool.admit(p.hash, p.seq, p.tx, p.received_at_ms, true) {
                tracing::warn!(hash = %p.hash, error = %e, "stored pending transaction not reloaded");
            }
        }
        tracing::info!(pending = reloaded, "pending transactions reloaded");

        let next_seq = storage.max_seq().await?.map_or(0, |s| s + 1);
        let (persist, persist_rx) = mpsc::channel(65_536);
        let node = Arc::new(Node {
            config,
            storage,
            genesis,
            state: RwLock::new(state),
            mempool: Mutex::new(mempool),
            next_seq: AtomicU64::new(next_seq),
            head: RwLock::new(Head {
                number: latest.as_ref().map_or(0, |b| b.number),
                root,
            }),
            persist,
            waiters: Mutex::new(FxHashMap::default()),
            batch_ready: Notify::new(),
            dev_lock: tokio::sync::Mutex::new(()),
            rollup: std::sync::OnceLock::new(),
        });
        tokio::spawn(group_commit(node.storage.clone(), persist_rx));
        Ok(node)
    }

    /// The next arrival number.
    pub(crate) fn take_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Writes an acknowledged transaction durably (grouped with concurrent ones).
    pub(crate) async fn persist(&self, tx: PendingTx) -> Result<(), String> {
        let (done, wait) = oneshot::channel();
        self.persist
            .send(PersistRequest { tx, done })
            .await
            .map_err(|_| "storage writer stopped".to_string())?;
        wait.await
            .map_err(|_| "storage writer stopped".to_string())?
    }

    /// Registers interest in a transaction's outcome.
    pub(crate) fn wait_for(&self, hash: Digest) -> oneshot::Receiver<TxStatus> {
        let (tx, rx) = oneshot::channel();
        self.waiters.lock().entry(hash).or_default().push(tx);
        rx
    }

    /// Tells waiters what became of their transactions.
    pub(crate) fn notify(&self, outcomes: Vec<(Digest, TxStatus)>) {
        let mut waiters = self.waiters.lock();
        for (hash, status) in outcomes {
            if let Some(list) = waiters.remove(&hash) {
                for w in list {
                    let _ = w.send(status.clone());
                }
            }
        }
    }
}

/// Writes acknowledged transactions in groups: whatever arrived while the previous group
/// was being written goes into the next database transaction, so many acknowledgements
/// share one sync.
async fn group_commit(storage: Storage, mut rx: mpsc::Receiver<PersistRequest>) {
    const MAX_GROUP: usize = 2048;
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(r) => group.push(r),
                Err(_) => break,
            }
        }
        let txs: Vec<PendingTx> = group.iter().map(|r| r.tx.clone()).collect();
        let started = std::time::Instant::now();
        let result = storage
            .insert_transactions(&txs)
            .await
            .map_err(|e| e.to_string());
        metrics::histogram!("quire_persist_group_size").record(group.len() as f64);
        metrics::histogram!("quire_persist_seconds").record(started.elapsed().as_secs_f64());
        if let Err(e) = &result {
            tracing::error!(error = %e, count = group.len(), "writing acknowledged transactions failed");
        }
        for r in group {
            let _ = r.done.send(result.clone());
        }
    }
}

/// Milliseconds since the epoch.
pub fn now() -> i64 {
    now_ms()
}
