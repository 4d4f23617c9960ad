//! Tokens and their L1 scale.
//!
//! Token ids index the leaves of an account's balance tree (depth 8, so 256 ids). The id
//! space is split in two fixed halves, so that a circuit can tell them apart by one bit:
//! ids `0..128` are L1 assets (ETH is 0) that can be deposited and withdrawn; ids
//! `128..256` are liquidity-share tokens of AMM pools, which exist only on L2.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::account::Address;

/// Index of a token in every balance tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenId(pub u8);

impl TokenId {
    /// Ether, always registered, with scale 10^9 (L2 units are gwei).
    pub const ETH: TokenId = TokenId(0);
    /// First id of the liquidity-share half of the id space.
    pub const FIRST_SHARE_TOKEN: u8 = 128;

    /// True for L1 assets (deposit- and withdrawable), false for pool-share tokens.
    pub fn is_l1_asset(self) -> bool {
        self.0 < Self::FIRST_SHARE_TOKEN
    }
}

impl std::fmt::Display for TokenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a token id stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// The id.
    pub id: TokenId,
    /// Display symbol (not unique, not trusted).
    pub symbol: String,
    /// The ERC-20 contract on L1; zero for ETH and for pool-share tokens.
    pub l1_address: Address,
    /// L1 amount = L2 amount × scale. Fixed at registration, so L2 amounts fit u64 for
    /// tokens with 18 decimals (ETH uses 10^9: L2 units are gwei). 1 for share tokens.
    pub scale: u128,
}

/// Why a token could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The id is already taken.
    #[error("token {0} is already registered")]
    AlreadyRegistered(TokenId),
    /// The id is in the wrong half of the id space for its kind.
    #[error("token {0} is in the wrong id range for its kind")]
    WrongIdRange(TokenId),
    /// Scale must be at least 1.
    #[error("token scale must be at least 1")]
    ZeroScale,
}

/// The registered tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRegistry {
    tokens: BTreeMap<TokenId, TokenInfo>,
}

impl TokenRegistry {
    /// A registry holding ETH only.
    pub fn with_eth() -> Self {
        let mut r = Self::default();
        r.tokens.insert(
            TokenId::ETH,
            TokenInfo {
                id: TokenId::ETH,
                symbol: "ETH".into(),
                l1_address: Address::ZERO,
                scale: 1_000_000_000,
            },
        );
        r
    }

    /// Registers a token. L1 assets must use ids below 128, share tokens ids from 128.
    pub fn register(&mut self, info: TokenInfo, is_share_token: bool) -> Result<(), TokenError> {
        if self.tokens.contains_key(&info.id) {
            return Err(TokenError::AlreadyRegistered(info.id));
        }
        if info.id.is_l1_asset() == is_share_token {
            return Err(TokenError::WrongIdRange(info.id));
        }
        if info.scale == 0 {
            return Err(TokenError::ZeroScale);
        }
        self.tokens.insert(info.id, info);
        Ok(())
    }

    /// The token's description, if registered.
    pub fn get(&self, id: TokenId) -> Option<&TokenInfo> {
        self.tokens.get(&id)
    }

    /// True if the id is registered.
    pub fn contains(&self, id: TokenId) -> bool {
        self.tokens.contains_key(&id)
    }

    /// All registered tokens in id order.
    pub fn iter(&self) -> impl Iterator<Item = &TokenInfo> {
        self.tokens.values()
    }

    /// The smallest free id in the share-token half, if any.
    pub fn next_share_token_id(&self) -> Option<TokenId> {
        (TokenId::FIRST_SHARE_TOKEN..=u8::MAX)
            .map(TokenId)
            .find(|id| !self.tokens.contains_key(id))
    }
}
