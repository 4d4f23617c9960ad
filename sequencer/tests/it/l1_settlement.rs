//! The sequencer against a real anvil (each test its own): deposits made on L1 are credited
//! on L2 exactly once, across a restart and a re-read block range; batches go executed →
//! committed → proven → finalized on L1 (the test plays the prover with the test-double
//! verifier) and a withdrawal becomes claimable on L1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::Client;
use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, Bytes, U256};
use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::token::TokenId;
use quire_core::tx::{L2Tx, Withdraw};
use quire_l1::bindings::rollup::Rollup;
use quire_l1::bindings::test_doubles::{MockERC20, TestBatchVerifier};
use quire_l1::test_chain::{Miner, TestChain};
use quire_l1::{user, L1Client, L1Watcher, WatcherConfig};
use quire_sequencer::app::{self, Running};
use quire_sequencer::config::{Config, L1Config, Secret};
use quire_storage::{BatchStage, Storage};
use serde_json::Value;

const ETH: u128 = 1_000_000_000_000_000_000;
const CHAIN_ID: u32 = 7;
const CONFIRMATIONS: u64 = 2;

/// The shared test chain, its files for the sequencer, and a miner keeping blocks coming
/// (first, so it stops before the chain is dropped).
struct L1 {
    _miner: Miner,
    chain: TestChain,
    deployment_path: std::path::PathBuf,
    genesis_path: std::path::PathBuf,
    token: EthAddress,
}

fn key(seed: &str) -> SecretKey {
    SecretKey::from_seed(seed.as_bytes())
}

/// Anvil with the test-double verifier and a mock ERC-20 (id 1), the rollup deployed for a
/// matching genesis, and a background task mining a block every 100 ms so confirmation
/// depths are reached.
async fn setup(dir: &Path) -> L1 {
    let chain = TestChain::builder()
        .chain_id(CHAIN_ID)
        .start()
        .await
        .unwrap();
    let deployment_path = chain.save_deployment(dir).unwrap();
    let genesis_path = chain.save_genesis(dir).unwrap();
    let token = chain.token.expect("the test chain has a token");
    let miner = chain.spawn_miner(Duration::from_millis(100));
    L1 {
        _miner: miner,
        chain,
        deployment_path,
        genesis_path,
        token,
    }
}

fn config(l1: &L1, db: &str) -> Config {
    let mut c = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: db.to_string(),
        genesis: Some(l1.genesis_path.clone()),
        ..Config::default()
    };
    c.batch.max_wait_ms = 20;
    c.batch.max_priority_ops = 4;
    // Within the chain's batch shape (recorded in the deployment file), which the
    // sequencer refuses to exceed.
    if let Some(shape) = &l1.chain.deployment.batch_shape {
        c.batch.max_txs = shape.capacity();
    }
    c.l1 = Some(L1Config {
        rpc_url: l1.chain.anvil.url.clone(),
        deployment: l1.deployment_path.clone(),
        operator_key: Some(Secret::new(l1.chain.anvil.keys[0].clone())),
        confirmations: CONFIRMATIONS,
        poll_interval_ms: 100,
        ..L1Config::default()
    });
    c
}

async fn start(l1: &L1, db: &str) -> (Running, Client) {
    start_with(l1, db, |_| {}).await
}

async fn start_with(l1: &L1, db: &str, tweak: impl FnOnce(&mut Config)) -> (Running, Client) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "warn,quire_sequencer=info,quire_l1=info",
        ))
        .with_test_writer()
        .try_init();
    let mut c = config(l1, db);
    tweak(&mut c);
    let running = app::start(c).await.expect("sequencer starts");
    let client = Client::new(running.addr);
    (running, client)
}

/// The L2 balance in `token` of the account of `key` that `owner`'s deposits opened (0 if
/// there is none yet).
async fn balance(
    client: &Client,
    key: &SecretKey,
    owner: &Arc<L1Client>,
    token: u8,
) -> (Option<AccountId>, u64) {
    let owner = format!("{:?}", owner.address());
    let (s, v) = client
        .get(&format!(
            "/v1/accounts/by-key/{}?owner={owner}",
            key.public_key()
        ))
        .await;
    if s != 200 {
        return (None, 0);
    }
    let id = AccountId::new(v["id"].as_u64().unwrap() as u32);
    let bal = v["balances"][token.to_string()]
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap();
    (id, bal)
}

/// Deposits `wei` from `from` to `to`'s L2 key and waits for it to be mined.
async fn deposit_eth(from: &Arc<L1Client>, rollup: EthAddress, to: &SecretKey, wei: u128) {
    user::deposit_eth(from.clone(), rollup, &to.public_key(), U256::from(wei), 1)
        .await
        .unwrap();
}

async fn wait_for<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn priority_op_count(storage: &Storage) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) FROM priority_ops")
        .fetch_one(storage.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l1_deposits_are_credited_exactly_once_across_restarts_and_rereads() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("seq.db").display());
    deposits_exactly_once(dir.path(), &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l1_deposits_are_credited_exactly_once_on_postgres() {
    let Some(db) = common::postgres_database("l1_deposits").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    deposits_exactly_once(dir.path(), &db).await;
}

async fn deposits_exactly_once(dir: &Path, db: &str) {
    let l1 = setup(dir).await;
    let db = db.to_string();
    let (running, client) = start(&l1, &db).await;
    let rollup = l1.chain.deployment.rollup;
    let (alice, bob) = (key("alice"), key("bob"));

    // An ETH deposit (1.5 ETH) and an ERC-20 deposit (5 tokens) on L1.
    let a1 = l1.chain.anvil.client(1).await.unwrap();
    let a2 = l1.chain.anvil.client(2).await.unwrap();
    deposit_eth(&a1, rollup, &alice, 3 * ETH / 2).await;
    let amount = U256::from(5 * ETH);
    MockERC20::new(l1.token, a2.clone())
        .mint(a2.address(), amount)
        .send()
        .await
        .unwrap()
        .await
        .unwrap();
    user::deposit_erc20(a2.clone(), rollup, l1.token, amount, &bob.public_key(), 1)
        .await
        .unwrap();

    wait_for("both deposits credited", 60, || async {
        balance(&client, &alice, &a1, 0).await.1 == 1_500_000_000
            && balance(&client, &bob, &a2, 1).await.1 == 5_000_000_000
    })
    .await;
    assert_eq!(priority_op_count(&running.node.storage).await, 2);
    running.shutdown().await;

    // Rewind the stored cursor to the deployment block, so the restarted watcher reads the
    // whole range again: the two deposits are re-delivered and must not be credited again.
    {
        let storage = Storage::connect(&db).await.unwrap();
        let rewound = quire_sequencer::l1::watcher::StoredCursor {
            rollup,
            cursor: quire_l1::WatcherCursor::from_deployment(&l1.chain.deployment),
        };
        sqlx::query("UPDATE meta SET value = $1 WHERE key = 'l1_watcher_cursor'")
            .bind(serde_json::to_string(&rewound).unwrap())
            .execute(storage.pool())
            .await
            .unwrap();
        storage.close().await;
    }
    let (running, client) = start(&l1, &db).await;
    // Nothing new was credited by the restart itself.
    assert_eq!(balance(&client, &alice, &a1, 0).await.1, 1_500_000_000);
    assert_eq!(balance(&client, &bob, &a2, 1).await.1, 5_000_000_000);

    // A third deposit, in a block after the re-read range: once it is credited, the range
    // before it has been read again.
    deposit_eth(&a1, rollup, &alice, ETH / 2).await;
    wait_for("third deposit credited", 60, || async {
        balance(&client, &alice, &a1, 0).await.1 >= 2_000_000_000
    })
    .await;
    // Settle a moment more, then check nothing was credited twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(balance(&client, &alice, &a1, 0).await.1, 2_000_000_000);
    assert_eq!(balance(&client, &bob, &a2, 1).await.1, 5_000_000_000);
    assert_eq!(priority_op_count(&running.node.storage).await, 3);
    let cursor: quire_sequencer::l1::watcher::StoredCursor =
        serde_json::from_str(&running.node.storage.l1_cursor().await.unwrap().unwrap()).unwrap();
    assert_eq!(cursor.cursor.next_priority_id, 3);
    assert!(cursor.cursor.next_block > l1.chain.deployment.block_number);
    running.shutdown().await;
}

/// Plays the prover: proves every batch L1 has committed and not proven, with the test
/// double's proof for the batch's public inputs (sent from account 3: anyone may prove).
async fn prove_committed(l1: &L1) -> u64 {
    let client = l1.chain.anvil.client(3).await.unwrap();
    let rollup = Rollup::new(l1.chain.deployment.rollup, client.clone());
    let verifier = TestBatchVerifier::new(l1.chain.verifier, client.clone());
    let events = L1Watcher::new(
        client.clone(),
        l1.chain.deployment.rollup,
        WatcherConfig::default(),
    );
    let status = quire_l1::rollup_status(client.clone(), l1.chain.deployment.rollup, None)
        .await
        .unwrap();
    for n in status.batches_proven + 1..=status.batches_committed {
        let b = events
            .committed_batch(n, l1.chain.deployment.block_number)
            .await
            .unwrap()
            .unwrap();
        let inputs = rollup
            .batch_public_inputs(b.info.into())
            .call()
            .await
            .unwrap();
        let proof: Bytes = verifier.proof_for(inputs).call().await.unwrap();
        rollup
            .prove_batch(b.info.into(), proof)
            .send()
            .await
            .unwrap()
            .await
            .unwrap();
    }
    status.batches_committed
}

async fn tx_status(client: &Client, hash: &str) -> Value {
    client.get(&format!("/v1/transactions/{hash}")).await.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_settle_on_l1_and_withdrawals_become_claimable() {
    let dir = tempfile::tempdir().unwrap();
    let l1 = setup(dir.path()).await;
    let db = format!("sqlite:{}", dir.path().join("seq.db").display());
    let (running, client) = start(&l1, &db).await;
    let rollup = l1.chain.deployment.rollup;
    let alice = key("alice");
    let a1 = l1.chain.anvil.client(1).await.unwrap();
    deposit_eth(&a1, rollup, &alice, 3 * ETH / 2).await;
    wait_for("deposit credited", 60, || async {
        balance(&client, &alice, &a1, 0).await.1 == 1_500_000_000
    })
    .await;
    let account = balance(&client, &alice, &a1, 0).await.0.unwrap();

    // Withdraw 1 ETH (L2 units of 1 gwei) to a fresh L1 address.
    let recipient = EthAddress::repeat_byte(0x42);
    let tx = L2Tx::Withdraw(Withdraw {
        from: account,
        to: Address(recipient.0),
        token: TokenId::ETH,
        amount: 1_000_000_000,
        fee: 0,
        nonce: 0,
    })
    .sign(&alice, CHAIN_ID);
    let (s, v) = client
        .post_json(
            "/v1/transactions?wait=soft",
            &serde_json::to_value(&tx).unwrap(),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "executed", "{v}");
    let hash = v["hash"].as_str().unwrap().to_string();
    let batch = tx_status(&client, &hash).await["batch_number"]
        .as_u64()
        .unwrap();

    // The settlement task commits; the stage follows once L1 has it deep enough.
    wait_for("batch committed", 60, || async {
        tx_status(&client, &hash).await["status"] == "committed"
    })
    .await;
    let l1_client = l1.chain.anvil.client(0).await.unwrap();
    let status = quire_l1::rollup_status(l1_client.clone(), rollup, None)
        .await
        .unwrap();
    assert!(status.batches_committed >= batch);
    assert_eq!(status.batches_proven, 0, "nothing proves but the test");

    // Restart before proving: the restarted settlement task must not commit anything again
    // (L1 would refuse a second batch 1 with LastBatchMismatch; the counter would move).
    running.shutdown().await;
    let (running, client) = start(&l1, &db).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let after = quire_l1::rollup_status(l1_client.clone(), rollup, None)
        .await
        .unwrap();
    let stored = running.node.storage.latest_batch().await.unwrap().unwrap();
    assert_eq!(
        after.batches_committed, stored.number,
        "every stored batch committed once"
    );

    // Prove (as the prover would); the sequencer sees it, executes, and finalizes.
    wait_for("batch proven and finalized", 90, || {
        let l1 = &l1;
        let client = &client;
        let hash = &hash;
        async move {
            let proven = prove_committed(l1).await;
            proven >= batch && tx_status(client, hash).await["status"] == "finalized"
        }
    })
    .await;
    let rec = tx_status(&client, &hash).await;
    assert_eq!(rec["status"], "finalized", "{rec}");
    for n in 1..=batch {
        let b = running.node.storage.batch(n).await.unwrap().unwrap();
        assert_eq!(b.status, BatchStage::Finalized);
    }

    // The payout is claimable on L1 and pays the recipient.
    let claimable = user::claimable(l1_client.clone(), rollup, recipient, TokenId::ETH)
        .await
        .unwrap();
    assert_eq!(claimable, U256::from(ETH));
    let before = l1_client.get_balance(recipient, None).await.unwrap();
    let (paid, _) = user::claim(a1.clone(), rollup, recipient, TokenId::ETH, 1)
        .await
        .unwrap();
    assert_eq!(paid, U256::from(ETH));
    let after_claim = l1_client.get_balance(recipient, None).await.unwrap();
    assert_eq!(after_claim - before, U256::from(ETH));

    // The settlement gauges are exported.
    let (_, _) = (rollup, ());
    let metrics = client
        .http
        .get(format!("{}/metrics", client.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("quire_l1_last_finalized_batch"),
        "{metrics}"
    );
    running.shutdown().await;
}

/// The 32 bytes of a `0x…` hex string from the batch summary.
fn h256(hex_str: &str) -> ethers::types::H256 {
    let b = hex::decode(hex_str.trim_start_matches("0x")).unwrap();
    ethers::types::H256::from_slice(&b)
}

/// With `l1.commit_with_proof`, nothing is committed until a prover has stored the batch's
/// proof; then one `commitAndProveBatch` commits and proves it (nobody sends `proveBatch`
/// here), and the batch is executed and finalized as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_with_proof_waits_for_the_stored_proof_and_sends_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let l1 = setup(dir.path()).await;
    let db = format!("sqlite:{}", dir.path().join("seq.db").display());
    let (running, client) = start_with(&l1, &db, |c| {
        c.l1.as_mut().unwrap().commit_with_proof = true;
    })
    .await;
    let rollup_address = l1.chain.deployment.rollup;
    let alice = key("alice");
    let a1 = l1.chain.anvil.client(1).await.unwrap();
    deposit_eth(&a1, rollup_address, &alice, ETH).await;
    wait_for("deposit credited", 60, || async {
        balance(&client, &alice, &a1, 0).await.1 == 1_000_000_000
    })
    .await;
    let storage = &running.node.storage;
    let last = storage.latest_batch().await.unwrap().unwrap().number;

    // No proof stored: no commit, however long we wait.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let l1_client = l1.chain.anvil.client(0).await.unwrap();
    let status = quire_l1::rollup_status(l1_client.clone(), rollup_address, None)
        .await
        .unwrap();
    assert_eq!(status.batches_committed, 0, "committed without a proof");

    // Play the prover worker: store the test double's proof of each batch's public inputs
    // in prover_jobs, as a worker does.
    let rollup = Rollup::new(rollup_address, l1_client.clone());
    let verifier = TestBatchVerifier::new(l1.chain.verifier, l1_client.clone());
    for n in 1..=last {
        let b = storage.batch(n).await.unwrap().unwrap();
        let info = quire_l1::StoredBatch {
            batch_number: n,
            timestamp: 0,
            first_priority_id: 0,
            priority_ops_count: 0,
            prev_state_root: ethers::types::H256(b.prev_root.to_l1_bytes32()),
            state_root: ethers::types::H256(b.root.to_l1_bytes32()),
            pubdata_commitment: h256(&b.pubdata_commitment),
            priority_commitment: h256(&b.priority_commitment),
            payouts_hash: ethers::types::H256::zero(),
        };
        let inputs = rollup
            .batch_public_inputs(info.into())
            .call()
            .await
            .unwrap();
        let proof: Bytes = verifier.proof_for(inputs).call().await.unwrap();
        sqlx::query("UPDATE prover_jobs SET status = 'proven', proof = $1 WHERE batch_number = $2")
            .bind(proof.to_vec())
            .bind(n as i64)
            .execute(storage.pool())
            .await
            .unwrap();
    }

    wait_for(
        "batches committed with their proofs and finalized",
        90,
        || async {
            let s = quire_l1::rollup_status(l1_client.clone(), rollup_address, None)
                .await
                .unwrap();
            assert_eq!(
                s.batches_proven, s.batches_committed,
                "a commit without its proof"
            );
            let b = storage.batch(last).await.unwrap().unwrap();
            s.batches_committed >= last && b.status == BatchStage::Finalized
        },
    )
    .await;
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priority_ops_are_split_by_max_priority_ops_in_l1_order() {
    let dir = tempfile::tempdir().unwrap();
    let l1 = setup(dir.path()).await;
    let db = format!("sqlite:{}", dir.path().join("seq.db").display());
    // Five deposits queued (and confirmed) before the sequencer starts: its first poll
    // reads them all at once.
    let a1 = l1.chain.anvil.client(1).await.unwrap();
    let keys: Vec<SecretKey> = (0..5).map(|i| key(&format!("depositor {i}"))).collect();
    for (i, k) in keys.iter().enumerate() {
        deposit_eth(
            &a1,
            l1.chain.deployment.rollup,
            k,
            ETH / 1000 * (i as u128 + 1),
        )
        .await;
    }
    l1.chain.anvil.mine(CONFIRMATIONS + 1).await.unwrap();
    let (running, client) = start_with(&l1, &db, |c| c.batch.max_priority_ops = 2).await;
    wait_for("all five deposits credited", 60, || async {
        balance(&client, &keys[4], &a1, 0).await.1 > 0
    })
    .await;
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(
            balance(&client, k, &a1, 0).await.1,
            1_000_000 * (i as u64 + 1)
        );
    }
    // The API's state runs ahead of the database while a batch is stored: wait for it.
    wait_for("the last batch stored", 30, || async {
        running
            .node
            .storage
            .pending_priority_ops()
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    // Batches hold at most two priority operations each, consumed in queue order.
    let mut counts = Vec::new();
    let mut next_id = 0;
    let latest = running.node.storage.latest_batch().await.unwrap().unwrap();
    for n in 1..=latest.number {
        let b = running.node.storage.l1_batch(n).await.unwrap().unwrap();
        if b.priority_count > 0 {
            assert_eq!(b.first_priority_id, next_id, "batch {n} in L1 order");
            next_id += b.priority_count;
            counts.push(b.priority_count);
        }
    }
    assert_eq!(counts, vec![2, 2, 1]);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_below_the_confirmation_depth_stops_intake() {
    let dir = tempfile::tempdir().unwrap();
    let l1 = setup(dir.path()).await;
    let db = format!("sqlite:{}", dir.path().join("seq.db").display());
    let (running, client) = start(&l1, &db).await;
    let rollup = l1.chain.deployment.rollup;
    let snapshot = l1.chain.anvil.snapshot().await.unwrap();
    let (alice, bob) = (key("alice"), key("bob"));
    let a1 = l1.chain.anvil.client(1).await.unwrap();
    deposit_eth(&a1, rollup, &alice, ETH).await;
    wait_for("deposit credited", 60, || async {
        balance(&client, &alice, &a1, 0).await.1 == 1_000_000_000
    })
    .await;

    // L1 replaces the blocks the watcher already accepted as confirmed, with a longer
    // history holding a different deposit under the same priority id.
    l1.chain.anvil.revert(snapshot).await.unwrap();
    deposit_eth(&a1, rollup, &bob, 2 * ETH).await;
    l1.chain.anvil.mine(20).await.unwrap();
    wait_for("intake stopped", 30, || async {
        let m = client
            .http
            .get(format!("{}/metrics", client.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        m.lines()
            .any(|l| l.starts_with("quire_l1_intake_stopped 1"))
            && m.lines().any(|l| l.starts_with("quire_l1_reorgs_total"))
    })
    .await;
    // The replacement deposit is never credited; the first one is not credited twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(balance(&client, &bob, &a1, 0).await.1, 0);
    assert_eq!(balance(&client, &alice, &a1, 0).await.1, 1_000_000_000);
    assert_eq!(priority_op_count(&running.node.storage).await, 1);
    running.shutdown().await;
}

/// A sequencer whose batches could hold more priority operations than the rollup commits
/// (`Rollup.MAX_PRIORITY_OPS_PER_BATCH`) would build a batch L1 refuses forever: it refuses
/// to start, naming the setting; at the bound it starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_priority_ops_above_the_rollups_bound_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let l1 = setup(dir.path()).await;
    let db = format!("sqlite:{}", dir.path().join("seq.db").display());
    // The chain's batch shape bounds it first.
    let slots = l1
        .chain
        .deployment
        .batch_shape
        .as_ref()
        .map(|s| s.priority_slots());
    if let Some(slots) = slots {
        let mut c = config(&l1, &db);
        c.batch.max_priority_ops = slots + 1;
        let err = match app::start(c).await {
            Ok(_) => panic!("started with max_priority_ops above the shape's slots"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("batch.max_priority_ops"), "{err}");
        assert!(err.contains("priority slots"), "{err}");
    }
    // A deployment file that records no shape (an older one): the contract's bound.
    let mut unshaped = quire_l1::Deployment::load(&l1.deployment_path).unwrap();
    unshaped.batch_shape = None;
    let unshaped_path = dir.path().join("deployment-unshaped.json");
    unshaped.save(&unshaped_path).unwrap();
    let mut c = config(&l1, &db);
    c.l1.as_mut().unwrap().deployment = unshaped_path.clone();
    c.batch.max_priority_ops = 1025;
    let err = match app::start(c).await {
        Ok(_) => panic!("started with max_priority_ops above the contract's bound"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("batch.max_priority_ops"), "{err}");
    assert!(err.contains("MAX_PRIORITY_OPS_PER_BATCH = 1024"), "{err}");
    let (running, _) = start_with(&l1, &db, |c| {
        c.l1.as_mut().unwrap().deployment = unshaped_path.clone();
        c.batch.max_priority_ops = 1024;
    })
    .await;
    running.shutdown().await;
}

/// Deposits 1.5 ETH for alice, withdraws 1 ETH to a fresh L1 address and waits until every
/// stored batch is committed on L1 with its commit recorded (`l1_commits`). Returns the
/// withdrawal's batch, its transaction hash and the recipient.
async fn withdraw_and_commit(
    l1: &L1,
    running: &Running,
    client: &Client,
) -> (u64, String, EthAddress) {
    let rollup = l1.chain.deployment.rollup;
    let alice = key("alice");
    let a1 = l1.chain.anvil.client(1).await.unwrap();
    deposit_eth(&a1, rollup, &alice, 3 * ETH / 2).await;
    wait_for("deposit credited", 60, || async {
        balance(client, &alice, &a1, 0).await.1 == 1_500_000_000
    })
    .await;
    let account = balance(client, &alice, &a1, 0).await.0.unwrap();
    let recipient = EthAddress::repeat_byte(0x43);
    let tx = L2Tx::Withdraw(Withdraw {
        from: account,
        to: Address(recipient.0),
        token: TokenId::ETH,
        amount: 1_000_000_000,
        fee: 0,
        nonce: 0,
    })
    .sign(&alice, CHAIN_ID);
    let (s, v) = client
        .post_json(
            "/v1/transactions?wait=soft",
            &serde_json::to_value(&tx).unwrap(),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let hash = v["hash"].as_str().unwrap().to_string();
    let batch = tx_status(client, &hash).await["batch_number"]
        .as_u64()
        .unwrap();
    let storage = &running.node.storage;
    wait_for("every batch committed and recorded", 60, || async {
        let last = storage.latest_batch().await.unwrap().unwrap().number;
        let mut recorded = true;
        for n in 1..=last {
            recorded &= storage.l1_commit(n).await.unwrap().is_some();
        }
        recorded && tx_status(client, &hash).await["status"] == "committed"
    })
    .await;
    (batch, hash, recipient)
}

/// Proves what L1 committed (as the prover would) until `hash`'s batch is finalized, then
/// checks that its payout is claimable.
async fn prove_until_finalized(l1: &L1, client: &Client, batch: u64, hash: &str, to: EthAddress) {
    wait_for("batch proven and finalized", 90, || async {
        let proven = prove_committed(l1).await;
        proven >= batch && tx_status(client, hash).await["status"] == "finalized"
    })
    .await;
    let l1_client = l1.chain.anvil.client(0).await.unwrap();
    let claimable = user::claimable(l1_client, l1.chain.deployment.rollup, to, TokenId::ETH)
        .await
        .unwrap();
    assert_eq!(claimable, U256::from(ETH));
}

/// Settlement reads what L1 stored of a committed batch from the commit it recorded when
/// its `commitBatch` was mined, not from L1's logs: restarted with a deployment file whose
/// block lies after every commit — where the `BatchCommitted` scan finds nothing, and
/// settlement would stop with "emitted no BatchCommitted" — it still proves, executes (with
/// the recorded payouts) and finalizes the batches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settlement_reads_recorded_commits_instead_of_l1_logs() {
    let dir = tempfile::tempdir().unwrap();
    let l1 = setup(dir.path()).await;
    let db = format!("sqlite:{}", dir.path().join("seq.db").display());
    let (running, client) = start(&l1, &db).await;
    let (batch, hash, recipient) = withdraw_and_commit(&l1, &running, &client).await;

    // The record is exactly what L1 emitted, payouts included.
    let l1_client = l1.chain.anvil.client(0).await.unwrap();
    let events = L1Watcher::new(
        l1_client.clone(),
        l1.chain.deployment.rollup,
        WatcherConfig::default(),
    );
    let storage = &running.node.storage;
    let last = storage.latest_batch().await.unwrap().unwrap().number;
    for n in 1..=last {
        let logged = events
            .committed_batch(n, l1.chain.deployment.block_number)
            .await
            .unwrap()
            .unwrap();
        let recorded = storage.l1_commit(n).await.unwrap().unwrap();
        assert_eq!(
            quire_l1::CommittedBatch::from(recorded),
            logged,
            "batch {n}"
        );
    }
    assert!(!storage
        .l1_commit(batch)
        .await
        .unwrap()
        .unwrap()
        .payouts
        .is_empty());
    running.shutdown().await;

    // A deployment file claiming the rollup was created after every commit.
    let mut moved = quire_l1::Deployment::load(&l1.deployment_path).unwrap();
    moved.block_number = l1_client.get_block_number().await.unwrap().as_u64();
    for n in 1..=last {
        assert!(
            events
                .committed_batch(n, moved.block_number)
                .await
                .unwrap()
                .is_none(),
            "the log scan from the moved block finds batch {n}"
        );
    }
    let moved_path = dir.path().join("deployment-moved.json");
    moved.save(&moved_path).unwrap();
    let (running, client) = start_with(&l1, &db, |c| {
        c.l1.as_mut().unwrap().deployment = moved_path.clone();
    })
    .await;
    prove_until_finalized(&l1, &client, batch, &hash, recipient).await;
    running.shutdown().await;
}

/// A database without commit records — an older sequencer's (before migration 0003), or a
/// crash between L1's commit and the record — still settles: the batches are read from
/// L1's `BatchCommitted` logs as before, and recorded then.
async fn unrecorded_commits_settle_from_l1_logs(dir: &Path, db: &str) {
    let l1 = setup(dir).await;
    let (running, client) = start(&l1, db).await;
    let (batch, hash, recipient) = withdraw_and_commit(&l1, &running, &client).await;
    let last = running
        .node
        .storage
        .latest_batch()
        .await
        .unwrap()
        .unwrap()
        .number;
    running.shutdown().await;
    {
        // Back to the schema before 0003: the table and its migration record gone.
        let storage = Storage::connect(db).await.unwrap();
        for sql in [
            "DROP TABLE l1_commits",
            "DELETE FROM _sqlx_migrations WHERE version = 3",
        ] {
            sqlx::query(sql).execute(storage.pool()).await.unwrap();
        }
        storage.close().await;
    }
    let (running, client) = start(&l1, db).await;
    assert_eq!(running.node.storage.l1_commit(1).await.unwrap(), None);
    prove_until_finalized(&l1, &client, batch, &hash, recipient).await;
    for n in 1..=last {
        assert!(
            running.node.storage.l1_commit(n).await.unwrap().is_some(),
            "batch {n} recorded once read from the logs"
        );
    }
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unrecorded_commits_settle_from_l1_logs_and_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("seq.db").display());
    unrecorded_commits_settle_from_l1_logs(dir.path(), &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unrecorded_commits_settle_from_l1_logs_on_postgres() {
    let Some(db) = common::postgres_database("l1_unrecorded").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    unrecorded_commits_settle_from_l1_logs(dir.path(), &db).await;
}
