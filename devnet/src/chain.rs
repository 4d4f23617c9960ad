//! The devnet's L1 side: toolchain check, the directory, anvil and the deployment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use quire_core::state::Genesis;
use quire_l1::anvil::{Anvil, AnvilOptions};
use quire_l1::bindings::test_doubles::MockERC20;
use quire_l1::convert::from_eth_address;
use quire_l1::{DeployConfig, Deployment, VerifierChoice};

/// Seconds a priority operation may wait before exodus (the contract's minimum: a stalled
/// devnet reaches exodus within the hour, and tests move the clock past it).
pub const PRIORITY_DEADLINE_SECS: u64 = 3600;

/// Wei each devnet deposit and full-exit request pays the operator (account 0): 10^14, a
/// twentieth of the production fee (D16), so the devnet shows the fee without the demo
/// accounts' balances being about it.
pub const PRIORITY_FEE_WEI: u128 = 100_000_000_000_000;

/// The files the devnet owns in its directory.
pub(crate) struct DevnetFiles {
    pub(crate) database: PathBuf,
    pub(crate) deployment: PathBuf,
    pub(crate) genesis: PathBuf,
}

/// Creates the directory and deletes the devnet's own files from a previous run (see the
/// module docs of [`super`] for why a run never reuses them).
pub(crate) fn reset_dir(dir: &Path) -> Result<DevnetFiles> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))?;
    let files = DevnetFiles {
        database: dir.join("quire.db"),
        deployment: dir.join("deployment.json"),
        genesis: dir.join("genesis.json"),
    };
    for name in [
        "quire.db",
        "quire.db-wal",
        "quire.db-shm",
        "deployment.json",
        "genesis.json",
    ] {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => tracing::info!(path = %path.display(), "removed a previous run's file"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", path.display())),
        }
    }
    Ok(files)
}

/// Installs the pinned L1 toolchain (`scripts/install-l1-toolchain.sh`: `npm ci` in
/// `contracts/`, a no-op when already installed) unless `QUIRE_ANVIL` names an anvil.
pub(crate) fn ensure_toolchain() -> Result<()> {
    if std::env::var_os("QUIRE_ANVIL").is_some() {
        return Ok(());
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-l1-toolchain.sh");
    if !script.exists() {
        // A binary moved out of the repository: anvil must then be found via QUIRE_ANVIL.
        if quire_l1::anvil::default_binary().exists() {
            return Ok(());
        }
        bail!(
            "{} not found: run from the repository or set QUIRE_ANVIL",
            script.display()
        );
    }
    let status = std::process::Command::new("bash")
        .arg(&script)
        .status()
        .with_context(|| format!("running {}", script.display()))?;
    if !status.success() {
        bail!("{} failed ({status})", script.display());
    }
    Ok(())
}

/// Starts anvil with a block time, so blocks (and the watcher's confirmations) advance
/// without transactions.
pub(crate) fn start_anvil(port: u16, block_time: u64) -> Result<Anvil> {
    Anvil::start_with(&AnvilOptions {
        port,
        block_time: (block_time > 0).then_some(block_time),
        startup_timeout: Duration::from_secs(60),
        ..AnvilOptions::default()
    })
    .context("starting anvil")
}

/// Deploys the devnet token (`MockERC20`, 6 decimals, a test double that anyone can mint),
/// then the generated `QuireVerifier` and `Rollup` for the devnet genesis with the token's
/// address filled in. anvil account 0 deploys and is the operator.
pub(crate) async fn deploy_contracts(anvil: &Anvil) -> Result<(Deployment, Genesis)> {
    let deployer = super::l1_client(anvil, 0).await?;
    // The devnet genesis (`quire_core::chain`): the generated verifier bakes in its chain
    // id and pools, so the devnet always uses it; its token addresses are placeholders
    // until the tokens are deployed here.
    let mut genesis = quire_core::chain::devnet_genesis()?;
    for token in &mut genesis.tokens {
        let contract = MockERC20::deploy(
            deployer.clone(),
            (format!("{} (devnet)", token.symbol), 6u8),
        )
        .context("MockERC20 deployer")?
        .send()
        .await
        .with_context(|| format!("deploying the devnet {} token", token.symbol))?;
        token.l1_address = from_eth_address(contract.address());
        tracing::info!(symbol = %token.symbol, address = ?contract.address(), "deployed devnet token");
    }
    // No explicit operators: the deployer (account 0) is the operator the sequencer
    // commits with; `proveBatch` is open to anyone.
    let mut cfg = DeployConfig::from_genesis(
        &genesis,
        VerifierChoice::DeployQuireVerifier,
        PRIORITY_DEADLINE_SECS,
    );
    cfg.priority_fee_wei = PRIORITY_FEE_WEI;
    let deployment = quire_l1::deploy(deployer, &cfg)
        .await
        .context("deploying the contracts")?;
    Ok((deployment, genesis))
}

/// Writes the genesis the sequencer reads.
pub(crate) fn save_genesis(genesis: &Genesis, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(genesis).context("encoding the genesis")?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
}
