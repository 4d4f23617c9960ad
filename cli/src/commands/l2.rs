//! The commands that sign and submit an L2 transaction: `transfer`, `swap`,
//! `add-liquidity`, `remove-liquidity`, `withdraw`.
//!
//! Each turns its flags into the library's request and shares the rest (`submit`): load
//! the key, connect, prepare (every flag is validated before anything is sent), submit,
//! print the hash alone on stdout's first line for scripts, then follow it per `--wait`.

use clap::Args;

use super::Global;
use crate::wallet::error::Result;
use crate::wallet::keystore::Key;
use crate::wallet::l2::{
    AddLiquidityRequest, Prepared, RemoveLiquidityRequest, SwapRequest, TransferRequest, Wallet,
    WithdrawRequest,
};
use crate::wallet::wait::{wait_for_tx, WaitFor};

/// `--wait` of commands that submit L2 transactions.
#[derive(Args, Debug, Clone)]
pub struct WaitArg {
    /// How far to follow the transaction before returning.
    #[arg(long, value_enum, default_value_t = WaitFor::Soft)]
    pub wait: WaitFor,
    /// Use this nonce instead of the account's current one (to queue several).
    #[arg(long)]
    pub nonce: Option<u32>,
}

/// Loads the key, connects, prepares (validating every flag), submits, prints the hash,
/// then waits.
async fn submit(
    g: &Global,
    wait: WaitFor,
    prepare: impl AsyncFnOnce(&Wallet, &Key) -> Result<Prepared>,
) -> Result<()> {
    let key = g.load_key()?;
    let wallet = g.wallet().await?;
    let prepared = prepare(&wallet, &key).await?;
    for note in &prepared.notes {
        eprintln!("note: {note}");
    }
    let hash = wallet.submit(&prepared).await?;
    println!("{hash}");
    println!("{}", prepared.summary);
    if let Some(view) =
        wait_for_tx(&wallet.sequencer, &hash, wait, g.timeout(), &g.progress()).await?
    {
        match view.status.batch_number() {
            Some(b) => println!("{} (batch {b})", view.status.name()),
            None => println!("{}", view.status.name()),
        }
    }
    Ok(())
}

/// `quire transfer`.
#[derive(Args, Debug, Clone)]
pub struct TransferCommand {
    /// Account id of the receiver, or `<public key>@<L1 owner>`.
    #[arg(long)]
    pub to: String,
    /// Token symbol or id.
    #[arg(long)]
    pub token: String,
    /// Amount in the token's units.
    #[arg(long)]
    pub amount: String,
    /// Fee to the operator, in the same token.
    #[arg(long, default_value = "0")]
    pub fee: String,
    /// `--wait` and `--nonce`.
    #[command(flatten)]
    pub wait: WaitArg,
}

impl TransferCommand {
    /// Signs and submits the transfer.
    pub async fn run(self, g: &Global) -> Result<()> {
        let req = TransferRequest {
            to: self.to,
            token: self.token,
            amount: self.amount,
            fee: self.fee,
            nonce: self.wait.nonce,
        };
        submit(g, self.wait.wait, async |w, k| {
            w.prepare_transfer(k, &req).await
        })
        .await
    }
}

/// `quire swap`.
#[derive(Args, Debug, Clone)]
pub struct SwapCommand {
    /// Pool account id, or TOKEN_A/TOKEN_B.
    #[arg(long)]
    pub pool: String,
    /// Token sold.
    #[arg(long)]
    pub token_in: String,
    /// Amount sold.
    #[arg(long)]
    pub amount_in: String,
    /// Least acceptable amount of the other token.
    #[arg(long)]
    pub min_out: String,
    /// Fee to the operator, in the token sold.
    #[arg(long, default_value = "0")]
    pub fee: String,
    /// `--wait` and `--nonce`.
    #[command(flatten)]
    pub wait: WaitArg,
}

impl SwapCommand {
    /// Signs and submits the swap.
    pub async fn run(self, g: &Global) -> Result<()> {
        let req = SwapRequest {
            pool: self.pool,
            token_in: self.token_in,
            amount_in: self.amount_in,
            min_out: self.min_out,
            fee: self.fee,
            nonce: self.wait.nonce,
        };
        submit(g, self.wait.wait, async |w, k| {
            w.prepare_swap(k, &req).await
        })
        .await
    }
}

/// `quire add-liquidity`.
#[derive(Args, Debug, Clone)]
pub struct AddLiquidityCommand {
    /// Pool account id, or TOKEN_A/TOKEN_B.
    #[arg(long)]
    pub pool: String,
    /// Most of the pool's token A to add.
    #[arg(long)]
    pub max_a: String,
    /// Most of the pool's token B to add.
    #[arg(long)]
    pub max_b: String,
    /// Fewest shares acceptable.
    #[arg(long, default_value = "0")]
    pub min_shares: String,
    /// Fee to the operator, in token A.
    #[arg(long, default_value = "0")]
    pub fee: String,
    /// `--wait` and `--nonce`.
    #[command(flatten)]
    pub wait: WaitArg,
}

impl AddLiquidityCommand {
    /// Signs and submits the liquidity deposit.
    pub async fn run(self, g: &Global) -> Result<()> {
        let req = AddLiquidityRequest {
            pool: self.pool,
            max_a: self.max_a,
            max_b: self.max_b,
            min_shares: self.min_shares,
            fee: self.fee,
            nonce: self.wait.nonce,
        };
        submit(g, self.wait.wait, async |w, k| {
            w.prepare_add_liquidity(k, &req).await
        })
        .await
    }
}

/// `quire remove-liquidity`.
#[derive(Args, Debug, Clone)]
pub struct RemoveLiquidityCommand {
    /// Pool account id, or TOKEN_A/TOKEN_B.
    #[arg(long)]
    pub pool: String,
    /// Shares to burn.
    #[arg(long)]
    pub shares: String,
    /// Least acceptable amount of token A.
    #[arg(long, default_value = "0")]
    pub min_a: String,
    /// Least acceptable amount of token B.
    #[arg(long, default_value = "0")]
    pub min_b: String,
    /// Fee to the operator, in token A.
    #[arg(long, default_value = "0")]
    pub fee: String,
    /// `--wait` and `--nonce`.
    #[command(flatten)]
    pub wait: WaitArg,
}

impl RemoveLiquidityCommand {
    /// Signs and submits the share burn.
    pub async fn run(self, g: &Global) -> Result<()> {
        let req = RemoveLiquidityRequest {
            pool: self.pool,
            shares: self.shares,
            min_a: self.min_a,
            min_b: self.min_b,
            fee: self.fee,
            nonce: self.wait.nonce,
        };
        submit(g, self.wait.wait, async |w, k| {
            w.prepare_remove_liquidity(k, &req).await
        })
        .await
    }
}

/// `quire withdraw`: the L2 half of a withdrawal; `claim` is the L1 half.
#[derive(Args, Debug, Clone)]
pub struct WithdrawCommand {
    /// L1 recipient [default: the key's L1 address].
    #[arg(long)]
    pub to: Option<String>,
    /// Token symbol or id.
    #[arg(long)]
    pub token: String,
    /// Amount in the token's units.
    #[arg(long)]
    pub amount: String,
    /// Fee to the operator, in the same token.
    #[arg(long, default_value = "0")]
    pub fee: String,
    /// `--wait` and `--nonce`.
    #[command(flatten)]
    pub wait: WaitArg,
}

impl WithdrawCommand {
    /// Signs and submits the withdrawal.
    pub async fn run(self, g: &Global) -> Result<()> {
        let req = WithdrawRequest {
            to: self.to,
            token: self.token,
            amount: self.amount,
            fee: self.fee,
            nonce: self.wait.nonce,
        };
        submit(g, self.wait.wait, async |w, k| {
            w.prepare_withdraw(k, &req).await
        })
        .await
    }
}
