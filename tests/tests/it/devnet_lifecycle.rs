//! `quire-devnet`'s lifecycle without proofs: the files it writes, a second run resetting
//! the directory to a fresh chain, and a shutdown that stops the API and anvil.

use std::time::Duration;

use anyhow::{Context, Result};
use quire_devnet::{Devnet, DevnetArgs};
use quire_l1::Deployment;

fn args(dir: &std::path::Path) -> DevnetArgs {
    DevnetArgs {
        dir: dir.to_path_buf(),
        l1_port: 0,
        sequencer_port: 0,
        block_time: 1,
        no_prover: true,
        demo_accounts: 1,
    }
}

/// True if something accepts TCP connections at `url`'s host:port.
async fn listening(url: &str) -> bool {
    let addr = url.trim_start_matches("http://");
    tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect(addr.to_string()),
    )
    .await
    .is_ok_and(|r| r.is_ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_run_resets_the_dir_and_shutdown_stops_everything() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("quire-devnet-life-{}", std::process::id()));
    let first = Devnet::start(&args(&dir)).await?;
    let saved = Deployment::load(&first.deployment_path)?;
    assert_eq!(saved, first.deployment);
    assert!(dir.join("genesis.json").exists() && dir.join("quire.db").exists());
    let (l1, api) = (first.anvil.url.clone(), first.sequencer_url());
    assert!(listening(&l1).await && listening(&api).await);
    // The demo key's deposits are credited from L1.
    let seq = quire_api::Client::new(&api)?;
    let key = first.demo[0].l2_secret.public_key();
    let owner = quire_core::account::Address(first.demo[0].l1_address.0);
    let mut credited = None;
    for _ in 0..120 {
        if let Some(a) = seq.account_by_key(&key, &owner).await? {
            if a.balance(quire_core::token::TokenId(1))? > 0 {
                credited = Some(a);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let a = credited.context("the demo deposits were never credited")?;
    assert_eq!(
        a.balance(quire_core::token::TokenId::ETH)?,
        u64::try_from(quire_devnet::DEMO_ETH_WEI / 1_000_000_000)?
    );
    first.shutdown().await;
    assert!(!listening(&l1).await, "anvil still listens after shutdown");
    assert!(
        !listening(&api).await,
        "the API still listens after shutdown"
    );

    // A second run in the same directory: a new chain, a new database (batch 0 again until
    // its own deposits), the old files replaced.
    let second = Devnet::start(&args(&dir)).await?;
    let status = quire_api::Client::new(&second.sequencer_url())?
        .status()
        .await?;
    assert!(status.next_priority_id <= 2, "the database was reset");
    assert_eq!(
        Deployment::load(&second.deployment_path)?,
        second.deployment
    );
    assert_ne!(second.deployment.block_hash, saved.block_hash);
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
