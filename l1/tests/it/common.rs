//! Shared test support: a real anvil on a random port, killed when dropped, and helpers to
//! deploy the contracts with the test doubles.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;

use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, U256};
use quire_core::schnorr::SecretKey;
use quire_l1::test_chain::TestChain;
use quire_l1::{Deployment, L1Client};

/// A running anvil, killed on drop: `quire_l1::anvil::Anvil` with panicking helpers.
pub struct Anvil(pub Arc<quire_l1::anvil::Anvil>);

impl std::ops::Deref for Anvil {
    type Target = quire_l1::anvil::Anvil;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Anvil {
    /// Starts anvil on a port the OS picks.
    pub fn start() -> Anvil {
        Anvil(Arc::new(
            quire_l1::anvil::Anvil::start().expect("start anvil"),
        ))
    }

    /// A signing client for default account `i`.
    pub async fn client(&self, i: usize) -> Arc<L1Client> {
        self.0.client(i).await.expect("connect")
    }

    /// Mines `n` blocks.
    pub async fn mine(&self, n: u64) {
        self.0.mine(n).await.unwrap()
    }

    /// Turns automining on or off.
    pub async fn set_automine(&self, on: bool) {
        self.0.set_automine(on).await.unwrap()
    }

    /// Takes a snapshot of the chain; returns its id.
    pub async fn snapshot(&self) -> U256 {
        self.0.snapshot().await.unwrap()
    }

    /// Reverts the chain to a snapshot (drops every later block).
    pub async fn revert(&self, id: U256) {
        self.0.revert(id).await.unwrap()
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
pub const TOKEN_SCALE: u128 = quire_l1::test_chain::MOCK_TOKEN_SCALE;

/// The shared test chain (`quire_l1::test_chain`) with its defaults: anvil, the TEST
/// verifier double and a mock ERC-20 (account 0 deploys), then the rollup for a genesis
/// holding that token as id 1, with account 0 as governance and operator.
pub async fn setup() -> Setup {
    let chain = TestChain::start().await.expect("test chain");
    Setup {
        anvil: Anvil(chain.anvil),
        deployment: chain.deployment,
        token: chain.token.expect("the default test chain has a token"),
        verifier: chain.verifier,
    }
}

/// The node's latest block number.
pub async fn head(client: &L1Client) -> u64 {
    client.get_block_number().await.unwrap().as_u64()
}
