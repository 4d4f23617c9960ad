//! Which rollup to read and how: the flags `quire exodus …` and `quire-verifier` share, and
//! their resolution (each of `--rollup`, `--genesis` and the batch shape defaults to the
//! `--deployment` file's).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use ethers::providers::{Http, Provider};
use ethers::types::Address as EthAddress;
use quire_core::chain::BatchShape;
use quire_core::state::Genesis;
use quire_l1::Deployment;

use crate::error::ChainError;
use crate::mirror::{Mirror, MirrorConfig};

/// The flags naming a rollup and how to mirror it.
#[derive(Args, Debug, Clone)]
pub struct ChainArgs {
    /// The Rollup contract [default: the --deployment file's].
    #[arg(long, env = "QUIRE_ROLLUP")]
    pub rollup: Option<String>,
    /// The L2 genesis file (JSON); its root must be the rollup's [default: the
    /// --deployment file's].
    #[arg(long, env = "QUIRE_GENESIS")]
    pub genesis: Option<PathBuf>,
    /// The local mirror of the chain [default: ~/.quire/chain/<rollup>.sqlite].
    #[arg(long, env = "QUIRE_MIRROR")]
    pub mirror: Option<PathBuf>,
    /// Blocks on top of a block before it is read.
    #[arg(long, default_value_t = MirrorConfig::default().confirmations)]
    pub confirmations: u64,
    /// Most blocks per `eth_getLogs` (RPC providers cap ranges).
    #[arg(long, default_value_t = MirrorConfig::default().page_blocks)]
    pub page_blocks: u64,
}

/// A flag that does not resolve.
#[derive(Debug, thiserror::Error)]
#[error("{flag}: {message}")]
pub struct FlagError {
    /// The flag at fault.
    pub flag: &'static str,
    /// Why.
    pub message: String,
}

fn flag(flag: &'static str, message: impl Into<String>) -> FlagError {
    FlagError {
        flag,
        message: message.into(),
    }
}

/// A resolved chain to read.
#[derive(Clone, Debug)]
pub struct ChainSource {
    /// The rollup contract.
    pub rollup: EthAddress,
    /// The L2 genesis (its root must be the rollup's).
    pub genesis: Genesis,
    /// The batch shape (the deployment's, else the devnet's).
    pub shape: BatchShape,
    /// The mirror file.
    pub mirror: PathBuf,
    /// Confirmations and page size.
    pub cfg: MirrorConfig,
}

/// `~/.quire/chain/<rollup>.sqlite`: one mirror file per rollup.
pub fn default_mirror(rollup: EthAddress) -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".quire")
        .join("chain")
        .join(format!("{rollup:?}.sqlite"))
}

impl ChainArgs {
    /// Resolves the flags, with `deployment` (the `--deployment` file) for defaults.
    pub fn resolve(&self, deployment: Option<&Path>) -> Result<ChainSource, FlagError> {
        let dep = deployment
            .map(|p| Deployment::load(p).map_err(|e| flag("--deployment", e.to_string())))
            .transpose()?;
        let rollup = match (&self.rollup, &dep) {
            (Some(s), _) => s
                .trim()
                .parse::<EthAddress>()
                .map_err(|e| flag("--rollup", format!("{s:?}: {e}")))?,
            (None, Some(d)) => d.rollup,
            (None, None) => return Err(flag("--rollup", "required (or --deployment)")),
        };
        let shape = dep.as_ref().and_then(|d| d.batch_shape).unwrap_or_default();
        let genesis = match (&self.genesis, dep.and_then(|d| d.genesis)) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| flag("--genesis", format!("{}: {e}", path.display())))?;
                serde_json::from_str(&text)
                    .map_err(|e| flag("--genesis", format!("{}: {e}", path.display())))?
            }
            (None, Some(g)) => g,
            (None, None) => {
                return Err(flag(
                    "--genesis",
                    "required (or a --deployment file that records its genesis)",
                ))
            }
        };
        let mirror = self
            .mirror
            .clone()
            .unwrap_or_else(|| default_mirror(rollup));
        if let Some(dir) = mirror.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| flag("--mirror", format!("{}: {e}", dir.display())))?;
        }
        Ok(ChainSource {
            rollup,
            genesis,
            shape,
            mirror,
            cfg: MirrorConfig {
                confirmations: self.confirmations,
                page_blocks: self.page_blocks.max(1),
            },
        })
    }
}

impl ChainSource {
    /// A read-only connection to `rpc`.
    pub fn provider(rpc: &str) -> Result<Arc<Provider<Http>>, ChainError> {
        Ok(Arc::new(quire_l1::client::provider(
            rpc,
            Duration::from_millis(200),
        )?))
    }

    /// Opens the mirror and reads L1 up to its safe head.
    pub async fn sync(&self, rpc: &str) -> Result<Mirror<Provider<Http>>, ChainError> {
        let mirror =
            Mirror::open(Self::provider(rpc)?, self.rollup, &self.mirror, self.cfg).await?;
        mirror.sync().await?;
        Ok(mirror)
    }
}
