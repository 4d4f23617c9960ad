//! `quire tx <HASH>`: a transaction's status, optionally after following it.
//!
//! Unlike the commands that submit, the default is not to wait: this is the command that
//! looks, and `--wait` makes it the one that follows a transaction sent earlier.

use std::str::FromStr;

use clap::Args;

use quire_api::{ErrorCode, TxStatus};
use quire_core::hash::Digest;

use super::Global;
use crate::wallet::error::{Result, WalletError};
use crate::wallet::wait::{wait_for_tx, WaitFor};

/// `quire tx`.
#[derive(Args, Debug, Clone)]
pub struct TxCommand {
    /// The transaction hash (0x…).
    pub hash: String,
    /// Follow it up to this stage.
    #[arg(long, value_enum, default_value_t = WaitFor::None)]
    pub wait: WaitFor,
}

impl TxCommand {
    /// Waits as asked, then prints the status, its batch, and the receipt or refusal.
    pub async fn run(self, g: &Global) -> Result<()> {
        let hash = Digest::from_str(self.hash.trim())
            .map_err(|e| WalletError::invalid("<HASH>", format!("{e}")))?;
        let seq = g.sequencer()?;
        if self.wait != WaitFor::None {
            wait_for_tx(&seq, &hash, self.wait, g.timeout(), &g.progress()).await?;
        }
        let view = seq
            .transaction(&hash)
            .await?
            .ok_or_else(|| WalletError::Refused {
                code: ErrorCode::NotFound.as_str().into(),
                message: format!("the sequencer does not know {hash}"),
                field: None,
            })?;
        println!("status: {}", view.status.name());
        if let Some(b) = view.status.batch_number() {
            println!("batch: {b}");
        }
        match &view.status {
            TxStatus::Pending => {}
            TxStatus::Executed { receipt, .. } => println!("receipt: {receipt}"),
            TxStatus::Rejected { code, message, .. } => {
                println!("code: {code}");
                println!("message: {message}");
            }
        }
        Ok(())
    }
}
