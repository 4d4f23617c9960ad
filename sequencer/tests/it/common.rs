//! Helpers for tests that run the real service: a node on a random port over a real
//! database, an HTTP client, funded keys.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::token::TokenId;
use quire_core::tx::{L2Tx, Transfer};
use quire_sequencer::app::{self, Running};
use quire_sequencer::config::Config;
use quire_sequencer::node::DEVNET_CHAIN_ID;
use serde_json::{json, Value};

pub fn config(database_url: &str) -> Config {
    let mut c = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_string(),
        ..Config::default()
    };
    c.api.dev_endpoints = true;
    c.batch.max_wait_ms = 20;
    c
}

pub async fn start(database_url: &str) -> (Running, Client) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "warn,quire_sequencer=info",
        ))
        .with_test_writer()
        .try_init();
    let running = app::start(config(database_url))
        .await
        .expect("sequencer starts");
    let client = Client::new(running.addr);
    (running, client)
}

/// A fresh PostgreSQL database per test, if `QUIRE_TEST_POSTGRES_URL` is set.
pub async fn postgres_database(name: &str) -> Option<String> {
    let Ok(base) = std::env::var("QUIRE_TEST_POSTGRES_URL") else {
        println!(
            "notice: QUIRE_TEST_POSTGRES_URL is not set; skipping the PostgreSQL variant of {name}"
        );
        return None;
    };
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base)
        .await
        .expect("postgres reachable");
    let db = format!("quire_{name}_{}", std::process::id());
    let _ = pool
        .execute(format!("DROP DATABASE IF EXISTS {db}").as_str())
        .await;
    pool.execute(format!("CREATE DATABASE {db}").as_str())
        .await
        .expect("create database");
    let (prefix, _) = base.rsplit_once('/').expect("url has a database");
    Some(format!("{prefix}/{db}"))
}

pub fn key(i: u32) -> SecretKey {
    SecretKey::from_seed(format!("api test key {i}").as_bytes())
}

#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

impl Client {
    pub fn new(addr: std::net::SocketAddr) -> Self {
        Client {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Queues a dev deposit and waits until the account holds at least `amount`.
    pub async fn fund(&self, key: &SecretKey, token: u8, amount: u64) -> AccountId {
        let pk = key.public_key().to_string();
        let owner = Address([7; 20]);
        let (s, v) = self
            .post_json(
                "/v1/dev/deposits",
                &json!({"to": pk, "from": format!("{owner}"), "token": token, "amount": amount.to_string()}),
            )
            .await;
        assert_eq!(s, 202, "{v}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (s, v) = self
                .get(&format!("/v1/accounts/by-key/{pk}?owner={owner}"))
                .await;
            if s == 200 {
                let bal: u64 = v["balances"][token.to_string()]
                    .as_str()
                    .unwrap_or("0")
                    .parse()
                    .unwrap();
                if bal >= amount {
                    return AccountId::new(v["id"].as_u64().unwrap() as u32).unwrap();
                }
            }
            assert!(Instant::now() < deadline, "deposit not executed in time");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn status(&self) -> Value {
        self.get("/v1/status").await.1
    }
}

pub fn transfer(
    key: &SecretKey,
    from: AccountId,
    to: AccountId,
    amount: u64,
    fee: u64,
    nonce: u32,
) -> Value {
    let tx = L2Tx::Transfer(Transfer {
        from,
        to,
        token: TokenId::ETH,
        amount,
        fee,
        nonce,
    });
    serde_json::to_value(tx.sign(key, DEVNET_CHAIN_ID)).unwrap()
}

/// A child process that is killed (SIGKILL) and reaped when dropped, so a failing test
/// never leaves a server running that holds the test runner's output pipes open.
pub struct ChildGuard(pub std::process::Child);

impl ChildGuard {
    /// SIGKILLs the process and waits for it.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill();
    }
}
