//! Shared test support: a real anvil on a random port, killed when dropped, and helpers to
//! deploy the contracts with the test doubles.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use ethers::providers::{Middleware, Provider};
use ethers::types::{Address as EthAddress, U256, U64};
use quire_core::account::Address;
use quire_core::schnorr::SecretKey;
use quire_core::state::Genesis;
use quire_core::token::{TokenId, TokenInfo};
use quire_l1::bindings::test_doubles::{MockERC20, TestBatchVerifier};
use quire_l1::{DeployConfig, Deployment, L1Client, VerifierChoice};

/// A running anvil, killed on drop.
pub struct Anvil {
    child: Child,
    /// The HTTP endpoint.
    pub url: String,
    /// Private keys of the funded accounts anvil printed (10,000 ETH each).
    pub keys: Vec<String>,
}

impl Anvil {
    /// Starts `contracts/node_modules/.bin/anvil` (the native binary: a signal to it reaches
    /// anvil, unlike `npx anvil`) on a port the OS picks.
    pub fn start() -> Anvil {
        let bin =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contracts/node_modules/.bin/anvil");
        assert!(
            bin.exists(),
            "{} is missing: run scripts/install-l1-toolchain.sh",
            bin.display()
        );
        let mut child = Command::new(&bin)
            .args(["--port", "0", "--host", "127.0.0.1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn anvil");
        let stdout = child.stdout.take().expect("anvil stdout");
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
        let (addr, keys) = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("anvil did not report its address");
            }
        };
        assert!(keys.len() >= 4, "anvil printed {} keys", keys.len());
        Anvil {
            child,
            url: format!("http://{addr}"),
            keys,
        }
    }

    /// A signing client for default account `i`.
    pub async fn client(&self, i: usize) -> Arc<L1Client> {
        quire_l1::connect(&self.url, &self.keys[i], Duration::from_millis(50))
            .await
            .expect("connect")
    }

    /// Mines `n` blocks.
    pub async fn mine(&self, n: u64) {
        let p = Provider::try_from(self.url.as_str()).unwrap();
        let _: serde_json::Value = p.request("anvil_mine", (U64::from(n),)).await.unwrap();
    }

    /// Turns automining on or off.
    pub async fn set_automine(&self, on: bool) {
        let p = Provider::try_from(self.url.as_str()).unwrap();
        let _: serde_json::Value = p.request("evm_setAutomine", (on,)).await.unwrap();
    }

    /// Takes a snapshot of the chain; returns its id.
    pub async fn snapshot(&self) -> U256 {
        let p = Provider::try_from(self.url.as_str()).unwrap();
        p.request("evm_snapshot", ()).await.unwrap()
    }

    /// Reverts the chain to a snapshot (drops every later block).
    pub async fn revert(&self, id: U256) {
        let p = Provider::try_from(self.url.as_str()).unwrap();
        let ok: bool = p.request("evm_revert", (id,)).await.unwrap();
        assert!(ok, "evm_revert failed");
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An L2 key derived from a seed.
pub fn l2_key(seed: &str) -> SecretKey {
    SecretKey::from_seed(seed.as_bytes())
}

/// What `setup` deployed.
pub struct Setup {
    pub anvil: Anvil,
    pub deployment: Deployment,
    pub token: EthAddress,
    pub verifier: EthAddress,
}

/// ERC-20 scale used by the tests: 18 decimals, L2 unit = 1 gwei-equivalent.
pub const TOKEN_SCALE: u128 = 1_000_000_000;

/// Starts anvil, deploys the TEST verifier double and a mock ERC-20 (account 0 deploys),
/// then the rollup for a genesis holding that token as id 1, with account 0 as governance
/// and operator.
pub async fn setup() -> Setup {
    let anvil = Anvil::start();
    let client = anvil.client(0).await;
    let verifier = TestBatchVerifier::deploy(client.clone(), ())
        .unwrap()
        .send()
        .await
        .unwrap()
        .address();
    let token = MockERC20::deploy(client.clone(), ("Mock".to_string(), 18u8))
        .unwrap()
        .send()
        .await
        .unwrap()
        .address();
    let genesis = Genesis {
        chain_id: 7,
        operator: l2_key("operator").public_key(),
        operator_l1: Address(client.address().0),
        tokens: vec![TokenInfo {
            id: TokenId(1),
            symbol: "MOCK".into(),
            l1_address: Address(token.0),
            scale: TOKEN_SCALE,
        }],
        pools: vec![],
    };
    let cfg =
        DeployConfig::from_genesis(&genesis, VerifierChoice::Existing(verifier), 3600).unwrap();
    let deployment = quire_l1::deploy(client, &cfg).await.unwrap();
    Setup {
        anvil,
        deployment,
        token,
        verifier,
    }
}

/// The node's latest block number.
pub async fn head(client: &L1Client) -> u64 {
    client.get_block_number().await.unwrap().as_u64()
}
