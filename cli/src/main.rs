//! `quire`: the command-line entry point of Quire.
//!
//! - the wallet (`key`, `deposit`, `transfer`, `swap`, `add-liquidity`, `remove-liquidity`,
//!   `withdraw`, `full-exit`, `claim`, `account`, `tx`): thin clap wiring over
//!   [`quire_cli::wallet`], which the end-to-end tests call directly;
//! - `quire demo`: a generated workload on the reference state transition.
//!
//! Exit codes: 0 ok, 1 usage or validation (nothing sent), 2 a service refused (its
//! machine-readable code is printed), 3 a wait timed out.

use quire_cli::wallet::cmd as wallet_cmd;

use std::time::Instant;

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use quire_core::account::{Address, FEE_ACCOUNT};
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, PoolSpec, State};
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::{Deposit, L2Tx, Operation, PriorityOp, Swap, Transfer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

#[derive(Parser)]
#[command(
    name = "quire",
    version,
    about = "Quire ZK-rollup: wallet and operator tools (the devnet is `quire-devnet`)"
)]
struct Cli {
    #[command(flatten)]
    global: wallet_cmd::Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply a generated workload (deposits, transfers, swaps) to the reference state
    /// transition and print the state root.
    Demo {
        /// Accounts to open by deposit.
        #[arg(long, default_value_t = 1_000)]
        accounts: u32,
        /// L2 transactions to generate after the deposits.
        #[arg(long, default_value_t = 10_000)]
        txs: u32,
        /// Seed of the workload generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    #[command(flatten)]
    Wallet(wallet_cmd::WalletCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // Help and version are not errors; every usage error exits 1 (clap's default is 2,
            // which this CLI reserves for refusals by a service).
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            };
        }
    };
    let result = match cli.command {
        Command::Demo {
            accounts,
            txs,
            seed,
        } => demo(accounts, txs, seed),
        Command::Wallet(cmd) => {
            init_logs();
            return match runtime() {
                Ok(rt) => wallet_cmd::exit(rt.block_on(wallet_cmd::run(&cli.global, cmd))),
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(1)
                }
            };
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Wallet logs go to stderr, quiet unless `RUST_LOG` asks.
fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

/// The tokio runtime of the commands that talk to services.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn demo(accounts: u32, txs: u32, seed: u64) -> Result<()> {
    if accounts < 2 {
        bail!("--accounts must be at least 2");
    }
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let usdc = TokenId(1);
    let genesis = Genesis {
        chain_id: 1,
        operator: SecretKey::from_seed(b"quire demo operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![TokenInfo {
            id: usdc,
            symbol: "USDC".into(),
            l1_address: Address([0x11; 20]),
            scale: 1,
        }],
        pools: vec![PoolSpec {
            token_a: TokenId::ETH,
            token_b: usdc,
            fee_bps: 30,
        }],
    };
    let mut state = State::genesis(&genesis).context("building genesis")?;
    let pool = *state.pools().keys().next().context("genesis has a pool")?;
    println!("genesis root  {}", state.root());

    let started = Instant::now();
    let keys: Vec<SecretKey> = (0..accounts)
        .map(|i| SecretKey::from_seed(&[&seed.to_le_bytes()[..], &i.to_le_bytes()].concat()))
        .collect();
    let mut ids = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        for (token, amount) in [
            (TokenId::ETH, 1_000_000_000_000u64),
            (usdc, 1_000_000_000_000),
        ] {
            let op = Operation::Priority(PriorityOp::Deposit(Deposit {
                priority_id: state.next_priority_id(),
                from: Address([i as u8; 20]),
                to: key.public_key(),
                token,
                amount,
            }));
            state.apply(&op).context("deposit")?;
        }
        ids.push(
            state
                .account_id(&key.public_key(), &Address([i as u8; 20]))
                .context("deposit opened the account")?,
        );
    }
    // Seed the pool with liquidity from the first account.
    let add = L2Tx::AddLiquidity(quire_core::tx::AddLiquidity {
        account: ids[0],
        pool,
        max_amount_a: 100_000_000_000,
        max_amount_b: 100_000_000_000,
        min_shares: 0,
        fee: 0,
        nonce: 0,
    });
    state
        .apply(&add.sign(&keys[0], genesis.chain_id).into())
        .context("seeding the pool")?;

    let mut nonces = vec![0u32; keys.len()];
    nonces[0] = 1;
    let (mut ok, mut rejected) = (0u32, 0u32);
    for _ in 0..txs {
        let i = rng.gen_range(0..keys.len());
        let tx = if rng.gen_bool(0.8) {
            L2Tx::Transfer(Transfer {
                from: ids[i],
                to: ids[rng.gen_range(0..ids.len())],
                token: if rng.gen_bool(0.5) {
                    TokenId::ETH
                } else {
                    usdc
                },
                amount: rng.gen_range(1..1_000_000),
                fee: 10,
                nonce: nonces[i],
            })
        } else {
            L2Tx::Swap(Swap {
                account: ids[i],
                pool,
                token_in: if rng.gen_bool(0.5) {
                    TokenId::ETH
                } else {
                    usdc
                },
                amount_in: rng.gen_range(1_000..1_000_000),
                min_amount_out: 0,
                fee: 10,
                nonce: nonces[i],
            })
        };
        match state.apply(&tx.sign(&keys[i], genesis.chain_id).into()) {
            Ok(_) => {
                nonces[i] += 1;
                ok += 1;
            }
            Err(_) => rejected += 1,
        }
    }
    let root = state.root();
    let secs = started.elapsed().as_secs_f64();
    println!("accounts      {}", state.num_accounts());
    println!(
        "applied       {ok} L2 transactions ({rejected} rejected), {} deposits",
        accounts * 2
    );
    println!(
        "fee account   {} gwei ETH",
        state.balance(FEE_ACCOUNT, TokenId::ETH)
    );
    println!("state root    {root}");
    println!("time          {secs:.2} s (signing, verification and tree updates included)");
    Ok(())
}
