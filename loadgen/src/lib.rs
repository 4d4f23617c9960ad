//! # quire-loadgen
//!
//! A load generator for the sequencer's HTTP API: signed transfers from many accounts at a
//! chosen concurrency, measuring what a wallet sees (acknowledgement latency, soft
//! confirmation latency) and what the operator cares about (accepted and executed
//! transactions per second). It talks to the server through [`quire_api::Client`], so it
//! exercises the same wire types as the wallet.
//!
//! It needs a sequencer started with the dev endpoints (`--dev`), which it uses to fund
//! its accounts through `/v1/dev/deposits`. Everything it sends is signed with real keys;
//! all signing and encoding happens before the timed phase so the generator measures the
//! server, not itself.
//!
//! Ordering: each account's transactions are sent by one worker, one request at a time, so
//! nonces arrive in order and none is ever rejected for a gap. Workers own disjoint sets of
//! accounts and cycle through them, so an account has at most one request in flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use quire_api::{BatchStage, Client, ClientError, DevDeposit, ErrorCode, Wait};
use quire_core::account::{AccountId, Address};
use quire_core::hash::Digest;
use quire_core::schnorr::SecretKey;
use quire_core::token::TokenId;
use quire_core::tx::{L2Tx, SignedTx, Transfer};

/// How the transactions are encoded on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// `application/json`, as wallets send.
    Json,
    /// `application/octet-stream`, the canonical binary encoding.
    Binary,
}

impl Encoding {
    /// The API's name for it.
    pub fn wire(self) -> quire_api::Encoding {
        match self {
            Encoding::Json => quire_api::Encoding::Json,
            Encoding::Binary => quire_api::Encoding::Binary,
        }
    }
}

/// What to run.
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "quire-loadgen",
    about = "Signed-transfer load against a Quire sequencer started with --dev"
)]
pub struct LoadConfig {
    /// Base URL of the sequencer.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Sending accounts (each funded by a dev deposit).
    #[arg(long, default_value_t = 1_000)]
    pub accounts: u32,
    /// Transfers to send in the timed phase.
    #[arg(long, default_value_t = 50_000)]
    pub txs: u32,
    /// Requests in flight at once (on a 2-core machine shared with the service, 128 gave
    /// the highest accepted rate; 32 the lowest latency).
    #[arg(long, default_value_t = 128)]
    pub concurrency: u32,
    /// Wire encoding.
    #[arg(long, value_enum, default_value_t = Encoding::Binary)]
    pub encoding: Encoding,
    /// Every n-th request of each worker asks for `?wait=soft` (0: none), to measure
    /// soft-confirmation latency.
    #[arg(long, default_value_t = 50)]
    pub soft_every: u32,
    /// Fee per transfer.
    #[arg(long, default_value_t = 1)]
    pub fee: u64,
    /// Seed of the accounts' keys; use a new one against a database that has seen the
    /// previous run, or the run continues from the accounts' current nonces.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// The figures of a run.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct LoadReport {
    /// Transfers sent.
    pub sent: u64,
    /// Acknowledged with 2xx.
    pub accepted: u64,
    /// Refused (any non-2xx), by `<HTTP status>:<code>`.
    pub refused: Vec<(String, u64)>,
    /// Seconds from the first request to the last acknowledgement.
    pub submit_secs: f64,
    /// Seconds from the first request until the mempool had drained and every sampled
    /// transaction was executed.
    pub executed_secs: f64,
    /// Accepted transfers per second.
    pub accepted_tps: f64,
    /// Executed transfers per second (submission start to drained).
    pub executed_tps: f64,
    /// Acknowledgement latency percentiles, ms: p50, p99, max.
    pub ack_ms: [f64; 3],
    /// Soft-confirmation latency percentiles (`?wait=soft`), ms: p50, p99, max.
    pub soft_ms: [f64; 3],
    /// Transactions whose final status was checked, and how many were executed.
    pub checked: u64,
    /// … of which executed.
    pub executed_checked: u64,
}

impl LoadReport {
    /// One `name=value` line, for logs and the closing figures.
    pub fn line(&self, cfg: &LoadConfig) -> String {
        format!(
            "loadgen txs={} accounts={} concurrency={} encoding={:?} accepted={} refused={} accepted_tps={:.0} executed_tps={:.0} submit_s={:.2} executed_s={:.2} ack_p50_ms={:.2} ack_p99_ms={:.2} ack_max_ms={:.1} soft_p50_ms={:.1} soft_p99_ms={:.1} soft_max_ms={:.1} checked={} executed={}",
            self.sent,
            cfg.accounts,
            cfg.concurrency,
            cfg.encoding,
            self.accepted,
            self.refused.iter().map(|(_, n)| n).sum::<u64>(),
            self.accepted_tps,
            self.executed_tps,
            self.submit_secs,
            self.executed_secs,
            self.ack_ms[0],
            self.ack_ms[1],
            self.ack_ms[2],
            self.soft_ms[0],
            self.soft_ms[1],
            self.soft_ms[2],
            self.checked,
            self.executed_checked,
        )
    }
}

/// An answer of the server, `None` when it answered with an error status (polling goes on);
/// only failures to reach it end the run.
fn answered<T>(r: Result<T, ClientError>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.status().is_some() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// One account of the run.
struct Sender {
    key: SecretKey,
    id: AccountId,
    nonce: u32,
}

/// A transaction ready to send.
struct Prepared {
    hash: Digest,
    body: Vec<u8>,
}

fn key_of(seed: u64, i: u32) -> SecretKey {
    SecretKey::from_seed(
        &[
            b"quire loadgen ".as_slice(),
            &seed.to_le_bytes(),
            &i.to_le_bytes(),
        ]
        .concat(),
    )
}

/// Runs the load and returns its figures.
pub async fn run(cfg: &LoadConfig) -> Result<LoadReport> {
    if cfg.accounts < 2 {
        bail!("--accounts must be at least 2");
    }
    if cfg.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(cfg.concurrency as usize)
        .timeout(Duration::from_secs(120))
        .build()?;
    let api = Client::with_http(&cfg.url, http);
    let chain_id = api
        .status()
        .await
        .with_context(|| format!("{}: /v1/status", cfg.url))?
        .chain_id;

    let senders = fund(&api, cfg).await?;
    let per_account = cfg.txs.div_ceil(cfg.accounts);
    tracing::info!(
        accounts = senders.len(),
        per_account,
        "accounts funded; signing"
    );

    // Sign everything up front, in parallel: tx k of account a is its (nonce + k)-th.
    let n = senders.len() as u32;
    let ids: Vec<AccountId> = senders.iter().map(|s| s.id).collect();
    let prepared: Vec<Vec<Prepared>> = senders
        .par_iter()
        .enumerate()
        .map(|(a, s)| {
            (0..per_account)
                .filter(|k| k * n + (a as u32) < cfg.txs)
                .map(|k| {
                    let to = ids[(a + 1 + (k as usize % (ids.len() - 1))) % ids.len()];
                    let tx = L2Tx::Transfer(Transfer {
                        from: s.id,
                        to,
                        token: TokenId::ETH,
                        amount: 1,
                        fee: cfg.fee,
                        nonce: s.nonce + k,
                    });
                    let signed: SignedTx = tx.sign(&s.key, chain_id);
                    let body = match cfg.encoding {
                        Encoding::Binary => signed.encode(),
                        Encoding::Json => serde_json::to_vec(&signed).unwrap_or_default(),
                    };
                    Prepared {
                        hash: signed.tx.signing_hash(chain_id),
                        body,
                    }
                })
                .collect()
        })
        .collect();

    // Workers own accounts w, w + c, w + 2c, … and send round-robin over them.
    let workers = cfg.concurrency.min(n);
    let mut queues: Vec<Vec<Vec<Prepared>>> = (0..workers).map(|_| Vec::new()).collect();
    for (a, txs) in prepared.into_iter().enumerate() {
        queues[a % workers as usize].push(txs);
    }
    let encoding = cfg.encoding.wire();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for accounts in queues {
        let api = api.clone();
        let soft_every = cfg.soft_every;
        tasks.push(tokio::spawn(async move {
            worker(api, accounts, encoding, soft_every).await
        }));
    }
    let mut outcome = WorkerOutcome::default();
    for t in tasks {
        let o = t.await.context("worker panicked")??;
        outcome.merge(o);
    }
    let submit_secs = started.elapsed().as_secs_f64();

    // Executed: the mempool drains, and the sampled transactions are all executed.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if answered(api.status().await)?.is_some_and(|s| s.pending == 0) {
            break;
        }
        if Instant::now() > deadline {
            bail!("the mempool did not drain within 300 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let executed_secs = started.elapsed().as_secs_f64();
    let sample: Vec<&Digest> = outcome
        .hashes
        .iter()
        .step_by((outcome.hashes.len() / 500).max(1))
        .collect();
    let mut executed_checked = 0;
    for h in &sample {
        let view = answered(api.transaction(h).await)?.flatten();
        if view.is_some_and(|v| v.status.stage() == Some(BatchStage::Executed)) {
            executed_checked += 1;
        }
    }

    let accepted = outcome.hashes.len() as u64;
    Ok(LoadReport {
        sent: outcome.sent,
        accepted,
        refused: outcome.refused,
        submit_secs,
        executed_secs,
        accepted_tps: accepted as f64 / submit_secs,
        executed_tps: accepted as f64 / executed_secs,
        ack_ms: percentiles(&mut outcome.ack_ms),
        soft_ms: percentiles(&mut outcome.soft_ms),
        checked: sample.len() as u64,
        executed_checked,
    })
}

#[derive(Default)]
struct WorkerOutcome {
    sent: u64,
    hashes: Vec<Digest>,
    refused: Vec<(String, u64)>,
    ack_ms: Vec<f64>,
    soft_ms: Vec<f64>,
}

impl WorkerOutcome {
    fn refuse(&mut self, code: String) {
        match self.refused.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => self.refused.push((code, 1)),
        }
    }

    fn merge(&mut self, o: WorkerOutcome) {
        self.sent += o.sent;
        self.hashes.extend(o.hashes);
        for (c, n) in o.refused {
            for _ in 0..n {
                self.refuse(c.clone());
            }
        }
        self.ack_ms.extend(o.ack_ms);
        self.soft_ms.extend(o.soft_ms);
    }
}

async fn worker(
    api: Client,
    accounts: Vec<Vec<Prepared>>,
    encoding: quire_api::Encoding,
    soft_every: u32,
) -> Result<WorkerOutcome> {
    let mut out = WorkerOutcome::default();
    let rounds = accounts.iter().map(Vec::len).max().unwrap_or(0);
    let mut count = 0u32;
    for round in 0..rounds {
        for txs in &accounts {
            let Some(p) = txs.get(round) else { continue };
            count += 1;
            let soft = soft_every > 0 && count % soft_every == 0;
            let wait = if soft { Wait::Soft } else { Wait::Durable };
            let t = Instant::now();
            let r = api.submit_encoded(p.body.clone(), encoding, wait).await;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            out.sent += 1;
            match r {
                Ok(_) => {
                    if soft {
                        out.soft_ms.push(ms);
                    } else {
                        out.ack_ms.push(ms);
                    }
                    out.hashes.push(p.hash);
                }
                Err(e) => match e.status() {
                    Some(status) => {
                        let code = e.code().unwrap_or(ErrorCode::Unknown);
                        out.refuse(format!("{status}:{code}"));
                    }
                    None => return Err(anyhow::Error::new(e).context("submitting")),
                },
            }
        }
    }
    Ok(out)
}

/// The L1 address the load generator's dev deposits come from: the owner of its accounts.
const LOADGEN_OWNER: Address = Address([0x10; 20]);

/// Funds every account with a dev deposit, waits until all are open, and reads their ids
/// and nonces.
///
/// Every account is opened by a dev deposit from [`LOADGEN_OWNER`], so (key, that owner)
/// names it (an account is the pair, decision D10).
async fn fund(api: &Client, cfg: &LoadConfig) -> Result<Vec<Sender>> {
    let keys: Vec<SecretKey> = (0..cfg.accounts)
        .into_par_iter()
        .map(|i| key_of(cfg.seed, i))
        .collect();
    let keys = Arc::new(keys);
    // Deposits are few and cheap: a handful in flight is plenty.
    let mut tasks = Vec::new();
    let lanes = 8usize;
    for lane in 0..lanes {
        let (api, keys) = (api.clone(), Arc::clone(&keys));
        let amount = u64::from(cfg.txs / cfg.accounts + 1) * (1 + cfg.fee) * 2 + 1_000;
        tasks.push(tokio::spawn(async move {
            for key in keys.iter().skip(lane).step_by(lanes) {
                let deposit = DevDeposit {
                    to: key.public_key(),
                    from: LOADGEN_OWNER,
                    token: TokenId::ETH,
                    amount,
                };
                match api.dev_deposit(&deposit).await {
                    Ok(_) => {}
                    Err(e) if e.status().is_some() => {
                        bail!("dev deposit {e}; is the sequencer running with --dev?")
                    }
                    Err(e) => return Err(anyhow::Error::new(e).context("POST /v1/dev/deposits")),
                }
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await.context("funding task panicked")??;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut senders = Vec::with_capacity(keys.len());
    for key in keys.iter() {
        let pk = key.public_key();
        loop {
            if let Some(account) =
                answered(api.account_by_key(&pk, &LOADGEN_OWNER).await)?.flatten()
            {
                senders.push(Sender {
                    key: key.clone(),
                    id: account.account_id()?,
                    nonce: account.nonce,
                });
                break;
            }
            if Instant::now() > deadline {
                bail!("deposits were not executed within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(senders)
}

/// p50, p99 and max of a sample, in its unit; zeros when empty.
fn percentiles(v: &mut [f64]) -> [f64; 3] {
    if v.is_empty() {
        return [0.0; 3];
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    [at(0.5), at(0.99), v[v.len() - 1]]
}

#[cfg(test)]
mod tests {
    use super::percentiles;

    #[test]
    fn percentiles_pick_ranks() {
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(percentiles(&mut v), [51.0, 99.0, 100.0]);
        assert_eq!(percentiles(&mut []), [0.0; 3]);
    }
}
