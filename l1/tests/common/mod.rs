//! Shared test support: a real anvil on a random port, killed when dropped, and helpers to
//! deploy the contracts with the test doubles.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;

use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, U256};
use quire_core::account::Address;
use quire_core::schnorr::SecretKey;
use quire_core::state::Genesis;
use quire_core::token::{TokenId, TokenInfo};
use quire_l1::bindings::test_doubles::{MockERC20, TestBatchVerifier};
use quire_l1::{DeployConfig, Deployment, L1Client, VerifierChoice};

/// A running anvil, killed on drop: `quire_l1::anvil::Anvil` with panicking helpers.
pub struct Anvil(pub quire_l1::anvil::Anvil);

impl std::ops::Deref for Anvil {
    type Target = quire_l1::anvil::Anvil;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Anvil {
    /// Starts anvil on a port the OS picks.
    pub fn start() -> Anvil {
        Anvil(quire_l1::anvil::Anvil::start().expect("start anvil"))
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
