//! Transactions on the wire: submission, and where a transaction stands.
//!
//! A transaction moves `pending → executed (soft confirmation) → committed → proven →
//! finalized`, or ends `rejected`. The wire form flattens that into one `status` string
//! plus the fields of the stage, so a wallet follows one field from acknowledgement to L1
//! finality; [`TxStatus`] is the typed form of it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use quire_core::hash::Digest;
use quire_core::tx::SignedTx;

use crate::error::ErrorCode;

/// How far a batch has settled on L1. Batches move forward through these in order, and
/// never ahead of the batch before them (L1 commits, proves and executes in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStage {
    /// Executed and stored by the sequencer (soft confirmation).
    Executed,
    /// Its data is committed on L1 (`commitBatch`).
    Committed,
    /// Its proof is verified on L1 (`proveBatch`).
    Proven,
    /// Executed on L1 (`executeBatch`): withdrawals are claimable.
    Finalized,
}

impl BatchStage {
    /// Every stage, in order.
    pub const ALL: [BatchStage; 4] = [
        BatchStage::Executed,
        BatchStage::Committed,
        BatchStage::Proven,
        BatchStage::Finalized,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            BatchStage::Executed => "executed",
            BatchStage::Committed => "committed",
            BatchStage::Proven => "proven",
            BatchStage::Finalized => "finalized",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<BatchStage> {
        BatchStage::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// Where a transaction stands: `pending`, then its batch's stage (`executed`, `committed`,
/// `proven`, `finalized`), or `rejected` with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// Acknowledged, waiting for a batch.
    Pending,
    /// Executed in a batch; `stage` is how far that batch has settled.
    Executed {
        /// The batch.
        batch_number: u64,
        /// Position in the batch.
        position: u64,
        /// The receipt.
        receipt: serde_json::Value,
        /// The batch's stage.
        stage: BatchStage,
    },
    /// Rejected by the batch that tried it.
    Rejected {
        /// The batch.
        batch_number: u64,
        /// Machine-readable reason.
        code: ErrorCode,
        /// Human-readable reason.
        message: String,
    },
}

impl TxStatus {
    /// The wire `status`: `pending`, the batch's stage, or `rejected`.
    pub fn name(&self) -> &'static str {
        match self {
            TxStatus::Pending => "pending",
            TxStatus::Executed { stage, .. } => stage.as_str(),
            TxStatus::Rejected { .. } => "rejected",
        }
    }

    /// The batch that executed or rejected it.
    pub fn batch_number(&self) -> Option<u64> {
        match self {
            TxStatus::Pending => None,
            TxStatus::Executed { batch_number, .. } | TxStatus::Rejected { batch_number, .. } => {
                Some(*batch_number)
            }
        }
    }

    /// The stage reached, if it was executed.
    pub fn stage(&self) -> Option<BatchStage> {
        match self {
            TxStatus::Executed { stage, .. } => Some(*stage),
            _ => None,
        }
    }
}

/// The wire form of [`TxStatus`] as written; `status` names the stage.
#[derive(Serialize)]
struct TxStatusOut<'a> {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch_number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receipt: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<ErrorCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// The wire form of [`TxStatus`] as read: every stage's fields optional, checked after.
#[derive(Deserialize)]
struct TxStatusIn {
    status: String,
    #[serde(default)]
    batch_number: Option<u64>,
    #[serde(default)]
    position: Option<u64>,
    #[serde(default)]
    receipt: Option<serde_json::Value>,
    #[serde(default)]
    code: Option<ErrorCode>,
    #[serde(default)]
    message: Option<String>,
}

impl Serialize for TxStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut wire = TxStatusOut {
            status: self.name(),
            batch_number: self.batch_number(),
            position: None,
            receipt: None,
            code: None,
            message: None,
        };
        match self {
            TxStatus::Pending => {}
            TxStatus::Executed {
                position, receipt, ..
            } => {
                wire.position = Some(*position);
                wire.receipt = Some(receipt);
            }
            TxStatus::Rejected { code, message, .. } => {
                wire.code = Some(*code);
                wire.message = Some(message);
            }
        }
        wire.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TxStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let wire = TxStatusIn::deserialize(deserializer)?;
        let batch_number = || {
            wire.batch_number
                .ok_or_else(|| D::Error::missing_field("batch_number"))
        };
        Ok(match wire.status.as_str() {
            "pending" => TxStatus::Pending,
            "rejected" => TxStatus::Rejected {
                batch_number: batch_number()?,
                code: wire.code.unwrap_or(ErrorCode::Unknown),
                message: wire.message.unwrap_or_default(),
            },
            other => match BatchStage::parse(other) {
                Some(stage) => TxStatus::Executed {
                    batch_number: batch_number()?,
                    position: wire.position.unwrap_or(0),
                    receipt: wire.receipt.unwrap_or(serde_json::Value::Null),
                    stage,
                },
                None => {
                    return Err(D::Error::unknown_variant(
                        other,
                        &[
                            "pending",
                            "executed",
                            "committed",
                            "proven",
                            "finalized",
                            "rejected",
                        ],
                    ))
                }
            },
        })
    }
}

/// `GET /v1/transactions/{hash}`: a transaction with its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxView {
    /// Signing hash (the transaction id).
    pub hash: Digest,
    /// The transaction.
    pub tx: SignedTx,
    /// Its status.
    #[serde(flatten)]
    pub status: TxStatus,
}

/// Query of a submission.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct SubmitQuery {
    /// `soft`: reply only once the transaction is executed in a stored batch (or rejected).
    pub wait: Option<String>,
}

/// The reply to a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmitResponse {
    /// The transaction id (signing hash).
    #[schema(value_type = String)]
    pub hash: Digest,
    /// Its status: `pending`, or with `?wait=soft` the outcome.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub status: TxStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(s: &TxStatus, wire: serde_json::Value) {
        assert_eq!(serde_json::to_value(s).unwrap_or_default(), wire);
        let back: Option<TxStatus> = serde_json::from_value(wire).ok();
        assert_eq!(back.as_ref(), Some(s));
    }

    #[test]
    fn statuses_have_their_wire_form() {
        round_trip(&TxStatus::Pending, json!({"status": "pending"}));
        round_trip(
            &TxStatus::Executed {
                batch_number: 3,
                position: 1,
                receipt: json!({"kind": "transfer"}),
                stage: BatchStage::Proven,
            },
            json!({"status": "proven", "batch_number": 3, "position": 1,
                   "receipt": {"kind": "transfer"}}),
        );
        round_trip(
            &TxStatus::Rejected {
                batch_number: 4,
                code: ErrorCode::Expired,
                message: "gone".into(),
            },
            json!({"status": "rejected", "batch_number": 4, "code": "expired",
                   "message": "gone"}),
        );
    }

    #[test]
    fn an_unknown_status_is_an_error() {
        assert!(serde_json::from_value::<TxStatus>(json!({"status": "lost"})).is_err());
        assert!(serde_json::from_value::<TxStatus>(json!({"status": "executed"})).is_err());
    }

    #[test]
    fn a_flattened_status_reads_back() {
        let wire = json!({"hash": Digest([1, 2, 3, 4]), "status": "executed",
                          "batch_number": 9, "position": 0, "receipt": null});
        let r: Option<SubmitResponse> = serde_json::from_value(wire).ok();
        assert_eq!(r.map(|r| r.status.name()), Some("executed"));
    }

    #[test]
    fn stages_parse_their_names() {
        for s in BatchStage::ALL {
            assert_eq!(BatchStage::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap_or_default(),
                json!(s.as_str())
            );
        }
    }
}
