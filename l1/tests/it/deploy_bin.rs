//! The `quire-l1-deploy` binary against a real anvil, with the example genesis from
//! `deploy/genesis.example.json` (which this test also keeps valid: with
//! `QUIRE_L1_WRITE_EXAMPLE=1` it rewrites the file from the definition below).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use ethers::providers::Middleware;
use quire_core::account::Address;
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, PoolSpec, State};
use quire_core::token::{TokenId, TokenInfo};
use quire_l1::bindings::rollup::Rollup;
use quire_l1::bindings::test_doubles::TestBatchVerifier;
use quire_l1::Deployment;

fn example_genesis() -> Genesis {
    Genesis {
        chain_id: 0x5155_4952, // "QUIR"
        // Replace with your operator's key (`quire keygen`); this one's secret is public.
        operator: SecretKey::from_seed(b"quire example operator: replace me").public_key(),
        operator_l1: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
            .parse()
            .unwrap(),
        tokens: vec![TokenInfo {
            id: TokenId(1),
            symbol: "USDC".into(),
            // Replace with the token's address on your L1.
            l1_address: Address([0x11; 20]),
            scale: 1, // 6 decimals: one L2 unit = 10^-6 USDC
        }],
        pools: vec![PoolSpec {
            token_a: TokenId::ETH,
            token_b: TokenId(1),
            fee_bps: 30,
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_bin_deploys_the_example_genesis() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = root.join("deploy/genesis.example.json");
    let genesis = example_genesis();
    if std::env::var("QUIRE_L1_WRITE_EXAMPLE").is_ok_and(|v| v == "1") {
        let mut s = serde_json::to_string_pretty(&genesis).unwrap();
        s.push('\n');
        std::fs::write(&example, s).unwrap();
    }
    let committed: Genesis =
        serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
    assert_eq!(
        committed, genesis,
        "deploy/genesis.example.json differs from its definition"
    );

    let anvil = common::Anvil::start();
    let client = anvil.client(0).await;
    let verifier = TestBatchVerifier::deploy(client.clone(), ())
        .unwrap()
        .send()
        .await
        .unwrap()
        .address();
    let out = std::env::temp_dir().join(format!(
        "quire-l1-bin-{}/deployment.json",
        std::process::id()
    ));
    let status = Command::new(env!("CARGO_BIN_EXE_quire-l1-deploy"))
        .args(["--rpc-url", &anvil.url, "--genesis"])
        .arg(&example)
        .args([
            "--verifier",
            &format!("{verifier:?}"),
            "--priority-deadline-secs",
            "86400",
            "--out",
        ])
        .arg(&out)
        .env("QUIRE_L1_PRIVATE_KEY", &anvil.keys[0])
        .status()
        .unwrap();
    assert!(status.success());

    let d = Deployment::load(&out).unwrap();
    std::fs::remove_dir_all(out.parent().unwrap()).unwrap();
    let mut state = State::genesis(&genesis).unwrap();
    assert_eq!(d.genesis_root.0, state.root().to_l1_bytes32());
    assert_eq!(d.verifier, verifier);
    assert_eq!(d.priority_deadline_secs, 86400);
    assert_eq!(d.tokens.len(), 2);
    assert_eq!(d.tokens[1].symbol, "USDC");
    let rollup = Rollup::new(d.rollup, client.clone());
    assert_eq!(rollup.priority_deadline().call().await.unwrap(), 86400);
    // No --priority-fee-wei: the production default (D16), paid to the deployer (no
    // --operator, no --fee-recipient).
    let fee = quire_l1::flood::PRODUCTION_PRIORITY_FEE_WEI;
    assert_eq!(d.priority_fee_wei, fee.to_string());
    assert_eq!(rollup.priority_fee().call().await.unwrap(), fee.into());
    assert_eq!(
        rollup.fee_recipient().call().await.unwrap(),
        client.address()
    );
    assert_eq!(d.fee_recipient, client.address());
    assert_eq!(rollup.token_count().call().await.unwrap(), 2);
    assert!(!client.get_code(d.rollup, None).await.unwrap().is_empty());

    // Gas of the deployment (rollup, operator, token), for the guide's estimate.
    let head = client.get_block_number().await.unwrap().as_u64();
    let mut gas = ethers::types::U256::zero();
    for n in d.block_number..=head {
        gas += client.get_block(n).await.unwrap().unwrap().gas_used;
    }
    println!("deployment_gas={gas} (rollup + setOperator + 1 registerToken)");
    assert!(
        gas > 1_000_000u64.into() && gas < 16_000_000u64.into(),
        "{gas}"
    );

    // Without a verifier choice the binary refuses to deploy.
    let status = Command::new(env!("CARGO_BIN_EXE_quire-l1-deploy"))
        .args(["--rpc-url", &anvil.url, "--genesis"])
        .arg(&example)
        .env("QUIRE_L1_PRIVATE_KEY", &anvil.keys[0])
        .output()
        .unwrap();
    assert!(!status.status.success());
    assert!(String::from_utf8_lossy(&status.stderr).contains("--verifier"));
}
