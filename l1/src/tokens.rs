//! The tokens the rollup contract has registered, read from L1.
//!
//! Governance may `registerToken` at any time, so the deployment file's list (what was
//! registered at deployment) goes stale; the contract is the registry of record. The
//! sequencer (for `/v1/tokens`) and the wallet (to resolve `--token`) read it from here.
//! Ids are dense (`0..tokenCount`) and never reused or removed, so "the ids from `n` on"
//! is all a follower needs to catch up.

use std::sync::Arc;

use ethers::providers::Middleware;
use ethers::types::Address as EthAddress;
use quire_core::account::Address;
use quire_core::token::{TokenId, TokenInfo};

use crate::bindings::erc20::IERC20;
use crate::bindings::rollup::Rollup;
use crate::error::L1Error;

/// An L1 asset as the rollup registered it, with what its ERC-20 says of itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredToken {
    /// The token id (0 is ETH).
    pub id: TokenId,
    /// The ERC-20 (zero for ETH).
    pub address: EthAddress,
    /// L1 amount = L2 amount × scale.
    pub scale: u128,
    /// `symbol()` of the ERC-20 ("ETH" for ETH); `T<id>` where it has none or it is not
    /// printable (a symbol is display only, never trusted).
    pub symbol: String,
    /// `decimals()` of the ERC-20 (18 for ETH); `None` where the call fails.
    pub decimals: Option<u8>,
}

impl RegisteredToken {
    /// The token as core's registry describes it.
    pub fn info(&self) -> TokenInfo {
        TokenInfo {
            id: self.id,
            symbol: self.symbol.clone(),
            l1_address: Address(self.address.0),
            scale: self.scale,
        }
    }
}

/// How many tokens the rollup has registered (ids `0..count`).
pub async fn token_count<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
) -> Result<u8, L1Error> {
    Rollup::new(rollup, client)
        .token_count()
        .call()
        .await
        .map_err(L1Error::contract)
}

/// The rollup's tokens with ids `from..tokenCount`, in id order.
pub async fn registered_tokens<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    from: u8,
) -> Result<Vec<RegisteredToken>, L1Error> {
    let count = token_count(client.clone(), rollup).await?;
    let r = Rollup::new(rollup, client.clone());
    let mut out = Vec::with_capacity(usize::from(count.saturating_sub(from)));
    for id in from..count {
        let (address, scale) = r.tokens(id).call().await.map_err(L1Error::contract)?;
        let scale = u128::try_from(scale)
            .map_err(|_| L1Error::InvalidEvent(format!("token {id} has scale {scale}")))?;
        let (symbol, decimals) = if address.is_zero() {
            ("ETH".to_string(), Some(18))
        } else {
            let erc20 = IERC20::new(address, client.clone());
            let symbol = erc20.symbol().call().await.ok().filter(|s| printable(s));
            (
                symbol.unwrap_or_else(|| format!("T{id}")),
                erc20.decimals().call().await.ok(),
            )
        };
        out.push(RegisteredToken {
            id: TokenId(id),
            address,
            scale,
            symbol,
            decimals,
        });
    }
    Ok(out)
}

/// A symbol fit to print: 1–16 ASCII letters, digits, `.`, `-` or `_` (ERC-20 symbols are
/// arbitrary strings an attacker chooses).
fn printable(s: &str) -> bool {
    (1..=16).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn only_short_plain_symbols_are_printed() {
        assert!(printable("USDC"));
        assert!(printable("wstETH.e"));
        assert!(!printable(""));
        assert!(!printable("ETH\u{202e}"));
        assert!(!printable("a very long token symbol"));
        assert!(!printable("<script>"));
    }
}
