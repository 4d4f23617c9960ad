//! The prover service's workers, against SQLite and PostgreSQL. The queue's SQL itself
//! (claim, fencing, reclaim) is tested where it lives, in `quire-storage`'s tests.
//!
//! Worker semantics are tested with `FakeProver`, a test double of `BatchProver` that
//! returns a deterministic digest of the batch after a configurable delay; one test runs
//! the real plonky2 `CircuitProver` on small batches and verifies the stored proofs, and
//! the crash test runs real `quire-prover run` processes (real prover) and SIGKILLs one.
//!
//! PostgreSQL tests read `QUIRE_TEST_POSTGRES_URL` and print a notice and return when it
//! is absent; each test works in its own freshly created schema (`search_path` set via the
//! URL's `options`), so tests running in parallel do not see each other's jobs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quire_circuits::{BatchCircuits, BatchShape};
use quire_core::account::{AccountId, Address};
use quire_core::hash::keccak256;
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, State};
use quire_core::token::TokenId;
use quire_core::tx::{priority_commitment, Deposit, L2Tx, Operation, PriorityOp, Transfer};
use quire_prover::{
    BatchInput, BatchProof, BatchProver, CircuitProver, ProveContext, ProveError, RunSummary,
    ServiceConfig, Worker, WorkerEvent,
};
use quire_storage::Storage;
use tokio::sync::{mpsc, watch};

const CHAIN_ID: u32 = 7;

// ---------------------------------------------------------------------------------------
// A chain of batches, written as the sequencer writes them.

fn key(i: usize) -> SecretKey {
    SecretKey::from_seed(format!("worker test key {i}").as_bytes())
}

fn genesis() -> Genesis {
    quire_core::test_utils::GenesisBuilder::default()
        .usdc(1_000_000_000_000)
        .build()
}

fn deposit(id: u64, to: usize, amount: u64) -> Operation {
    Operation::Priority(PriorityOp::Deposit(Deposit {
        priority_id: id,
        from: Address([0x10 + to as u8; 20]),
        to: key(to).public_key(),
        token: TokenId::ETH,
        amount,
    }))
}

fn transfer(from: usize, from_id: u32, to_id: u32, amount: u64, nonce: u32) -> Operation {
    let tx = L2Tx::Transfer(Transfer {
        from: AccountId::new(from_id).unwrap(),
        to: AccountId::new(to_id).unwrap(),
        token: TokenId::ETH,
        amount,
        fee: 0,
        nonce,
    });
    Operation::L2(tx.sign(&key(from), CHAIN_ID))
}

/// `n` batches: batch i (1-based) deposits to key i (opening account i + 1); every third
/// batch also carries a transfer back from the previous batch's account, so replays cross
/// batch boundaries with signatures and nonces.
fn chain(n: usize) -> Vec<Vec<Operation>> {
    let mut nonces = BTreeMap::new();
    (1..=n)
        .map(|i| {
            let mut ops = vec![deposit(i as u64 - 1, i, 1_000 + i as u64)];
            if i % 3 == 0 {
                let from = i - 1;
                let nonce = nonces.entry(from).or_insert(0u32);
                ops.push(transfer(from, from as u32 + 1, 2, 5, *nonce));
                *nonce += 1;
            }
            ops
        })
        .collect()
}

/// Writes genesis, the batches (as `commit_batch` does: batch row, operations, queued job).
async fn write_chain(q: &Storage, g: &Genesis, batches: &[Vec<Operation>]) {
    let pool = q.pool();
    sqlx::query("INSERT INTO meta (key, value) VALUES ('genesis', $1)")
        .bind(serde_json::to_string(g).unwrap())
        .execute(pool)
        .await
        .unwrap();
    let mut state = State::genesis(g).unwrap();
    for (i, ops) in batches.iter().enumerate() {
        let n = i as i64 + 1;
        let prev_root = state.root();
        let mut pubdata = Vec::new();
        let mut priority = Vec::new();
        for op in ops {
            let r = state.apply(op).unwrap();
            pubdata.extend_from_slice(&r.pubdata);
            if let Operation::Priority(p) = op {
                priority.push(p.clone());
            }
        }
        let root = state.root();
        sqlx::query(
            "INSERT INTO batches (number, prev_root, root, op_count, rejected_count, pubdata, \
             pubdata_commitment, priority_commitment, first_priority_id, priority_count, diff, \
             stats, status, created_at_ms) \
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, '{}', '{}', 'executed', 0)",
        )
        .bind(n)
        .bind(prev_root.to_bytes().to_vec())
        .bind(root.to_bytes().to_vec())
        .bind(ops.len() as i64)
        .bind(pubdata.clone())
        .bind(keccak256(&pubdata).to_vec())
        .bind(priority_commitment(&priority).to_vec())
        .bind(priority.first().map_or(0, |p| p.priority_id() as i64))
        .bind(priority.len() as i64)
        .execute(pool)
        .await
        .unwrap();
        for (pos, op) in ops.iter().enumerate() {
            let body = op.encode();
            sqlx::query(
                "INSERT INTO batch_ops (batch_number, position, hash, body) VALUES ($1, $2, $3, $4)",
            )
            .bind(n)
            .bind(pos as i64)
            .bind(keccak256(&body).to_vec())
            .bind(body)
            .execute(pool)
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO prover_jobs (batch_number, status, attempts, created_at_ms, updated_at_ms) \
             VALUES ($1, 'queued', 0, 0, 0)",
        )
        .bind(n)
        .execute(pool)
        .await
        .unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Databases.

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{tag}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A temporary SQLite database, deleted (with its WAL files) on drop.
struct TempDb {
    path: std::path::PathBuf,
    url: String,
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn sqlite_db(tag: &str) -> TempDb {
    let dir = std::env::temp_dir().join("quire-prover-worker-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", unique(tag)));
    let url = format!("sqlite:{}", path.display());
    TempDb { path, url }
}

/// A schema of the PostgreSQL test server, dropped by [`PgSchema::drop_now`] at the end of
/// a passing test (a failing one leaves it for inspection).
struct PgSchema {
    base: String,
    name: String,
    url: String,
}

impl PgSchema {
    async fn drop_now(self) {
        let admin = sqlx::AnyPool::connect(&self.base).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.name))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
    }
}

/// A fresh schema on the test server and a URL whose connections use it; `None` (with a
/// printed notice) when `QUIRE_TEST_POSTGRES_URL` is absent.
async fn postgres_schema(tag: &str) -> Option<PgSchema> {
    let Ok(base) = std::env::var("QUIRE_TEST_POSTGRES_URL") else {
        eprintln!("QUIRE_TEST_POSTGRES_URL not set: skipping the PostgreSQL test {tag}");
        return None;
    };
    sqlx::any::install_default_drivers();
    let schema = unique(&format!("quire_{tag}"));
    let admin = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    Some(PgSchema {
        base,
        name: schema,
        url,
    })
}

// ---------------------------------------------------------------------------------------
// The test double.

/// What `FakeProver` proves: a keccak of the batch's claims; public inputs its roots.
fn fake_proof(b: &BatchInput) -> BatchProof {
    let mut data = b.number.to_be_bytes().to_vec();
    data.extend_from_slice(&b.prev_root.to_bytes());
    data.extend_from_slice(&b.root.to_bytes());
    data.extend_from_slice(&b.pubdata_commitment);
    data.extend_from_slice(&b.priority_commitment);
    data.extend_from_slice(&(b.ops.len() as u64).to_be_bytes());
    BatchProof {
        proof: keccak256(&data).to_vec(),
        public_inputs: b
            .prev_root
            .elements()
            .iter()
            .chain(b.root.elements().iter())
            .map(|f| f.to_canonical_u64())
            .collect(),
    }
}

/// A scripted failure of `FakeProver`.
#[derive(Clone, Copy)]
enum Script {
    /// Fails (retryable) on the first `n` attempts.
    FailFirst(u32),
    /// Always fails (retryable).
    AlwaysFail,
    /// Rejects the batch (not retryable).
    Invalid,
}

/// Test double: sleeps `delay` (in steps, honouring cancellation), then returns
/// [`fake_proof`]. Records every call.
struct FakeProver {
    delay: Duration,
    scripts: BTreeMap<u64, Script>,
    calls: Mutex<BTreeMap<u64, u32>>,
}

impl FakeProver {
    fn new(delay: Duration) -> Self {
        Self {
            delay,
            scripts: BTreeMap::new(),
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    fn calls(&self) -> BTreeMap<u64, u32> {
        self.calls.lock().unwrap().clone()
    }
}

impl BatchProver for FakeProver {
    fn name(&self) -> &str {
        "fake"
    }

    fn prove(&self, b: &BatchInput, ctx: &ProveContext<'_>) -> Result<BatchProof, ProveError> {
        let attempt = {
            let mut calls = self.calls.lock().unwrap();
            let c = calls.entry(b.number).or_insert(0);
            *c += 1;
            *c
        };
        ctx.progress.start(4, "fake");
        for _ in 0..4 {
            std::thread::sleep(self.delay / 4);
            ctx.check_cancelled()?;
            ctx.progress.advance("fake");
        }
        match self.scripts.get(&b.number) {
            Some(Script::FailFirst(n)) if attempt <= *n => {
                Err(anyhow::anyhow!("scripted failure {attempt}").into())
            }
            Some(Script::AlwaysFail) => Err(anyhow::anyhow!("scripted failure {attempt}").into()),
            Some(Script::Invalid) => Err(ProveError::Invalid("scripted invalid batch".into())),
            _ => Ok(fake_proof(b)),
        }
    }
}

fn config(url: &str) -> ServiceConfig {
    ServiceConfig {
        database_url: url.to_string(),
        poll_interval_ms: 50,
        heartbeat_interval_ms: 100,
        heartbeat_timeout_ms: 1_000,
        retry_backoff_ms: 0,
        max_attempts: 3,
        metrics_listen: None,
        exit_when_idle: true,
        ..ServiceConfig::default()
    }
}

/// Runs one worker to idleness; its summary and events.
async fn run_worker(
    url: &str,
    cfg: ServiceConfig,
    prover: Arc<dyn BatchProver>,
) -> (RunSummary, Vec<WorkerEvent>) {
    let q = Storage::connect_with(url, 4).await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_stop, stop_rx) = watch::channel(false);
    let w = Worker::new(q.clone(), prover, cfg)
        .with_events(tx)
        .with_progress_bar(false);
    let summary = tokio::time::timeout(Duration::from_secs(300), w.run(stop_rx))
        .await
        .expect("worker finishes");
    q.close().await;
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    (summary, events)
}

fn proven_batches(events: &[WorkerEvent]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Proven { batch, .. } => Some(*batch),
            _ => None,
        })
        .collect()
}

/// Every job proven with the proof of its own batch.
async fn assert_all_proven(q: &Storage, n: u64) {
    for b in 1..=n {
        let job = q.job(b).await.unwrap().unwrap();
        assert_eq!(job.status, "proven", "batch {b}: {job:?}");
        let input = q.batch_input(b).await.unwrap();
        let want = fake_proof(&input);
        assert_eq!(job.proof.as_deref(), Some(&want.proof[..]), "batch {b}");
        assert_eq!(job.public_inputs, Some(want.public_inputs), "batch {b}");
        assert_eq!(job.error, None);
    }
}

// ---------------------------------------------------------------------------------------
// SQLite.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_single_worker_proves_queued_jobs() {
    let url_db = sqlite_db("single");
    let url = url_db.url.clone();
    let q = Storage::connect_with(&url, 2).await.unwrap();
    write_chain(&q, &genesis(), &chain(5)).await;
    let fake = Arc::new(FakeProver::new(Duration::from_millis(20)));
    let (summary, events) = run_worker(&url, config(&url), fake.clone()).await;
    assert_eq!(summary.proven, 5, "{summary:?}");
    // Lowest batch first, each once.
    assert_eq!(proven_batches(&events), vec![1, 2, 3, 4, 5]);
    assert!(fake.calls().values().all(|&c| c == 1), "{:?}", fake.calls());
    assert_all_proven(&q, 5).await;
    let c = q.job_counts().await.unwrap();
    assert_eq!((c.queued, c.proving, c.proven, c.failed), (0, 0, 5, 0));
    // A second worker finds nothing to do.
    let (summary, _) = run_worker(&url, config(&url), fake.clone()).await;
    assert_eq!(summary, RunSummary::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_retries_up_to_the_limit_and_records_errors() {
    let url_db = sqlite_db("retry");
    let url = url_db.url.clone();
    let q = Storage::connect_with(&url, 2).await.unwrap();
    write_chain(&q, &genesis(), &chain(4)).await;
    let mut fake = FakeProver::new(Duration::from_millis(4));
    fake.scripts.insert(1, Script::FailFirst(2));
    fake.scripts.insert(2, Script::AlwaysFail);
    fake.scripts.insert(3, Script::Invalid);
    let fake = Arc::new(fake);
    let (summary, _) = run_worker(&url, config(&url), fake.clone()).await;
    assert_eq!(summary.proven, 2, "{summary:?}");
    assert_eq!(summary.failed, 2, "{summary:?}");
    assert_eq!(summary.retried, 4, "{summary:?}"); // 2 for batch 1, 2 for batch 2

    let j1 = q.job(1).await.unwrap().unwrap();
    assert_eq!((j1.status.as_str(), j1.attempts), ("proven", 3));
    assert_eq!(j1.error, None);
    let j2 = q.job(2).await.unwrap().unwrap();
    assert_eq!((j2.status.as_str(), j2.attempts), ("failed", 3));
    assert!(
        j2.error.as_deref().unwrap().contains("scripted failure 3"),
        "{j2:?}"
    );
    assert_eq!(j2.proof, None);
    // Not retryable: one attempt.
    let j3 = q.job(3).await.unwrap().unwrap();
    assert_eq!((j3.status.as_str(), j3.attempts), ("failed", 1));
    assert!(j3.error.as_deref().unwrap().contains("scripted invalid"));
    assert_eq!(q.job(4).await.unwrap().unwrap().status, "proven");
    assert_eq!(
        fake.calls(),
        BTreeMap::from([(1, 3), (2, 3), (3, 1), (4, 1)])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_releases_the_current_job_or_lets_it_finish() {
    let url_db = sqlite_db("shutdown");
    let url = url_db.url.clone();
    let q = Storage::connect_with(&url, 2).await.unwrap();
    write_chain(&q, &genesis(), &chain(2)).await;
    for (grace_ms, expect_proven) in [(0, false), (10_000, true)] {
        let fake = Arc::new(FakeProver::new(Duration::from_millis(800)));
        let cfg = ServiceConfig {
            shutdown_grace_ms: grace_ms,
            exit_when_idle: false,
            ..config(&url)
        };
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop, stop_rx) = watch::channel(false);
        let w = Worker::new(q.clone(), fake.clone(), cfg)
            .with_events(tx)
            .with_progress_bar(false);
        let run = tokio::spawn(w.run(stop_rx));
        let claimed = match rx.recv().await.unwrap() {
            WorkerEvent::Claimed { batch, .. } => batch,
            e => panic!("{e:?}"),
        };
        stop.send(true).unwrap();
        let summary = tokio::time::timeout(Duration::from_secs(20), run)
            .await
            .unwrap()
            .unwrap();
        let job = q.job(claimed).await.unwrap().unwrap();
        if expect_proven {
            assert_eq!(summary.proven, 1, "{summary:?}");
            assert_eq!(job.status, "proven");
        } else {
            assert_eq!(summary.released, 1, "{summary:?}");
            // Released untouched: queued, the attempt not counted.
            assert_eq!((job.status.as_str(), job.attempts), ("queued", 0));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_endpoint_reports_proven_jobs() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url_db = sqlite_db("metrics");
    let url = url_db.url.clone();
    let q = Storage::connect_with(&url, 2).await.unwrap();
    write_chain(&q, &genesis(), &chain(2)).await;
    let (stop, stop_rx) = watch::channel(false);
    let server =
        quire_prover::metrics::MetricsServer::start("127.0.0.1:0".parse().unwrap(), stop_rx)
            .await
            .unwrap();
    let fake = Arc::new(FakeProver::new(Duration::from_millis(4)));
    let (summary, _) = run_worker(&url, config(&url), fake).await;
    assert_eq!(summary.proven, 2);
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).await.unwrap();
    let _ = stop.send(true);
    server.join().await;
    // The recorder is process-wide and other tests prove jobs too: at least our two.
    let line = body
        .lines()
        .find(|l| l.starts_with("quire_prover_jobs_total{result=\"proven\"}"))
        .unwrap_or_else(|| panic!("no proven counter in:\n{body}"));
    let n: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n >= 2.0, "{line}");
    assert!(body.contains("quire_prover_job_seconds"), "{body}");
}

// ---------------------------------------------------------------------------------------
// The real prover.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_prover_proves_small_batches_and_the_proofs_verify() {
    let url_db = sqlite_db("real");
    let url = url_db.url.clone();
    let q = Storage::connect_with(&url, 2).await.unwrap();
    // Batch 1 opens accounts 2 and 3; batch 2 is a signed transfer between them, so its
    // replay needs batch 1's state (the prover reads it from the database).
    let batches = vec![
        vec![deposit(0, 0, 1_000_000), deposit(1, 1, 5)],
        vec![transfer(0, 2, 3, 1_000, 0)],
    ];
    write_chain(&q, &genesis(), &batches).await;
    // Batch 1 counts as proven already: the worker proves batch 2 only, replaying batch 1
    // from the database to get the state before it.
    sqlx::query("UPDATE prover_jobs SET status = 'proven' WHERE batch_number = 1")
        .execute(q.pool())
        .await
        .unwrap();
    let shape = BatchShape {
        chunk_steps: 1,
        levels: 1,
        max_priority: 0,
        segment_levels: 1,
    };
    // No priority slot: the proven batch is a transfer (the smallest commitment circuit),
    // its commitments in two segments (one step each) joined by a segment node.
    let prover = Arc::new(CircuitProver::new(BatchShape {
        chunk_steps: shape.chunk_steps,
        levels: shape.levels,
        max_priority: 0,
        segment_levels: shape.segment_levels,
    }));
    let started = Instant::now();
    let (summary, events) = run_worker(
        &url,
        ServiceConfig {
            circuits: shape,
            ..config(&url)
        },
        prover.clone(),
    )
    .await;
    eprintln!(
        "real prover: circuits and one batch in {:?}",
        started.elapsed()
    );
    assert_eq!(summary.proven, 1, "{summary:?} {events:?}");
    assert_eq!(proven_batches(&events), vec![2]);
    let circuits: Arc<BatchCircuits> = prover.circuits(&genesis()).unwrap();
    for b in [2u64] {
        let job = q.job(b).await.unwrap().unwrap();
        assert_eq!(job.status, "proven", "{job:?}");
        let proof = job.proof.unwrap();
        let pis = job.public_inputs.clone().unwrap();
        circuits
            .verify(&proof, &pis)
            .expect("stored proof verifies");
        let input = q.batch_input(b).await.unwrap();
        // D9's 24 public inputs, as Rollup.batchPublicInputs lays them out.
        assert_eq!(
            pis,
            quire_circuits::batch_public_inputs(
                &input.prev_root,
                &input.root,
                &input.pubdata_commitment,
                &input.priority_commitment
            )
        );
        let roots: Vec<u64> = input
            .prev_root
            .elements()
            .iter()
            .chain(input.root.elements().iter())
            .map(|f| f.to_canonical_u64())
            .collect();
        assert_eq!(&pis[0..8], &roots[..], "batch {b}");
        // A flipped byte does not verify.
        let mut bad = proof.clone();
        let i = bad.len() / 2;
        bad[i] ^= 1;
        assert!(circuits.verify(&bad, &pis).is_err());
    }
    // A batch over capacity fails at once, with the reason.
    let q2url_db = sqlite_db("real_over");
    let q2url = q2url_db.url.clone();
    let q2 = Storage::connect_with(&q2url, 2).await.unwrap();
    write_chain(
        &q2,
        &genesis(),
        &[vec![deposit(0, 0, 1), deposit(1, 1, 1), deposit(2, 2, 1)]],
    )
    .await;
    let (summary, _) = run_worker(
        &q2url,
        ServiceConfig {
            circuits: shape,
            ..config(&q2url)
        },
        prover.clone(),
    )
    .await;
    assert_eq!(summary.failed, 1);
    let job = q2.job(1).await.unwrap().unwrap();
    assert_eq!(job.attempts, 1);
    assert!(job.error.unwrap().contains("the circuit shape holds 2"));
}

/// More priority operations than the shape's priority slots: the job fails at once with
/// the reason (checked before any circuit is built).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_prover_rejects_priority_operations_past_the_slots() {
    let db = sqlite_db("real_priority");
    let q = Storage::connect_with(&db.url, 2).await.unwrap();
    write_chain(&q, &genesis(), &[vec![deposit(0, 0, 1), deposit(1, 1, 1)]]).await;
    let shape = BatchShape {
        chunk_steps: 1,
        levels: 1,
        max_priority: 0,
        segment_levels: 0,
    };
    let prover = Arc::new(CircuitProver::new(BatchShape {
        chunk_steps: 1,
        levels: 1,
        max_priority: 1,
        segment_levels: 0,
    }));
    let (summary, _) = run_worker(
        &db.url,
        ServiceConfig {
            circuits: shape,
            ..config(&db.url)
        },
        prover,
    )
    .await;
    assert_eq!(summary.failed, 1, "{summary:?}");
    let job = q.job(1).await.unwrap().unwrap();
    assert_eq!(job.attempts, 1);
    let err = job.error.unwrap();
    assert!(err.contains("2 priority operations"), "{err}");
    assert!(err.contains("at most 1"), "{err}");
}

// ---------------------------------------------------------------------------------------
// PostgreSQL.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_workers_prove_each_job_exactly_once() {
    let Some(pg) = postgres_schema("two").await else {
        return;
    };
    let url = pg.url.clone();
    const N: u64 = 16;
    let q = Storage::connect_with(&url, 2).await.unwrap();
    write_chain(&q, &genesis(), &chain(N as usize)).await;
    // One prover per worker, so each one's calls are its own.
    let fakes = [
        Arc::new(FakeProver::new(Duration::from_millis(120))),
        Arc::new(FakeProver::new(Duration::from_millis(120))),
    ];
    let runs: Vec<_> = fakes
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let url = url.clone();
            let cfg = ServiceConfig {
                worker_id: Some(format!("w{i}")),
                ..config(&url)
            };
            let f: Arc<dyn BatchProver> = f.clone();
            tokio::spawn(async move { run_worker(&url, cfg, f).await })
        })
        .collect();
    let mut all = Vec::new();
    for r in runs {
        let (summary, events) = r.await.unwrap();
        assert!(summary.proven > 0, "both workers took jobs: {summary:?}");
        assert_eq!(summary.lease_lost + summary.failed + summary.retried, 0);
        all.extend(proven_batches(&events));
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=N).collect::<Vec<_>>(),
        "each job proven exactly once"
    );
    // And no batch was even attempted by both.
    let a = fakes[0].calls();
    let b = fakes[1].calls();
    assert!(a.keys().all(|k| !b.contains_key(k)), "{a:?} {b:?}");
    assert_eq!(a.len() + b.len(), N as usize);
    assert_all_proven(&q, N).await;
    q.close().await;
    pg.drop_now().await;
}

// ---------------------------------------------------------------------------------------
// Real processes.

/// Forwards a child's stdout lines into a channel.
fn lines_of(child: &mut Child) -> std::sync::mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn batch_of(line: &str) -> Option<u64> {
    field(line, "batch").and_then(|v| v.parse().ok())
}

/// The child side of the crash test: when started by
/// [`postgres_killed_worker_job_is_reclaimed_and_proven_by_the_other`] (which sets
/// `QUIRE_WORKER_CHILD_URL`), this test binary is a worker process with its own pool and the
/// test double, printing its events on stdout. In a normal test run the variable is unset
/// and it returns at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_worker_process() {
    let Ok(url) = std::env::var("QUIRE_WORKER_CHILD_URL") else {
        return;
    };
    let id = std::env::var("QUIRE_WORKER_CHILD_ID").unwrap();
    let q = Storage::connect_with(&url, 4).await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_stop, stop_rx) = watch::channel(false);
    let w = Worker::new(
        q,
        Arc::new(FakeProver::new(Duration::from_millis(600))),
        ServiceConfig {
            worker_id: Some(id),
            ..config(&url)
        },
    )
    .with_events(tx)
    .with_progress_bar(false);
    let printer = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            match e {
                WorkerEvent::Claimed { batch, .. } => println!("claimed batch={batch}"),
                WorkerEvent::Proven { batch, .. } => println!("proven batch={batch}"),
                WorkerEvent::Reclaimed { batch, .. } => println!("reclaimed batch={batch}"),
                other => println!("other {other:?}"),
            }
        }
    });
    let summary = w.run(stop_rx).await;
    printer.await.unwrap();
    println!("summary {summary:?}");
}

fn spawn_child_worker(url: &str, id: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            // The test's full name in the `it` binary.
            "worker::child_worker_process",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("QUIRE_WORKER_CHILD_URL", url)
        .env("QUIRE_WORKER_CHILD_ID", id)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn a worker process")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_worker_job_is_reclaimed_and_proven_by_the_other() {
    let Some(pg) = postgres_schema("kill").await else {
        return;
    };
    let url = pg.url.clone();
    const N: u64 = 10;
    let q = Storage::connect_with(&url, 2).await.unwrap();
    write_chain(&q, &genesis(), &chain(N as usize)).await;

    // Two worker processes share the queue; once both are proving, A is SIGKILLed right
    // after it claims a job (its proof takes 600 ms: it dies mid-job).
    let mut a = spawn_child_worker(&url, "A");
    let mut b = spawn_child_worker(&url, "B");
    let (a_lines, b_lines) = (lines_of(&mut a), lines_of(&mut b));
    let mut proven = Vec::new();
    let mut b_out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let killed_batch = loop {
        assert!(Instant::now() < deadline, "workers never both claimed");
        b_out.extend(b_lines.try_iter());
        let b_claimed = b_out.iter().any(|l| l.starts_with("claimed"));
        let Ok(line) = a_lines.recv_timeout(Duration::from_millis(20)) else {
            continue;
        };
        if line.starts_with("proven") {
            proven.extend(batch_of(&line));
        }
        if b_claimed && line.starts_with("claimed") {
            a.kill().unwrap(); // SIGKILL
            break batch_of(&line).unwrap();
        }
    };
    a.wait().unwrap();
    let job = q.job(killed_batch).await.unwrap().unwrap();
    assert_eq!(
        (job.status.as_str(), job.worker.as_deref()),
        ("proving", Some("A")),
        "A died holding its job"
    );
    proven.extend(
        a_lines
            .try_iter()
            .filter(|l| l.starts_with("proven"))
            .filter_map(|l| batch_of(&l)),
    );

    // B proves the rest, including A's job once A's heartbeat is older than the timeout.
    let status = tokio::task::spawn_blocking(move || b.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "worker B: {status}");
    b_out.extend(b_lines.iter());
    proven.extend(
        b_out
            .iter()
            .filter(|l| l.starts_with("proven"))
            .filter_map(|l| batch_of(l)),
    );
    assert!(
        b_out
            .iter()
            .any(|l| l.starts_with("reclaimed") && batch_of(l) == Some(killed_batch)),
        "B reclaimed A's job: {b_out:?}"
    );
    proven.sort_unstable();
    assert_eq!(
        proven,
        (1..=N).collect::<Vec<_>>(),
        "none lost, none proven twice"
    );
    assert_all_proven(&q, N).await;
    let job = q.job(killed_batch).await.unwrap().unwrap();
    assert_eq!((job.worker.as_deref(), job.attempts), (Some("B"), 2));
    q.close().await;
    pg.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_serves_metrics_and_stops_on_sigterm() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A database the sequencer has not initialised yet: the worker waits for it.
    let url_db = sqlite_db("binary");
    let url = url_db.url.clone();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire-prover"))
        .args([
            "run",
            "--database-url",
            &url,
            "--metrics-listen",
            "127.0.0.1:0",
        ])
        .env("QUIRE_PROVER_POLL_INTERVAL_MS", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let first = lines.recv_timeout(Duration::from_secs(60)).unwrap();
    let addr = first
        .strip_prefix("metrics http://")
        .and_then(|r| r.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    for (path, want) in [("/healthz", "ok"), ("/metrics", "")] {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut body = String::new();
        s.read_to_string(&mut body).await.unwrap();
        assert!(
            body.starts_with("HTTP/1.0 200") || body.starts_with("HTTP/1.1 200"),
            "{body}"
        );
        assert!(body.ends_with(want), "{body}");
    }
    let started = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let rest: Vec<String> = lines.iter().collect();
    assert!(
        rest.iter().any(|l| l.starts_with("stopped proven=0")),
        "{rest:?}"
    );
}
