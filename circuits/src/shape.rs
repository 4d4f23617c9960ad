//! The batch shape ([`BatchShape`], defined in `quire_core::chain` so that the deployment
//! file and the sequencer share it) and D9's public inputs of a batch.

pub use quire_core::chain::BatchShape;

/// D9's 24 public inputs of a batch, natively, in `Rollup.batchPublicInputs`'s order: the
/// old and new roots' limbs (the big-endian u64s of `Digest::to_l1_bytes32`, i.e. the
/// digest's elements), then each commitment as eight big-endian u32 words.
pub fn batch_public_inputs(
    prev_root: &quire_core::hash::Digest,
    root: &quire_core::hash::Digest,
    pubdata_commitment: &[u8; 32],
    priority_commitment: &[u8; 32],
) -> Vec<u64> {
    let limbs = |d: &quire_core::hash::Digest| {
        d.to_l1_bytes32()
            .chunks_exact(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap_or_default()))
            .collect::<Vec<u64>>()
    };
    let words = |c: &[u8; 32]| {
        c.chunks_exact(4)
            .map(|w| u32::from_be_bytes(w.try_into().unwrap_or_default()) as u64)
            .collect::<Vec<u64>>()
    };
    let mut out = limbs(prev_root);
    out.extend(limbs(root));
    out.extend(words(pubdata_commitment));
    out.extend(words(priority_commitment));
    out
}
