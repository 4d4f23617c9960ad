//! Signature verification as its own parallel stage.
//!
//! Checking a Schnorr signature costs far more than applying a transfer, and it depends on
//! nothing but the transaction and its signer's key, which never changes once an account
//! is open. So all signatures of a run of L2 transactions are checked up front, in
//! parallel, before scheduling; execution then only reads the verdicts.

use rayon::prelude::*;

use quire_core::hash::Digest;
use quire_core::schnorr;
use quire_core::state::State;
use quire_core::tx::SignedTx;

/// A transaction's signing hash and whether its signature verifies against the signer's
/// key (`false` as well when the signer has no key; the state transition then reports the
/// missing account or key before it looks at the signature).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigCheck {
    /// The signing hash (the transaction id).
    pub hash: Digest,
    /// The verdict.
    pub valid: bool,
}

/// Hashes and verifies every transaction against the keys in `state`, in parallel.
pub fn verify_all(state: &State, txs: &[&SignedTx]) -> Vec<SigCheck> {
    verify_unless_known(state, txs, &[])
}

/// Like [`verify_all`], but trusts `known_valid[i] == true` (a signature already verified,
/// e.g. at mempool admission, against the same key — keys never change) and only hashes
/// those transactions. Missing entries count as unknown.
pub fn verify_unless_known(
    state: &State,
    txs: &[&SignedTx],
    known_valid: &[bool],
) -> Vec<SigCheck> {
    let chain_id = state.chain_id();
    txs.par_iter()
        .enumerate()
        .with_min_len(8)
        .map(|(i, signed)| {
            let hash = signed.tx.signing_hash(chain_id);
            if known_valid.get(i).copied().unwrap_or(false) {
                return SigCheck { hash, valid: true };
            }
            let valid = state
                .account(signed.tx.signer())
                .and_then(|a| a.pubkey.as_ref())
                .is_some_and(|pk| schnorr::verify(pk, &hash, &signed.signature).is_ok());
            SigCheck { hash, valid }
        })
        .collect()
}
