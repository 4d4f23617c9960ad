//! Demo accounts: L2 keys funded by real L1 deposits from anvil's funded accounts, and the
//! banner `quire-devnet` prints.

use std::fmt::Write as _;

use std::time::Duration;

use anyhow::{bail, Context, Result};
use ethers::providers::{Http, Middleware, Provider};
use ethers::types::{Address as EthAddress, Bytes, TransactionReceipt, H256, U256, U64};
use quire_core::schnorr::SecretKey;
use quire_l1::anvil::Anvil;
use quire_l1::bindings::rollup::Rollup;
use quire_l1::bindings::test_doubles::MockERC20;
use quire_l1::user::Queued;
use quire_l1::watcher::decode_priority_op;
use quire_l1::Deployment;

use super::Devnet;

/// ETH each demo account deposits (wei): 10 ETH.
pub const DEMO_ETH_WEI: u128 = 10_000_000_000_000_000_000;

/// USDC each demo account deposits (L1 units, 6 decimals): 10,000 USDC.
pub const DEMO_USDC: u128 = 10_000_000_000;

/// The first anvil account that pays for demo deposits: 0 deploys and operates, 1 owns the
/// fee account in the devnet genesis (`operator_l1`).
pub const FIRST_DEMO_L1_ACCOUNT: usize = 2;

/// A funded demo account.
#[derive(Clone)]
pub struct DemoAccount {
    /// Its L2 secret key (deterministic: `SecretKey::from_seed("quire devnet demo N")`).
    pub l2_secret: SecretKey,
    /// The anvil account index that deposited for it.
    pub l1_index: usize,
    /// That account's private key (`0x…`), which owns the L2 account on L1 (withdrawals and
    /// full exits pay to it).
    pub l1_key: String,
    /// Its L1 address.
    pub l1_address: EthAddress,
    /// The deposits queued on L1, ETH first.
    pub deposits: Vec<Queued>,
    /// Every L1 transaction the funding sent from this account (mint, approve, both
    /// deposits): what its L1 ETH balance paid in gas.
    pub funding_txs: Vec<H256>,
}

/// The deterministic L2 key of demo account `n`.
pub fn demo_secret(n: usize) -> SecretKey {
    SecretKey::from_seed(format!("quire devnet demo {n}").as_bytes())
}

/// For each demo account: mints it devnet USDC on L1 and deposits [`DEMO_ETH_WEI`] and
/// [`DEMO_USDC`] into the rollup for its L2 key. The deposits are credited on L2 once the
/// sequencer's watcher sees them confirmed.
///
/// All transactions go into **one L1 block** (interval mining paused while they are sent,
/// explicit nonces and gas limits, then one block mined): the watcher then reads every
/// deposit in one poll and the batcher puts them in one batch (two accounts' four deposits
/// fill the DEVNET shape's priority slots), so funding costs one proof, not one per deposit.
pub async fn fund(
    anvil: &Anvil,
    deployment: &Deployment,
    n: usize,
    block_time: u64,
) -> Result<Vec<DemoAccount>> {
    let usdc = deployment
        .tokens
        .iter()
        .find(|t| t.symbol == "USDC")
        .context("the deployment has no USDC")?
        .address;
    let provider = Provider::<Http>::try_from(anvil.url.as_str()).context("anvil URL")?;
    let _: serde_json::Value = provider
        .request("evm_setIntervalMining", (0u64,))
        .await
        .context("pausing interval mining")?;
    let fee = U256::from_dec_str(&deployment.priority_fee_wei)
        .context("the deployment's priority fee")?;
    let sent = send_deposits(anvil, deployment, usdc, fee, n).await;
    // Mine the block and resume interval mining even if a send failed.
    let mined: Result<serde_json::Value, _> = provider.request("anvil_mine", (U64::from(1),)).await;
    let resumed: Result<serde_json::Value, _> = provider
        .request("evm_setIntervalMining", (block_time,))
        .await;
    let sent = sent?;
    mined.context("mining the deposits' block")?;
    resumed.context("resuming interval mining")?;

    let mut out = Vec::with_capacity(n);
    for (account, hashes) in sent {
        let mut deposits = Vec::with_capacity(2);
        for (i, &hash) in hashes.iter().enumerate() {
            let receipt = wait_receipt(&provider, hash).await?;
            if receipt.status != Some(1.into()) {
                bail!("demo funding transaction {hash:?} reverted");
            }
            // Transaction 0 is the mint, 1 the approval; 2 and 3 are the deposits.
            if i >= 2 {
                let log = receipt
                    .logs
                    .iter()
                    .find(|l| l.address == deployment.rollup)
                    .context("a deposit emitted no event")?;
                deposits.push(Queued {
                    op: decode_priority_op(log)?,
                    tx: hash,
                    block: receipt.block_number.map_or(0, |b| b.as_u64()),
                    fee,
                });
            }
        }
        tracing::info!(l1 = ?account.l1_address, "demo deposits queued on L1");
        out.push(DemoAccount {
            deposits,
            funding_txs: hashes,
            ..account
        });
    }
    Ok(out)
}

/// Sends mint, approve, ETH deposit and USDC deposit for each demo account without waiting
/// (interval mining is paused by the caller); returns each account and its transactions.
async fn send_deposits(
    anvil: &Anvil,
    deployment: &Deployment,
    usdc: EthAddress,
    fee: U256,
    n: usize,
) -> Result<Vec<(DemoAccount, Vec<H256>)>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let l1_index = FIRST_DEMO_L1_ACCOUNT + i;
        let l1_key = anvil
            .keys
            .get(l1_index)
            .with_context(|| {
                format!("anvil has no funded account {l1_index} (at most 8 demo accounts)")
            })?
            .clone();
        let client = super::l1_client(anvil, l1_index).await?;
        let l1_address = client.address();
        let nonce = client
            .get_transaction_count(l1_address, None)
            .await
            .context("reading the nonce")?;
        let l2_secret = demo_secret(i);
        let to = Bytes::from(l2_secret.public_key().to_bytes().to_vec());
        let token = MockERC20::new(usdc, client.clone());
        let rollup = Rollup::new(deployment.rollup, client.clone());
        // Gas limits are explicit: estimation would run against the state before the
        // approval, in which the ERC-20 deposit reverts.
        // Each deposit pays the priority fee on top (D16).
        let calls = [
            token.mint(l1_address, U256::from(DEMO_USDC)).tx,
            token.approve(deployment.rollup, U256::from(DEMO_USDC)).tx,
            rollup
                .deposit_eth(to.clone())
                .value(U256::from(DEMO_ETH_WEI) + fee)
                .tx,
            rollup
                .deposit_erc20(usdc, U256::from(DEMO_USDC), to)
                .value(fee)
                .tx,
        ];
        let mut hashes = Vec::with_capacity(calls.len());
        for (k, mut tx) in calls.into_iter().enumerate() {
            tx.set_nonce(nonce + k);
            tx.set_gas(500_000u64);
            let pending = client
                .send_transaction(tx, None)
                .await
                .context("sending a demo funding transaction")?;
            hashes.push(*pending);
        }
        out.push((
            DemoAccount {
                l2_secret,
                l1_index,
                l1_key,
                l1_address,
                deposits: Vec::new(),
                funding_txs: Vec::new(),
            },
            hashes,
        ));
    }
    Ok(out)
}

/// Polls for a receipt (the block is mined already; this only waits for the node).
async fn wait_receipt(provider: &Provider<Http>, hash: H256) -> Result<TransactionReceipt> {
    for _ in 0..600 {
        if let Some(r) = provider
            .get_transaction_receipt(hash)
            .await
            .context("reading a receipt")?
        {
            return Ok(r);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("no receipt for {hash:?} after a minute")
}

/// What `quire-devnet` prints once everything runs.
pub(crate) fn banner(d: &Devnet) -> String {
    let mut s = String::new();
    let url = d.sequencer_url();
    let _ = writeln!(s, "\nQuire devnet is running. Ctrl-C stops everything.\n");
    let _ = writeln!(
        s,
        "  L1 (anvil)      {}  (chain id {})",
        d.anvil.url, d.deployment.chain_id
    );
    let _ = writeln!(s, "  Rollup          {:?}", d.deployment.rollup);
    let _ = writeln!(
        s,
        "  Verifier        {:?} (QuireVerifier, generated)",
        d.deployment.verifier
    );
    for t in d.deployment.tokens.iter().filter(|t| t.id != 0) {
        let _ = writeln!(
            s,
            "  {:<15} {:?} (devnet test token, mintable by anyone)",
            t.symbol, t.address
        );
    }
    let _ = writeln!(s, "  Sequencer API   {url}/v1  (docs: {url}/openapi.json)");
    let _ = writeln!(
        s,
        "  Prover          {}",
        if d.prover.is_some() {
            "in-process worker"
        } else {
            "off (--no-prover)"
        }
    );
    let _ = writeln!(s, "  Deployment      {}", d.deployment_path.display());
    let _ = writeln!(s, "  Genesis         {}", d.genesis_path.display());
    let _ = writeln!(s, "  Database        {}", d.database_url);
    let _ = writeln!(
        s,
        "\nDemo accounts (each deposited 10 ETH and 10,000 USDC on L1):"
    );
    for (i, a) in d.demo.iter().enumerate() {
        let _ = writeln!(
            s,
            "  #{i}  L2 secret  0x{}",
            hex::encode(a.l2_secret.to_bytes())
        );
        let _ = writeln!(
            s,
            "      L2 public  0x{}",
            hex::encode(a.l2_secret.public_key().to_bytes())
        );
        let _ = writeln!(
            s,
            "      L1 key     {}  (address {:?})",
            a.l1_key, a.l1_address
        );
    }
    if let Some(a) = d.demo.first() {
        let _ = writeln!(
            s,
            "\nTry the wallet (in another terminal; `quire` is target/release/quire, or\n\
             `cargo run --release --bin quire --`):"
        );
        let _ = writeln!(
            s,
            "  export QUIRE_SEQUENCER_URL={url} QUIRE_L1_RPC={} QUIRE_DEPLOYMENT={}",
            d.anvil.url,
            d.deployment_path.display()
        );
        let _ = writeln!(
            s,
            "  quire key import --name demo0 --l2-secret 0x{} --l1-key {}",
            hex::encode(a.l2_secret.to_bytes()),
            a.l1_key
        );
        let _ = writeln!(s, "  quire --key demo0 account");
        let to = d.demo.get(1).unwrap_or(a);
        let _ = writeln!(
            s,
            "  quire --key demo0 transfer --to 0x{}@{:?} --token ETH --amount 0.5 --fee 0.00001 --wait proven",
            hex::encode(to.l2_secret.public_key().to_bytes()),
            to.l1_address
        );
    }
    s
}
