//! The mirror and the rebuild against a real rollup on anvil: batches built natively with
//! core's state transition, committed, proven (with the verifier test double) and executed;
//! then the state is rebuilt from L1 alone and must equal it, page size 1 or 10,000, after a
//! reorg too; a wrong genesis file and an RPC answer with one flipped pubdata bit are
//! refused, naming what is wrong.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use ethers::types::{Address as EthAddress, Bytes, H256, U256};
use quire_chain::{ChainError, L1Stage, Mirror, MirrorConfig, Rebuilt};
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

const GWEI: u64 = 1_000_000_000;

/// The operator's side: a native state, the watcher's cursor and the committer.
struct Operator {
    chain: TestChain,
    client: Arc<L1Client>,
    state: State,
    cursor: WatcherCursor,
    committer: Committer<L1Client>,
    last: StoredBatch,
}

impl Operator {
    async fn start() -> Operator {
        let chain = TestChain::builder().without_token().start().await.unwrap();
        let client = chain.anvil.client(0).await.unwrap();
        let committer = Committer::new(
            client.clone(),
            chain.deployment.rollup,
            CommitterConfig::default(),
        )
        .await
        .unwrap();
        Operator {
            state: State::genesis(&chain.genesis).unwrap(),
            cursor: WatcherCursor::from_deployment(&chain.deployment),
            last: chain.deployment.genesis_batch,
            client,
            committer,
            chain,
        }
    }

    fn rollup(&self) -> EthAddress {
        self.chain.deployment.rollup
    }

    /// One batch: every priority operation queued since the last one, then `l2`; commit,
    /// prove and execute it on L1.
    async fn batch(&mut self, l2: Vec<L2Tx>, keys: &[&SecretKey]) {
        let watcher = L1Watcher::new(
            self.client.clone(),
            self.rollup(),
            WatcherConfig {
                confirmations: 0,
                max_blocks_per_poll: 10_000,
            },
        );
        let poll = watcher.poll(&self.cursor).await.unwrap();
        self.cursor = poll.cursor;
        let mut pubdata = Vec::new();
        for w in poll.ops {
            let r = self.state.apply(&Operation::Priority(w.op)).unwrap();
            pubdata.extend(r.pubdata);
        }
        for (tx, key) in l2.into_iter().zip(keys) {
            let signed = tx.sign(key, self.chain.genesis.chain_id);
            let r = self.state.apply(&Operation::L2(signed)).unwrap();
            pubdata.extend(r.pubdata);
        }
        let header = BatchHeader {
            batch_number: self.last.batch_number + 1,
            timestamp: latest_timestamp(self.client.as_ref()).await.unwrap(),
            new_state_root: H256(self.state.root().to_l1_bytes32()),
        };
        let tick = Duration::from_millis(20);
        let limit = Duration::from_secs(30);
        let sent = self
            .committer
            .commit_batch(&self.last, &header, Bytes::from(pubdata))
            .await
            .unwrap();
        let settled = self.committer.wait(sent.nonce, tick, limit).await.unwrap();
        let committed = quire_l1::committed_batch_in(&settled[0].receipt, self.rollup())
            .unwrap()
            .unwrap();
        let rollup = Rollup::new(self.rollup(), self.client.clone());
        let inputs = rollup
            .batch_public_inputs(committed.info.into())
            .call()
            .await
            .unwrap();
        let proof = TestBatchVerifier::new(self.chain.verifier, self.client.clone())
            .proof_for(inputs)
            .call()
            .await
            .unwrap();
        let p = self
            .committer
            .prove_batch(&committed.info, proof)
            .await
            .unwrap();
        self.committer.wait(p.nonce, tick, limit).await.unwrap();
        let e = self
            .committer
            .execute_batch(&committed.info, committed.payouts.clone())
            .await
            .unwrap();
        let settled = self.committer.wait(e.nonce, tick, limit).await.unwrap();
        assert!(settled.iter().all(|s| s.success));
        self.last = committed.info;
    }
}

fn transfer(from: AccountId, to: AccountId, amount: u64, nonce: u32) -> L2Tx {
    L2Tx::Transfer(Transfer {
        from,
        to,
        token: TokenId::ETH,
        amount,
        fee: 0,
        nonce,
    })
}

fn id(v: u32) -> AccountId {
    AccountId::new(v).unwrap()
}

/// Three users deposit; two batches move their ETH around and withdraw some.
async fn three_batches(op: &mut Operator) -> Vec<SecretKey> {
    let keys: Vec<SecretKey> = (0..3)
        .map(|i| SecretKey::from_seed(format!("chain user {i}").as_bytes()))
        .collect();
    for (i, k) in keys.iter().enumerate() {
        let user = op.chain.anvil.client(i + 1).await.unwrap();
        let amount = U256::from(GWEI) * U256::from(GWEI * (i as u64 + 1));
        user::deposit_eth(user, op.rollup(), &k.public_key(), amount, 1)
            .await
            .unwrap();
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

fn config(page_blocks: u64) -> MirrorConfig {
    MirrorConfig {
        confirmations: 0,
        page_blocks,
    }
}

#[tokio::test]
async fn the_state_rebuilt_from_l1_is_the_operators() {
    let mut op = Operator::start().await;
    three_batches(&mut op).await;
    let dir = tempfile::tempdir().unwrap();

    for page_blocks in [10_000, 1] {
        let path = dir.path().join(format!("mirror-{page_blocks}.sqlite"));
        let reader = op.chain.anvil.client(9).await.unwrap();
        let mirror = Mirror::open(reader, op.rollup(), &path, config(page_blocks))
            .await
            .unwrap();
        let report = mirror.sync().await.unwrap();
        if page_blocks == 1 {
            assert!(report.pages > 10, "one block per page: {report:?}");
        }
        let view = mirror.view().await.unwrap();
        assert_eq!((view.committed(), view.proven, view.executed), (3, 3, 3));
        assert_eq!(view.stage(3), Some(L1Stage::Executed));
        assert_eq!(view.priority_ops.len(), 3);
        let mut rebuilt = Rebuilt::at(&view, &op.chain.genesis, 3).unwrap();
        assert_eq!(rebuilt.state.root(), op.state.root());
        assert_eq!(rebuilt.operations, 3 + 2 + 2);
        for who in 2..5 {
            assert_eq!(rebuilt.state.account(id(who)), op.state.account(id(who)));
        }
        // Reopened, the file resumes where it stopped: nothing new to read.
        drop(mirror);
        let reader = op.chain.anvil.client(9).await.unwrap();
        let mirror = Mirror::open(reader, op.rollup(), &path, config(page_blocks))
            .await
            .unwrap();
        assert_eq!(mirror.sync().await.unwrap().events, 0);
    }

    // Another rollup's mirror file is refused.
    let path = dir.path().join("mirror-10000.sqlite");
    let reader = op.chain.anvil.client(9).await.unwrap();
    let other = Mirror::open(reader, EthAddress::repeat_byte(7), &path, config(1)).await;
    assert!(
        matches!(other, Err(ChainError::WrongMirror { .. })),
        "{:?}",
        other.err()
    );

    // A genesis file with another operator key has another root: refused.
    let reader = op.chain.anvil.client(9).await.unwrap();
    let mirror = Mirror::open(reader, op.rollup(), &path, config(10_000))
        .await
        .unwrap();
    let view = mirror.view().await.unwrap();
    let mut wrong = op.chain.genesis.clone();
    wrong.operator = SecretKey::from_seed(b"not the operator").public_key();
    let err = Rebuilt::at(&view, &wrong, 3).err().unwrap();
    assert!(matches!(err, ChainError::GenesisMismatch { .. }), "{err}");
}

#[tokio::test]
async fn a_reorg_deeper_than_the_confirmations_rolls_the_mirror_back() {
    let mut op = Operator::start().await;
    let keys = three_batches(&mut op).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mirror.sqlite");
    let snapshot = op.chain.anvil.snapshot().await.unwrap();
    let state_before = op.state.clone();
    let (last_before, cursor_before) = (op.last, op.cursor);
    op.batch(vec![transfer(id(3), id(2), 3, 1)], &[&keys[1]])
        .await;
    let reader = op.chain.anvil.client(9).await.unwrap();
    let mirror = Mirror::open(reader, op.rollup(), &path, config(10_000))
        .await
        .unwrap();
    mirror.sync().await.unwrap();
    assert_eq!(mirror.view().await.unwrap().executed, 4);

    // The chain drops batch 4; another batch 4 takes its place, a few blocks later.
    op.chain.anvil.revert(snapshot).await.unwrap();
    op.chain.anvil.mine(3).await.unwrap();
    op.state = state_before;
    op.last = last_before;
    op.cursor = cursor_before;
    op.committer = Committer::new(op.client.clone(), op.rollup(), CommitterConfig::default())
        .await
        .unwrap();
    op.batch(vec![transfer(id(4), id(2), 11, 1)], &[&keys[2]])
        .await;
    let report = mirror.sync().await.unwrap();
    assert!(report.rolled_back > 0, "{report:?}");
    let view = mirror.view().await.unwrap();
    assert_eq!(view.executed, 4);
    let mut rebuilt = Rebuilt::at(&view, &op.chain.genesis, 4).unwrap();
    assert_eq!(rebuilt.state.root(), op.state.root());
}

#[tokio::test]
async fn an_rpc_that_alters_commit_calldata_is_refused_naming_the_batch() {
    let mut op = Operator::start().await;
    three_batches(&mut op).await;
    let proxy = quire_chain::test_utils::TamperingProxy::start(&op.chain.anvil.url)
        .await
        .unwrap();
    let client =
        Arc::new(quire_l1::client::provider(&proxy.url, Duration::from_millis(20)).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mirror = Mirror::open(
        client,
        op.rollup(),
        &dir.path().join("m.sqlite"),
        config(10_000),
    )
    .await
    .unwrap();
    let err = mirror.sync().await.unwrap_err();
    assert!(
        matches!(err, ChainError::PubdataMismatch { batch: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().starts_with("batch 1: "), "{err}");
    // Nothing of the refused page was stored.
    assert!(mirror.view().await.unwrap().batches.is_empty());
}
