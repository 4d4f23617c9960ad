//! The flags every command sees, and what the wallet commands derive from them.
//!
//! One place turns flags into a keystore, a sequencer connection, an L1 wallet or a
//! deadline, so that every command reads `--keystore`, `--l1-rpc`, `--timeout`, … the
//! same way and refuses a missing L1 flag with the same message.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::wallet::error::{Result, WalletError};
use crate::wallet::keystore::{Key, Keystore};
use crate::wallet::l1::L1Wallet;
use crate::wallet::l2::Wallet;
use crate::wallet::wait::Progress;

/// Flags shared by every wallet command.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The sequencer's HTTP API.
    #[arg(
        long,
        global = true,
        env = "QUIRE_SEQUENCER_URL",
        default_value = "http://127.0.0.1:3030"
    )]
    pub sequencer_url: String,
    /// L1 JSON-RPC endpoint (deposits, exits, claims; ERC-20 decimals).
    #[arg(long, global = true, env = "QUIRE_L1_RPC")]
    pub l1_rpc: Option<String>,
    /// The deployment file written by `quire-l1-deploy` / `quire-devnet`.
    #[arg(long, global = true, env = "QUIRE_DEPLOYMENT")]
    pub deployment: Option<PathBuf>,
    /// Directory of key files [default: ~/.quire/keys].
    #[arg(long, global = true, env = "QUIRE_KEYSTORE")]
    pub keystore: Option<PathBuf>,
    /// Name of the key to use.
    #[arg(long, global = true, env = "QUIRE_KEY", default_value = "default")]
    pub key: String,
    /// Amounts are integers in L2 units instead of decimals in the token's units.
    #[arg(long, global = true, env = "QUIRE_RAW_AMOUNTS")]
    pub raw_amounts: bool,
    /// Longest `--wait`, in seconds.
    #[arg(long, global = true, env = "QUIRE_WAIT_TIMEOUT", default_value_t = 600)]
    pub timeout: u64,
    /// No progress display.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

impl Global {
    /// The key directory: `--keystore`, else `~/.quire/keys`.
    pub(crate) fn keystore(&self) -> Keystore {
        Keystore::new(self.keystore.clone().unwrap_or_else(Keystore::default_dir))
    }

    /// Loads the key named by `--key`.
    pub(crate) fn load_key(&self) -> Result<Key> {
        self.keystore().load(&self.key)
    }

    /// How waits report progress on stderr (nothing with `--quiet`).
    pub(crate) fn progress(&self) -> Progress {
        if self.quiet {
            Progress::Quiet
        } else {
            Progress::auto()
        }
    }

    /// `--timeout`, the bound on every wait.
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }

    /// A connection to the sequencer (and, with `--l1-rpc`, ERC-20 decimals).
    pub(crate) async fn wallet(&self) -> Result<Wallet> {
        Wallet::connect(
            &self.sequencer_url,
            self.l1_rpc.as_deref(),
            self.raw_amounts,
        )
        .await
    }

    /// A client of the sequencer's API alone, for commands that only read or wait.
    pub(crate) fn sequencer(&self) -> Result<quire_api::Client> {
        Ok(quire_api::Client::new(&self.sequencer_url)?)
    }

    /// `--l1-rpc`, which every L1 command needs.
    pub(crate) fn l1_rpc(&self) -> Result<&str> {
        self.l1_rpc
            .as_deref()
            .ok_or_else(|| WalletError::invalid("--l1-rpc", "required for L1 commands"))
    }

    /// `--l1-rpc` and `--deployment`, which the L1 commands cannot do without.
    fn l1_config(&self) -> Result<(&str, &Path)> {
        let rpc = self.l1_rpc()?;
        let dep = self
            .deployment
            .as_deref()
            .ok_or_else(|| WalletError::invalid("--deployment", "required for L1 commands"))?;
        Ok((rpc, dep))
    }

    /// `key`'s wallet on L1 (its L1 key signs), at the deployment's Rollup contract.
    pub(crate) async fn l1(&self, key: &Key) -> Result<L1Wallet> {
        let (rpc, dep) = self.l1_config()?;
        L1Wallet::connect(rpc, dep, key).await
    }

    /// A signing client of `--l1-rpc` with the key's L1 key, for commands that need no
    /// deployment file (exodus: the rollup's address comes from `--rollup`).
    pub(crate) async fn l1_signer(&self, key: &Key) -> Result<std::sync::Arc<quire_l1::L1Client>> {
        crate::wallet::l1::signer(self.l1_rpc()?, key).await
    }

    /// Bounds an L1 transaction's wait for its receipt by `--timeout` (a chain that stops
    /// mining would otherwise hold the command forever).
    pub(crate) async fn l1_deadline<T>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        match tokio::time::timeout(self.timeout(), fut).await {
            Ok(r) => r,
            Err(_) => Err(WalletError::Timeout {
                target: what.into(),
                last: "sent, not yet mined (it may still be mined later)".into(),
                after: self.timeout(),
            }),
        }
    }
}
