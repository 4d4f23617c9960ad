//! `quire account` (alias `balance`): what an L2 account holds, and what its L1 owner can
//! claim.
//!
//! The claimable part is read from L1 only when `--l1-rpc` and `--deployment` are both
//! given: the L2 view alone needs no L1 connection.

use clap::Args;

use quire_api::ErrorCode;
use quire_core::account::AccountId;
use quire_core::token::TokenId;

use super::Global;
use crate::wallet::error::{Result, WalletError};
use crate::wallet::l1::{claimable_all, format_l1_amount};

/// `quire account`.
#[derive(Args, Debug, Clone)]
pub struct AccountCommand {
    /// An account id [default: the key's account].
    #[arg(long, conflicts_with = "pubkey")]
    pub id: Option<u32>,
    /// An L2 public key and its account's L1 owner, as `<key>@<L1 address>` (an
    /// account is the pair: several L1 addresses may have opened one for a key).
    #[arg(long)]
    pub pubkey: Option<String>,
}

impl AccountCommand {
    /// Prints the account named by `--id`, `--pubkey`, or else the key's own.
    pub async fn run(self, g: &Global) -> Result<()> {
        let wallet = g.wallet().await?;
        let info = match (self.id, self.pubkey) {
            (Some(n), _) => {
                let id =
                    AccountId::new(n).ok_or_else(|| WalletError::invalid("--id", "below 2^24"))?;
                wallet.sequencer.account(id).await?
            }
            (None, Some(pk)) => {
                let id = wallet.recipient("--pubkey", &pk).await?;
                wallet.sequencer.account(id).await?
            }
            (None, None) => {
                let key = g.load_key()?;
                Some(wallet.own_account(&key).await?)
            }
        };
        let Some(info) = info else {
            return Err(WalletError::Refused {
                code: ErrorCode::NotFound.as_str().into(),
                message: "no such L2 account (an L1 deposit opens one)".into(),
                field: None,
            });
        };
        println!("account:  {}", info.id);
        if let Some(pk) = &info.pubkey {
            println!("pubkey:   {pk}");
        }
        println!("l1 owner: {}", info.l1_owner);
        println!("nonce:    {}", info.nonce);
        println!("balances:");
        for t in &info.balances {
            let id = TokenId(*t.0);
            println!("  {}", wallet.format(info.balance(id)?, id));
        }
        if let (Some(rpc), Some(dep)) = (g.l1_rpc.as_deref(), g.deployment.as_deref()) {
            let claimable = claimable_all(rpc, dep, info.l1_owner).await?;
            if claimable.is_empty() {
                println!("claimable on L1 by {}: nothing", info.l1_owner);
            } else {
                println!("claimable on L1 by {}:", info.l1_owner);
                for (token, amount) in claimable {
                    println!("  {}", format_l1_amount(amount, &token));
                }
            }
        }
        Ok(())
    }
}
