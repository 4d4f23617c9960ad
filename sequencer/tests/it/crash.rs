//! Durability under SIGKILL: the real binary, under load, killed at arbitrary moments and
//! restarted. Every transaction acknowledged with 2xx must survive (executed in a batch or
//! still pending, then executed), and the restarted state root must be that of the latest
//! stored batch (the node refuses to start otherwise).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{key, transfer, ChildGuard, Client};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(db: &str, port: u16) -> ChildGuard {
    let child = Command::new(env!("CARGO_BIN_EXE_quire-sequencer"))
        .args([
            "--database-url",
            db,
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--dev",
        ])
        .env("QUIRE_BATCH_MAX_WAIT_MS", "15")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary runs");
    ChildGuard(child)
}

async fn wait_healthy(client: &Client) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client
            .http
            .get(format!("{}/healthz", client.base))
            .send()
            .await
        {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("sequencer did not become healthy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_transactions_survive_sigkill_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("crash.db").display());
    sigkill_cycles(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_transactions_survive_sigkill_under_load_on_postgres() {
    let Some(db) = common::postgres_database("crash").await else {
        return;
    };
    sigkill_cycles(&db).await;
}

/// Three cycles of start, load, SIGKILL; then a final start that must hold every
/// acknowledged transaction and execute all of them.
async fn sigkill_cycles(db: &str) {
    let db = db.to_string();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let senders_per_cycle = 8u32;
    for cycle in 0..3u32 {
        let port = free_port();
        let mut child = spawn(&db, port);
        let client = Client::new(format!("127.0.0.1:{port}").parse().unwrap());
        wait_healthy(&client).await;
        // The node refuses to start unless the rebuilt root is the latest stored batch's;
        // the status names that batch and root together (pending transactions may already
        // be forming the next batch, so compare with that batch, not with "the newest").
        let status = client.status().await;
        let number = status["latest_batch"].as_u64().unwrap();
        if number > 0 {
            let (code, b) = client.get(&format!("/v1/batches/{number}")).await;
            assert_eq!(code, 200, "batch {number} is stored");
            assert_eq!(
                status["root"], b["root"],
                "restarted root is batch {number}'s"
            );
        }
        let receiver = client.fund(&key(1000), 0, 1).await;
        let mut senders = Vec::new();
        for s in 0..senders_per_cycle {
            let k = key(cycle * 100 + s);
            let id = client.fund(&k, 0, 1_000_000_000).await;
            senders.push((k, id));
        }
        // Load: each sender submits its nonces in order, one at a time.
        let stop_at = Instant::now() + Duration::from_millis(300 + 400 * cycle as u64);
        let mut tasks = Vec::new();
        for (k, id) in senders {
            let (client, acked) = (client.clone(), Arc::clone(&acked));
            tasks.push(tokio::spawn(async move {
                for nonce in 0.. {
                    let body = transfer(&k, id, receiver, 1, 0, nonce);
                    let sent = client
                        .http
                        .post(format!("{}/v1/transactions", client.base))
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            let v: serde_json::Value = r.json().await.unwrap_or_default();
                            if let Some(h) = v["hash"].as_str() {
                                acked.lock().unwrap().push(h.to_string());
                            }
                        }
                        _ => return, // the server is gone
                    }
                }
            }));
        }
        tokio::time::sleep_until(stop_at.into()).await;
        child.kill(); // std's kill sends SIGKILL on Unix
        for t in tasks {
            let _ = t.await;
        }
    }

    // Final restart: every acknowledged transaction is known, and all of them execute.
    let port = free_port();
    let mut child = spawn(&db, port);
    let client = Client::new(format!("127.0.0.1:{port}").parse().unwrap());
    wait_healthy(&client).await;
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 50,
        "the load generated too little: {}",
        acked.len()
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if client.status().await["pending"] == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "pending transactions never drained"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for h in &acked {
        let (s, rec) = client.get(&format!("/v1/transactions/{h}")).await;
        assert_eq!(s, 200, "acknowledged transaction {h} lost");
        assert_eq!(rec["status"], "executed", "{h}: {rec}");
    }
    child.kill();
}
