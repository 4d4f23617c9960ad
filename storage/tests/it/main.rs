//! The integration tests of `quire-storage`, one binary: every table module's queries
//! against SQLite and PostgreSQL.
//!
//! PostgreSQL variants read `QUIRE_TEST_POSTGRES_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`) and print a notice and pass when it is absent;
//! each works in a freshly created schema (`search_path` set via the URL's `options`), so
//! tests running in parallel do not see each other's rows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod batches;
mod l1_commits;
mod prover_jobs;
mod transactions;

use std::sync::atomic::{AtomicU64, Ordering};

use quire_core::account::{Account, AccountId, Address};
use quire_core::hash::keccak256;
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, State};
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::{priority_commitment, Deposit, L2Tx, Operation, PriorityOp, Transfer};
use quire_storage::{BatchRecord, Storage, TxResult};

/// Runs `$scenario(&TestDb)` as two tests, `sqlite` and `postgres`, in a module `$name`.
macro_rules! on_both_databases {
    ($name:ident, $scenario:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::sqlite();
                $scenario(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::TestDb::postgres(stringify!($name)).await else {
                    return;
                };
                $scenario(&db).await;
                db.drop_now().await;
            }
        }
    };
}
pub(crate) use on_both_databases;

// ---------------------------------------------------------------------------------------
// Databases.

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(tag: &str) -> String {
    format!(
        "{tag}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database for one test: an SQLite file in a temporary directory, or a fresh schema of
/// the PostgreSQL test server (dropped by [`TestDb::drop_now`] at the end of a passing
/// test; a failing one leaves it for inspection).
pub(crate) struct TestDb {
    pub(crate) url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub(crate) fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("quire.db").display());
        TestDb {
            url,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// `None`, with a notice, when `QUIRE_TEST_POSTGRES_URL` is absent.
    pub(crate) async fn postgres(tag: &str) -> Option<TestDb> {
        let Ok(base) = std::env::var("QUIRE_TEST_POSTGRES_URL") else {
            println!(
                "notice: QUIRE_TEST_POSTGRES_URL is not set; skipping the PostgreSQL variant of {tag}"
            );
            return None;
        };
        sqlx::any::install_default_drivers();
        let schema = unique(&format!("quire_storage_{tag}"));
        let admin = sqlx::AnyPool::connect(&base).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        Some(TestDb {
            url,
            _dir: None,
            pg: Some((base, schema)),
        })
    }

    pub(crate) async fn open(&self) -> Storage {
        Storage::connect_with(&self.url, 4).await.unwrap()
    }

    pub(crate) async fn drop_now(self) {
        if let Some((base, schema)) = &self.pg {
            let admin = sqlx::AnyPool::connect(base).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
        }
    }
}

/// `SELECT COUNT(*) FROM {table}`.
pub(crate) async fn count(s: &Storage, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(s.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// A chain, written as the sequencer writes it.

pub(crate) const CHAIN_ID: u32 = 7;

pub(crate) fn key(i: usize) -> SecretKey {
    SecretKey::from_seed(format!("storage test key {i}").as_bytes())
}

pub(crate) fn genesis() -> Genesis {
    Genesis {
        chain_id: CHAIN_ID,
        operator: SecretKey::from_seed(b"operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![TokenInfo {
            id: TokenId(1),
            symbol: "USDC".into(),
            l1_address: Address([1; 20]),
            scale: 1_000_000_000_000,
        }],
        pools: vec![],
    }
}

pub(crate) fn deposit(id: u64, to: usize, amount: u64) -> PriorityOp {
    PriorityOp::Deposit(Deposit {
        priority_id: id,
        from: Address([0x10 + to as u8; 20]),
        to: key(to).public_key(),
        token: TokenId::ETH,
        amount,
    })
}

pub(crate) fn transfer(from_id: u32, to_id: u32, amount: u64, nonce: u32) -> L2Tx {
    L2Tx::Transfer(Transfer {
        from: AccountId::new(from_id).unwrap(),
        to: AccountId::new(to_id).unwrap(),
        token: TokenId::ETH,
        amount,
        fee: 0,
        nonce,
    })
}

/// Stores the genesis and its accounts; the state to build batches on.
pub(crate) async fn init(s: &Storage) -> State {
    let g = genesis();
    let state = State::genesis(&g).unwrap();
    let accounts: Vec<Account> = (0..state.num_accounts())
        .filter_map(|i| AccountId::new(i).and_then(|id| state.account(id)).cloned())
        .collect();
    s.init_genesis(&g, &accounts).await.unwrap();
    state
}

/// Applies `ops` (all accepted) and returns batch `number` as the batcher builds it.
pub(crate) fn batch(state: &mut State, number: u64, ops: &[Operation]) -> BatchRecord {
    let prev_root = state.root();
    let (mut accepted, mut tx_results, mut priority_results, mut consumed, mut pubdata) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for op in ops {
        let r = state.apply(op).unwrap();
        let position = accepted.len() as u64;
        let json = serde_json::to_string(&r).unwrap();
        match op {
            Operation::Priority(p) => {
                priority_results.push((p.priority_id(), position, json));
                consumed.push(p.clone());
            }
            Operation::L2(_) => tx_results.push((
                r.hash,
                TxResult::Executed {
                    position,
                    receipt: json,
                },
            )),
        }
        pubdata.extend_from_slice(&r.pubdata);
        accepted.push((r.hash, op.encode()));
    }
    let diff = state.pending_diff();
    let root = state.root();
    BatchRecord {
        number,
        prev_root,
        root,
        ops: accepted,
        tx_results,
        pubdata_commitment: keccak256(&pubdata),
        priority_commitment: priority_commitment(&consumed),
        first_priority_id: consumed.first().map_or(0, PriorityOp::priority_id),
        priority_results,
        pubdata,
        diff,
        stats: "{}".into(),
    }
}

/// `n` batches of one deposit each (batch i opens account i + 1), committed.
pub(crate) async fn deposits_chain(s: &Storage, n: usize) -> State {
    let mut state = init(s).await;
    for i in 1..=n {
        let op = deposit(i as u64 - 1, i, 1_000 + i as u64);
        s.insert_priority_ops(std::slice::from_ref(&op))
            .await
            .unwrap();
        let b = batch(&mut state, i as u64, &[Operation::Priority(op)]);
        s.commit_batch(&b).await.unwrap();
    }
    state
}
