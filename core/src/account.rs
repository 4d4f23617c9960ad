//! Accounts and the values stored in their leaves.
//!
//! Leaf of the account tree (depth 24):
//! `Poseidon(pubkey_hash[4] ‖ l1_owner as 5×32-bit limbs ‖ nonce ‖ balance_root[4])`, 14
//! elements; a never-opened account id holds the empty leaf (all zero). The balance tree of
//! an account (depth 8) holds a token's balance directly as the leaf `[balance, 0, 0, 0]`,
//! so a zero balance is the empty leaf and needs no hashing.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::field::F;
use crate::hash::{hash_elements, parse_hex_array, Digest};
use crate::schnorr::PublicKey;
use crate::token::TokenId;

/// Depth of the account tree: 2^24 accounts.
pub const ACCOUNT_TREE_DEPTH: u8 = 24;
/// Depth of each account's balance tree: 2^8 tokens.
pub const BALANCE_TREE_DEPTH: u8 = 8;
/// Largest valid amount or balance in L2 units (amounts are `< 2^63`).
pub const MAX_AMOUNT: u64 = (1 << 63) - 1;

/// The L1 bridge reserve: a keyless account created at genesis holding `MAX_AMOUNT` of
/// every L1 asset id. A deposit is a transfer out of it and a withdrawal a transfer into
/// it, so every token's total over all accounts is constant and no balance can exceed
/// `MAX_AMOUNT` (no credit can overflow, which is what lets credits commute).
pub const BRIDGE_ACCOUNT: AccountId = AccountId(0);
/// The operator's fee account, created at genesis: every L2 fee is credited here.
pub const FEE_ACCOUNT: AccountId = AccountId(1);

/// An index into the account tree, `< 2^24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AccountId(u32);

impl AccountId {
    /// Number of account ids.
    pub const LIMIT: u32 = 1 << ACCOUNT_TREE_DEPTH;

    /// The id if it fits the account tree.
    pub const fn new(id: u32) -> Option<Self> {
        if id < Self::LIMIT {
            Some(AccountId(id))
        } else {
            None
        }
    }

    /// The id as an integer.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The id as a vector index.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u32::deserialize(d)?;
        AccountId::new(v).ok_or_else(|| serde::de::Error::custom("account id must be < 2^24"))
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An Ethereum address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// The zero address (owner of keyless accounts).
    pub const ZERO: Address = Address([0; 20]);

    /// Five 32-bit limbs, big-endian, as field elements: each fits below p, so the mapping
    /// is injective (64-bit limbs could exceed p).
    pub fn elements(&self) -> [F; 5] {
        let mut out = [F::ZERO; 5];
        for (o, c) in out.iter_mut().zip(self.0.chunks_exact(4)) {
            let limb = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
            *o = F::from_canonical_u32(limb);
        }
        out
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Address {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_hex_array(s)
            .map(Address)
            .ok_or("expected 0x-prefixed hex of 20 bytes")
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One account's native record. The tree leaf is derived from it by [`Account::leaf`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The signing key; `None` for keyless accounts (bridge reserve, AMM pools), which can
    /// never sign.
    pub pubkey: Option<PublicKey>,
    /// Poseidon hash of the key, or zero for keyless accounts.
    pub pubkey_hash: Digest,
    /// The L1 address allowed to force a full exit (and to exit in exodus): the sender of the
    /// deposit that opened the account. With the key it identifies the account (D10).
    pub l1_owner: Address,
    /// Number of L2 transactions this account has signed and had executed.
    pub nonce: u32,
    /// Non-zero balances by token.
    pub balances: BTreeMap<TokenId, u64>,
}

impl Account {
    /// A fresh account for a signing key.
    pub fn with_key(pubkey: PublicKey, l1_owner: Address) -> Self {
        Self {
            pubkey_hash: pubkey.hash(),
            pubkey: Some(pubkey),
            l1_owner,
            nonce: 0,
            balances: BTreeMap::new(),
        }
    }

    /// A fresh keyless account.
    pub fn keyless() -> Self {
        Self {
            pubkey: None,
            pubkey_hash: Digest::ZERO,
            l1_owner: Address::ZERO,
            nonce: 0,
            balances: BTreeMap::new(),
        }
    }

    /// The balance of a token (zero if absent).
    pub fn balance(&self, token: TokenId) -> u64 {
        self.balances.get(&token).copied().unwrap_or(0)
    }

    /// Sets a balance, keeping the map free of zero entries.
    pub fn set_balance(&mut self, token: TokenId, amount: u64) {
        if amount == 0 {
            self.balances.remove(&token);
        } else {
            self.balances.insert(token, amount);
        }
    }

    /// The account-tree leaf for this record given its balance-tree root.
    pub fn leaf(&self, balance_root: &Digest) -> Digest {
        let mut input = Vec::with_capacity(14);
        input.extend(self.pubkey_hash.elements());
        input.extend(self.l1_owner.elements());
        input.push(F::from_canonical_u32(self.nonce));
        input.extend(balance_root.elements());
        hash_elements(&input)
    }
}

/// The balance-tree leaf holding `amount`.
pub fn balance_leaf(amount: u64) -> Digest {
    Digest([amount, 0, 0, 0])
}
