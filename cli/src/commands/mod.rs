//! The `quire` command line: one clap struct per command, each with its own `run`.
//!
//! The enums only dispatch; what a command validates, sends and prints lives with its
//! flags, in one module per command or per small group that shares a path:
//! - [`global`]: the flags every command sees, and the connections they configure;
//! - [`key`]: `key new|import|list|show`;
//! - [`l1`]: `deposit`, `full-exit`, `claim` (an L1 transaction each);
//! - [`l2`]: `transfer`, `swap`, `add-liquidity`, `remove-liquidity`, `withdraw` (a signed
//!   L2 transaction each, submitted the same way);
//! - [`exodus`]: `exodus status|activate|exit|reclaim-deposit`, from L1 data alone;
//! - [`account`], [`tx`]: what the sequencer (and L1) report;
//! - [`demo`]: a generated workload on the reference state transition, with no service.
//!
//! Output: results go to stdout (a transaction's hash alone on its first line, so scripts
//! can capture it); progress, notes and errors go to stderr. Exit codes: 0 ok, 1 usage or
//! validation (nothing sent), 2 a service refused (its machine-readable code is printed),
//! 3 a wait timed out ([`WalletError::exit_code`]).

pub mod account;
pub mod demo;
pub mod exodus;
pub mod global;
pub mod key;
pub mod l1;
pub mod l2;
pub mod tx;

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

pub use global::Global;

use crate::wallet::error::{Result, WalletError};

/// `quire`: the parsed command line.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "quire",
    version,
    about = "Quire ZK-rollup: wallet and operator tools (the devnet is `quire-devnet`)"
)]
pub struct Cli {
    /// Flags of every command.
    #[command(flatten)]
    pub global: Global,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command of `quire`.
#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Apply a generated workload (deposits, transfers, swaps) to the reference state
    /// transition and print the state root.
    Demo(demo::DemoCommand),
    /// The wallet's commands, at the top level.
    #[command(flatten)]
    Wallet(WalletCommand),
}

/// The wallet's subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum WalletCommand {
    /// Manage keys (stored in --keystore, mode 0600).
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Deposit ETH or an ERC-20 from L1 into the L2 account of (key, this L1 address),
    /// opened by the first such deposit: the depositing address is the account's L1 owner.
    Deposit(l1::DepositCommand),
    /// Force the whole balance of a token out of an L2 account from L1 (L1 owner only).
    FullExit(l1::FullExitCommand),
    /// Pay out on L1 what executed batches made claimable.
    Claim(l1::ClaimCommand),
    /// Balances, nonce, and what is claimable on L1 (alias: balance).
    #[command(alias = "balance")]
    Account(account::AccountCommand),
    /// Move tokens to another L2 account.
    Transfer(l2::TransferCommand),
    /// Sell a token to an AMM pool.
    Swap(l2::SwapCommand),
    /// Deposit both reserve tokens into a pool for liquidity shares.
    AddLiquidity(l2::AddLiquidityCommand),
    /// Burn liquidity shares for the pool's tokens.
    RemoveLiquidity(l2::RemoveLiquidityCommand),
    /// Withdraw from L2 to an L1 address (claimable once the batch is finalized).
    Withdraw(l2::WithdrawCommand),
    /// A transaction's status.
    Tx(tx::TxCommand),
    /// Leave when the operator has stopped, from L1 data alone (no sequencer).
    #[command(subcommand)]
    Exodus(exodus::ExodusCommand),
}

impl Cli {
    /// Runs the command and returns the process's exit status, having printed any error.
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Demo(demo) => match demo.run() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(1)
                }
            },
            Command::Wallet(cmd) => {
                init_logs();
                match runtime() {
                    Ok(rt) => exit(rt.block_on(cmd.run(&self.global))),
                    Err(e) => {
                        eprintln!("error: {e:#}");
                        ExitCode::from(1)
                    }
                }
            }
        }
    }
}

impl WalletCommand {
    /// Runs one wallet command.
    pub async fn run(self, g: &Global) -> Result<()> {
        match self {
            WalletCommand::Key(c) => c.run(g).await,
            WalletCommand::Deposit(c) => c.run(g).await,
            WalletCommand::FullExit(c) => c.run(g).await,
            WalletCommand::Claim(c) => c.run(g).await,
            WalletCommand::Account(c) => c.run(g).await,
            WalletCommand::Transfer(c) => c.run(g).await,
            WalletCommand::Swap(c) => c.run(g).await,
            WalletCommand::AddLiquidity(c) => c.run(g).await,
            WalletCommand::RemoveLiquidity(c) => c.run(g).await,
            WalletCommand::Withdraw(c) => c.run(g).await,
            WalletCommand::Tx(c) => c.run(g).await,
            WalletCommand::Exodus(c) => c.run(g).await,
        }
    }
}

/// Prints a wallet error and turns it into the process exit status.
pub fn exit(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let WalletError::Refused { code, field, .. } = &e {
                eprintln!("code: {code}");
                if let Some(f) = field {
                    eprintln!("field: {f}");
                }
            }
            ExitCode::from(e.exit_code() as u8)
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

/// The tokio runtime of the commands that talk to services (`demo` needs none).
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
