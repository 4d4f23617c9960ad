//! The verifier against a rollup on anvil whose verifier contract is the test double: it
//! accepts proofs anyone can compute. Roots and data verify; the native proof check refuses
//! the first batch, which is exactly what an independent verifier is for.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use quire_chain::test_utils::{three_batches, Operator};
use quire_chain::{L1Stage, Mirror, MirrorConfig};
use quire_core::chain::BatchShape;
use quire_verifier::{ChainVerifier, ProofChecker, ProofVerdict, VerifyError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_the_l1_verifier_accepted_are_checked_natively() {
    let mut op = Operator::start().await;
    three_batches(&mut op).await;
    // A fourth batch committed, not proven: replayed, its proof pending.
    op.commit_only(vec![], &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = MirrorConfig {
        confirmations: 0,
        page_blocks: 10_000,
    };
    let reader = op.chain.anvil.client(9).await.unwrap();
    let mirror = Mirror::open(reader, op.rollup(), &dir.path().join("m.sqlite"), cfg)
        .await
        .unwrap();
    mirror.sync().await.unwrap();
    let view = mirror.view().await.unwrap();

    // Without proofs: every root and datum checks out.
    let mut v = ChainVerifier::new(&view, &op.chain.genesis, None).unwrap();
    let verdicts = v.advance(&view).unwrap();
    let stages: Vec<_> = verdicts
        .iter()
        .map(|v| (v.batch, v.stage, v.proof.clone()))
        .collect();
    assert_eq!(
        stages,
        vec![
            (1, L1Stage::Executed, ProofVerdict::NotChecked),
            (2, L1Stage::Executed, ProofVerdict::NotChecked),
            (3, L1Stage::Executed, ProofVerdict::NotChecked),
            (4, L1Stage::Committed, ProofVerdict::Pending),
        ]
    );
    assert_eq!(v.proven(), 3);
    assert_eq!(
        verdicts[3].to_string(),
        "batch 4: committed, 0 operations, root matches, proof pending"
    );
    // Nothing new: nothing to report but the pending batch again.
    assert_eq!(v.advance(&view).unwrap().len(), 1);

    // With the circuits: the test double's "proof" of batch 1 is no plonky2 proof.
    let checker = ProofChecker::build(&op.chain.genesis, BatchShape::DEVNET).unwrap();
    let mut v = ChainVerifier::new(&view, &op.chain.genesis, Some(checker)).unwrap();
    let err = v.advance(&view).unwrap_err();
    assert!(
        matches!(err, VerifyError::InvalidProof { batch: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().starts_with("batch 1: "), "{err}");
}
