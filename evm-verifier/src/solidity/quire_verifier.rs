//! `QuireVerifier.sol` (template `templates/QuireVerifier.sol`): the entry point, which
//! parses the proof, replays plonky2's Keccak challenger and checks the PoW, the quotient
//! identity (QuireGates) and FRI (QuireFri).
//!
//! What is circuit-specific here: the proof's shape and offsets, the challenge layout, and
//! the sponge state after the transcript's constant prefix (FRI parameters, circuit digest),
//! which is absorbed at generation time rather than on chain.

use anyhow::Result;
use askama::Template;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::keccak::KeccakPermutation;
use plonky2::plonk::circuit_data::{CommonCircuitData, VerifierOnlyCircuitData};
use quire_circuits::calldata::{Offsets, ProofShape};

use super::{render_file, short_id, word, Challenges, Hex};
use crate::gates::GateSet;
use crate::test_wrapper::{OuterC, D, F};
use crate::transcript;

#[derive(Template)]
#[template(path = "QuireVerifier.sol", escape = "none")]
struct QuireVerifier<'a> {
    s: &'a ProofShape,
    o: Offsets,
    ch: &'a Challenges,
    /// FRI reduction arities, as `[4, 4]`.
    arities: String,
    /// Every gate of the circuit, for the contract's doc comment.
    gates: String,
    /// The PoW check: `challenge >> pow_shift == 0`.
    pow_shift: u32,
    /// Where `QuireGates.evaluate`'s per-round (vanishing, quotient) pairs start.
    vanishing_at: usize,
    /// The sponge state after the constant prefix: three words.
    sponge: [String; 3],
    /// Inputs already buffered in that state.
    buffered: usize,
    /// FRI folding layers.
    fri_layers: usize,
    /// Query indices are taken modulo the LDE size.
    lde_mask: Hex,
}

/// The text of `QuireVerifier.sol`.
pub(super) fn render(
    common: &CommonCircuitData<F, D>,
    vd: &VerifierOnlyCircuitData<OuterC, D>,
    s: &ProofShape,
    ch: &Challenges,
    gs: &GateSet,
) -> Result<String> {
    let (state, buffered) = preamble_state(&transcript::preamble(common, vd));
    let gates: Vec<String> = common.gates.iter().map(|g| short_id(&g.0.id())).collect();
    render_file(&QuireVerifier {
        s,
        o: s.offsets(),
        ch,
        arities: format!("{:?}", s.reduction_arity_bits),
        gates: gates.join(", ").replace('<', "(").replace('>', ")"),
        pow_shift: 64 - s.pow_bits,
        vanishing_at: 2 * gs.num_gate_constraints,
        sponge: [
            word(&state[0..32]),
            word(&state[32..64]),
            word(&state[64..96]),
        ],
        buffered,
        fri_layers: s.reduction_arity_bits.len(),
        lde_mask: Hex((1usize << s.lde_bits()) - 1),
    })
}

/// The sponge after absorbing the constant prefix of the transcript: state as 96 bytes
/// (12 little-endian u64, exactly what `KeccakPermutation` hashes) with the buffered inputs
/// already written over the first `buffered` elements.
fn preamble_state(pre: &[u64]) -> ([u8; 96], usize) {
    let mut perm = KeccakPermutation::<F>::new(core::iter::repeat(F::ZERO));
    let elems: Vec<F> = pre.iter().map(|&v| F::from_canonical_u64(v)).collect();
    let full = elems.len() / 8 * 8;
    for chunk in elems[..full].chunks(8) {
        perm.set_from_slice(chunk, 0);
        perm.permute();
    }
    perm.set_from_slice(&elems[full..], 0);
    let mut bytes = [0u8; 96];
    for (i, x) in perm.as_ref().iter().enumerate() {
        bytes[i * 8..i * 8 + 8].copy_from_slice(&x.to_canonical_u64().to_le_bytes());
    }
    (bytes, elems.len() - full)
}
