//! What an applied operation did.

use serde::{Deserialize, Serialize};

use crate::account::AccountId;
use crate::hash::Digest;
use crate::tx::OpType;

/// Why a deposit was not credited (its amount becomes refundable on L1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// The token id is not an L1 asset's (a share-token id; the contract never queues one).
    UnknownToken,
    /// The amount is zero or not below 2^63.
    AmountOutOfRange,
    /// The key is new and all 2^24 account ids are taken.
    AccountTreeFull,
    /// The token's total L2 supply would exceed 2^63 − 1.
    SupplyCapReached,
}

/// The effect of an operation, beyond what its fields say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    /// A deposit, credited or refunded.
    Deposit {
        /// The credited account (`BRIDGE_ACCOUNT` if refunded).
        account: AccountId,
        /// True if this deposit opened the account.
        created: bool,
        /// False if refunded.
        credited: bool,
        /// Why it was refunded.
        refund: Option<RefundReason>,
    },
    /// A full exit; `amount` is 0 when the requester was not the owner.
    FullExit {
        /// Amount exited.
        #[serde(with = "crate::tx::amount_serde")]
        amount: u64,
    },
    /// A transfer.
    Transfer,
    /// A withdrawal.
    Withdraw,
    /// A swap and what it paid out.
    Swap {
        /// Output amount.
        #[serde(with = "crate::tx::amount_serde")]
        amount_out: u64,
    },
    /// Liquidity added.
    AddLiquidity {
        /// Token A taken.
        #[serde(with = "crate::tx::amount_serde")]
        amount_a: u64,
        /// Token B taken.
        #[serde(with = "crate::tx::amount_serde")]
        amount_b: u64,
        /// Shares received.
        #[serde(with = "crate::tx::amount_serde")]
        shares: u64,
    },
    /// Liquidity removed.
    RemoveLiquidity {
        /// Token A received.
        #[serde(with = "crate::tx::amount_serde")]
        amount_a: u64,
        /// Token B received.
        #[serde(with = "crate::tx::amount_serde")]
        amount_b: u64,
    },
}

/// The receipt of an applied operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The operation's id (signing hash for L2 transactions).
    pub hash: Digest,
    /// Its type.
    pub op_type: OpType,
    /// What it did.
    pub outcome: Outcome,
    /// Its pubdata bytes.
    #[serde(with = "hex_bytes")]
    pub pubdata: Vec<u8>,
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("0x{}", hex::encode(v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        let body = s
            .strip_prefix("0x")
            .ok_or_else(|| serde::de::Error::custom("missing 0x"))?;
        hex::decode(body).map_err(serde::de::Error::custom)
    }
}
