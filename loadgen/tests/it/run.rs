//! The load generator against a real sequencer: every transfer it signs is acknowledged and
//! executed, and its figures are consistent with what it sent.
//!
//! The sequencer runs in-process (`quire_sequencer::app::start`, dev endpoints on, batches
//! closed after 20 ms) on a random port over an SQLite file: the same service the binary
//! runs, reached over HTTP, without depending on another package's binary.

use quire_api::Client;
use quire_core::account::FEE_ACCOUNT;
use quire_core::token::TokenId;
use quire_loadgen::{run, Encoding, LoadConfig};
use quire_sequencer::config::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loadgen_transfers_are_all_acknowledged_and_executed() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite:{}", dir.path().join("load.db").display()),
        ..Config::default()
    };
    config.api.dev_endpoints = true;
    config.batch.max_wait_ms = 20;
    let sequencer = quire_sequencer::app::start(config).await.unwrap();
    let url = format!("http://{}", sequencer.addr);
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
    let fee = Client::new(&url)
        .unwrap()
        .account(FEE_ACCOUNT)
        .await
        .unwrap()
        .expect("the fee account exists");
    assert_eq!(fee.balance(TokenId::ETH).unwrap(), 600, "{fee:?}");
    sequencer.shutdown().await;
}
