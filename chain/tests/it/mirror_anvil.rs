//! The mirror and the rebuild against a real rollup on anvil: batches built natively with
//! core's state transition, committed, proven (with the verifier test double) and executed;
//! then the state is rebuilt from L1 alone and must equal it, page size 1 or 10,000, after a
//! reorg too; a wrong genesis file and an RPC answer with one flipped pubdata bit are
//! refused, naming what is wrong.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use ethers::types::Address as EthAddress;
use quire_chain::test_utils::{id, three_batches, transfer, Operator};
use quire_chain::{ChainError, L1Stage, Mirror, MirrorConfig, Rebuilt};
use quire_core::schnorr::SecretKey;
use quire_l1::{Committer, CommitterConfig};

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
