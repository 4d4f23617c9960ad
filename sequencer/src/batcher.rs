//! The batcher: closes a batch on size or time, executes it with the parallel executor,
//! and writes it — transactions' results, receipts, diff, roots, pubdata and the prover
//! job — in one database transaction before anyone hears of it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use quire_api::ErrorCode;
use quire_core::hash::{keccak256, Digest};
use quire_core::state::{Receipt, State, TxError};
use quire_core::tx::{priority_commitment, pubdata, OpType, Operation, PriorityOp};
use quire_executor::{execute_parallel_verified, BatchOutput, ExecutorError};

use crate::node::{now, Head, Node};
use quire_storage::{BatchRecord, BatchStage, TxResult, TxStatus};

/// Runs until `shutdown` turns true, then closes one last batch of what is pending.
pub async fn run(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    let wait = Duration::from_millis(node.config.batch.max_wait_ms.max(1));
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep(wait) => false,
            _ = node.batch_ready.notified() => false,
            _ = shutdown.changed() => true,
        };
        match close_batch(&node).await {
            Ok(Some(n)) => tracing::debug!(batch = n, "batch closed"),
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "batch failed; resynchronising with storage");
                if let Err(e) = resync(&node).await {
                    tracing::error!(error = %e, "resynchronising failed; stopping the batcher");
                    return;
                }
            }
        }
        if stopping || *shutdown.borrow() {
            tracing::info!("batcher stopped");
            return;
        }
    }
}

/// Makes the node agree with the database again after a failed batch: the state and the
/// head are reloaded, and pending entries that a stored batch consumed are dropped.
///
/// The database is the authority. A failed batch changed the in-memory state only, and
/// the stored one may also be ahead of what this node knows: on PostgreSQL, a batch
/// whose COMMIT was in flight when a previous process was killed can become visible
/// after this process loaded its state. Our own batch with that number then fails on the
/// batch number's primary key — that failure lands here, and this catches up.
async fn resync(node: &Node) -> Result<(), String> {
    let (accounts, next) = node.storage.snapshot().await.map_err(|e| e.to_string())?;
    let mut state =
        State::from_snapshot(&node.genesis, accounts, next).map_err(|e| e.to_string())?;
    let root = state.root();
    let latest = node
        .storage
        .latest_batch()
        .await
        .map_err(|e| e.to_string())?;
    let head = Head {
        number: latest.as_ref().map_or(0, |b| b.number),
        root: latest.as_ref().map_or(root, |b| b.root),
    };
    if head.root != root {
        return Err(format!(
            "stored records hash to {root}, batch {} says {}",
            head.number, head.root
        ));
    }
    let consumed = node
        .mempool
        .lock()
        .purge_consumed(|a| state.account(a).map_or(0, |acc| acc.nonce));
    {
        let mut live = node.state.write();
        // Tokens learnt from L1 after genesis are descriptive only (no rule reads them), but
        // `/v1/tokens` should not forget them until the watcher's next poll.
        // The genesis' own tokens answer `AlreadyRegistered`: nothing to keep from them.
        for info in live.tokens().iter() {
            let _ = state.register_token(info.clone());
        }
        *live = state;
    }
    *node.head.write() = head;
    let mut outcomes = Vec::new();
    for hash in &consumed {
        if let Ok(Some(record)) = node.storage.transaction(hash).await {
            outcomes.push((*hash, record.status));
        }
    }
    node.notify(outcomes);
    tracing::info!(
        batch = head.number,
        purged = consumed.len(),
        "resynchronised with storage"
    );
    Ok(())
}

/// What a batch may still take: pubdata bytes and the L1 gas its commit needs.
struct BatchBudget {
    pubdata_left: usize,
    gas: quire_l1::gas::GasBudget,
}

impl BatchBudget {
    fn new(config: &crate::config::BatchConfig) -> Self {
        Self {
            pubdata_left: config.max_pubdata_bytes,
            gas: quire_l1::gas::GasBudget::new(config.max_l1_gas),
        }
    }

    /// Takes an operation of `kind` if both budgets allow it; says whether it did.
    fn try_add(&mut self, kind: OpType) -> bool {
        let size = pubdata::size(kind);
        if size > self.pubdata_left || !self.gas.try_add(kind) {
            return false;
        }
        self.pubdata_left -= size;
        true
    }
}

/// Executes and stores one batch of whatever is pending; `None` if nothing is.
pub async fn close_batch(node: &Arc<Node>) -> Result<Option<u64>, String> {
    let max = node.config.batch.max_txs.max(1);
    // Priority operations first, in L1 order, from where the state expects them, at most
    // `max_priority_ops` (the prover's circuit shape) per batch.
    let max_priority = node.config.batch.max_priority_ops.max(1).min(max);
    let pending_priority = node
        .storage
        .pending_priority_ops()
        .await
        .map_err(|e| e.to_string())?;
    let first = node.state.read().next_priority_id();
    let priority: Vec<PriorityOp> = pending_priority
        .into_iter()
        .zip(first..)
        .take_while(|(op, expected)| op.priority_id() == *expected)
        .map(|(op, _)| op)
        .take(max_priority)
        .collect();
    let mut selection = {
        let state = node.state.read();
        node.mempool
            .lock()
            .select(max - priority.len(), now(), |a| {
                state.account(a).map_or(0, |acc| acc.nonce)
            })
    };
    // The budgets: pubdata bytes and the L1 gas of the batch's commit (quire_l1::gas), every
    // operation counted at its kind's cost (an upper bound: a rejected transaction adds
    // none). Priority operations come first, so they always go in ahead of L2 transactions.
    // Cutting the selection's tail keeps each account's nonces in order; what is cut stays
    // in the mempool for the next batch. One operation of any kind always fits (validated).
    let mut budget = BatchBudget::new(&node.config.batch);
    let priority: Vec<PriorityOp> = priority
        .into_iter()
        .take_while(|op| {
            budget.try_add(match op {
                PriorityOp::Deposit(_) => OpType::Deposit,
                PriorityOp::FullExit(_) => OpType::FullExit,
            })
        })
        .collect();
    let fitting = selection
        .ready
        .iter()
        .take_while(|(_, tx)| budget.try_add(tx.tx.op_type()))
        .count();
    selection.ready.truncate(fitting);
    if priority.is_empty() && selection.ready.is_empty() && selection.expired.is_empty() {
        return Ok(None);
    }

    let number = node.head.read().number + 1;
    let mut ops: Vec<Operation> = priority.iter().cloned().map(Operation::Priority).collect();
    let mut verified = vec![false; ops.len()];
    for (_, tx) in &selection.ready {
        ops.push(Operation::L2(tx.clone()));
        verified.push(true); // every mempool entry's signature was verified at admission
    }

    // Execute on the blocking pool: the executor uses rayon and holds the state lock.
    let exec_node = Arc::clone(node);
    let exec_ops = ops.clone();
    let executor_config = node.config.executor.clone();
    let (prev_root, out) = tokio::task::spawn_blocking(move || {
        let mut state = exec_node.state.write();
        let prev = state.committed_root();
        execute_parallel_verified(&mut state, &exec_ops, &verified, &executor_config)
            .map(|out| (prev, out))
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e: ExecutorError| e.to_string())?;

    let chain_id = node.genesis.chain_id;
    let record = build_record(
        number,
        chain_id,
        prev_root,
        &ops,
        &out.receipts,
        &selection.expired,
        &out,
    );
    let started = std::time::Instant::now();
    node.storage
        .commit_batch(&record)
        .await
        .map_err(|e| e.to_string())?;
    *node.head.write() = Head {
        number,
        root: record.root,
    };

    // Only now, with the batch durable, do clients hear of it.
    let mut removed: Vec<Digest> = selection.ready.iter().map(|(h, _)| *h).collect();
    removed.extend(&selection.expired);
    node.mempool.lock().remove(&removed);
    let mut outcomes = Vec::with_capacity(record.tx_results.len());
    for (hash, r) in &record.tx_results {
        let status = match r {
            TxResult::Executed { position, receipt } => TxStatus::Executed {
                batch_number: number,
                position: *position,
                receipt: serde_json::from_str(receipt).unwrap_or(serde_json::Value::Null),
                stage: BatchStage::Executed,
            },
            TxResult::Rejected { code, message } => TxStatus::Rejected {
                batch_number: number,
                code: quire_api::ErrorCode::from_wire(code),
                message: message.clone(),
            },
        };
        outcomes.push((*hash, status));
    }
    node.notify(outcomes);

    let s = &out.stats;
    metrics::counter!("quire_batches_total").increment(1);
    metrics::counter!("quire_batch_ops_total").increment(record.ops.len() as u64);
    metrics::counter!("quire_batch_rejected_total").increment(
        (record.tx_results.len() + priority.len()).saturating_sub(record.ops.len()) as u64,
    );
    metrics::gauge!("quire_latest_batch").set(number as f64);
    metrics::gauge!("quire_mempool_size").set(node.mempool.lock().len() as f64);
    metrics::histogram!("quire_batch_critical_path").record(s.critical_path as f64);
    metrics::histogram!("quire_batch_max_width").record(s.max_width as f64);
    for (phase, d) in [
        ("signatures", s.signatures),
        ("schedule", s.schedule),
        ("execute", s.execute),
        ("merge", s.merge),
        ("root", s.root),
        ("store", started.elapsed()),
    ] {
        metrics::histogram!("quire_batch_phase_seconds", "phase" => phase).record(d.as_secs_f64());
    }
    tracing::info!(
        batch = number,
        ops = record.ops.len(),
        rejected = record.tx_results.len() + priority.len() - record.ops.len(),
        root = %out.root,
        critical_path = s.critical_path,
        "batch stored"
    );
    Ok(Some(number))
}

fn build_record(
    number: u64,
    chain_id: u32,
    prev_root: Digest,
    ops: &[Operation],
    receipts: &[Result<Receipt, TxError>],
    expired: &[Digest],
    out: &BatchOutput,
) -> BatchRecord {
    let mut accepted = Vec::new();
    let mut tx_results = Vec::new();
    let mut priority_results = Vec::new();
    let mut consumed = Vec::new();
    let mut pubdata = Vec::new();
    for (op, r) in ops.iter().zip(receipts) {
        match (op, r) {
            (Operation::Priority(p), Ok(receipt)) => {
                let position = accepted.len() as u64;
                let json = serde_json::to_string(receipt).unwrap_or_default();
                priority_results.push((p.priority_id(), position, json));
                consumed.push(p.clone());
                pubdata.extend_from_slice(&receipt.pubdata);
                accepted.push((receipt.hash, op.encode()));
            }
            (Operation::L2(_), Ok(receipt)) => {
                let position = accepted.len() as u64;
                let json = serde_json::to_string(receipt).unwrap_or_default();
                tx_results.push((
                    receipt.hash,
                    TxResult::Executed {
                        position,
                        receipt: json,
                    },
                ));
                pubdata.extend_from_slice(&receipt.pubdata);
                accepted.push((receipt.hash, op.encode()));
            }
            (Operation::L2(s), Err(e)) => {
                let hash = s.tx.signing_hash(chain_id);
                tx_results.push((
                    hash,
                    TxResult::Rejected {
                        code: ErrorCode::from(e).as_str().to_string(),
                        message: e.to_string(),
                    },
                ));
            }
            (Operation::Priority(p), Err(e)) => {
                // Only an out-of-order id, which the batcher never builds.
                tracing::error!(priority_id = p.priority_id(), error = %e, "priority operation refused");
            }
        }
    }
    for hash in expired {
        tx_results.push((
            *hash,
            TxResult::Rejected {
                code: ErrorCode::Expired.as_str().into(),
                message: "the transaction could not execute before its time to live".into(),
            },
        ));
    }
    BatchRecord {
        number,
        prev_root,
        root: out.root,
        ops: accepted,
        tx_results,
        pubdata_commitment: keccak256(&pubdata),
        priority_commitment: priority_commitment(&consumed),
        first_priority_id: consumed.first().map_or(0, PriorityOp::priority_id),
        priority_results,
        pubdata,
        diff: out.diff.clone(),
        stats: serde_json::to_string(&out.stats).unwrap_or_default(),
    }
}
