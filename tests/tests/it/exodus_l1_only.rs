//! Exodus and verification from L1 data alone (issue 17), the last step of the devnet test
//! (`cargo test -p quire-e2e exodus` selects it): with the sequencer and the prover
//! stopped, every command runs with nothing but the L1 RPC URL, the rollup's address and
//! the genesis file, each with a fresh mirror file.
//!
//! - `quire-verifier`'s checks: every batch replayed from L1 and every proof verified
//!   natively; a genesis file that does not match and an RPC that flips one pubdata bit of a
//!   commit are refused, naming the file and the batch.
//! - `quire exodus activate`, then `quire exodus exit` for every user (ETH, the devnet
//!   token, the late token and pool shares, which are paid as their part of the pool's
//!   reserves once the pool is settled), then claims: each user receives exactly their L2
//!   balance at the last executed batch; a second exit is refused; the contract holds at
//!   least what is claimable of every token.
//!
//! The `quire` commands run in this process through the CLI's own parser and command code
//! (`quire_cli::commands::Cli`), exactly what the binary runs.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use clap::Parser;
use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, U256};
use quire_chain::{ChainError, Mirror, MirrorConfig};
use quire_cli::commands::{Cli, Command};
use quire_cli::wallet::Keystore;
use quire_core::account::Address;
use quire_core::amm;
use quire_core::chain::BatchShape;
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, State};
use quire_core::token::TokenId;
use quire_l1::anvil::Anvil;
use quire_l1::bindings::erc20::IERC20;
use quire_l1::bindings::rollup::Rollup;
use quire_l1::user;
use quire_verifier::{ChainVerifier, ProofChecker, ProofVerdict, VerifyError};

/// A user leaving: its L2 key and the anvil account that owns its L2 account.
pub struct Leaver {
    /// Key file name.
    pub name: &'static str,
    /// L2 key.
    pub l2: SecretKey,
    /// Funded anvil account (its L1 owner).
    pub l1_index: usize,
}

fn mirror_cfg() -> MirrorConfig {
    MirrorConfig {
        confirmations: 0,
        page_blocks: 10_000,
    }
}

/// Runs `quire <args>` in this process.
async fn quire(args: &[&str]) -> std::result::Result<(), quire_cli::wallet::WalletError> {
    let mut argv = vec!["quire"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv)
        .map_err(|e| quire_cli::wallet::WalletError::local(e.to_string()))?;
    match cli.command {
        Command::Wallet(w) => w.run(&cli.global).await,
        Command::Demo(_) => Err(quire_cli::wallet::WalletError::local(
            "not a wallet command",
        )),
    }
}

/// The verifier's checks over the whole chain.
async fn verify(anvil: &Anvil, rollup: EthAddress, genesis: &Genesis, dir: &Path) -> Result<()> {
    let reader = anvil.client(9).await?;
    let mirror = Mirror::open(reader, rollup, &dir.join("verify.sqlite"), mirror_cfg()).await?;
    mirror.sync().await?;
    let view = mirror.view().await?;
    ensure!(view.proven >= 3, "the devnet proved several batches");
    let checker = ProofChecker::build(genesis, BatchShape::DEVNET)?;
    let mut verifier = ChainVerifier::new(&view, genesis, Some(checker))?;
    let verdicts = verifier.advance(&view)?;
    ensure!(
        verdicts.len() as u64 == view.committed(),
        "every batch verified: {verdicts:?}"
    );
    for v in &verdicts {
        ensure!(v.proof == ProofVerdict::Valid, "{v}");
    }
    ensure!(verifier.operations() > 10, "several operations replayed");

    // Another genesis (another operator key) has another root: refused, naming the file.
    let mut wrong = genesis.clone();
    wrong.operator = SecretKey::from_seed(b"not the devnet operator").public_key();
    let err = ChainVerifier::new(&view, &wrong, None)
        .err()
        .context("a wrong genesis file must be refused")?;
    ensure!(
        matches!(err, VerifyError::Chain(ChainError::GenesisMismatch { .. })),
        "{err}"
    );

    // An RPC that flips one pubdata bit of each commit: refused at batch 1.
    let proxy = quire_chain::test_utils::TamperingProxy::start(&anvil.url).await?;
    let tampered = std::sync::Arc::new(quire_l1::client::provider(
        &proxy.url,
        std::time::Duration::from_millis(50),
    )?);
    let mirror = Mirror::open(tampered, rollup, &dir.join("tampered.sqlite"), mirror_cfg()).await?;
    let err = mirror
        .sync()
        .await
        .err()
        .context("a tampered commit must be refused")?;
    ensure!(
        matches!(err, ChainError::PubdataMismatch { batch: 1, .. }),
        "{err}"
    );
    Ok(())
}

/// The contract's holdings of token `t` (ETH balance, or its ERC-20 balance).
async fn holdings<M: Middleware + 'static>(
    client: std::sync::Arc<M>,
    rollup: EthAddress,
    t: TokenId,
) -> Result<U256> {
    let (address, _) = Rollup::new(rollup, client.clone())
        .tokens(t.0)
        .call()
        .await?;
    Ok(if t == TokenId::ETH {
        client
            .get_balance(rollup, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
    } else {
        IERC20::new(address, client)
            .balance_of(rollup)
            .call()
            .await?
    })
}

/// Runs the L1-only checks and exits; `reference` is the L2 state at the last executed
/// batch, `activated` whether exodus is already on.
pub async fn exodus_from_l1_alone(
    anvil: &Anvil,
    rollup: EthAddress,
    genesis: &Genesis,
    reference: &mut State,
    leavers: &[Leaver],
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    verify(anvil, rollup, genesis, dir.path()).await?;

    let genesis_path = dir.path().join("genesis.json");
    std::fs::write(&genesis_path, serde_json::to_vec(genesis)?)?;
    let keystore = dir.path().join("keys");
    for l in leavers {
        let key = anvil.keys[l.l1_index].clone();
        let addr: ethers::signers::LocalWallet = key.parse()?;
        let owner = Address(ethers::signers::Signer::address(&addr).0);
        Keystore::new(&keystore).create(l.name, &l.l2, Some((key, owner)))?;
    }
    let rpc = anvil.url.clone();
    let rollup_s = format!("{rollup:?}");
    let genesis_s = genesis_path.display().to_string();
    let keystore_s = keystore.display().to_string();
    let chain_args = |name: &str, mirror: &str| -> Vec<String> {
        vec![
            "--l1-rpc".into(),
            rpc.clone(),
            "--keystore".into(),
            keystore_s.clone(),
            "--key".into(),
            name.into(),
            "--timeout".into(),
            "120".into(),
            "exodus".into(),
            mirror.into(),
            "--rollup".into(),
            rollup_s.clone(),
            "--genesis".into(),
            genesis_s.clone(),
            "--mirror".into(),
            dir.path()
                .join(format!("{name}.sqlite"))
                .display()
                .to_string(),
            "--confirmations".into(),
            "0".into(),
        ]
    };
    let run = |args: Vec<String>| async move {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        quire(&refs).await
    };

    let client = anvil.client(9).await?;
    let r = Rollup::new(rollup, client.clone());
    if !r.exodus_mode().call().await? {
        run(chain_args(leavers[0].name, "activate"))
            .await
            .context("quire exodus activate")?;
    }
    ensure!(r.exodus_mode().call().await?, "exodus is active");
    run(chain_args(leavers[0].name, "status"))
        .await
        .context("quire exodus status")?;

    let mut touched: Vec<TokenId> = Vec::new();
    for l in leavers {
        let owner_client = anvil.client(l.l1_index).await?;
        let owner = Address(owner_client.address().0);
        let account = reference
            .account_id(&l.l2.public_key(), &owner)
            .with_context(|| format!("{}'s account", l.name))?;
        // What the exit must make claimable, in L2 units, per L1 asset.
        let mut expected: BTreeMap<TokenId, u64> = BTreeMap::new();
        let record = reference.account(account).context("record")?.clone();
        for (&t, &balance) in &record.balances {
            if user::is_exited(client.clone(), rollup, account, t).await? {
                continue;
            }
            if t.is_l1_asset() {
                *expected.entry(t).or_default() += balance;
            } else {
                let pool = reference
                    .pools()
                    .values()
                    .find(|p| p.share_token == t)
                    .context("share token's pool")?
                    .clone();
                let (a, b) = amm::remove_liquidity(
                    reference.balance(pool.account, pool.token_a),
                    reference.balance(pool.account, pool.token_b),
                    reference.pool_supply(&pool),
                    balance,
                )?;
                *expected.entry(pool.token_a).or_default() += a;
                *expected.entry(pool.token_b).or_default() += b;
            }
        }
        ensure!(!expected.is_empty(), "{} has something to exit", l.name);
        let mut before = BTreeMap::new();
        for &t in expected.keys() {
            before.insert(
                t,
                user::claimable(client.clone(), rollup, owner_client.address(), t).await?,
            );
        }
        run(chain_args(l.name, "exit"))
            .await
            .with_context(|| format!("quire exodus exit for {}", l.name))?;
        for (&t, &l2) in &expected {
            let (_, scale) = r.tokens(t.0).call().await?;
            let after = user::claimable(client.clone(), rollup, owner_client.address(), t).await?;
            ensure!(
                after - before[&t] == U256::from(l2) * scale,
                "{}: token {t} claimable rose by {} L1 units, its L2 balance is {l2} × {scale}",
                l.name,
                after - before[&t]
            );
            if !touched.contains(&t) {
                touched.push(t);
            }
        }
        for (&t, _) in record.balances.iter().filter(|(t, _)| !t.is_l1_asset()) {
            ensure!(
                user::is_exited(client.clone(), rollup, account, t).await?,
                "{}'s shares {t} exited",
                l.name
            );
        }
        // A second exit finds nothing left.
        let again = run(chain_args(l.name, "exit")).await;
        ensure!(
            again.is_err(),
            "a second exit of {} must be refused",
            l.name
        );
    }
    // The contract holds at least what is claimable of every token, then pays each claim.
    for &t in &touched {
        let (_, claimable) = r.token_totals(t.0).call().await?;
        let held = holdings(client.clone(), rollup, t).await?;
        ensure!(
            held >= claimable,
            "token {t}: holds {held}, owes {claimable}"
        );
    }
    for l in leavers {
        let owner_client = anvil.client(l.l1_index).await?;
        for &t in &touched {
            let due = user::claimable(client.clone(), rollup, owner_client.address(), t).await?;
            if due.is_zero() {
                continue;
            }
            let before = holdings(client.clone(), rollup, t).await?;
            let (paid, _) =
                user::claim(owner_client.clone(), rollup, owner_client.address(), t, 1).await?;
            ensure!(
                paid == due,
                "{}: claim of token {t} paid {paid}, {due} was due",
                l.name
            );
            ensure!(
                holdings(client.clone(), rollup, t).await? == before - due,
                "the claim left the contract with exactly the amount paid"
            );
        }
    }
    Ok(())
}
