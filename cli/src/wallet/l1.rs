//! L1 commands: deposits (ETH, or an ERC-20 with its approval), full-exit requests and
//! claims, through `quire_l1::user` against the `Rollup` named by a deployment file.
//!
//! Amounts are checked before any transaction is signed: a deposit that is not a multiple
//! of the token's scale would revert on-chain (after costing gas), so it is refused here,
//! naming the flag.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ethers::types::U256;

use quire_core::account::{AccountId, Address};
use quire_core::schnorr::PublicKey;
use quire_core::token::TokenId;
use quire_l1::convert::to_eth_address;
use quire_l1::user::{self, Queued};
use quire_l1::{Deployment, L1Client};

use super::amount::{format_decimal, format_l2_amount, parse_l1_amount};
use super::error::{Result, WalletError};
use super::keystore::Key;
use super::tokens::{Token, Tokens};

/// Blocks a wallet transaction waits for before reporting it.
pub const CONFIRMATIONS: usize = 1;

/// A signing connection to L1 and the deployment it acts on.
#[derive(Clone, Debug)]
pub struct L1Wallet {
    /// The signing client (the key's L1 private key).
    pub client: Arc<L1Client>,
    /// The deployment (rollup address, tokens).
    pub deployment: Deployment,
    /// The tokens the rollup has registered (read from L1 at connect), with their decimals.
    pub tokens: Tokens,
    /// The sender's address.
    pub address: Address,
}

/// A client of `rpc` that signs with the key's L1 private key (refused, naming `--key`,
/// when the key has none).
pub async fn signer(rpc: &str, key: &Key) -> Result<Arc<L1Client>> {
    let (private_key, _) = key.l1.as_ref().ok_or_else(|| {
        WalletError::invalid(
            "--key",
            format!(
                "key {:?} has no L1 private key (add one with `quire key import --l1-key`)",
                key.name
            ),
        )
    })?;
    Ok(quire_l1::connect(rpc, private_key, Duration::from_millis(200)).await?)
}

impl L1Wallet {
    /// Connects to `rpc` with the key's L1 private key and reads `deployment`.
    pub async fn connect(rpc: &str, deployment: &Path, key: &Key) -> Result<L1Wallet> {
        let deployment = Deployment::load(deployment)
            .map_err(|e| WalletError::invalid("--deployment", e.to_string()))?;
        let client = signer(rpc, key).await?;
        // `signer` refused a key without an L1 part, so the address is there.
        let address = key.l1_address().unwrap_or(Address(client.address().0));
        let tokens = registered_tokens(client.clone(), &deployment).await?;
        Ok(L1Wallet {
            client,
            deployment,
            tokens,
            address,
        })
    }

    /// Formats an L1 amount (base units) of `token`.
    pub fn format(&self, amount: U256, token: &Token) -> String {
        format_l1_amount(amount, token)
    }

    /// Deposits `amount` (in token units) of `token` to the L2 account of `to`.
    pub async fn deposit(
        &self,
        token: &str,
        amount: &str,
        to: &PublicKey,
    ) -> Result<DepositOutcome> {
        let token = self.tokens.resolve("--token", token)?.clone();
        let (base, l2_amount) = parse_l1_amount("--amount", amount, &token)?;
        if l2_amount == 0 {
            return Err(WalletError::invalid("--amount", "must be positive"));
        }
        let rollup = self.deployment.rollup;
        let queued = if token.id == TokenId::ETH {
            user::deposit_eth(
                self.client.clone(),
                rollup,
                to,
                U256::from(base),
                CONFIRMATIONS,
            )
            .await?
        } else {
            user::deposit_erc20(
                self.client.clone(),
                rollup,
                to_eth_address(&token.l1_address),
                U256::from(base),
                to,
                CONFIRMATIONS,
            )
            .await?
        };
        Ok(DepositOutcome {
            summary: format!(
                "deposit {} ({}) to {to}, priority fee {} ETH",
                self.format(U256::from(base), &token),
                format_l2_amount(l2_amount, &token),
                format_decimal(queued.fee.low_u128(), 18)
            ),
            queued,
            l2_amount,
            token,
        })
    }

    /// Asks the L2 to move the whole balance of `token` of `account` to L1 (the sender must
    /// be the account's L1 owner for it to pay out).
    pub async fn full_exit(&self, account: AccountId, token: &str) -> Result<Queued> {
        let token = self.tokens.resolve("--token", token)?.clone();
        Ok(user::request_full_exit(
            self.client.clone(),
            self.deployment.rollup,
            account,
            token.id,
            CONFIRMATIONS,
        )
        .await?)
    }

    /// What `owner` can claim of `token` (L1 base units).
    pub async fn claimable(&self, owner: Address, token: &Token) -> Result<U256> {
        Ok(user::claimable(
            self.client.clone(),
            self.deployment.rollup,
            to_eth_address(&owner),
            token.id,
        )
        .await?)
    }

    /// Pays `owner`'s claimable `token` to `owner`; refuses when nothing is claimable.
    pub async fn claim(&self, owner: Address, token: &str) -> Result<ClaimOutcome> {
        let token = self.tokens.resolve("--token", token)?.clone();
        let available = self.claimable(owner, &token).await?;
        if available.is_zero() {
            return Err(WalletError::Refused {
                code: "nothing_claimable".into(),
                message: format!("{owner} has no {} to claim", token.symbol),
                field: Some("--token".into()),
            });
        }
        let (paid, tx) = user::claim(
            self.client.clone(),
            self.deployment.rollup,
            to_eth_address(&owner),
            token.id,
            CONFIRMATIONS,
        )
        .await?;
        Ok(ClaimOutcome {
            summary: format!("claimed {} to {owner}", self.format(paid, &token)),
            paid,
            tx: format!("{tx:?}"),
            token,
        })
    }
}

/// What a deposit did.
#[derive(Clone, Debug)]
pub struct DepositOutcome {
    /// Human summary.
    pub summary: String,
    /// The queued priority operation, as the contract logged it.
    pub queued: Queued,
    /// The amount the L2 will credit.
    pub l2_amount: u64,
    /// The token.
    pub token: Token,
}

/// What a claim paid.
#[derive(Clone, Debug)]
pub struct ClaimOutcome {
    /// Human summary.
    pub summary: String,
    /// Paid, in L1 base units.
    pub paid: U256,
    /// The L1 transaction hash.
    pub tx: String,
    /// The token.
    pub token: Token,
}

/// What `owner` can claim on L1, per token of the deployment with a nonzero amount
/// (read-only: no key needed). Tokens are listed with their L1 decimals where readable.
pub async fn claimable_all(
    rpc: &str,
    deployment: &Path,
    owner: Address,
) -> Result<Vec<(Token, U256)>> {
    let deployment = Deployment::load(deployment)
        .map_err(|e| WalletError::invalid("--deployment", e.to_string()))?;
    let provider = Arc::new(quire_l1::client::provider(rpc, Duration::from_millis(200))?);
    let mut out = Vec::new();
    for token in registered_tokens(provider.clone(), &deployment).await?.0 {
        let amount = user::claimable(
            provider.clone(),
            deployment.rollup,
            to_eth_address(&owner),
            token.id,
        )
        .await?;
        if !amount.is_zero() {
            out.push((token, amount));
        }
    }
    Ok(out)
}

/// The tokens the rollup has registered, read from L1: governance may register more after
/// the deployment file was written. A token keeps the deployment's symbol where the file
/// lists it, else its ERC-20 `symbol()`.
async fn registered_tokens<M: ethers::providers::Middleware + 'static>(
    client: Arc<M>,
    deployment: &Deployment,
) -> Result<Tokens> {
    let registered = quire_l1::tokens::registered_tokens(client, deployment.rollup, 0).await?;
    Ok(Tokens(
        registered
            .into_iter()
            .map(|t| {
                let named = deployment
                    .tokens
                    .iter()
                    .find(|d| d.id == t.id.0 && d.address == t.address);
                Token {
                    id: t.id,
                    symbol: named.map_or(t.symbol.clone(), |d| d.symbol.clone()),
                    l1_address: Address(t.address.0),
                    scale: t.scale.max(1),
                    decimals: t.decimals.map(u32::from),
                }
            })
            .collect(),
    ))
}

/// Formats an L1 amount (base units) of `token`.
pub fn format_l1_amount(amount: U256, token: &Token) -> String {
    match (u128::try_from(amount), token.decimals) {
        (Ok(v), Some(d)) => format!("{} {}", format_decimal(v, d), token.symbol),
        _ => format!("{amount} {} (base units)", token.symbol),
    }
}
