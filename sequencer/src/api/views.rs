//! The storage's records as the API's views.
//!
//! Storage keeps its own row types (`quire_storage`); the wire types are `quire-api`'s.
//! These conversions are the one place the two meet, so the JSON the server writes is, by
//! construction, what `quire_api::Client` reads.

use quire_api::{BatchStage, BatchView, ErrorCode, TxStatus, TxView};

use super::error::ApiError;
use quire_storage as storage;

/// A batch stage as the API names it.
pub fn stage(s: storage::BatchStage) -> BatchStage {
    match s {
        storage::BatchStage::Executed => BatchStage::Executed,
        storage::BatchStage::Committed => BatchStage::Committed,
        storage::BatchStage::Proven => BatchStage::Proven,
        storage::BatchStage::Finalized => BatchStage::Finalized,
    }
}

/// A transaction's status. Stored rejection codes are written from [`ErrorCode`] by the
/// batcher; one this version does not know reads as [`ErrorCode::Unknown`].
pub fn tx_status(s: storage::TxStatus) -> TxStatus {
    match s {
        storage::TxStatus::Pending => TxStatus::Pending,
        storage::TxStatus::Executed {
            batch_number,
            position,
            receipt,
            stage: s,
        } => TxStatus::Executed {
            batch_number,
            position,
            receipt,
            stage: stage(s),
        },
        storage::TxStatus::Rejected {
            batch_number,
            code,
            message,
        } => TxStatus::Rejected {
            batch_number,
            code: ErrorCode::from_wire(&code),
            message,
        },
    }
}

/// A transaction with its status.
pub fn tx_view(r: storage::TxRecord) -> TxView {
    TxView {
        hash: r.hash,
        tx: r.tx,
        status: tx_status(r.status),
    }
}

/// A stored batch; a stage name storage does not know is an internal error.
pub fn batch_view(b: storage::BatchSummary) -> Result<BatchView, ApiError> {
    let status = BatchStage::parse(&b.status).ok_or_else(|| {
        ApiError::internal(format!("batch {} has stage {:?}", b.number, b.status))
    })?;
    Ok(BatchView {
        number: b.number,
        prev_root: b.prev_root,
        root: b.root,
        op_count: b.op_count,
        rejected_count: b.rejected_count,
        pubdata_bytes: b.pubdata_bytes,
        pubdata_commitment: b.pubdata_commitment,
        priority_commitment: b.priority_commitment,
        priority_count: b.priority_count,
        status,
        created_at_ms: b.created_at_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_core::hash::Digest;
    use quire_core::schnorr::SecretKey;
    use quire_core::tx::{L2Tx, Transfer};
    use serde_json::json;

    /// The views serialize exactly as the storage records did when the server sent those.
    #[test]
    fn views_serialize_as_the_records() {
        let key = SecretKey::from_seed(b"views");
        let one = quire_core::account::AccountId::new(1).unwrap_or_else(|| unreachable!());
        let tx = L2Tx::Transfer(Transfer {
            from: one,
            to: one,
            token: quire_core::token::TokenId::ETH,
            amount: 1,
            fee: 0,
            nonce: 0,
        })
        .sign(&key, 7);
        let statuses = [
            storage::TxStatus::Pending,
            storage::TxStatus::Executed {
                batch_number: 2,
                position: 3,
                receipt: json!({"kind": "transfer"}),
                stage: storage::BatchStage::Committed,
            },
            storage::TxStatus::Rejected {
                batch_number: 4,
                code: "bad_nonce".into(),
                message: "nonce".into(),
            },
        ];
        for status in statuses {
            let record = storage::TxRecord {
                hash: Digest([1, 2, 3, 4]),
                tx: tx.clone(),
                status,
            };
            let want = serde_json::to_value(&record).unwrap_or_default();
            let got = serde_json::to_value(tx_view(record)).unwrap_or_default();
            assert_eq!(got, want);
        }
        let batch = storage::BatchSummary {
            number: 5,
            prev_root: Digest([1, 1, 1, 1]),
            root: Digest([2, 2, 2, 2]),
            op_count: 6,
            rejected_count: 1,
            pubdata_bytes: 18,
            pubdata_commitment: "0x00".into(),
            priority_commitment: "0x11".into(),
            priority_count: 0,
            status: "proven".into(),
            created_at_ms: 9,
        };
        let want = serde_json::to_value(&batch).unwrap_or_default();
        let got = batch_view(batch).map(|b| serde_json::to_value(b).unwrap_or_default());
        assert_eq!(got.ok(), Some(want));
    }
}
