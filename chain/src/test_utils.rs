//! Test tools (feature `test-utils`; never in production paths): an operator that builds,
//! commits, proves (with the verifier test double) and executes batches natively on a
//! test chain, and a JSON-RPC proxy that flips one bit of the pubdata in the commit
//! calldata it serves, as an untrusted RPC provider could.

#![allow(clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ethers::types::{Address as EthAddress, H256, U256};
use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::state::State;
use quire_core::token::TokenId;
use quire_core::tx::{L2Tx, Operation, Transfer, Withdraw};
use quire_l1::bindings::rollup::Rollup;
use quire_l1::bindings::test_doubles::TestBatchVerifier;
use quire_l1::test_chain::{latest_timestamp, TestChain};
use quire_l1::{
    user, BatchHeader, Committer, CommitterConfig, L1Client, L1Watcher, StoredBatch, WatcherConfig,
    WatcherCursor,
};

use axum::extract::State as Shared;
use axum::routing::post;
use axum::{Json, Router};
use ethers::abi::{AbiDecode, AbiEncode};
use ethers::types::Bytes;
use quire_l1::bindings::rollup::RollupCalls;
use serde_json::Value;

/// A running proxy; stops when dropped.
pub struct TamperingProxy {
    /// The proxy's URL, to give the code under test instead of the node's.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TamperingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Upstream {
    url: String,
    http: reqwest::Client,
}

/// Flips bit 0 of the first pubdata byte of a `commitBatch` / `commitAndProveBatch` input.
fn tamper(input: &str) -> Option<String> {
    let bytes = hex::decode(input.trim_start_matches("0x")).ok()?;
    let call = RollupCalls::decode(&bytes).ok()?;
    let flip = |p: &Bytes| {
        let mut v = p.to_vec();
        if let Some(b) = v.first_mut() {
            *b ^= 1;
        }
        Bytes::from(v)
    };
    let encoded = match call {
        RollupCalls::CommitBatch(mut c) => {
            c.pubdata = flip(&c.pubdata);
            RollupCalls::CommitBatch(c).encode()
        }
        RollupCalls::CommitAndProveBatch(mut c) => {
            c.pubdata = flip(&c.pubdata);
            RollupCalls::CommitAndProveBatch(c).encode()
        }
        _ => return None,
    };
    Some(format!("0x{}", hex::encode(encoded)))
}

fn alter(response: &mut Value) {
    if let Some(input) = response.pointer("/result/input").and_then(Value::as_str) {
        if let Some(t) = tamper(input) {
            response["result"]["input"] = Value::String(t);
        }
    }
}

async fn forward(Shared(up): Shared<Arc<Upstream>>, Json(req): Json<Value>) -> Json<Value> {
    let is_tx_query = |r: &Value| r["method"] == "eth_getTransactionByHash";
    let tampered = match &req {
        Value::Array(reqs) => reqs.iter().any(is_tx_query),
        r => is_tx_query(r),
    };
    let answer = up.http.post(&up.url).json(&req).send().await;
    let mut body = match answer {
        Ok(r) => r.json::<Value>().await.unwrap_or(Value::Null),
        Err(e) => {
            serde_json::json!({"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32000, "message": e.to_string()}})
        }
    };
    if tampered {
        match &mut body {
            Value::Array(rs) => rs.iter_mut().for_each(alter),
            r => alter(r),
        }
    }
    Json(body)
}

impl TamperingProxy {
    /// Starts a proxy in front of `upstream` on a free local port.
    pub async fn start(upstream: &str) -> std::io::Result<TamperingProxy> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Upstream {
            url: upstream.to_string(),
            http: reqwest::Client::new(),
        });
        let app = Router::new().route("/", post(forward)).with_state(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(TamperingProxy { url, task })
    }
}

const GWEI: u64 = 1_000_000_000;

/// The operator's side: a native state, the watcher's cursor and the committer.
pub struct Operator {
    /// The chain.
    pub chain: TestChain,
    /// The operator's L1 client.
    pub client: Arc<L1Client>,
    /// The L2 state after the last batch.
    pub state: State,
    /// The watcher's cursor.
    pub cursor: WatcherCursor,
    /// The committer.
    pub committer: Committer<L1Client>,
    /// The last batch on L1.
    pub last: StoredBatch,
}

impl Operator {
    /// A fresh test chain (no token, no pool).
    pub async fn start() -> Operator {
        let chain = TestChain::builder()
            .without_token()
            .start()
            .await
            .expect("test chain");
        let client = chain.anvil.client(0).await.expect("test chain");
        let committer = Committer::new(
            client.clone(),
            chain.deployment.rollup,
            CommitterConfig::default(),
        )
        .await
        .expect("test chain");
        Operator {
            state: State::genesis(&chain.genesis).expect("test chain"),
            cursor: WatcherCursor::from_deployment(&chain.deployment),
            last: chain.deployment.genesis_batch,
            client,
            committer,
            chain,
        }
    }

    /// The rollup.
    pub fn rollup(&self) -> EthAddress {
        self.chain.deployment.rollup
    }

    /// One batch: every priority operation queued since the last one, then `l2`; commit,
    /// prove and execute it on L1.
    pub async fn batch(&mut self, l2: Vec<L2Tx>, keys: &[&SecretKey]) {
        let committed = self.commit_only(l2, keys).await;
        self.prove_and_execute(committed).await;
    }

    /// Commits a batch of every priority operation queued since the last one, then `l2`,
    /// without proving it.
    pub async fn commit_only(
        &mut self,
        l2: Vec<L2Tx>,
        keys: &[&SecretKey],
    ) -> quire_l1::CommittedBatch {
        let watcher = L1Watcher::new(
            self.client.clone(),
            self.rollup(),
            WatcherConfig {
                confirmations: 0,
                max_blocks_per_poll: 10_000,
            },
        );
        let poll = watcher.poll(&self.cursor).await.expect("test chain");
        self.cursor = poll.cursor;
        let mut pubdata = Vec::new();
        for w in poll.ops {
            let r = self
                .state
                .apply(&Operation::Priority(w.op))
                .expect("test chain");
            pubdata.extend(r.pubdata);
        }
        for (tx, key) in l2.into_iter().zip(keys) {
            let signed = tx.sign(key, self.chain.genesis.chain_id);
            let r = self
                .state
                .apply(&Operation::L2(signed))
                .expect("test chain");
            pubdata.extend(r.pubdata);
        }
        let header = BatchHeader {
            batch_number: self.last.batch_number + 1,
            timestamp: latest_timestamp(self.client.as_ref())
                .await
                .expect("test chain"),
            new_state_root: H256(self.state.root().to_l1_bytes32()),
        };
        let sent = self
            .committer
            .commit_batch(&self.last, &header, Bytes::from(pubdata))
            .await
            .expect("test chain");
        let receipt = self.mined(sent.hash).await;
        let committed = quire_l1::committed_batch_in(&receipt, self.rollup())
            .expect("test chain")
            .expect("test chain");
        self.last = committed.info;
        committed
    }

    /// Proves (with the verifier double) and executes a committed batch.
    pub async fn prove_and_execute(&mut self, committed: quire_l1::CommittedBatch) {
        let rollup = Rollup::new(self.rollup(), self.client.clone());
        let inputs = rollup
            .batch_public_inputs(committed.info.into())
            .call()
            .await
            .expect("test chain");
        let proof = TestBatchVerifier::new(self.chain.verifier, self.client.clone())
            .proof_for(inputs)
            .call()
            .await
            .expect("test chain");
        let p = self
            .committer
            .prove_batch(&committed.info, proof)
            .await
            .expect("test chain");
        self.mined(p.hash).await;
        let e = self
            .committer
            .execute_batch(&committed.info, committed.payouts.clone())
            .await
            .expect("test chain");
        self.mined(e.hash).await;
    }

    /// Waits for the receipt of `hash` and insists on success. By hash, not through the
    /// committer's nonce tracking: under load in CI, `Committer::wait` once reported its own
    /// mined transaction as `NonceConsumed` (noted for issue 18's L1 sender work).
    async fn mined(&self, hash: H256) -> ethers::types::TransactionReceipt {
        use ethers::providers::Middleware;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(r) = self
                .client
                .get_transaction_receipt(hash)
                .await
                .expect("test chain")
            {
                assert_eq!(r.status, Some(1.into()), "{hash:?} reverted");
                return r;
            }
            assert!(std::time::Instant::now() < deadline, "{hash:?} never mined");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// An ETH transfer without fee.
pub fn transfer(from: AccountId, to: AccountId, amount: u64, nonce: u32) -> L2Tx {
    L2Tx::Transfer(Transfer {
        from,
        to,
        token: TokenId::ETH,
        amount,
        fee: 0,
        nonce,
    })
}

/// An account id.
pub fn id(v: u32) -> AccountId {
    AccountId::new(v).expect("test chain")
}

/// Three users deposit; two batches move their ETH around and withdraw some.
pub async fn three_batches(op: &mut Operator) -> Vec<SecretKey> {
    let keys: Vec<SecretKey> = (0..3)
        .map(|i| SecretKey::from_seed(format!("chain user {i}").as_bytes()))
        .collect();
    for (i, k) in keys.iter().enumerate() {
        let user = op.chain.anvil.client(i + 1).await.expect("test chain");
        let amount = U256::from(GWEI) * U256::from(GWEI * (i as u64 + 1));
        user::deposit_eth(user, op.rollup(), &k.public_key(), amount, 1)
            .await
            .expect("test chain");
    }
    op.batch(vec![], &[]).await;
    // Accounts 2, 3, 4 (0 is the bridge reserve, 1 the operator's).
    op.batch(
        vec![
            transfer(id(2), id(3), 1_000, 0),
            transfer(id(3), id(4), 500, 0),
        ],
        &[&keys[0], &keys[1]],
    )
    .await;
    let withdraw = L2Tx::Withdraw(Withdraw {
        from: id(4),
        to: Address([0x42; 20]),
        token: TokenId::ETH,
        amount: 2 * GWEI,
        fee: 0,
        nonce: 0,
    });
    op.batch(
        vec![withdraw, transfer(id(2), id(4), 1, 1)],
        &[&keys[2], &keys[0]],
    )
    .await;
    keys
}
