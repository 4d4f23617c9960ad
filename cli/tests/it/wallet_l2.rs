//! The wallet against the real sequencer, started in-process on a random port over an SQLite
//! file: keys on disk, transfers, swaps and liquidity through the library and through the
//! `quire` binary, refusals that send nothing, exit codes.

use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

use quire_api::Client as Sequencer;
use quire_cli::wallet::keystore::{parse_l1_key, Keystore};
use quire_cli::wallet::l2::{
    AddLiquidityRequest, RemoveLiquidityRequest, SwapRequest, TransferRequest, WithdrawRequest,
};
use quire_cli::wallet::wait::wait_for_tx;
use quire_cli::wallet::{Key, Progress, WaitFor, Wallet};
use quire_core::account::{Address, FEE_ACCOUNT};
use quire_core::amm::{add_liquidity, swap_output};
use quire_core::schnorr::SecretKey;
use quire_core::token::TokenId;
use quire_sequencer::app::{self, Running};
use quire_sequencer::config::Config;
use serde_json::{json, Value};

use crate::common;

const ETH: TokenId = TokenId::ETH;
const USDC: TokenId = TokenId(1);
const GWEI_PER_ETH: u64 = 1_000_000_000;

async fn start_sequencer(dir: &Path) -> Running {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .with_test_writer()
        .try_init();
    let mut c = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite:{}", dir.join("q.db").display()),
        ..Config::default()
    };
    c.api.dev_endpoints = true;
    c.batch.max_wait_ms = 20;
    app::start(c).await.expect("sequencer starts")
}

/// The L1 key of a test key's wallet entry, derived from its L2 secret: its address opens
/// and owns the key's account (an account is the pair key + L1 owner).
fn l1_key_of(key: &SecretKey) -> (String, Address) {
    let seed = quire_core::hash::keccak256(&key.to_bytes());
    parse_l1_key("l1 key", &hex::encode(seed)).unwrap()
}

/// Funds `key`'s account through the dev deposit endpoint, from the key's L1 address, and
/// waits until the L2 has credited it.
async fn fund(url: &str, key: &SecretKey, token: TokenId, amount: u64) {
    let http = reqwest::Client::new();
    let before = balance_of(url, key, token).await;
    let r = http
        .post(format!("{url}/v1/dev/deposits"))
        .json(&json!({
            "to": key.public_key().to_string(),
            "from": l1_key_of(key).1.to_string(),
            "token": token.0,
            "amount": amount.to_string(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let deadline = Instant::now() + Duration::from_secs(20);
    while balance_of(url, key, token).await < before + amount {
        assert!(
            Instant::now() < deadline,
            "dev deposit not executed in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn balance_of(url: &str, key: &SecretKey, token: TokenId) -> u64 {
    let seq = Sequencer::new(url).unwrap();
    match seq
        .account_by_key(&key.public_key(), &l1_key_of(key).1)
        .await
        .unwrap()
    {
        Some(a) => a.balance(token).unwrap(),
        None => 0,
    }
}

async fn nonce_of(url: &str, key: &SecretKey) -> u32 {
    let seq = Sequencer::new(url).unwrap();
    seq.account_by_key(&key.public_key(), &l1_key_of(key).1)
        .await
        .unwrap()
        .map_or(0, |a| a.nonce)
}

async fn pool_state(url: &str) -> Value {
    let v: Value = reqwest::get(format!("{url}/v1/pools"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v[0].clone()
}

fn num(v: &Value) -> u64 {
    v.as_str().unwrap().parse().unwrap()
}

/// Runs the `quire` binary on `keystore` and the sequencer at `url`, with no L1 and no
/// `QUIRE_KEY` from the environment; returns (exit code, stdout, stderr).
async fn quire(keystore: &Path, url: &str, args: &[&str]) -> (i32, String, String) {
    let base = [
        OsStr::new("--keystore"),
        keystore.as_os_str(),
        OsStr::new("--sequencer-url"),
        OsStr::new(url),
    ];
    common::quire(
        base.into_iter().chain(args.iter().map(OsStr::new)),
        &["QUIRE_L1_RPC", "QUIRE_KEY"],
    )
    .await
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_private_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let ks = dir.path().join("keys");
    let url = "http://127.0.0.1:9"; // nothing listens: key commands work offline

    let (code, out, err) = quire(&ks, url, &["key", "new", "--name", "alice", "--with-l1"]).await;
    assert_eq!(code, 0, "{out}{err}");
    let file = ks.join("alice.json");
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&ks), 0o700);
    }
    let original = std::fs::read(&file).unwrap();
    let secret = Keystore::new(&ks).load("alice").unwrap().secret;
    let secret_hex = hex::encode(secret.to_bytes());
    assert!(!out.contains(&secret_hex), "key new printed the secret");

    // Neither `new` nor `import` replaces an existing key.
    let (code, _, err) = quire(&ks, url, &["key", "new", "--name", "alice"]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains("--name") && err.contains("refusing to overwrite"),
        "{err}"
    );
    let other = hex::encode(SecretKey::from_seed(b"other").to_bytes());
    let (code, _, _) = quire(
        &ks,
        url,
        &["key", "import", "--name", "alice", "--l2-secret", &other],
    )
    .await;
    assert_eq!(code, 1);
    assert_eq!(std::fs::read(&file).unwrap(), original, "key file changed");

    // Import of a known secret and an anvil L1 key; the L1 address is derived.
    let (code, out, err) = quire(
        &ks,
        url,
        &[
            "key",
            "import",
            "--name",
            "bob",
            "--l2-secret",
            &other,
            "--l1-key",
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
        "{out}"
    );
    #[cfg(unix)]
    assert_eq!(mode(&ks.join("bob.json")), 0o600);
    let (code, _, err) = quire(
        &ks,
        url,
        &["key", "import", "--name", "carol", "--l2-secret", "0x1234"],
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("--l2-secret"), "{err}");
    assert!(!ks.join("carol.json").exists());

    let (code, out, _) = quire(&ks, url, &["key", "list"]).await;
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2, "{out}");

    // `show` prints secrets only when asked.
    let (code, out, _) = quire(&ks, url, &["--key", "bob", "key", "show"]).await;
    assert_eq!(code, 0);
    assert!(!out.contains(&other), "{out}");
    assert!(
        !out.contains("ac0974bec39a17e36ba4a6b4d238ff944bacb478"),
        "{out}"
    );
    assert!(out.contains("l2 account: unknown"), "{out}");
    let (code, out, _) = quire(&ks, url, &["--key", "bob", "key", "show", "--show-secret"]).await;
    assert_eq!(code, 0);
    assert!(out.contains(&other), "{out}");
}

/// Everything on one sequencer: transfers, swap and liquidity via the library and the
/// binary, exact balances, refusals that send nothing, exit codes 1, 2 and 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l2_commands_against_the_real_sequencer() {
    let dir = tempfile::tempdir().unwrap();
    let running = start_sequencer(dir.path()).await;
    let url = format!("http://{}", running.addr);
    let ks_dir = dir.path().join("keys");
    let store = Keystore::new(&ks_dir);
    let alice_sk = SecretKey::from_seed(b"wallet test alice");
    let bob_sk = SecretKey::from_seed(b"wallet test bob");
    store
        .create("alice", &alice_sk, Some(l1_key_of(&alice_sk)))
        .unwrap();
    store
        .create("bob", &bob_sk, Some(l1_key_of(&bob_sk)))
        .unwrap();
    let alice: Key = store.load("alice").unwrap();

    fund(&url, &alice_sk, ETH, 10 * GWEI_PER_ETH).await;
    fund(&url, &alice_sk, USDC, 50_000_000_000).await;
    fund(&url, &bob_sk, ETH, 1).await;
    let seq = Sequencer::new(&url).unwrap();
    let bob_id = seq
        .account_by_key(&bob_sk.public_key(), &l1_key_of(&bob_sk).1)
        .await
        .unwrap()
        .unwrap()
        .id;

    // --- A key alone names no account (a stranger's deposit may have opened one for it):
    // refused, naming the field, before anything is signed.
    let wallet = Wallet::connect(&url, None, false).await.unwrap();
    let refused = wallet
        .prepare_transfer(
            &alice,
            &TransferRequest {
                to: bob_sk.public_key().to_string(),
                token: "eth".into(),
                amount: "1.25".into(),
                fee: "0.000001".into(),
                nonce: None,
            },
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("--to"), "{refused}");
    assert!(refused.to_string().contains("@<L1 owner>"), "{refused}");

    // --- Transfer through the library, by key and L1 owner, with soft confirmation.
    let prepared = wallet
        .prepare_transfer(
            &alice,
            &TransferRequest {
                to: format!("{}@{}", bob_sk.public_key(), l1_key_of(&bob_sk).1),
                token: "eth".into(),
                amount: "1.25".into(),
                fee: "0.000001".into(),
                nonce: None,
            },
        )
        .await
        .unwrap();
    let fee_before = fee_balance(&url, ETH).await;
    let hash = wallet.submit(&prepared).await.unwrap();
    let state = wait_for_tx(
        &seq,
        &hash,
        WaitFor::Soft,
        Duration::from_secs(30),
        &Progress::Quiet,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(state.status.name(), "executed");
    assert_eq!(
        balance_of(&url, &alice_sk, ETH).await,
        10 * GWEI_PER_ETH - 1_250_000_000 - 1_000
    );
    assert_eq!(balance_of(&url, &bob_sk, ETH).await, 1 + 1_250_000_000);
    assert_eq!(fee_balance(&url, ETH).await, fee_before + 1_000);
    assert_eq!(nonce_of(&url, &alice_sk).await, 1);

    // --- Transfer through the binary, by account id: stdout starts with the hash.
    let (code, out, err) = quire(
        &ks_dir,
        &url,
        &[
            "--key",
            "alice",
            "transfer",
            "--to",
            &bob_id.to_string(),
            "--token",
            "ETH",
            "--amount",
            "0.5",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let bin_hash = out.lines().next().unwrap();
    assert!(bin_hash.starts_with("0x") && bin_hash.len() == 66, "{out}");
    assert!(out.contains("executed"), "{out}");
    assert_eq!(balance_of(&url, &bob_sk, ETH).await, 1 + 1_750_000_000);
    let (code, out, _) = quire(&ks_dir, &url, &["tx", bin_hash]).await;
    assert_eq!(code, 0);
    assert!(out.contains("status: executed"), "{out}");

    // --- Refusals: named field, exit 1, nothing sent (nonce, balances and mempool unchanged).
    let alice_eth = balance_of(&url, &alice_sk, ETH).await;
    let nonce = nonce_of(&url, &alice_sk).await;
    let bad: &[(&[&str], &str)] = &[
        (
            &[
                "transfer",
                "--to",
                "2",
                "--token",
                "ETH",
                "--amount",
                "0.0000000001",
            ],
            "--amount: more than 9 decimals for ETH (scale 10^9)",
        ),
        (
            &["transfer", "--to", "2", "--token", "DOGE", "--amount", "1"],
            "--token: unknown token \"DOGE\"",
        ),
        (
            &[
                "transfer", "--to", "0xnothex", "--token", "ETH", "--amount", "1",
            ],
            "--to: ",
        ),
        (
            &[
                "transfer", "--to", "2", "--token", "ETH", "--amount", "1.5e3",
            ],
            "--amount: ",
        ),
        (
            &[
                "withdraw", "--to", "0x1234", "--token", "ETH", "--amount", "1",
            ],
            "--to: ",
        ),
        (
            &[
                "swap",
                "--pool",
                "ETH/USDC",
                "--token-in",
                "ETH",
                "--amount-in",
                "1",
                "--min-out",
                "1",
            ],
            "--min-out: the decimals of USDC are unknown",
        ),
        (
            &[
                "swap",
                "--pool",
                "ETH/DAI",
                "--token-in",
                "ETH",
                "--amount-in",
                "1",
                "--min-out",
                "0",
            ],
            "--pool: unknown token \"DAI\"",
        ),
    ];
    for (args, expected) in bad {
        let mut full = vec!["--key", "alice"];
        full.extend_from_slice(args);
        let (code, out, err) = quire(&ks_dir, &url, &full).await;
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
    }
    // Usage errors from clap are exit 1 too (clap's own default would be 2).
    let (code, _, _) = quire(&ks_dir, &url, &["transfer", "--to", "2"]).await;
    assert_eq!(code, 1);
    assert_eq!(nonce_of(&url, &alice_sk).await, nonce);
    assert_eq!(balance_of(&url, &alice_sk, ETH).await, alice_eth);
    let status: Value = reqwest::get(format!("{url}/v1/status"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["pending"], 0);

    // --- The service refuses: exit 2 with its machine-readable code.
    let (code, _, err) = quire(
        &ks_dir,
        &url,
        &[
            "--key",
            "alice",
            "transfer",
            "--to",
            &bob_id.to_string(),
            "--token",
            "ETH",
            "--amount",
            "1000",
        ],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("code: insufficient_balance"), "{err}");
    assert_eq!(nonce_of(&url, &alice_sk).await, nonce);

    // --- Liquidity (raw L2 units for USDC, whose decimals are unknown without L1).
    let raw_wallet = Wallet::connect(&url, None, true).await.unwrap();
    let (max_a, max_b) = (4 * GWEI_PER_ETH, 12_000_000_000u64);
    let pool = pool_state(&url).await;
    let expect = add_liquidity(
        num(&pool["reserve_a"]),
        num(&pool["reserve_b"]),
        num(&pool["supply"]),
        max_a,
        max_b,
    )
    .unwrap();
    let usdc_before = balance_of(&url, &alice_sk, USDC).await;
    let eth_before = balance_of(&url, &alice_sk, ETH).await;
    let p = raw_wallet
        .prepare_add_liquidity(
            &alice,
            &AddLiquidityRequest {
                pool: "ETH/USDC".into(),
                max_a: max_a.to_string(),
                max_b: max_b.to_string(),
                min_shares: "1".into(),
                fee: "0".into(),
                nonce: None,
            },
        )
        .await
        .unwrap();
    let h = raw_wallet.submit(&p).await.unwrap();
    wait_for_tx(
        &seq,
        &h,
        WaitFor::Soft,
        Duration::from_secs(30),
        &Progress::Quiet,
    )
    .await
    .unwrap();
    let share = TokenId(pool["share_token"].as_u64().unwrap() as u8);
    assert_eq!(
        balance_of(&url, &alice_sk, ETH).await,
        eth_before - expect.amount_a
    );
    assert_eq!(
        balance_of(&url, &alice_sk, USDC).await,
        usdc_before - expect.amount_b
    );
    assert_eq!(balance_of(&url, &alice_sk, share).await, expect.shares);

    // --- Swap ETH → USDC through the binary (ETH amounts as decimals, min-out raw 0 is
    // unit-free), balances exact against the AMM formula.
    let pool = pool_state(&url).await;
    let (ra, rb) = (num(&pool["reserve_a"]), num(&pool["reserve_b"]));
    let amount_in = 100_000_000u64; // 0.1 ETH
    let out_expected =
        swap_output(ra, rb, amount_in, pool["fee_bps"].as_u64().unwrap() as u16).unwrap();
    let eth_before = balance_of(&url, &alice_sk, ETH).await;
    let usdc_before = balance_of(&url, &alice_sk, USDC).await;
    let (code, out, err) = quire(
        &ks_dir,
        &url,
        &[
            "--key",
            "alice",
            "swap",
            "--pool",
            "ETH/USDC",
            "--token-in",
            "ETH",
            "--amount-in",
            "0.1",
            "--min-out",
            "0",
            "--fee",
            "0.00000001",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("executed"), "{out}");
    assert_eq!(
        balance_of(&url, &alice_sk, ETH).await,
        eth_before - amount_in - 10
    );
    assert_eq!(
        balance_of(&url, &alice_sk, USDC).await,
        usdc_before + out_expected
    );

    // A swap whose bound cannot be met is rejected in its batch: exit 2 with the reason.
    let p = raw_wallet
        .prepare_swap(
            &alice,
            &SwapRequest {
                pool: pool["account"].to_string(),
                token_in: "0".into(),
                amount_in: "1000".into(),
                min_out: u64::MAX.to_string()[..15].into(),
                fee: "0".into(),
                nonce: None,
            },
        )
        .await
        .unwrap();
    let h = raw_wallet.submit(&p).await.unwrap();
    let e = wait_for_tx(
        &seq,
        &h,
        WaitFor::Soft,
        Duration::from_secs(30),
        &Progress::Quiet,
    )
    .await
    .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    assert_eq!(e.code(), Some("slippage"), "{e}");

    // --- Remove half the shares.
    let shares = balance_of(&url, &alice_sk, share).await;
    let p = raw_wallet
        .prepare_remove_liquidity(
            &alice,
            &RemoveLiquidityRequest {
                pool: "ETH/USDC".into(),
                shares: (shares / 2).to_string(),
                min_a: "1".into(),
                min_b: "1".into(),
                fee: "0".into(),
                nonce: None,
            },
        )
        .await
        .unwrap();
    let h = raw_wallet.submit(&p).await.unwrap();
    wait_for_tx(
        &seq,
        &h,
        WaitFor::Soft,
        Duration::from_secs(30),
        &Progress::Quiet,
    )
    .await
    .unwrap();
    assert_eq!(
        balance_of(&url, &alice_sk, share).await,
        shares - shares / 2
    );

    // --- Withdraw: executed on L2 (claimable on L1 needs the batch finalized there).
    let p = wallet
        .prepare_withdraw(
            &alice,
            &WithdrawRequest {
                to: Some(Address([0x42; 20]).to_string()),
                token: "ETH".into(),
                amount: "0.001".into(),
                fee: "0".into(),
                nonce: None,
            },
        )
        .await
        .unwrap();
    let eth_before = balance_of(&url, &alice_sk, ETH).await;
    let h = wallet.submit(&p).await.unwrap();
    wait_for_tx(
        &seq,
        &h,
        WaitFor::Soft,
        Duration::from_secs(30),
        &Progress::Quiet,
    )
    .await
    .unwrap();
    assert_eq!(
        balance_of(&url, &alice_sk, ETH).await,
        eth_before - 1_000_000
    );

    // --- Waiting for L1 finality without an L1 times out: exit 3.
    let (code, out, err) = quire(
        &ks_dir,
        &url,
        &[
            "--key",
            "alice",
            "--timeout",
            "1",
            "transfer",
            "--to",
            &bob_id.to_string(),
            "--token",
            "ETH",
            "--amount",
            "0.001",
            "--wait",
            "finalized",
        ],
    )
    .await;
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("timed out") && err.contains("executed"),
        "{err}"
    );

    // --- `account` shows balances in token units.
    let (code, out, err) = quire(&ks_dir, &url, &["--key", "bob", "account"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1.751000001 ETH"), "{out}");
    assert!(out.contains("nonce:    0"), "{out}");

    running.shutdown().await;
}

async fn fee_balance(url: &str, token: TokenId) -> u64 {
    let v: Value = reqwest::get(format!("{url}/v1/accounts/{}", FEE_ACCOUNT.get()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["balances"][token.0.to_string()]
        .as_str()
        .map_or(0, |s| s.parse().unwrap())
}
