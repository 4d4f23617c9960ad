//! The wallet's L1 commands against a real anvil with the contracts deployed (the TEST
//! verifier double and a mock ERC-20): deposits land in the Rollup's priority queue with
//! the right L2 amount, bad amounts send nothing, and a claim pays exactly what an executed
//! batch made claimable.
//!
//! Crediting deposits on L2 needs the sequencer's L1 watcher, which is not part of this
//! test: the deposits are checked where they land, in the contract's queue.

use std::time::Duration;

use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, Bytes, H256, U256};
use quire_cli::wallet::keystore::{parse_l1_key, Keystore};
use quire_cli::wallet::l1::L1Wallet;
use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::state::Outcome;
use quire_core::token::TokenId;
use quire_core::tx::{self, Deposit, L2Tx, Operation, PriorityOp, Withdraw};
use quire_l1::bindings::rollup::Rollup;
use quire_l1::bindings::test_doubles::{MockERC20, TestBatchVerifier};
use quire_l1::test_chain::{latest_timestamp, TestChain};
use quire_l1::{BatchHeader, Committer, CommitterConfig};

use crate::common::quire;

const ETH_WEI: u128 = 1_000_000_000_000_000_000;

async fn stored_op_hash(rollup: &Rollup<quire_l1::L1Client>, id: u64) -> [u8; 32] {
    let (stored, _) = rollup.priority_op(id).call().await.unwrap();
    stored.op_hash
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposits_reach_the_queue_and_claims_pay_exactly() {
    let chain = TestChain::builder()
        .operator(SecretKey::from_seed(b"wallet l1 operator").public_key())
        .start()
        .await
        .expect("test chain (run scripts/install-l1-toolchain.sh)");
    let (anvil, d, genesis) = (&chain.anvil, &chain.deployment, &chain.genesis);
    let operator = anvil.client(0).await.unwrap();
    let (verifier, token) = (chain.verifier, chain.token.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let dep_file = chain.save_deployment(dir.path()).unwrap();

    // The real sequencer in-process, on the same genesis as the contracts (its dev deposit
    // endpoint stands in for the L1 watcher when `account` reads balances below).
    let genesis_file = chain.save_genesis(dir.path()).unwrap();
    let mut seq_cfg = quire_sequencer::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite:{}", dir.path().join("q.db").display()),
        genesis: Some(genesis_file),
        ..quire_sequencer::config::Config::default()
    };
    seq_cfg.api.dev_endpoints = true;
    seq_cfg.batch.max_wait_ms = 20;
    let sequencer = quire_sequencer::app::start(seq_cfg).await.unwrap();
    let seq_url = format!("http://{}", sequencer.addr);

    // Alice: an L2 key and anvil's funded account 1 as her L1 key.
    let ks = dir.path().join("keys");
    let alice_l2 = SecretKey::from_seed(b"wallet l1 alice");
    let l1_key = parse_l1_key("--l1-key", &anvil.keys[1]).unwrap();
    let alice_l1 = EthAddress::from(l1_key.1 .0);
    Keystore::new(&ks)
        .create("alice", &alice_l2, Some(l1_key))
        .unwrap();
    let mint = MockERC20::new(token, operator.clone());
    mint.mint(alice_l1, U256::from(10 * ETH_WEI))
        .send()
        .await
        .unwrap()
        .await
        .unwrap();
    let common = |rest: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "--keystore",
            ks.to_str().unwrap(),
            "--key",
            "alice",
            "--l1-rpc",
            &anvil.url,
            "--deployment",
            dep_file.to_str().unwrap(),
            "--sequencer-url",
            &seq_url,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let run = |rest: &[&str]| {
        let args = common(rest);
        async move { quire(&args, &[]).await }
    };
    let rollup = Rollup::new(d.rollup, operator.clone());
    let queued = || async {
        quire_l1::rollup_status(operator.clone(), d.rollup, None)
            .await
            .unwrap()
            .priority_ops_queued
    };

    // --- ETH through the binary: 1.5 ETH is 1_500_000_000 gwei on L2.
    let (code, out, err) = run(&[
        "deposit", "--token", "ETH", "--amount", "1.5", "--wait", "none",
    ])
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("priority operation 0"), "{out}");
    let eth_deposit = PriorityOp::Deposit(Deposit {
        priority_id: 0,
        from: Address(alice_l1.0),
        to: alice_l2.public_key(),
        token: TokenId::ETH,
        amount: 1_500_000_000,
    });
    assert_eq!(
        stored_op_hash(&rollup, 0).await,
        quire_core::hash::keccak256(&eth_deposit.encode())
    );

    // --- The ERC-20 through the library (approve, then deposit): 2.25 MOCK.
    let key = Keystore::new(&ks).load("alice").unwrap();
    let l1 = L1Wallet::connect(&anvil.url, &dep_file, &key)
        .await
        .unwrap();
    let erc20 = MockERC20::new(token, operator.clone());
    let before = erc20.balance_of(alice_l1).call().await.unwrap();
    let out = l1
        .deposit("mock", "2.25", &alice_l2.public_key())
        .await
        .unwrap();
    assert_eq!(out.l2_amount, 2_250_000_000);
    let expected = PriorityOp::Deposit(Deposit {
        priority_id: 1,
        from: Address(alice_l1.0),
        to: alice_l2.public_key(),
        token: TokenId(1),
        amount: 2_250_000_000,
    });
    assert_eq!(out.queued.op, expected);
    assert_eq!(
        stored_op_hash(&rollup, 1).await,
        quire_core::hash::keccak256(&expected.encode())
    );
    assert_eq!(
        before - erc20.balance_of(alice_l1).call().await.unwrap(),
        U256::from(9 * ETH_WEI / 4)
    );

    // --- Refused before anything is signed: exit 1, the field named, the queue unchanged.
    let nonce = operator
        .get_transaction_count(alice_l1, None)
        .await
        .unwrap();
    for (args, expected) in [
        (
            &[
                "deposit",
                "--token",
                "ETH",
                "--amount",
                "0.0000000001",
                "--wait",
                "none",
            ][..],
            "--amount: more than 9 decimals for ETH (scale 10^9)",
        ),
        (
            &[
                "deposit",
                "--token",
                "MOCK",
                "--amount",
                "1.0000000000001",
                "--wait",
                "none",
            ][..],
            "--amount: more than 9 decimals for MOCK (scale 10^9)",
        ),
        (
            &[
                "deposit", "--token", "WBTC", "--amount", "1", "--wait", "none",
            ][..],
            "--token: unknown token",
        ),
        (
            &[
                "deposit", "--token", "ETH", "--amount", "0", "--wait", "none",
            ][..],
            "--amount: must be positive",
        ),
        (
            &[
                "deposit", "--token", "ETH", "--amount", "1", "--to", "0x12", "--wait", "none",
            ][..],
            "--to: ",
        ),
        (
            &["claim", "--token", "ETH", "--owner", "0xzz"][..],
            "--owner: ",
        ),
    ] {
        let (code, out, err) = run(args).await;
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    assert_eq!(queued().await, 2);
    assert_eq!(
        operator
            .get_transaction_count(alice_l1, None)
            .await
            .unwrap(),
        nonce,
        "a refused command sent an L1 transaction"
    );

    // Nothing to claim yet: the contract is asked, and the refusal carries its code (exit 2).
    let (code, _, err) = run(&["claim", "--token", "ETH"]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("code: nothing_claimable"), "{err}");

    // --- Batch 1 (committed, proven by the test double, executed): the ETH deposit opens
    // account 2, which withdraws 0.4 ETH to Alice's L1 address.
    let account = AccountId::new(2).unwrap();
    let withdraw = L2Tx::Withdraw(Withdraw {
        from: account,
        to: Address(alice_l1.0),
        token: TokenId::ETH,
        amount: 400_000_000,
        fee: 0,
        nonce: 0,
    })
    .sign(&alice_l2, genesis.chain_id);
    let mut pubdata = tx::pubdata::encode(
        &Operation::Priority(eth_deposit),
        &Outcome::Deposit {
            account,
            created: true,
            credited: true,
            refund: None,
        },
    )
    .unwrap();
    pubdata.extend(tx::pubdata::encode(&Operation::L2(withdraw), &Outcome::Withdraw).unwrap());
    let header = BatchHeader {
        batch_number: 1,
        timestamp: latest_timestamp(operator.as_ref()).await.unwrap(),
        new_state_root: H256::from_low_u64_be(12345),
    };
    let mut committer = Committer::new(operator.clone(), d.rollup, CommitterConfig::default())
        .await
        .unwrap();
    let (tick, limit) = (Duration::from_millis(50), Duration::from_secs(30));
    let sent = committer
        .commit_batch(&d.genesis_batch, &header, Bytes::from(pubdata))
        .await
        .unwrap();
    committer.wait(sent.nonce, tick, limit).await.unwrap();
    let watcher = quire_l1::L1Watcher::new(
        operator.clone(),
        d.rollup,
        quire_l1::WatcherConfig {
            confirmations: 0,
            max_blocks_per_poll: 1_000,
        },
    );
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
    let proof = TestBatchVerifier::new(verifier, operator.clone())
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
    let settled = committer.wait(e.nonce, tick, limit).await.unwrap();
    assert!(settled.iter().all(|t| t.success));

    // --- `quire account`: L2 balances in token units (MOCK's decimals read from its ERC-20
    // on L1) and what is claimable on L1 by the account's owner.
    let r = reqwest::Client::new()
        .post(format!("{seq_url}/v1/dev/deposits"))
        .json(&serde_json::json!({
            "to": alice_l2.public_key().to_string(),
            "from": Address(alice_l1.0).to_string(),
            "token": 1,
            "amount": "2250000000",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let seq = quire_api::Client::new(&seq_url).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while seq
        .account_by_key(&alice_l2.public_key(), &Address(alice_l1.0))
        .await
        .unwrap()
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "dev deposit not executed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (code, out, err) = run(&["account"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("  2.25 MOCK"), "{out}");
    assert!(
        out.contains(&format!("claimable on L1 by {}:", Address(alice_l1.0))),
        "{out}"
    );
    assert!(out.contains("  0.4 ETH"), "{out}");

    // --- `quire claim` pays exactly 0.4 ETH (net of the gas it spent), then nothing is left.
    let balance_before = operator.get_balance(alice_l1, None).await.unwrap();
    let (code, out, err) = run(&["claim", "--token", "ETH"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("claimed 0.4 ETH"), "{out}");
    let tx_hash: H256 = out.lines().next().unwrap().parse().unwrap();
    let receipt = operator
        .get_transaction_receipt(tx_hash)
        .await
        .unwrap()
        .unwrap();
    let gas = receipt.gas_used.unwrap() * receipt.effective_gas_price.unwrap();
    let balance_after = operator.get_balance(alice_l1, None).await.unwrap();
    assert_eq!(
        balance_after + gas - balance_before,
        U256::from(4 * ETH_WEI / 10)
    );
    assert!(l1
        .claimable(Address(alice_l1.0), &l1.tokens.0[0])
        .await
        .unwrap()
        .is_zero());
    let (code, _, err) = run(&["claim", "--token", "ETH"]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing_claimable"), "{err}");

    // --- Full exit of the ERC-20 from account 2: queued as priority operation 2.
    let (code, out, err) = run(&["full-exit", "--token", "MOCK", "--account", "2"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("priority operation 2"), "{out}");
    assert_eq!(queued().await, 3);
    sequencer.shutdown().await;
}

/// With the sequencer's L1 watcher and settlement task running (H3), `quire deposit` waits
/// until the L2 has credited the deposit, and a transfer is followed to `committed` on L1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposit_is_credited_through_the_watcher_and_a_transfer_reaches_l1() {
    let chain = TestChain::builder()
        .operator(SecretKey::from_seed(b"wallet l1 operator").public_key())
        .without_token()
        .start()
        .await
        .expect("test chain");
    let anvil = &chain.anvil;
    let dir = tempfile::tempdir().unwrap();
    let dep_file = chain.save_deployment(dir.path()).unwrap();
    let genesis_file = chain.save_genesis(dir.path()).unwrap();
    // Blocks keep coming, so the watcher's confirmation depth is reached.
    let miner = chain.spawn_miner(Duration::from_millis(100));
    let mut c = quire_sequencer::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite:{}", dir.path().join("q.db").display()),
        genesis: Some(genesis_file),
        ..quire_sequencer::config::Config::default()
    };
    c.batch.max_wait_ms = 20;
    // The sequencer refuses batch limits past the batch shape the deployment records.
    let shape = chain.deployment.batch_shape.unwrap_or_default();
    c.batch.max_txs = shape.capacity();
    c.batch.max_priority_ops = shape.priority_slots();
    c.l1 = Some(quire_sequencer::config::L1Config {
        rpc_url: anvil.url.clone(),
        deployment: dep_file.clone(),
        operator_key: Some(quire_sequencer::config::Secret::new(anvil.keys[0].clone())),
        confirmations: 1,
        poll_interval_ms: 100,
        ..quire_sequencer::config::L1Config::default()
    });
    let sequencer = quire_sequencer::app::start(c).await.unwrap();
    let seq_url = format!("http://{}", sequencer.addr);

    let ks = dir.path().join("keys");
    let store = Keystore::new(&ks);
    let alice = SecretKey::from_seed(b"wallet watcher alice");
    let bob = SecretKey::from_seed(b"wallet watcher bob");
    let alice_l1 = parse_l1_key("--l1-key", &anvil.keys[1]).unwrap();
    let alice_owner = alice_l1.1;
    store.create("alice", &alice, Some(alice_l1)).unwrap();
    let base: Vec<String> = [
        "--keystore",
        ks.to_str().unwrap(),
        "--key",
        "alice",
        "--l1-rpc",
        &anvil.url,
        "--deployment",
        dep_file.to_str().unwrap(),
        "--sequencer-url",
        &seq_url,
        "--timeout",
        "120",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let run = |rest: &[&str]| {
        let mut args = base.clone();
        args.extend(rest.iter().map(|s| s.to_string()));
        async move { quire(&args, &[]).await }
    };

    let (code, out, err) = run(&["deposit", "--token", "ETH", "--amount", "0.75"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("credited on L2"), "{out}");
    let (code, out, err) = run(&["account"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("  0.75 ETH"), "{out}");

    // Alice's deposit to bob's key opens the account (bob's key, alice's address): alice
    // stays its L1 owner, and that pair is how a transfer names it.
    let bob_pk = bob.public_key().to_string();
    let (code, out, err) = run(&[
        "deposit", "--token", "ETH", "--amount", "0.01", "--to", &bob_pk,
    ])
    .await;
    assert_eq!(code, 0, "{out}{err}");

    let bob_to = format!("{bob_pk}@{alice_owner}");
    let (code, out, err) = run(&[
        "transfer",
        "--to",
        &bob_to,
        "--token",
        "ETH",
        "--amount",
        "0.25",
        "--wait",
        "committed",
    ])
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.lines().last().unwrap().starts_with("committed"),
        "{out}"
    );
    let bob_account = quire_api::Client::new(&seq_url)
        .unwrap()
        .account_by_key(&bob.public_key(), &alice_owner)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob_account.balance(TokenId::ETH).unwrap(), 260_000_000);
    drop(miner);
    sequencer.shutdown().await;
}
