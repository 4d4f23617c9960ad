//! The devnet end to end (issue #9): anvil + the real contracts + sequencer + prover, started
//! by `quire_devnet` exactly as `quire-devnet` starts them.
//!
//! 1. The devnet funds two demo keys by real L1 deposits (ETH and the devnet USDC): L1
//!    balances are exact, gas included (`gasUsed × effectiveGasPrice` of every receipt).
//! 2. The deposits are credited on L2 in one batch, and that batch is committed on L1.
//! 3. A token registered on L1 after genesis (issue 14, part 3): governance deploys and
//!    registers it, A deposits it (in one L1 block with the front-run's two deposits below,
//!    so one batch), then L2 transactions (add liquidity, transfer, swap, withdraw, and the
//!    new token's transfer and withdrawal) and two L1 full-exit requests (one block, one
//!    batch): every L2 balance equals the reference state transition
//!    (`quire_core::state::State`) replaying the same operations in the same order, and the
//!    batches are committed on L1. Every deposit and request pays the priority fee (D16),
//!    claimable on L1 by the operator.
//! 4. The prover proves every batch with the DEVNET shape, `proveBatch` accepts the proofs
//!    (the real generated verifier), the sequencer executes the batches; the withdrawal and
//!    the full exit are claimed on L1 with exact balances (the new token's too); the stored
//!    proof with one byte
//!    flipped makes `proveBatch` revert where the original passes.
//!    Along the way, issue 14's first-deposit front-run: an attacker's 1-gwei deposit to a new
//!    user's key ahead of the user's deposit, and its full exit; the proven batches pay the
//!    attacker its gwei only (the test's name carries `front_run` with its twins in core,
//!    the circuit and forge).
//! 5. Exodus: the sequencer and the prover stop, a deposit is queued, anvil's clock passes
//!    the priority deadline, `activateExodusMode` succeeds, the pending deposit is reclaimed
//!    and claimed on L1 with exact balances, and one account exits its balance against the
//!    last executed root with the sequencer's Merkle proof (`Rollup.exit`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use ethers::providers::{Http, Middleware, Provider};
use ethers::types::transaction::eip2718::TypedTransaction;
use ethers::types::{Address as EthAddress, BlockNumber, H256, U256};
use ethers::types::{Bytes, TransactionReceipt, U64};
use quire_api::{AccountView, Client, TxStatus, Wait};
use quire_core::account::{AccountId, Address, FEE_ACCOUNT};
use quire_core::schnorr::SecretKey;
use quire_core::state::BalanceProof;
use quire_core::state::State;
use quire_core::token::TokenId;
use quire_core::tx::PriorityOp;
use quire_core::tx::{AddLiquidity, L2Tx, Operation, Swap, Transfer, Withdraw};
use quire_devnet::{DemoAccount, Devnet, DevnetArgs, DEMO_ETH_WEI, DEMO_USDC};
use quire_l1::bindings::erc20::IERC20;
use quire_l1::bindings::rollup::AccountProof as SolAccountProof;
use quire_l1::bindings::rollup::Rollup;
use quire_l1::bindings::test_doubles::MockERC20;
use quire_l1::watcher::decode_priority_op;
use quire_l1::{rollup_status, user, L1Client, L1Watcher, WatcherConfig};
use quire_prover::Storage;

/// anvil's initial balance of every funded account: 10,000 ETH.
const ANVIL_BALANCE_WEI: u128 = 10_000_000_000_000_000_000_000;
/// ETH's L1 scale: L2 amounts are gwei.
const GWEI: u128 = 1_000_000_000;
const USDC: TokenId = TokenId(1);
const FEE: u64 = 10;

/// The token governance registers after genesis: id 2 (ETH is 0, USDC 1), 18 decimals,
/// L2 unit 10^9 base units.
const LATE: TokenId = TokenId(2);
const LATE_SCALE: u128 = 1_000_000_000;

/// Sends `txs` in order into **one** L1 block (interval mining paused while they are sent,
/// explicit nonces and gas limits, then one block mined; each carries a higher gas price
/// than the next, so the block keeps their order), so the watcher reads them in one poll and
/// the batcher puts their priority operations in one batch (one proof, not one each).
/// Returns the receipts, each checked successful.
async fn in_one_block(
    provider: &Provider<Http>,
    txs: Vec<(Arc<L1Client>, TypedTransaction)>,
) -> Result<Vec<TransactionReceipt>> {
    let _: serde_json::Value = provider.request("evm_setIntervalMining", (0u64,)).await?;
    let sent = async {
        let mut hashes = Vec::with_capacity(txs.len());
        let n = txs.len() as u64;
        for (i, (client, mut tx)) in txs.into_iter().enumerate() {
            let nonce = client
                .get_transaction_count(client.address(), Some(BlockNumber::Pending.into()))
                .await?;
            tx.set_nonce(nonce);
            tx.set_gas(1_000_000u64);
            tx.set_gas_price(U256::from(GWEI) * U256::from(10 + n - i as u64));
            hashes.push(*client.send_transaction(tx, None).await?);
        }
        anyhow::Ok(hashes)
    }
    .await;
    let mined: Result<serde_json::Value, _> = provider.request("anvil_mine", (U64::from(1),)).await;
    let resumed: Result<serde_json::Value, _> =
        provider.request("evm_setIntervalMining", (1u64,)).await;
    let hashes = sent?;
    mined?;
    resumed?;
    let mut receipts = Vec::with_capacity(hashes.len());
    let mut block = None;
    for h in hashes {
        let r = wait_for("a receipt", Duration::from_secs(60), || async {
            Ok(provider.get_transaction_receipt(h).await?)
        })
        .await?;
        ensure!(r.status == Some(1.into()), "{h:?} reverted");
        ensure!(
            block.is_none() || block == r.block_number,
            "the transactions spread over several blocks"
        );
        block = r.block_number;
        receipts.push(r);
    }
    Ok(receipts)
}

/// The priority operation a receipt queued.
fn queued_op(receipt: &TransactionReceipt, rollup: EthAddress) -> Result<PriorityOp> {
    let log = receipt
        .logs
        .iter()
        .find(|l| l.address == rollup && decode_priority_op(l).is_ok())
        .context("the transaction queued no priority operation")?;
    Ok(decode_priority_op(log)?)
}

/// What a transaction cost its sender in gas.
async fn gas_cost(provider: &Provider<Http>, tx: H256) -> Result<U256> {
    let r = provider
        .get_transaction_receipt(tx)
        .await?
        .with_context(|| format!("no receipt for {tx:?}"))?;
    ensure!(r.status == Some(1.into()), "{tx:?} reverted");
    let used = r.gas_used.context("receipt without gasUsed")?;
    let price = r
        .effective_gas_price
        .context("receipt without effectiveGasPrice")?;
    Ok(used * price)
}

async fn eth_balance(provider: &Provider<Http>, who: EthAddress) -> Result<U256> {
    Ok(provider.get_balance(who, None).await?)
}

async fn token_balance(client: Arc<L1Client>, token: EthAddress, who: EthAddress) -> Result<U256> {
    Ok(IERC20::new(token, client).balance_of(who).call().await?)
}

/// Polls `f` every 250 ms until it returns `Some`, or fails after `timeout`.
async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await? {
            return Ok(v);
        }
        if start.elapsed() > timeout {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The account of `demo`'s key that its own L1 address opened (an account is the pair).
async fn account(seq: &Client, demo: &DemoAccount) -> Result<Option<AccountView>> {
    let owner = Address(demo.l1_address.0);
    Ok(seq
        .account_by_key(&demo.l2_secret.public_key(), &owner)
        .await?)
}

/// Every L2 balance of `id` the sequencer reports equals the reference's, for every token
/// either side knows (ETH, USDC and the pool's share token).
async fn assert_l2_matches(seq: &Client, reference: &State, id: AccountId) -> Result<()> {
    let info = seq
        .account(id)
        .await?
        .with_context(|| format!("account {id} unknown to the sequencer"))?;
    let mut tokens: Vec<TokenId> = vec![TokenId::ETH, USDC];
    for pool in reference.pools().values() {
        tokens.push(pool.share_token);
    }
    for t in info.balances.keys() {
        tokens.push(TokenId(*t));
    }
    tokens.sort_by_key(|t| t.0);
    tokens.dedup();
    for t in tokens {
        assert_eq!(
            info.balance(t)?,
            reference.balance(id, t),
            "L2 balance of account {id}, token {t}"
        );
    }
    Ok(())
}

/// Waits until a batch executed the transaction `hash`; returns its batch.
async fn executed(seq: &Client, hash: &quire_core::hash::Digest) -> Result<u64> {
    wait_for(
        "the transaction's batch",
        Duration::from_secs(60),
        || async {
            let Some(view) = seq.transaction(hash).await? else {
                return Ok(None);
            };
            match view.status {
                TxStatus::Pending => Ok(None),
                TxStatus::Rejected { code, message, .. } => {
                    bail!("transaction rejected: {code} {message:?}")
                }
                TxStatus::Executed { batch_number, .. } => Ok(Some(batch_number)),
            }
        },
    )
    .await
}

/// Waits until L1 shows every batch up to `batch` committed.
async fn wait_committed(client: Arc<L1Client>, rollup: EthAddress, batch: u64) -> Result<()> {
    wait_for("commitBatch on L1", Duration::from_secs(120), || {
        let client = client.clone();
        async move {
            let s = rollup_status(client, rollup, None).await?;
            Ok((s.batches_committed >= batch).then_some(()))
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn devnet_deposits_front_run_late_token_l2_transactions_settlement_and_exodus() -> Result<()>
{
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,quire_devnet=info".into()),
        )
        .with_test_writer()
        .try_init();
    let dir = std::env::temp_dir().join(format!("quire-e2e-{}", std::process::id()));
    let devnet = Devnet::start(&DevnetArgs {
        dir: dir.clone(),
        l1_port: 0,
        sequencer_port: 0,
        block_time: 1,
        no_prover: false,
        demo_accounts: 2,
    })
    .await?;
    let provider = Provider::<Http>::try_from(devnet.anvil.url.as_str())?;
    let operator = devnet.anvil.client(0).await?;
    let rollup = devnet.deployment.rollup;
    let usdc_l1 = devnet
        .deployment
        .tokens
        .iter()
        .find(|t| t.id == USDC.0)
        .context("USDC deployed")?
        .address;
    let seq = Client::new(&devnet.sequencer_url())?;
    let chain_id = devnet.genesis.chain_id;
    let (a, b) = (&devnet.demo[0], &devnet.demo[1]);

    let fee = user::priority_fee(operator.clone(), rollup).await?;
    assert_eq!(
        fee,
        U256::from(quire_devnet::chain::PRIORITY_FEE_WEI),
        "the devnet charges its priority fee"
    );
    let fee_recipient = devnet.deployment.fee_recipient;
    assert_eq!(fee_recipient, operator.address());
    let mut fees_paid = U256::zero();

    // 1. L1 after funding: each demo account paid 10 ETH plus the gas of its four funding
    // transactions and the priority fee of its two deposits; its minted USDC all went into
    // the rollup.
    for d in [a, b] {
        let mut gas = U256::zero();
        for tx in &d.funding_txs {
            gas += gas_cost(&provider, *tx).await?;
        }
        fees_paid += fee * 2;
        assert_eq!(
            eth_balance(&provider, d.l1_address).await?,
            U256::from(ANVIL_BALANCE_WEI) - U256::from(DEMO_ETH_WEI) - fee * 2 - gas,
            "L1 ETH of {:?} after its deposit",
            d.l1_address
        );
        assert_eq!(
            token_balance(operator.clone(), usdc_l1, d.l1_address).await?,
            U256::zero()
        );
    }
    assert_eq!(
        eth_balance(&provider, rollup).await?,
        U256::from(2 * DEMO_ETH_WEI) + fees_paid
    );
    assert_eq!(
        user::claimable(operator.clone(), rollup, fee_recipient, TokenId::ETH).await?,
        fees_paid,
        "the fees are the operator's to claim"
    );
    assert_eq!(
        token_balance(operator.clone(), usdc_l1, rollup).await?,
        U256::from(2 * DEMO_USDC)
    );

    // 2. The reference replays the deposits in L1 order; the sequencer must agree.
    let mut reference = State::genesis(&devnet.genesis)?;
    let mut queued: Vec<_> = devnet
        .demo
        .iter()
        .flat_map(|d| d.deposits.clone())
        .collect();
    queued.sort_by_key(|q| q.op.priority_id());
    for q in &queued {
        reference.apply(&Operation::Priority(q.op.clone()))?;
    }
    let (ia, ib) = {
        let mut ids = Vec::new();
        for d in [a, b] {
            let info = wait_for("the deposits on L2", Duration::from_secs(60), || {
                account(&seq, d)
            })
            .await?;
            ids.push(info.account_id()?);
        }
        (ids[0], ids[1])
    };
    wait_for(
        "both deposits of both accounts",
        Duration::from_secs(60),
        || async {
            let s = seq.status().await?;
            Ok((s.next_priority_id >= queued.len() as u64).then_some(()))
        },
    )
    .await?;
    for id in [ia, ib] {
        assert_eq!(
            reference.balance(id, TokenId::ETH),
            u64::try_from(DEMO_ETH_WEI / GWEI)?
        );
        assert_eq!(reference.balance(id, USDC), u64::try_from(DEMO_USDC)?);
        assert_l2_matches(&seq, &reference, id).await?;
    }
    let deposits_batch = seq.status().await?.latest_batch;
    wait_committed(operator.clone(), rollup, deposits_batch).await?;

    // 3a. A token registered after genesis (issue 14, part 3): governance (account 0)
    // deploys and registers it as id 2; A mints 30 of it and approves the rollup.
    let late_l1 = MockERC20::deploy(operator.clone(), ("Late (devnet)".to_string(), 18u8))?
        .send()
        .await?
        .address();
    let receipt = Rollup::new(rollup, operator.clone())
        .register_token(late_l1, LATE_SCALE)
        .send()
        .await?
        .await?
        .context("registerToken dropped")?;
    ensure!(receipt.status == Some(1.into()), "registerToken reverted");
    let a_client = devnet.anvil.client(a.l1_index).await?;
    let late_units: u64 = 30_000_000_000; // 30 tokens, in L2 units of 10^9 base units
    let late_base = U256::from(late_units) * U256::from(LATE_SCALE);
    let late_erc20 = MockERC20::new(late_l1, a_client.clone());
    let mint = late_erc20.mint(a.l1_address, late_base);
    let r = mint.send().await?.await?.context("mint dropped")?;
    ensure!(r.status == Some(1.into()), "mint reverted");
    let approve = late_erc20.approve(rollup, late_base);
    let r = approve.send().await?.await?.context("approve dropped")?;
    ensure!(r.status == Some(1.into()), "approve reverted");

    // 3b. One L1 block, one batch: issue 14's first-deposit front-run through the real
    // sequencer and prover (an attacker deposits 1 gwei to a new user's key just ahead of
    // the user's first deposit to it; its full exit follows in 3d), and A's deposit of the
    // new token.
    let victim_key = SecretKey::from_seed(b"quire e2e front-run victim").public_key();
    let attacker = devnet.anvil.client(5).await?;
    let victim = devnet.anvil.client(6).await?;
    let victim_owner = Address(victim.address().0);
    let attacker_owner = Address(attacker.address().0);
    let victims_wei = U256::from(GWEI * 1_000_000_000);
    let key_bytes = |k: &quire_core::schnorr::PublicKey| Bytes::from(k.to_bytes().to_vec());
    let receipts = in_one_block(
        &provider,
        vec![
            (
                attacker.clone(),
                Rollup::new(rollup, attacker.clone())
                    .deposit_eth(key_bytes(&victim_key))
                    .value(U256::from(GWEI) + fee)
                    .tx,
            ),
            (
                victim.clone(),
                Rollup::new(rollup, victim.clone())
                    .deposit_eth(key_bytes(&victim_key))
                    .value(victims_wei + fee)
                    .tx,
            ),
            (
                a_client.clone(),
                Rollup::new(rollup, a_client.clone())
                    .deposit_erc20(late_l1, late_base, key_bytes(&a.l2_secret.public_key()))
                    .value(fee)
                    .tx,
            ),
        ],
    )
    .await?;
    fees_paid += fee * 3;
    let ops = receipts
        .iter()
        .map(|r| queued_op(r, rollup))
        .collect::<Result<Vec<_>>>()?;
    assert!(
        ops[0].priority_id() < ops[1].priority_id(),
        "the attacker's deposit is queued ahead of the victim's: a real front-run"
    );
    for op in &ops {
        reference.apply(&Operation::Priority(op.clone()))?;
    }
    let last_id = ops[2].priority_id();
    wait_for("the deposits on L2", Duration::from_secs(120), || async {
        let s = seq.status().await?;
        Ok((s.next_priority_id > last_id).then_some(()))
    })
    .await?;
    let attackers_account = reference
        .account_id(&victim_key, &attacker_owner)
        .context("the attacker's deposit opened the attacker's own account")?;
    let victims_account = reference
        .account_id(&victim_key, &victim_owner)
        .context("the victim's deposit opened the victim's own account")?;
    assert_ne!(victims_account, attackers_account);
    assert_eq!(reference.balance(ia, LATE), late_units);
    // The sequencer learnt the new token from L1 (descriptive: its rules never needed it).
    wait_for(
        "the new token in /v1/tokens",
        Duration::from_secs(30),
        || async {
            let tokens = seq.tokens().await?;
            Ok(tokens
                .iter()
                .any(|t| {
                    t.id == LATE && t.l1_address == Address(late_l1.0) && t.scale == LATE_SCALE
                })
                .then_some(()))
        },
    )
    .await?;
    let deposits2_batch = seq.status().await?.latest_batch;

    // 3c. L2 transactions, in an order the reference replays identically: the new token
    // moves and leaves like any genesis token.
    let pool = *reference
        .pools()
        .keys()
        .next()
        .context("the genesis has a pool")?;
    let withdrawn_gwei = 2_000_000_000u64; // 2 ETH
    let late_withdrawn: u64 = 4_000_000_000; // 4 tokens
    let txs = vec![
        L2Tx::AddLiquidity(AddLiquidity {
            account: ia,
            pool,
            max_amount_a: 3_000_000_000,
            max_amount_b: 6_000_000_000,
            min_shares: 1,
            fee: FEE,
            nonce: 0,
        })
        .sign(&a.l2_secret, chain_id),
        L2Tx::Transfer(Transfer {
            from: ia,
            to: ib,
            token: TokenId::ETH,
            amount: 1_000_000_000,
            fee: FEE,
            nonce: 1,
        })
        .sign(&a.l2_secret, chain_id),
        L2Tx::Swap(Swap {
            account: ib,
            pool,
            token_in: USDC,
            amount_in: 500_000_000,
            min_amount_out: 1,
            fee: FEE,
            nonce: 0,
        })
        .sign(&b.l2_secret, chain_id),
        L2Tx::Withdraw(Withdraw {
            from: ia,
            to: quire_l1::convert::from_eth_address(a.l1_address),
            token: TokenId::ETH,
            amount: withdrawn_gwei,
            fee: FEE,
            nonce: 2,
        })
        .sign(&a.l2_secret, chain_id),
        L2Tx::Transfer(Transfer {
            from: ia,
            to: ib,
            token: LATE,
            amount: 10_000_000_000,
            fee: FEE,
            nonce: 3,
        })
        .sign(&a.l2_secret, chain_id),
        L2Tx::Withdraw(Withdraw {
            from: ib,
            to: quire_l1::convert::from_eth_address(b.l1_address),
            token: LATE,
            amount: late_withdrawn,
            fee: FEE,
            nonce: 1,
        })
        .sign(&b.l2_secret, chain_id),
    ];
    // Submitted back to back (each reply means durable and ordered), so they share a batch
    // or two rather than one proof each; the batcher keeps arrival order, as the reference.
    let mut hashes = Vec::with_capacity(txs.len());
    for tx in &txs {
        reference.apply(&Operation::from(tx.clone()))?;
        hashes.push(seq.submit(tx, Wait::Durable).await?.hash);
    }
    let mut last_batch = deposits2_batch;
    for h in &hashes {
        last_batch = last_batch.max(executed(&seq, h).await?);
    }

    // 3d. One L1 block, one batch: a full exit of B's USDC, requested by B's L1 owner after
    // the L2 transactions, and the attacker's full exit of the account its deposit opened.
    // An account is the pair (key, L1 owner), so the latter pays the attacker its gwei and
    // nothing of the victim's.
    let b_client = devnet.anvil.client(b.l1_index).await?;
    let receipts = in_one_block(
        &provider,
        vec![
            (
                b_client.clone(),
                Rollup::new(rollup, b_client.clone())
                    .request_full_exit(ib.get(), USDC.0)
                    .value(fee)
                    .tx,
            ),
            (
                attacker.clone(),
                Rollup::new(rollup, attacker.clone())
                    .request_full_exit(attackers_account.get(), TokenId::ETH.0)
                    .value(fee)
                    .tx,
            ),
        ],
    )
    .await?;
    fees_paid += fee * 2;
    let exits = receipts
        .iter()
        .map(|r| queued_op(r, rollup))
        .collect::<Result<Vec<_>>>()?;
    let last_id = exits[1].priority_id();
    wait_for("the full exits on L2", Duration::from_secs(120), || async {
        let s = seq.status().await?;
        Ok((s.next_priority_id > last_id).then_some(s.latest_batch))
    })
    .await?;
    let b_usdc_exited = reference.balance(ib, USDC);
    for op in &exits {
        reference.apply(&Operation::Priority(op.clone()))?;
    }
    assert_eq!(
        reference.balance(victims_account, TokenId::ETH),
        1_000_000_000
    );
    assert_eq!(
        reference.balance(ib, USDC),
        0,
        "the full exit empties B's USDC"
    );
    let fee_account = FEE_ACCOUNT;
    for id in [
        ia,
        ib,
        fee_account,
        pool,
        victims_account,
        attackers_account,
    ] {
        assert_l2_matches(&seq, &reference, id).await?;
    }
    last_batch = last_batch.max(seq.status().await?.latest_batch);
    assert_eq!(
        reference.root().to_string(),
        sequencer_root(&seq).await?,
        "state root after the L2 transactions and the full exits"
    );
    wait_committed(operator.clone(), rollup, last_batch).await?;

    // 4. The prover proves every batch, its proofs pass the generated verifier in
    // `proveBatch`, the sequencer executes them; then the withdrawal and the full exit are
    // claimed on L1 with exact balances, and a tampered proof is rejected.
    wait_for(
        "every batch proven and executed on L1",
        Duration::from_secs(900),
        || {
            let client = operator.clone();
            async move {
                let s = rollup_status(client, rollup, None).await?;
                Ok((s.batches_executed >= last_batch).then_some(()))
            }
        },
    )
    .await?;
    let withdrawn_wei = U256::from(withdrawn_gwei) * U256::from(GWEI);
    assert_eq!(
        user::claimable(a_client.clone(), rollup, a.l1_address, TokenId::ETH).await?,
        withdrawn_wei
    );
    let a_before = eth_balance(&provider, a.l1_address).await?;
    let (paid, tx) = user::claim(a_client.clone(), rollup, a.l1_address, TokenId::ETH, 1).await?;
    assert_eq!(paid, withdrawn_wei);
    assert_eq!(
        eth_balance(&provider, a.l1_address).await?,
        a_before + withdrawn_wei - gas_cost(&provider, tx).await?,
        "A's withdrawal paid on L1, less the claim's gas"
    );
    assert_eq!(
        user::claimable(b_client.clone(), rollup, b.l1_address, USDC).await?,
        U256::from(b_usdc_exited)
    );
    // B's withdrawal of the token registered after genesis, paid on L1.
    let late_withdrawn_base = U256::from(late_withdrawn) * U256::from(LATE_SCALE);
    assert_eq!(
        user::claimable(b_client.clone(), rollup, b.l1_address, LATE).await?,
        late_withdrawn_base
    );
    let (paid, _) = user::claim(b_client.clone(), rollup, b.l1_address, LATE, 1).await?;
    assert_eq!(paid, late_withdrawn_base);
    assert_eq!(
        token_balance(operator.clone(), late_l1, b.l1_address).await?,
        late_withdrawn_base,
        "the new token's withdrawal reached B's L1 address"
    );
    // Every priority request's fee is the operator's, and claimable.
    assert_eq!(
        user::claimable(operator.clone(), rollup, fee_recipient, TokenId::ETH).await?,
        fees_paid
    );
    let (paid, _) = user::claim(operator.clone(), rollup, fee_recipient, TokenId::ETH, 1).await?;
    assert_eq!(paid, fees_paid);
    let (paid, _) = user::claim(b_client.clone(), rollup, b.l1_address, USDC, 1).await?;
    assert_eq!(paid, U256::from(b_usdc_exited));
    assert_eq!(
        token_balance(operator.clone(), usdc_l1, b.l1_address).await?,
        U256::from(b_usdc_exited),
        "B's full exit paid its whole USDC balance on L1"
    );
    // The front-run, settled by real proofs: the attacker's exit paid back its own gwei, the
    // victim's ETH is on L2 in the victim's account, owned on L1 by the victim.
    assert_eq!(
        user::claimable(attacker.clone(), rollup, attacker.address(), TokenId::ETH).await?,
        U256::from(GWEI),
        "the attacker's full exit pays its own deposit only"
    );
    assert_eq!(
        user::claimable(victim.clone(), rollup, victim.address(), TokenId::ETH).await?,
        U256::zero()
    );
    let victims = seq
        .account(victims_account)
        .await?
        .context("the victim's account")?;
    assert_eq!(victims.balance(TokenId::ETH)?, 1_000_000_000);
    assert_eq!(victims.l1_owner, victim_owner);
    tampered_proof_is_rejected(&devnet, operator.clone(), deposits_batch).await?;
    // The balance A will exit in exodus, with its Merkle proof against the last executed
    // root (the sequencer's state now: every batch is executed).
    let a_usdc = reference.balance(ia, USDC);
    let exit_proof = balance_proof(&seq, ia, USDC).await?;
    assert_eq!(exit_proof.balance, a_usdc);

    // 5. Exodus: stop the operator's services, queue a deposit nobody will execute, pass
    // the priority deadline.
    let Devnet {
        anvil,
        deployment,
        sequencer,
        prover,
        genesis: devnet_genesis,
        ..
    } = devnet;
    sequencer.shutdown().await;
    if let Some(p) = prover {
        p.stop().await;
    }
    let c_index = 4;
    let c_client = anvil.client(c_index).await?;
    let c_addr = c_client.address();
    let c_before = eth_balance(&provider, c_addr).await?;
    let c_key = SecretKey::from_seed(b"quire e2e exodus depositor");
    let late = user::deposit_eth(
        c_client.clone(),
        rollup,
        &c_key.public_key(),
        U256::from(GWEI * 1_000_000_000),
        1,
    )
    .await?;
    let c_gas_deposit = gas_cost(&provider, late.tx).await?;
    let r = Rollup::new(rollup, c_client.clone());
    assert!(
        r.activate_exodus_mode().call().await.is_err(),
        "exodus must not start before the priority deadline"
    );
    anvil
        .increase_time(deployment.priority_deadline_secs + 60)
        .await?;
    anvil.mine(1).await?;
    let pending = r.activate_exodus_mode();
    let receipt = pending
        .send()
        .await?
        .await?
        .context("activateExodusMode dropped")?;
    ensure!(
        receipt.status == Some(1.into()),
        "activateExodusMode reverted"
    );
    let c_gas_exodus = gas_cost(&provider, receipt.transaction_hash).await?;
    let status = rollup_status(c_client.clone(), rollup, None).await?;
    assert!(status.exodus_mode);
    // Deposits made after the last executed batch are reclaimable; the late one for sure.
    let late_id = late.op.priority_id();
    let call = r.reclaim_deposit(late_id);
    let receipt = call
        .send()
        .await?
        .await?
        .context("reclaimDeposit dropped")?;
    ensure!(receipt.status == Some(1.into()), "reclaimDeposit reverted");
    let c_gas_reclaim = gas_cost(&provider, receipt.transaction_hash).await?;
    assert_eq!(
        user::claimable(c_client.clone(), rollup, c_addr, TokenId::ETH).await?,
        U256::from(GWEI * 1_000_000_000)
    );
    assert!(
        r.reclaim_deposit(late_id).call().await.is_err(),
        "a deposit is reclaimed once"
    );
    let (paid, claim_tx) = user::claim(c_client.clone(), rollup, c_addr, TokenId::ETH, 1).await?;
    assert_eq!(paid, U256::from(GWEI * 1_000_000_000));
    let c_gas_claim = gas_cost(&provider, claim_tx).await?;
    assert_eq!(
        eth_balance(&provider, c_addr).await?,
        c_before - c_gas_deposit - fee - c_gas_exodus - c_gas_reclaim - c_gas_claim,
        "the reclaimed deposit came back to its depositor, less gas and the priority fee"
    );

    // A exits its USDC against the last executed batch with the sequencer's Merkle proof.
    let last_executed = L1Watcher::new(c_client.clone(), rollup, WatcherConfig::default())
        .committed_batch(last_batch, deployment.block_number)
        .await?
        .context("the last batch's BatchCommitted")?;
    let call = r.exit(last_executed.info.into(), to_sol_proof(&exit_proof)?);
    let receipt = call.send().await?.await?.context("exit dropped")?;
    ensure!(receipt.status == Some(1.into()), "exit reverted");
    assert_eq!(
        user::claimable(c_client.clone(), rollup, a.l1_address, USDC).await?,
        U256::from(a_usdc),
        "A's exodus exit is claimable by its L1 owner"
    );
    let again = r.exit(last_executed.info.into(), to_sol_proof(&exit_proof)?);
    assert!(again.call().await.is_err(), "a balance exits once");

    // 6. Everyone else leaves too, from L1 data alone, after the chain is verified
    // independently (issue 17; see `exodus_l1_only`).
    let leavers = [
        crate::exodus_l1_only::Leaver {
            name: "a",
            l2: a.l2_secret.clone(),
            l1_index: a.l1_index,
        },
        crate::exodus_l1_only::Leaver {
            name: "b",
            l2: b.l2_secret.clone(),
            l1_index: b.l1_index,
        },
        crate::exodus_l1_only::Leaver {
            name: "victim",
            l2: SecretKey::from_seed(b"quire e2e front-run victim"),
            l1_index: 6,
        },
    ];
    crate::exodus_l1_only::exodus_from_l1_alone(
        &anvil,
        rollup,
        &devnet_genesis,
        &mut reference,
        &leavers,
    )
    .await?;
    drop(anvil);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The sequencer's Merkle proof of a balance (`GET /v1/accounts/{id}/proof/{token}`).
async fn balance_proof(seq: &Client, id: AccountId, token: TokenId) -> Result<BalanceProof> {
    let view = seq
        .proof(id, token)
        .await?
        .with_context(|| format!("no account {id}"))?;
    Ok(view.proof)
}

/// The API's single-balance proof in `StateProof.AccountProof`'s layout (one opening).
fn to_sol_proof(p: &BalanceProof) -> Result<SolAccountProof> {
    Ok(quire_l1::convert::to_sol_account_proof(
        &quire_core::state::AccountProof::from(p.clone()),
    )?)
}

/// Takes the proof the prover stored for `batch`, flips one byte, and calls `proveBatch` at
/// the block before the real proof was accepted: the contract (the generated verifier)
/// reverts, while the untouched proof passes at the same block (the control).
async fn tampered_proof_is_rejected(
    devnet: &Devnet,
    client: Arc<L1Client>,
    batch: u64,
) -> Result<()> {
    let queue = Storage::connect_with(&devnet.database_url, 1).await?;
    let proof = queue
        .job(batch)
        .await?
        .and_then(|j| j.proof)
        .context("the prover stored no proof")?;
    queue.close().await;
    let rollup = devnet.deployment.rollup;
    let committed = L1Watcher::new(client.clone(), rollup, WatcherConfig::default())
        .committed_batch(batch, devnet.deployment.block_number)
        .await?
        .context("BatchCommitted of the batch")?;
    let r = Rollup::new(rollup, client.clone());
    let proven = r
        .batch_proven_filter()
        .from_block(devnet.deployment.block_number)
        .topic1(U256::from(batch))
        .query_with_meta()
        .await?;
    let (_, meta) = proven.first().context("no BatchProven event")?;
    let before = meta.block_number.as_u64() - 1;
    let mut tampered = proof.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x01;
    let info: quire_l1::bindings::rollup::StoredBatchInfo = committed.info.into();
    let ok = r
        .prove_batch(info.clone(), proof.into())
        .block(before)
        .call()
        .await;
    assert!(ok.is_ok(), "the stored proof passes proveBatch: {ok:?}");
    let bad = r
        .prove_batch(info, tampered.into())
        .block(before)
        .call()
        .await;
    assert!(bad.is_err(), "a proof with one byte flipped must revert");
    Ok(())
}

/// The sequencer's current state root (`GET /v1/status`).
async fn sequencer_root(seq: &Client) -> Result<String> {
    Ok(seq.status().await?.root.to_string())
}
