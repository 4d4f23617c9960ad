//! A local L1: anvil, started on a port the OS picks and killed when dropped.
//!
//! Used by `quire-devnet` and by every test that needs a real EVM. anvil comes from the npm
//! registry (`@foundry-rs/anvil`, pinned in `contracts/package-lock.json`); the native binary
//! under `contracts/node_modules/.bin/` is started directly rather than through `npx`, so a
//! signal sent to the child reaches anvil itself.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use ethers::providers::{Http, Provider};
use ethers::types::{U256, U64};

use crate::{L1Client, L1Error};

/// Where the pinned anvil lives in this repository (`contracts/node_modules/.bin/anvil`),
/// unless `QUIRE_ANVIL` names another binary.
pub fn default_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("QUIRE_ANVIL") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/node_modules/.bin/anvil")
}

/// Options of [`Anvil::start_with`].
#[derive(Clone, Debug)]
pub struct AnvilOptions {
    /// The anvil binary.
    pub binary: PathBuf,
    /// Port to listen on (0: the OS picks one).
    pub port: u16,
    /// Seconds between blocks (`--block-time`); `None` mines a block per transaction.
    pub block_time: Option<u64>,
    /// How long to wait for anvil to report its address.
    pub startup_timeout: Duration,
}

impl Default for AnvilOptions {
    fn default() -> Self {
        Self {
            binary: default_binary(),
            port: 0,
            block_time: None,
            startup_timeout: Duration::from_secs(60),
        }
    }
}

/// A running anvil, killed on drop.
pub struct Anvil {
    child: Child,
    /// The HTTP endpoint.
    pub url: String,
    /// Private keys (hex, `0x…`) of the funded accounts anvil printed (10,000 ETH each).
    pub keys: Vec<String>,
}

impl Anvil {
    /// Starts anvil with default options.
    pub fn start() -> Result<Anvil, L1Error> {
        Self::start_with(&AnvilOptions::default())
    }

    /// Starts anvil and waits until it listens.
    pub fn start_with(opts: &AnvilOptions) -> Result<Anvil, L1Error> {
        if !opts.binary.exists() {
            return Err(L1Error::Config(format!(
                "{} is missing: run scripts/install-l1-toolchain.sh (or set QUIRE_ANVIL)",
                opts.binary.display()
            )));
        }
        let port = opts.port.to_string();
        let mut cmd = Command::new(&opts.binary);
        cmd.args(["--port", &port, "--host", "127.0.0.1"]);
        if let Some(t) = opts.block_time {
            cmd.args(["--block-time", &t.to_string()]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| L1Error::Config(format!("starting {}: {e}", opts.binary.display())))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(L1Error::Config("anvil has no stdout".into()));
        };
        let (tx, rx) = std::sync::mpsc::channel();
        // Read the funded keys and the address from the banner, then keep draining stdout:
        // anvil logs every request, and a full pipe would block it.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            let (mut keys, mut in_keys) = (Vec::new(), false);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.starts_with("Private Keys") {
                    in_keys = true;
                } else if in_keys && line.starts_with('(') {
                    if let Some(k) = line.split_whitespace().nth(1) {
                        keys.push(k.to_string());
                    }
                } else if in_keys && line.starts_with("Wallet") {
                    in_keys = false;
                }
                if let Some(addr) = line.strip_prefix("Listening on ") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send((addr.trim().to_string(), std::mem::take(&mut keys)));
                    }
                }
            }
        });
        let (addr, keys) = match rx.recv_timeout(opts.startup_timeout) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(L1Error::Config(
                    "anvil did not report its address in time".into(),
                ));
            }
        };
        if keys.is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(L1Error::Config("anvil printed no funded keys".into()));
        }
        Ok(Anvil {
            child,
            url: format!("http://{addr}"),
            keys,
        })
    }

    /// A signing client for funded account `i`.
    pub async fn client(&self, i: usize) -> Result<Arc<L1Client>, L1Error> {
        let key = self
            .keys
            .get(i)
            .ok_or_else(|| L1Error::Config(format!("anvil has no funded account {i}")))?;
        crate::connect(&self.url, key, Duration::from_millis(50)).await
    }

    fn provider(&self) -> Result<Provider<Http>, L1Error> {
        Provider::try_from(self.url.as_str()).map_err(L1Error::rpc)
    }

    /// Mines `n` blocks.
    pub async fn mine(&self, n: u64) -> Result<(), L1Error> {
        let _: serde_json::Value = self
            .provider()?
            .request("anvil_mine", (U64::from(n),))
            .await
            .map_err(L1Error::rpc)?;
        Ok(())
    }

    /// Moves the chain's clock forward by `secs` (applies from the next block).
    pub async fn increase_time(&self, secs: u64) -> Result<(), L1Error> {
        let _: serde_json::Value = self
            .provider()?
            .request("evm_increaseTime", (U64::from(secs),))
            .await
            .map_err(L1Error::rpc)?;
        Ok(())
    }

    /// Turns automining on or off.
    pub async fn set_automine(&self, on: bool) -> Result<(), L1Error> {
        let _: serde_json::Value = self
            .provider()?
            .request("evm_setAutomine", (on,))
            .await
            .map_err(L1Error::rpc)?;
        Ok(())
    }

    /// Takes a snapshot of the chain; returns its id.
    pub async fn snapshot(&self) -> Result<U256, L1Error> {
        self.provider()?
            .request("evm_snapshot", ())
            .await
            .map_err(L1Error::rpc)
    }

    /// Reverts the chain to a snapshot (drops every later block).
    pub async fn revert(&self, id: U256) -> Result<(), L1Error> {
        let ok: bool = self
            .provider()?
            .request("evm_revert", (id,))
            .await
            .map_err(L1Error::rpc)?;
        if ok {
            Ok(())
        } else {
            Err(L1Error::Config(format!("evm_revert({id}) failed")))
        }
    }

    /// Stops anvil now (also done on drop).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        self.stop();
    }
}
