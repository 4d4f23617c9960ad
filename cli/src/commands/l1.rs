//! The commands that send an L1 transaction to the Rollup contract: `deposit`,
//! `full-exit`, `claim`.
//!
//! They need `--l1-rpc` and `--deployment`, sign with the key's L1 key, and bound the
//! wait for their receipt by `--timeout` (`Global::l1_deadline`). The L1 transaction's
//! hash is the first line of stdout.

use std::str::FromStr;

use clap::Args;

use quire_core::account::{AccountId, Address};
use quire_core::schnorr::PublicKey;

use super::Global;
use crate::wallet::error::{Result, WalletError};
use crate::wallet::wait::{wait_for_priority_op, WaitFor};

/// `quire deposit`: into the L2 account of (a key, the depositing L1 address).
#[derive(Args, Debug, Clone)]
pub struct DepositCommand {
    /// Token symbol or id.
    #[arg(long)]
    pub token: String,
    /// Amount in the token's units (e.g. 0.5 for ETH).
    #[arg(long)]
    pub amount: String,
    /// The L2 public key credited [default: the key's]. The account credited is the
    /// pair (that key, this key's L1 address): the sender stays its L1 owner.
    #[arg(long)]
    pub to: Option<String>,
    /// `none`, or `soft` (the L2 has credited it; needs the sequencer's L1 watcher).
    #[arg(long, value_enum, default_value_t = WaitFor::Soft)]
    pub wait: WaitFor,
}

impl DepositCommand {
    /// Validates every flag before connecting, sends the deposit, then waits for the L2
    /// to credit it unless `--wait none`.
    pub async fn run(self, g: &Global) -> Result<()> {
        let key = g.load_key()?;
        let to = match &self.to {
            Some(s) => PublicKey::from_str(s.trim())
                .map_err(|e| WalletError::invalid("--to", format!("{s:?}: {e}")))?,
            None => key.public_key(),
        };
        // The later stages belong to the batch that consumes the deposit, not to it.
        if self.wait > WaitFor::Soft {
            return Err(WalletError::invalid(
                "--wait",
                "a deposit can be followed up to `soft` (credited on L2)",
            ));
        }
        let l1 = g.l1(&key).await?;
        let out = g
            .l1_deadline(
                "the deposit's L1 transaction",
                l1.deposit(&self.token, &self.amount, &to),
            )
            .await?;
        println!("{:?}", out.queued.tx);
        println!("{}", out.summary);
        println!(
            "priority operation {} queued in L1 block {}",
            out.queued.op.priority_id(),
            out.queued.block
        );
        if self.wait == WaitFor::Soft {
            wait_for_priority_op(
                &g.sequencer()?,
                out.queued.op.priority_id(),
                g.timeout(),
                &g.progress(),
            )
            .await?;
            println!("credited on L2");
        }
        Ok(())
    }
}

/// `quire full-exit`: the L1 owner's way out that the operator cannot ignore.
#[derive(Args, Debug, Clone)]
pub struct FullExitCommand {
    /// Token symbol or id.
    #[arg(long)]
    pub token: String,
    /// The L2 account [default: the key's].
    #[arg(long)]
    pub account: Option<u32>,
}

impl FullExitCommand {
    /// Queues the exit as a priority operation; the payout is a later `claim`.
    pub async fn run(self, g: &Global) -> Result<()> {
        let key = g.load_key()?;
        let account = match self.account {
            Some(n) => {
                AccountId::new(n).ok_or_else(|| WalletError::invalid("--account", "below 2^24"))?
            }
            None => g.wallet().await?.own_account(&key).await?.account_id()?,
        };
        let l1 = g.l1(&key).await?;
        let q = g
            .l1_deadline(
                "the full exit's L1 transaction",
                l1.full_exit(account, &self.token),
            )
            .await?;
        println!("{:?}", q.tx);
        println!(
            "full exit of account {account} queued as priority operation {} (L1 block {}); \
             claim once its batch is finalized",
            q.op.priority_id(),
            q.block
        );
        Ok(())
    }
}

/// `quire claim`: withdrawals and exits are paid on L1 only when claimed.
#[derive(Args, Debug, Clone)]
pub struct ClaimCommand {
    /// Token symbol or id.
    #[arg(long)]
    pub token: String,
    /// The owner to pay [default: the key's L1 address].
    #[arg(long)]
    pub owner: Option<String>,
}

impl ClaimCommand {
    /// Pays `--owner` what is claimable in `--token`.
    pub async fn run(self, g: &Global) -> Result<()> {
        let key = g.load_key()?;
        let l1 = g.l1(&key).await?;
        let owner = match &self.owner {
            Some(s) => Address::from_str(s.trim())
                .map_err(|e| WalletError::invalid("--owner", format!("{s:?}: {e}")))?,
            None => l1.address,
        };
        let out = g
            .l1_deadline("the claim's L1 transaction", l1.claim(owner, &self.token))
            .await?;
        println!("{}", out.tx);
        println!("{}", out.summary);
        Ok(())
    }
}
