//! quire-l1 against a real anvil: deployment, the watcher (deposits of ETH and an ERC-20, a
//! full exit, confirmation depth, resuming, reorgs) and the committer (commit → prove →
//! execute, decoded reverts, fee bumping, foreign nonce use). Each test runs its own anvil.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use crate::common::{head, l2_key, setup, Anvil, TOKEN_SCALE};
use ethers::providers::Middleware;
use ethers::types::transaction::eip2718::TypedTransaction;
use ethers::types::{Address as EthAddress, Bytes, Eip1559TransactionRequest, H256, U256};
use quire_core::account::{AccountId, Address};
use quire_core::state::Outcome;
use quire_core::token::TokenId;
use quire_core::tx::{self, Deposit, FullExit, L2Tx, Operation, PriorityOp, Withdraw};
use quire_l1::bindings::rollup::Rollup;
use quire_l1::bindings::test_doubles::{MockERC20, TestBatchVerifier};
use quire_l1::test_chain::latest_timestamp;
use quire_l1::user::{self, Queued};
use quire_l1::{
    BatchAction, BatchHeader, Committer, CommitterConfig, DeployConfig, Deployment, L1Error,
    L1Watcher, VerifierChoice, WatchPoll, WatcherConfig, WatcherCursor,
};

const ETH: u128 = 1_000_000_000_000_000_000;

fn eth_addr(a: EthAddress) -> Address {
    Address(a.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployment_file_matches_the_chain() {
    let s = setup().await;
    let d = &s.deployment;
    let client = s.anvil.client(0).await;
    assert_eq!(d.chain_id, quire_l1::ANVIL_CHAIN_ID);
    assert_eq!(d.verifier, s.verifier);
    assert_eq!(d.deployer, client.address());
    assert_eq!(d.operators, vec![client.address()]);
    assert_eq!(d.pending_governance, None);

    let rollup = Rollup::new(d.rollup, client.clone());
    assert!(rollup.is_operator(client.address()).call().await.unwrap());
    assert_eq!(rollup.verifier().call().await.unwrap(), s.verifier);
    assert_eq!(rollup.governance().call().await.unwrap(), client.address());
    assert_eq!(
        rollup.balance_proof_verifier().call().await.unwrap(),
        d.balance_proof_verifier
    );
    // The recorded block is the creation block, still canonical.
    let block = client.get_block(d.block_number).await.unwrap().unwrap();
    assert_eq!(block.hash, Some(d.block_hash));
    assert!(!client
        .get_code(d.rollup, Some(d.block_number.into()))
        .await
        .unwrap()
        .is_empty());
    assert!(client
        .get_code(d.rollup, Some((d.block_number - 1).into()))
        .await
        .unwrap()
        .is_empty());

    // Tokens: ETH from the constructor, the genesis token as id 1, as the contract says.
    let on_chain = quire_l1::deploy::registered_tokens(client.clone(), d.rollup)
        .await
        .unwrap();
    assert_eq!(
        on_chain,
        vec![
            (0, EthAddress::zero(), U256::exp10(9)),
            (1, s.token, U256::from(TOKEN_SCALE)),
        ]
    );
    assert_eq!(d.tokens.len(), 2);
    assert_eq!((d.tokens[1].id, d.tokens[1].address), (1, s.token));
    assert_eq!(d.tokens[1].scale, TOKEN_SCALE.to_string());

    // Batch 0 as emitted: our hash of it is what the contract stores.
    assert_eq!(d.genesis_batch.batch_number, 0);
    assert_eq!(d.genesis_batch.state_root, d.genesis_root);
    assert_eq!(
        H256(rollup.stored_batch_hash(U256::zero()).call().await.unwrap()),
        d.genesis_batch.hash()
    );

    // The file round-trips.
    let path = std::env::temp_dir().join(format!("quire-l1-deploy-{}.json", std::process::id()));
    d.save(&path).unwrap();
    assert_eq!(&Deployment::load(&path).unwrap(), d);
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_checks_its_inputs_and_can_deploy_the_quire_verifier() {
    let anvil = Anvil::start();
    let client = anvil.client(0).await;
    let genesis = quire_core::state::Genesis {
        chain_id: 7,
        operator: l2_key("operator").public_key(),
        operator_l1: eth_addr(client.address()),
        tokens: vec![],
        pools: vec![],
    };
    // A verifier address without code is refused before anything is deployed.
    let cfg = DeployConfig::from_genesis(
        &genesis,
        VerifierChoice::Existing(EthAddress::repeat_byte(7)),
        3600,
    );
    let err = quire_l1::deploy(client.clone(), &cfg).await.unwrap_err();
    assert!(
        matches!(err, L1Error::Config(ref m) if m.contains("no contract")),
        "{err}"
    );

    // Tokens out of order are refused too.
    let mut bad = cfg.clone();
    bad.verifier = VerifierChoice::DeployQuireVerifier;
    bad.tokens = vec![quire_core::token::TokenInfo {
        id: TokenId(2),
        symbol: "X".into(),
        l1_address: Address([1; 20]),
        scale: 1,
    }];
    let err = quire_l1::deploy(client.clone(), &bad).await.unwrap_err();
    assert!(
        matches!(err, L1Error::Config(ref m) if m.contains("must have id 1")),
        "{err}"
    );

    // The contract's own checks surface decoded (deadline outside 1 h ..= 30 days).
    let mut short = cfg.clone();
    short.verifier = VerifierChoice::DeployQuireVerifier;
    short.priority_deadline_secs = 60;
    let err = quire_l1::deploy(client.clone(), &short).await.unwrap_err();
    assert!(
        matches!(err, L1Error::Reverted(ref m) if m.contains("InvalidDeadline")),
        "{err}"
    );

    // The real generated verifier deploys and the rollup is bound to it.
    let mut real = cfg;
    real.verifier = VerifierChoice::DeployQuireVerifier;
    let before = head(&client).await;
    let d = quire_l1::deploy(client.clone(), &real).await.unwrap();
    // The verifier's creation is the first block of this deployment.
    let verifier_gas = client
        .get_block(before + 1)
        .await
        .unwrap()
        .unwrap()
        .gas_used;
    println!("quire_verifier_deployment_gas={verifier_gas}");
    assert!(verifier_gas < U256::from(1u64 << 24));
    assert!(!client.get_code(d.verifier, None).await.unwrap().is_empty());
    let rollup = Rollup::new(d.rollup, client.clone());
    assert_eq!(rollup.verifier().call().await.unwrap(), d.verifier);
    assert_eq!(d.verifier_choice, VerifierChoice::DeployQuireVerifier);
}

/// Deposits ETH (account 1), the ERC-20 (account 2) and requests a full exit (account 3)
/// through `quire_l1::user`, one transaction per block (the ERC-20 deposit also approves);
/// returns what the receipts say was queued, after checking it against the expected ops.
async fn queue_three_ops(s: &common::Setup) -> Vec<Queued> {
    let a1 = s.anvil.client(1).await;
    let a2 = s.anvil.client(2).await;
    let a3 = s.anvil.client(3).await;
    let key_a = l2_key("alice").public_key();
    let key_b = l2_key("bob").public_key();
    let rollup = s.deployment.rollup;

    let q0 = user::deposit_eth(a1.clone(), rollup, &key_a, U256::from(3 * ETH / 2), 1)
        .await
        .unwrap();
    let amount = U256::from(5 * ETH);
    let token = MockERC20::new(s.token, a2.clone());
    token
        .mint(a2.address(), amount)
        .send()
        .await
        .unwrap()
        .await
        .unwrap();
    let q1 = user::deposit_erc20(a2.clone(), rollup, s.token, amount, &key_b, 1)
        .await
        .unwrap();
    let q2 = user::request_full_exit(
        a3.clone(),
        rollup,
        AccountId::new(5).unwrap(),
        TokenId(1),
        1,
    )
    .await
    .unwrap();

    let expected = vec![
        PriorityOp::Deposit(Deposit {
            priority_id: 0,
            from: eth_addr(a1.address()),
            to: key_a,
            token: TokenId::ETH,
            amount: 1_500_000_000,
        }),
        PriorityOp::Deposit(Deposit {
            priority_id: 1,
            from: eth_addr(a2.address()),
            to: key_b,
            token: TokenId(1),
            amount: 5_000_000_000,
        }),
        PriorityOp::FullExit(FullExit {
            priority_id: 2,
            account: AccountId::new(5).unwrap(),
            owner: eth_addr(a3.address()),
            token: TokenId(1),
        }),
    ];
    let queued = vec![q0, q1, q2];
    assert_eq!(
        queued.iter().map(|q| q.op.clone()).collect::<Vec<_>>(),
        expected
    );
    // The ERC-20 deposit approved first: mint, approve and deposit are separate blocks.
    assert_eq!(queued[1].block, queued[0].block + 3);
    assert_eq!(queued[2].block, queued[1].block + 1);
    queued
}

fn ops(p: &WatchPoll) -> Vec<PriorityOp> {
    p.ops.iter().map(|w| w.op.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_reads_deposits_and_full_exits_once_confirmed() {
    let s = setup().await;
    let queued = queue_three_ops(&s).await;
    let expected: Vec<PriorityOp> = queued.iter().map(|q| q.op.clone()).collect();
    let client = s.anvil.client(0).await;
    let watcher = L1Watcher::new(
        client.clone(),
        s.deployment.rollup,
        WatcherConfig {
            confirmations: 3,
            max_blocks_per_poll: 1_000,
        },
    );
    let start = WatcherCursor::from_deployment(&s.deployment);

    // Blocks: ETH deposit (h-4), mint (h-3), approve (h-2), ERC-20 deposit (h-1), exit (h).
    // With 3 confirmations only blocks up to h-3 count: the ETH deposit alone.
    let h = head(&client).await;
    let p1 = watcher.poll(&start).await.unwrap();
    assert_eq!(p1.safe_head, h - 3);
    assert!(p1.caught_up);
    assert_eq!(ops(&p1), expected[..1].to_vec());
    assert_eq!(p1.cursor.next_block, h - 2);
    assert_eq!(p1.cursor.next_priority_id, 1);

    // Nothing new until blocks are mined on top.
    let again = watcher.poll(&p1.cursor).await.unwrap();
    assert!(again.ops.is_empty());
    assert_eq!(again.cursor, p1.cursor);

    s.anvil.mine(2).await;
    let p2 = watcher.poll(&p1.cursor).await.unwrap();
    assert_eq!(ops(&p2), expected[1..2].to_vec(), "exit is only 2 deep");
    s.anvil.mine(1).await;
    let p3 = watcher.poll(&p2.cursor).await.unwrap();
    assert_eq!(ops(&p3), expected[2..].to_vec());
    assert_eq!(p3.cursor.next_priority_id, 3);
    let idle = watcher.poll(&p3.cursor).await.unwrap();
    assert!(idle.ops.is_empty());

    // Resuming from a stored cursor: the old one delivers the same operations again (what
    // a crash before persisting would need); one whose priority id is ahead skips them.
    let replay = watcher.poll(&start).await.unwrap();
    assert_eq!(ops(&replay), expected);
    let mut ahead = start;
    ahead.next_priority_id = 2;
    let skipped = watcher.poll(&ahead).await.unwrap();
    assert_eq!(ops(&skipped), expected[2..].to_vec());

    // A small range cap splits the work over several polls with the same result.
    let small = L1Watcher::new(
        client.clone(),
        s.deployment.rollup,
        WatcherConfig {
            confirmations: 3,
            max_blocks_per_poll: 2,
        },
    );
    let (mut cursor, mut all, mut polls) = (start, Vec::new(), 0);
    loop {
        let p = small.poll(&cursor).await.unwrap();
        all.extend(ops(&p));
        cursor = p.cursor;
        polls += 1;
        if p.caught_up {
            break;
        }
    }
    assert_eq!(all, expected);
    assert_eq!(cursor, p3.cursor);
    assert!(polls > 2);

    // Each op carries where it was queued and its deadline (queue time + 3600 s).
    for (w, q) in replay.ops.iter().zip(&queued) {
        assert_eq!((w.l1_tx, w.l1_block), (q.tx, q.block));
        let t = client
            .get_block(q.block)
            .await
            .unwrap()
            .unwrap()
            .timestamp
            .as_u64();
        assert_eq!(w.deadline, t + 3600);
    }

    // The events carry the canonical hash the contract stores.
    let rollup = Rollup::new(s.deployment.rollup, client.clone());
    for op in &expected {
        let (stored, _) = rollup.priority_op(op.priority_id()).call().await.unwrap();
        assert_eq!(stored.op_hash, quire_core::hash::keccak256(&op.encode()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_reports_a_reorg_below_its_checkpoint() {
    let s = setup().await;
    let client = s.anvil.client(0).await;
    let watcher = L1Watcher::new(
        client.clone(),
        s.deployment.rollup,
        WatcherConfig {
            confirmations: 0,
            max_blocks_per_poll: 1_000,
        },
    );
    let start = WatcherCursor::from_deployment(&s.deployment);
    let snap = s.anvil.snapshot().await;
    let key = Bytes::from(l2_key("alice").public_key().to_bytes().to_vec());
    let r1 = Rollup::new(s.deployment.rollup, s.anvil.client(1).await);
    let fee = U256::from(quire_l1::test_chain::TEST_PRIORITY_FEE_WEI);
    r1.deposit_eth(key.clone())
        .value(U256::exp10(18) + fee)
        .send()
        .await
        .unwrap()
        .await
        .unwrap();
    let p = watcher.poll(&start).await.unwrap();
    assert_eq!(p.ops.len(), 1);

    // Replace the chain after the snapshot with a different history of the same height+1.
    s.anvil.revert(snap).await;
    let r2 = Rollup::new(s.deployment.rollup, s.anvil.client(2).await);
    r2.deposit_eth(key)
        .value(U256::exp10(17) + fee)
        .send()
        .await
        .unwrap()
        .await
        .unwrap();
    s.anvil.mine(1).await;
    let checkpoint = p.cursor.checkpoint.unwrap();
    match watcher.poll(&p.cursor).await {
        Err(L1Error::Reorg {
            number,
            expected,
            found,
        }) => {
            assert_eq!(number, checkpoint.number);
            assert_eq!(expected, checkpoint.hash);
            assert_ne!(found, expected);
        }
        other => panic!("expected a reorg error, got {other:?}"),
    }
    // From the deployment (still canonical) the new history reads fine.
    let fresh = watcher.poll(&start).await.unwrap();
    assert_eq!(fresh.ops.len(), 1);
    match &fresh.ops[0].op {
        PriorityOp::Deposit(d) => assert_eq!(d.amount, 100_000_000),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committer_commits_proves_and_executes_a_batch() {
    let s = setup().await;
    let client = s.anvil.client(0).await;
    let d = &s.deployment;
    let depositor = s.anvil.client(1).await;
    let alice = l2_key("alice");
    Rollup::new(d.rollup, depositor.clone())
        .deposit_eth(Bytes::from(alice.public_key().to_bytes().to_vec()))
        .value(U256::from(
            3 * ETH / 2 + quire_l1::test_chain::TEST_PRIORITY_FEE_WEI,
        ))
        .send()
        .await
        .unwrap()
        .await
        .unwrap();
    let watcher = L1Watcher::new(
        client.clone(),
        d.rollup,
        WatcherConfig {
            confirmations: 0,
            max_blocks_per_poll: 1_000,
        },
    );
    let polled = watcher
        .poll(&WatcherCursor::from_deployment(d))
        .await
        .unwrap();
    assert_eq!(polled.ops.len(), 1);
    let deposit = polled.ops[0].op.clone();

    // Batch 1: the deposit credited to a new account 2, then account 2 withdraws 1 ETH to a
    // fresh L1 address (pubdata as core encodes it).
    let recipient = EthAddress::repeat_byte(0x42);
    let account = AccountId::new(2).unwrap();
    let withdraw = L2Tx::Withdraw(Withdraw {
        from: account,
        to: eth_addr(recipient),
        token: TokenId::ETH,
        amount: 1_000_000_000,
        fee: 0,
        nonce: 0,
    })
    .sign(&alice, 7);
    let mut pubdata = tx::pubdata::encode(
        &Operation::Priority(deposit.clone()),
        &Outcome::Deposit {
            account,
            created: true,
            credited: true,
            refund: None,
        },
    )
    .unwrap();
    pubdata.extend(tx::pubdata::encode(&Operation::L2(withdraw), &Outcome::Withdraw).unwrap());
    let new_root = H256::from_low_u64_be(12345); // any canonical root: the test verifier binds it
    let now = latest_timestamp(client.as_ref()).await.unwrap();
    let header = BatchHeader {
        batch_number: 1,
        timestamp: now,
        new_state_root: new_root,
    };

    let cfg = CommitterConfig {
        stuck_after: Duration::from_secs(30),
        ..CommitterConfig::default()
    };
    let mut committer = Committer::new(client.clone(), d.rollup, cfg).await.unwrap();
    let tick = Duration::from_millis(50);
    let limit = Duration::from_secs(30);

    let sent = committer
        .commit_batch(&d.genesis_batch, &header, Bytes::from(pubdata.clone()))
        .await
        .unwrap();
    assert_eq!(sent.action, BatchAction::Commit(1));
    let settled = committer.wait(sent.nonce, tick, limit).await.unwrap();
    assert_eq!(settled.len(), 1);
    assert!(settled[0].success);
    assert_eq!(settled[0].receipt.transaction_hash, sent.hash);

    // What L1 recorded agrees with core: pubdata and priority commitments, and the payout.
    let batch = watcher
        .committed_batch(1, d.block_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(batch.info.batch_number, 1);
    assert_eq!(batch.info.prev_state_root, d.genesis_root);
    assert_eq!(batch.info.state_root, new_root);
    assert_eq!(batch.info.first_priority_id, 0);
    assert_eq!(batch.info.priority_ops_count, 1);
    assert_eq!(
        batch.info.pubdata_commitment.0,
        quire_core::hash::keccak256(&pubdata)
    );
    assert_eq!(
        batch.info.priority_commitment.0,
        tx::priority_commitment([&deposit])
    );
    let mut payout = recipient.0.to_vec();
    payout.push(0);
    payout.extend(1_000_000_000u64.to_be_bytes());
    assert_eq!(batch.payouts.to_vec(), payout);
    assert_eq!(batch.info.next_priority_id(), 1);
    // The stored payout hash is the head of the page chain quire-l1 computes, with the
    // contract's page size.
    assert_eq!(
        batch.info.payouts_hash,
        quire_l1::payout_pages(&batch.payouts)[0].link()
    );
    let per_page = Rollup::new(d.rollup, client.clone())
        .payouts_per_page()
        .call()
        .await
        .unwrap();
    assert_eq!(per_page.as_usize(), quire_l1::PAYOUTS_PER_PAGE);

    // Committing on top of the wrong batch fails before anything is signed, decoded.
    let err = committer
        .commit_batch(
            &d.genesis_batch,
            &BatchHeader {
                batch_number: 2,
                ..header
            },
            Bytes::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, L1Error::Reverted(ref m) if m.contains("LastBatchMismatch")),
        "{err}"
    );

    // Prove with the test double's proof for the batch's 24 public inputs, then execute.
    let rollup = Rollup::new(d.rollup, client.clone());
    let inputs = rollup
        .batch_public_inputs(batch.info.into())
        .call()
        .await
        .unwrap();
    assert_eq!(inputs.len(), 24);
    let verifier = TestBatchVerifier::new(s.verifier, client.clone());
    let proof = verifier.proof_for(inputs).call().await.unwrap();
    let bad_proof = Bytes::from(vec![0u8; 32]);
    let err = committer
        .prove_batch(&batch.info, bad_proof)
        .await
        .unwrap_err();
    assert!(
        matches!(err, L1Error::Reverted(ref m) if m.contains("InvalidProof")),
        "{err}"
    );
    let p = committer.prove_batch(&batch.info, proof).await.unwrap();
    let e = {
        committer.wait(p.nonce, tick, limit).await.unwrap();
        committer
            .execute_batch(&batch.info, batch.payouts.clone())
            .await
            .unwrap()
    };
    let settled = committer.wait(e.nonce, tick, limit).await.unwrap();
    assert!(settled.iter().all(|t| t.success));
    assert_eq!(e.nonce, p.nonce + 1);
    assert_eq!(rollup.total_batches_executed().call().await.unwrap(), 1);
    assert_eq!(
        rollup
            .claimable(recipient, U256::zero())
            .call()
            .await
            .unwrap(),
        U256::from(ETH)
    );
    assert_eq!(committer.pending().count(), 0);
    let status = quire_l1::rollup_status(client.clone(), d.rollup, None)
        .await
        .unwrap();
    assert_eq!(
        (
            status.batches_committed,
            status.batches_proven,
            status.batches_executed
        ),
        (1, 1, 1)
    );
    assert_eq!(
        (status.priority_ops_queued, status.priority_ops_executed),
        (1, 1)
    );
    assert!(!status.exodus_mode && !status.paused);
    // Read at the block of the commit, the batch was committed but not proven yet.
    let then = quire_l1::rollup_status(client.clone(), d.rollup, Some(batch.block_number))
        .await
        .unwrap();
    assert_eq!((then.batches_committed, then.batches_proven), (1, 0));
    assert_eq!(then.priority_ops_executed, 0);

    // Anyone can pay the recipient its claimable balance; it arrives exactly.
    let (paid, _) = user::claim(depositor.clone(), d.rollup, recipient, TokenId::ETH, 1)
        .await
        .unwrap();
    assert_eq!(paid, U256::from(ETH));
    assert_eq!(
        client.get_balance(recipient, None).await.unwrap(),
        U256::from(ETH)
    );
    assert!(
        user::claimable(client.clone(), d.rollup, recipient, TokenId::ETH)
            .await
            .unwrap()
            .is_zero()
    );
    let err = user::claim(depositor, d.rollup, recipient, TokenId::ETH, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, L1Error::Reverted(ref m) if m.contains("NothingToClaim")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committer_replaces_a_stuck_transaction_and_notices_foreign_nonce_use() {
    let s = setup().await;
    let client = s.anvil.client(0).await;
    let d = &s.deployment;
    let now = latest_timestamp(client.as_ref()).await.unwrap();
    let header = BatchHeader {
        batch_number: 1,
        timestamp: now,
        new_state_root: H256::from_low_u64_be(1),
    };
    let cfg = CommitterConfig {
        stuck_after: Duration::ZERO,
        ..CommitterConfig::default()
    };
    let mut committer = Committer::new(client.clone(), d.rollup, cfg).await.unwrap();

    s.anvil.set_automine(false).await;
    let sent = committer
        .commit_batch(&d.genesis_batch, &header, Bytes::new())
        .await
        .unwrap();
    // Not mined: the first poll replaces it with higher fees under the same nonce.
    assert!(committer.poll().await.unwrap().is_empty());
    let bumped = committer.pending().next().unwrap();
    assert_eq!(bumped.nonce, sent.nonce);
    assert_ne!(bumped.hash, sent.hash);
    // +20 % (the default bump) or more, on both fee fields.
    assert!(bumped.max_fee_per_gas >= sent.max_fee_per_gas * 120 / 100);
    let second = client.get_transaction(bumped.hash).await.unwrap().unwrap();
    assert_eq!(second.max_fee_per_gas, Some(bumped.max_fee_per_gas));
    assert_eq!(second.nonce, sent.nonce);

    s.anvil.mine(1).await;
    let settled = committer.poll().await.unwrap();
    assert_eq!(settled.len(), 1);
    assert!(settled[0].success);
    assert_eq!(settled[0].bumps, 1);
    assert_eq!(settled[0].receipt.transaction_hash, bumped.hash);
    assert!(client
        .get_transaction_receipt(sent.hash)
        .await
        .unwrap()
        .is_none());
    let rollup = Rollup::new(d.rollup, client.clone());
    assert_eq!(rollup.total_batches_committed().call().await.unwrap(), 1);

    // Another sender using the committer's key and nonce (here: a plain transfer that
    // outbids the pending commit) is reported, not waited on forever.
    let b1 = L1Watcher::new(client.clone(), d.rollup, WatcherConfig::default())
        .committed_batch(1, d.block_number)
        .await
        .unwrap()
        .unwrap();
    let sent = committer
        .commit_batch(
            &b1.info,
            &BatchHeader {
                batch_number: 2,
                ..header
            },
            Bytes::new(),
        )
        .await
        .unwrap();
    let foreign = Eip1559TransactionRequest::new()
        .to(EthAddress::repeat_byte(9))
        .value(1u64)
        .nonce(sent.nonce)
        .gas(21_000u64)
        .max_fee_per_gas(second.max_fee_per_gas.unwrap() * 10)
        .max_priority_fee_per_gas(second.max_fee_per_gas.unwrap() * 5);
    client
        .send_transaction(TypedTransaction::Eip1559(foreign), None)
        .await
        .unwrap();
    s.anvil.mine(1).await;
    match committer.poll().await {
        Err(L1Error::NonceConsumed(n)) => assert_eq!(n, sent.nonce),
        other => panic!("expected NonceConsumed, got {other:?}"),
    }
    // Still reported until the operator resyncs; then the committer works again.
    assert!(matches!(
        committer.poll().await,
        Err(L1Error::NonceConsumed(_))
    ));
    committer.resync().await.unwrap();
    assert_eq!(committer.pending().count(), 0);
    s.anvil.set_automine(true).await;
    let again = committer
        .commit_batch(
            &b1.info,
            &BatchHeader {
                batch_number: 2,
                ..header
            },
            Bytes::new(),
        )
        .await
        .unwrap();
    assert_eq!(again.nonce, sent.nonce + 1);
    let done = committer
        .wait(
            again.nonce,
            Duration::from_millis(50),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert!(done[0].success);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committer_pipelines_commits_and_waits_for_confirmations() {
    let s = setup().await;
    let client = s.anvil.client(0).await;
    let d = &s.deployment;
    let now = latest_timestamp(client.as_ref()).await.unwrap();
    let cfg = CommitterConfig {
        confirmations: 2,
        stuck_after: Duration::from_secs(60),
        ..CommitterConfig::default()
    };
    let mut committer = Committer::new(client.clone(), d.rollup, cfg).await.unwrap();
    let empty_keccak = H256(quire_core::hash::keccak256(&[]));
    // Batch 1 as L1 will store it, computed locally: empty pubdata, no priority ops.
    let b1 = quire_l1::StoredBatch {
        batch_number: 1,
        timestamp: now,
        first_priority_id: 0,
        priority_ops_count: 0,
        prev_state_root: d.genesis_root,
        state_root: H256::from_low_u64_be(1),
        pubdata_commitment: empty_keccak,
        priority_commitment: H256::zero(),
        payouts_hash: quire_l1::payout_pages(&[])[0].link(),
    };
    let header = |n: u64, root: u64| BatchHeader {
        batch_number: n,
        timestamp: now,
        new_state_root: H256::from_low_u64_be(root),
    };

    // Both commits are sent before either is mined: the second is estimated against the
    // pending state and takes the next nonce.
    s.anvil.set_automine(false).await;
    let c1 = committer
        .commit_batch(&d.genesis_batch, &header(1, 1), Bytes::new())
        .await
        .unwrap();
    let c2 = committer
        .commit_batch(&b1, &header(2, 2), Bytes::new())
        .await
        .unwrap();
    assert_eq!(c2.nonce, c1.nonce + 1);
    assert_eq!(committer.pending().count(), 2);

    s.anvil.mine(1).await;
    // Mined but only 1 deep: not settled yet.
    assert!(committer.poll().await.unwrap().is_empty());
    s.anvil.mine(1).await;
    let settled = committer.poll().await.unwrap();
    assert_eq!(
        settled
            .iter()
            .map(|t| (t.action, t.success))
            .collect::<Vec<_>>(),
        vec![
            (BatchAction::Commit(1), true),
            (BatchAction::Commit(2), true)
        ]
    );
    let rollup = Rollup::new(d.rollup, client.clone());
    assert_eq!(rollup.total_batches_committed().call().await.unwrap(), 2);
    assert_eq!(
        H256(rollup.stored_batch_hash(U256::one()).call().await.unwrap()),
        b1.hash()
    );
}

/// Exodus with an AMM pool on anvil, through the bindings: the deployment passes the
/// genesis pool to the constructor (read back as the genesis'), core's state after a batch
/// of deposits and an AddLiquidity is the root of an executed batch, and after exodus
/// core's proofs, converted once by `to_sol_account_proof`, settle the pool and exit every
/// balance of the LP in one transaction, the shares paid what core's `remove_liquidity`
/// pays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exodus_settles_a_pool_and_exits_shares_with_core_proofs() {
    use quire_core::amm::remove_liquidity;
    use quire_core::state::{AccountProof, PoolSpec, State};
    use quire_core::tx::AddLiquidity;
    use quire_l1::convert::to_sol_account_proof;

    let anvil = Anvil::start();
    let client = anvil.client(0).await;
    let verifier = TestBatchVerifier::deploy(client.clone(), ())
        .unwrap()
        .send()
        .await
        .unwrap()
        .address();
    let mock = MockERC20::deploy(client.clone(), ("Mock".to_string(), 18u8))
        .unwrap()
        .send()
        .await
        .unwrap();
    let genesis = quire_core::state::Genesis {
        chain_id: 7,
        operator: l2_key("operator").public_key(),
        operator_l1: eth_addr(client.address()),
        tokens: vec![quire_core::token::TokenInfo {
            id: TokenId(1),
            symbol: "MOCK".into(),
            l1_address: eth_addr(mock.address()),
            scale: TOKEN_SCALE,
        }],
        pools: vec![PoolSpec {
            token_a: TokenId(1),
            token_b: TokenId::ETH,
            fee_bps: 30,
        }],
    };
    let mut cfg = DeployConfig::from_genesis(&genesis, VerifierChoice::Existing(verifier), 3600);
    cfg.priority_fee_wei = quire_l1::test_chain::TEST_PRIORITY_FEE_WEI;
    let d = quire_l1::deploy(client.clone(), &cfg).await.unwrap();
    assert_eq!(
        quire_l1::deploy::registered_pools(client.clone(), d.rollup)
            .await
            .unwrap(),
        vec![(1, 0)],
        "the contract's pools are the genesis'"
    );
    let rollup = Rollup::new(d.rollup, client.clone());
    assert_eq!(
        rollup.max_openings().call().await.unwrap(),
        U256::from(AccountProof::MAX_OPENINGS)
    );

    // Alice deposits ETH and MOCK and adds liquidity; core's state after it is batch 1's root.
    let lp = anvil.client(1).await;
    let alice = l2_key("alice");
    let q_eth = user::deposit_eth(
        lp.clone(),
        d.rollup,
        &alice.public_key(),
        U256::from(4 * ETH),
        1,
    )
    .await
    .unwrap();
    mock.mint(lp.address(), U256::from(9 * ETH))
        .send()
        .await
        .unwrap()
        .await
        .unwrap();
    let q_mock = user::deposit_erc20(
        lp.clone(),
        d.rollup,
        mock.address(),
        U256::from(9 * ETH),
        &alice.public_key(),
        1,
    )
    .await
    .unwrap();
    let mut state = State::genesis(&genesis).unwrap();
    let mut pubdata = Vec::new();
    for op in [q_eth.op, q_mock.op] {
        pubdata.extend(state.apply(&Operation::Priority(op)).unwrap().pubdata);
    }
    let account = state
        .account_id(&alice.public_key(), &eth_addr(lp.address()))
        .unwrap();
    let pool = AccountId::new(2).unwrap();
    let add = L2Tx::AddLiquidity(AddLiquidity {
        account,
        pool,
        max_amount_a: 6_000_000_000,
        max_amount_b: 3_000_000_000,
        min_shares: 0,
        fee: 0,
        nonce: 0,
    })
    .sign(&alice, 7);
    pubdata.extend(state.apply(&Operation::L2(add)).unwrap().pubdata);
    let root = state.root();

    let cfg = CommitterConfig::default();
    let mut committer = Committer::new(client.clone(), d.rollup, cfg).await.unwrap();
    let (tick, limit) = (Duration::from_millis(50), Duration::from_secs(30));
    let header = BatchHeader {
        batch_number: 1,
        timestamp: latest_timestamp(client.as_ref()).await.unwrap(),
        new_state_root: H256(root.to_l1_bytes32()),
    };
    let sent = committer
        .commit_batch(&d.genesis_batch, &header, Bytes::from(pubdata))
        .await
        .unwrap();
    committer.wait(sent.nonce, tick, limit).await.unwrap();
    let watcher = L1Watcher::new(client.clone(), d.rollup, WatcherConfig::default());
    let batch = watcher
        .committed_batch(1, d.block_number)
        .await
        .unwrap()
        .unwrap();
    let inputs = rollup
        .batch_public_inputs(batch.info.into())
        .call()
        .await
        .unwrap();
    let proof = TestBatchVerifier::new(verifier, client.clone())
        .proof_for(inputs)
        .call()
        .await
        .unwrap();
    let p = committer.prove_batch(&batch.info, proof).await.unwrap();
    committer.wait(p.nonce, tick, limit).await.unwrap();
    let e = committer
        .execute_batch(&batch.info, batch.payouts.clone())
        .await
        .unwrap();
    committer.wait(e.nonce, tick, limit).await.unwrap();

    // The operator stops with a deposit queued; exodus after its deadline.
    let late = anvil.client(2).await;
    user::deposit_eth(
        late,
        d.rollup,
        &l2_key("late").public_key(),
        U256::from(ETH),
        1,
    )
    .await
    .unwrap();
    anvil.increase_time(3600 + 60).await.unwrap();
    anvil.mine(1).await;
    send(rollup.activate_exodus_mode()).await;

    // Shares wait for the settlement; core's settlement proof settles the pool.
    let all: Vec<TokenId> = state
        .account(account)
        .unwrap()
        .balances
        .keys()
        .copied()
        .collect();
    assert_eq!(all, vec![TokenId::ETH, TokenId(1), TokenId(128)]);
    let exit = to_sol_account_proof(&state.account_proof(account, &all).unwrap()).unwrap();
    let err = L1Error::contract(
        rollup
            .exit(batch.info.into(), exit.clone())
            .call()
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(err, L1Error::Reverted(ref m) if m.contains("PoolNotSettled")),
        "{err}"
    );
    let settle = to_sol_account_proof(&state.pool_settlement_proof(pool).unwrap()).unwrap();
    send(rollup.settle_pool(batch.info.into(), settle)).await;
    let p = state.pools()[&pool].clone();
    let (ra, rb) = (
        state.balance(pool, p.token_a),
        state.balance(pool, p.token_b),
    );
    let supply = state.pool_supply(&p);
    assert_eq!(
        rollup.pool_settlement(0).call().await.unwrap(),
        (true, ra, rb, supply)
    );

    // One transaction exits ETH, MOCK and the shares.
    send(rollup.exit(batch.info.into(), exit)).await;
    let shares = state.balance(account, TokenId(128));
    let (a, b) = remove_liquidity(ra, rb, supply, shares).unwrap();
    let owner = lp.address();
    assert_eq!(
        user::claimable(client.clone(), d.rollup, owner, TokenId(1))
            .await
            .unwrap(),
        U256::from(state.balance(account, TokenId(1)) + a) * U256::from(TOKEN_SCALE)
    );
    assert_eq!(
        user::claimable(client.clone(), d.rollup, owner, TokenId::ETH)
            .await
            .unwrap(),
        U256::from(state.balance(account, TokenId::ETH) + b) * U256::exp10(9)
    );
}

/// Sends a contract call and insists it succeeded.
async fn send<M: Middleware + 'static, D: ethers::abi::Detokenize>(
    call: ethers::contract::ContractCall<M, D>,
) {
    let receipt = call.send().await.unwrap().await.unwrap().unwrap();
    assert_eq!(receipt.status, Some(1.into()));
}
