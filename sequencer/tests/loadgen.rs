//! The load generator against the real binary: every transfer it signs is acknowledged and
//! executed, and its figures are consistent with what it sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quire_sequencer::loadgen::{run, Encoding, LoadConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loadgen_transfers_are_all_acknowledged_and_executed() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = common::ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_quire-sequencer"))
            .args([
                "--database-url",
                &format!("sqlite:{}", dir.path().join("load.db").display()),
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--dev",
            ])
            .env("QUIRE_BATCH_MAX_WAIT_MS", "20")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{url}/healthz")).await.is_err() {
        assert!(Instant::now() < deadline, "sequencer did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (encoding, seed) in [(Encoding::Binary, 1), (Encoding::Json, 2)] {
        let cfg = LoadConfig {
            url: url.clone(),
            accounts: 16,
            txs: 300,
            concurrency: 8,
            encoding,
            soft_every: 10,
            fee: 1,
            seed,
        };
        let report = run(&cfg).await.unwrap();
        assert_eq!(report.sent, 300);
        assert_eq!(report.accepted, 300, "refused: {:?}", report.refused);
        assert!(report.refused.is_empty());
        assert!(report.checked > 0);
        assert_eq!(report.executed_checked, report.checked);
        assert!(report.accepted_tps > 0.0 && report.executed_secs >= report.submit_secs);
        assert!(!report.line(&cfg).is_empty());
    }
    // Every sender paid 300 / 16 rounded transfers' fees of 1 to the fee account.
    let fee: serde_json::Value = reqwest::get(format!("{url}/v1/accounts/1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fee["balances"]["0"], "600", "{fee}");
    child.kill();
}
