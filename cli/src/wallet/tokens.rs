//! Tokens as the wallet sees them: the sequencer's registry plus the number of decimals
//! users type amounts in.
//!
//! The L2 registry knows a token's scale (L1 amount = L2 amount × scale) but not its
//! decimals, which live in the ERC-20 contract. ETH has 18; pool-share tokens exist only on
//! L2 and are counted in whole units (0); an ERC-20's come from its `decimals()` when an L1
//! RPC is configured, and are unknown otherwise (amounts must then be given in L2 units).

use std::sync::Arc;

use ethers::providers::Middleware;

use quire_core::account::Address;
use quire_core::token::{TokenId, TokenInfo};
use quire_l1::bindings::erc20::IERC20;
use quire_l1::convert::to_eth_address;

use super::error::{Result, WalletError};

/// A registered token with what the wallet needs to read and print amounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Its id.
    pub id: TokenId,
    /// Display symbol.
    pub symbol: String,
    /// The ERC-20 on L1 (zero for ETH and share tokens).
    pub l1_address: Address,
    /// L1 amount = L2 amount × scale.
    pub scale: u128,
    /// Decimals of the token's display unit, if known.
    pub decimals: Option<u32>,
}

impl Token {
    /// From the registry entry, with decimals known without L1 (ETH, share tokens).
    pub fn from_info(info: &TokenInfo) -> Token {
        let decimals = if info.id == TokenId::ETH {
            Some(18)
        } else if !info.id.is_l1_asset() {
            Some(0)
        } else {
            None
        };
        Token {
            id: info.id,
            symbol: info.symbol.clone(),
            l1_address: info.l1_address,
            scale: info.scale.max(1),
            decimals,
        }
    }
}

/// The token list, looked up by symbol (case-insensitive) or id.
#[derive(Clone, Debug, Default)]
pub struct Tokens(pub Vec<Token>);

impl Tokens {
    /// From the registry; decimals of ERC-20s are read from L1 when `l1` is given
    /// (a token whose contract does not answer keeps unknown decimals).
    pub async fn new<M: Middleware + 'static>(infos: &[TokenInfo], l1: Option<Arc<M>>) -> Tokens {
        let mut out = Vec::with_capacity(infos.len());
        for info in infos {
            let mut t = Token::from_info(info);
            if let (None, Some(client)) = (t.decimals, &l1) {
                if t.l1_address != Address::ZERO {
                    let erc20 = IERC20::new(to_eth_address(&t.l1_address), client.clone());
                    match erc20.decimals().call().await {
                        Ok(d) => t.decimals = Some(d as u32),
                        Err(e) => tracing::debug!(token = %t.symbol, error = %e, "no decimals()"),
                    }
                }
            }
            out.push(t);
        }
        Tokens(out)
    }

    /// Resolves `--token`-like input: a symbol or a numeric id. `field` names the flag.
    pub fn resolve(&self, field: &str, input: &str) -> Result<&Token> {
        let input = input.trim();
        let found = match input.parse::<u8>() {
            Ok(id) => self.0.iter().find(|t| t.id.0 == id),
            Err(_) => {
                let matches: Vec<&Token> = self
                    .0
                    .iter()
                    .filter(|t| t.symbol.eq_ignore_ascii_case(input))
                    .collect();
                if matches.len() > 1 {
                    return Err(WalletError::invalid(
                        field,
                        format!("symbol {input} is ambiguous: use the token id"),
                    ));
                }
                matches.first().copied()
            }
        };
        found.ok_or_else(|| {
            let known: Vec<String> = self
                .0
                .iter()
                .map(|t| format!("{} ({})", t.symbol, t.id))
                .collect();
            WalletError::invalid(
                field,
                format!("unknown token {input:?}; known: {}", known.join(", ")),
            )
        })
    }

    /// The token with this id.
    pub fn by_id(&self, id: TokenId) -> Option<&Token> {
        self.0.iter().find(|t| t.id == id)
    }
}
