//! A local test chain: anvil with the forge TEST DOUBLES and the rollup deployed on it.
//!
//! The L1 tests of quire-l1, the sequencer, the prover and the CLI all need the same
//! starting point (anvil, the `TestBatchVerifier` double, usually a `MockERC20`, a genesis
//! holding that token, and `Rollup` deployed for that genesis); this module is that setup,
//! written once so the callers cannot drift apart. Only with the `test-doubles` feature:
//! the verifier double accepts proofs anyone can compute and must never reach a deployment.
//!
//! ```ignore
//! let chain = TestChain::builder().operator(key.public_key()).start().await?;
//! let deployment_file = chain.save_deployment(dir)?;
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, BlockNumber};
use quire_core::account::Address;
use quire_core::schnorr::{PublicKey, SecretKey};
use quire_core::state::Genesis;
use quire_core::token::{TokenId, TokenInfo};

use crate::anvil::Anvil;
use crate::bindings::test_doubles::{MockERC20, TestBatchVerifier};
use crate::{DeployConfig, Deployment, L1Error, VerifierChoice};

/// The L2 chain id of the test genesis unless [`TestChainBuilder::chain_id`] says otherwise.
pub const TEST_CHAIN_ID: u32 = 7;

/// Scale of the mock token in the test genesis: it has 18 decimals and one L2 unit is
/// 10^9 of its base units, as ETH's gwei.
pub const MOCK_TOKEN_SCALE: u128 = 1_000_000_000;

/// The rollup's priority-operation deadline in the test deployment: the shortest the
/// contract accepts (one hour), so no test waits on it by accident.
pub const PRIORITY_DEADLINE_SECS: u64 = 3600;

/// Seed of the operator's L2 key unless [`TestChainBuilder::operator`] names another.
pub const DEFAULT_OPERATOR_SEED: &[u8] = b"operator";

/// What differs between the callers of [`TestChain`]; everything else is fixed.
#[derive(Clone, Debug)]
pub struct TestChainBuilder {
    chain_id: u32,
    operator: PublicKey,
    mock_token: bool,
    priority_deadline_secs: u64,
    priority_fee_wei: u128,
}

/// The priority fee of test deployments (wei): nonzero, so every test pays it as production
/// does, and small beside the amounts tests move.
pub const TEST_PRIORITY_FEE_WEI: u128 = 1_000_000_000_000;

impl Default for TestChainBuilder {
    fn default() -> Self {
        Self {
            chain_id: TEST_CHAIN_ID,
            operator: SecretKey::from_seed(DEFAULT_OPERATOR_SEED).public_key(),
            mock_token: true,
            priority_deadline_secs: PRIORITY_DEADLINE_SECS,
            priority_fee_wei: TEST_PRIORITY_FEE_WEI,
        }
    }
}

impl TestChainBuilder {
    /// The genesis' L2 chain id (default [`TEST_CHAIN_ID`]).
    pub fn chain_id(mut self, chain_id: u32) -> Self {
        self.chain_id = chain_id;
        self
    }

    /// The operator's L2 key, owner of the fee account (default: the key of
    /// [`DEFAULT_OPERATOR_SEED`]).
    pub fn operator(mut self, key: PublicKey) -> Self {
        self.operator = key;
        self
    }

    /// No mock ERC-20: the genesis holds ETH only and [`TestChain::token`] is `None`.
    /// Tests that never touch a token skip its deployment, so their chain is the one they
    /// were written against.
    pub fn without_token(mut self) -> Self {
        self.mock_token = false;
        self
    }

    /// The rollup's priority-operation deadline (default [`PRIORITY_DEADLINE_SECS`]).
    pub fn priority_deadline_secs(mut self, secs: u64) -> Self {
        self.priority_deadline_secs = secs;
        self
    }

    /// The rollup's priority fee (default [`TEST_PRIORITY_FEE_WEI`]).
    pub fn priority_fee_wei(mut self, wei: u128) -> Self {
        self.priority_fee_wei = wei;
        self
    }

    /// Starts anvil and deploys, from anvil's funded account 0: the `TestBatchVerifier`
    /// double, the mock ERC-20 `"Mock"` (18 decimals) unless [`Self::without_token`], then
    /// `Rollup` for a genesis holding that token as id 1 (`"MOCK"`, scale
    /// [`MOCK_TOKEN_SCALE`]) with account 0 as its L1 operator and governance.
    pub async fn start(self) -> Result<TestChain, L1Error> {
        let anvil = Arc::new(Anvil::start()?);
        let client = anvil.client(0).await?;
        let verifier = TestBatchVerifier::deploy(client.clone(), ())
            .map_err(L1Error::contract)?
            .send()
            .await
            .map_err(L1Error::contract)?
            .address();
        let token = if self.mock_token {
            let token = MockERC20::deploy(client.clone(), ("Mock".to_string(), 18u8))
                .map_err(L1Error::contract)?
                .send()
                .await
                .map_err(L1Error::contract)?
                .address();
            Some(token)
        } else {
            None
        };
        let genesis = Genesis {
            chain_id: self.chain_id,
            operator: self.operator,
            operator_l1: Address(client.address().0),
            tokens: token
                .iter()
                .map(|t| TokenInfo {
                    id: TokenId(1),
                    symbol: "MOCK".into(),
                    l1_address: Address(t.0),
                    scale: MOCK_TOKEN_SCALE,
                })
                .collect(),
            pools: vec![],
        };
        let mut cfg = DeployConfig::from_genesis(
            &genesis,
            VerifierChoice::Existing(verifier),
            self.priority_deadline_secs,
        );
        cfg.priority_fee_wei = self.priority_fee_wei;
        let deployment = crate::deploy(client, &cfg).await?;
        Ok(TestChain {
            anvil,
            genesis,
            deployment,
            verifier,
            token,
        })
    }
}

/// A running anvil with the test doubles and the rollup deployed (see [`TestChainBuilder`]).
/// anvil is killed when the last clone of [`Self::anvil`] is dropped.
pub struct TestChain {
    /// The node; shared, so a background task (e.g. [`Self::spawn_miner`]) can use it too.
    pub anvil: Arc<Anvil>,
    /// The genesis the rollup was deployed for (what the sequencer must start from).
    pub genesis: Genesis,
    /// The deployed rollup.
    pub deployment: Deployment,
    /// The `TestBatchVerifier` double the rollup is bound to.
    pub verifier: EthAddress,
    /// The mock ERC-20 (token id 1), unless the chain was built
    /// [`without_token`](TestChainBuilder::without_token).
    pub token: Option<EthAddress>,
}

impl TestChain {
    /// The builder, for callers that differ from the defaults.
    pub fn builder() -> TestChainBuilder {
        TestChainBuilder::default()
    }

    /// A chain with every default (see [`TestChainBuilder::start`]).
    pub async fn start() -> Result<TestChain, L1Error> {
        Self::builder().start().await
    }

    /// Writes the deployment file services read to `dir/deployment.json`; returns its path.
    pub fn save_deployment(&self, dir: &Path) -> Result<PathBuf, L1Error> {
        let path = dir.join("deployment.json");
        self.deployment.save(&path)?;
        Ok(path)
    }

    /// Writes the genesis (JSON) to `dir/genesis.json`; returns its path.
    pub fn save_genesis(&self, dir: &Path) -> Result<PathBuf, L1Error> {
        let path = dir.join("genesis.json");
        let json = serde_json::to_vec(&self.genesis).map_err(|source| L1Error::Json {
            path: path.display().to_string(),
            source,
        })?;
        std::fs::write(&path, json).map_err(|source| L1Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(path)
    }

    /// Mines a block every `every` until the returned guard is dropped: anvil only mines
    /// on transactions, and watchers waiting for a confirmation depth need blocks to keep
    /// coming. Errors are ignored (the node may already be gone at shutdown).
    pub fn spawn_miner(&self, every: Duration) -> Miner {
        let anvil = Arc::clone(&self.anvil);
        Miner(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let _ = anvil.mine(1).await;
            }
        }))
    }
}

/// The background miner of [`TestChain::spawn_miner`]; stops when dropped.
pub struct Miner(tokio::task::JoinHandle<()>);

impl Drop for Miner {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The timestamp of the node's latest block: a batch header committed now may carry it
/// (the rollup refuses a header timestamp later than the block that commits it).
pub async fn latest_timestamp<M: Middleware>(client: &M) -> Result<u64, L1Error> {
    let block = client
        .get_block(BlockNumber::Latest)
        .await
        .map_err(L1Error::rpc)?
        .ok_or_else(|| L1Error::Rpc("the node has no latest block".into()))?;
    Ok(block.timestamp.as_u64())
}
