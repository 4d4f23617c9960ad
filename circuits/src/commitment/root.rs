//! The commitment root: verifies the top of the segment tree, pins its chained inputs to
//! their start values, checks what only the whole batch can check, and exposes the same 20
//! public inputs the batch node reads (record digest, pubdata commitment words, priority
//! commitment words).
//!
//! Checks:
//! - start: stream position 0, `shift_in = pow_in = 1`, the zero sponge state, no hit yet,
//!   the zero priority fold;
//! - `hits_out = 1`: the stream length `T` fell in exactly one window (so `T` is below the
//!   total window size and the digest share was taken once);
//! - `Σ len_i = T` and `lhs = rhs`: the windows hold exactly the records' compacted bytes
//!   (Schwartz–Zippel in the quadratic extension: both sides are polynomials in γ of degree
//!   below the total window size);
//! - `γ = Poseidon(pubdata digest words ‖ record digest ‖ T)`: the challenge is derived
//!   after everything it must not be chosen before (the keccak digest binds the stream, the
//!   record digest every record).

use std::time::Instant;

use anyhow::Result;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::{ProofWithPublicInputs, ProofWithPublicInputsTarget};

use super::io::SegmentIo;
use crate::gadgets::{D, F};
use crate::C;

/// Number of public inputs of the commitment root: record digest (4), pubdata commitment
/// words (8), priority commitment words (8).
pub const COMMITMENT_PUBLIC_INPUTS: usize = 20;

/// The root circuit over the top segment proof (or node).
pub struct CommitmentRoot {
    /// The root circuit.
    pub data: CircuitData<F, C, D>,
    top: ProofWithPublicInputsTarget<D>,
    /// Rows before `build`.
    pub rows: usize,
}

/// The challenge γ the root derives, natively: `Poseidon(pubdata words ‖ digest ‖ T)`.
pub fn gamma(pubdata: &[F; 8], digest: &[F; 4], total_len: F) -> [F; 2] {
    let mut input: Vec<F> = pubdata.to_vec();
    input.extend(digest);
    input.push(total_len);
    let h = quire_core::plonky2_interop::hash_plonky2(&input);
    [h[0], h[1]]
}

impl CommitmentRoot {
    /// The root over proofs of `top` (a segment, or the top segment node).
    pub fn build(top: &CircuitData<F, C, D>) -> Self {
        let mut b = CircuitBuilder::<F, D>::new(crate::config::circuit_config());
        let vd = b.constant_verifier_data::<C>(&top.verifier_only);
        let proof = b.add_virtual_proof_with_pis(&top.common);
        b.verify_proof::<C>(&proof, &vd, &top.common);
        let io = SegmentIo::from_slice(&proof.public_inputs);
        let (zero, one) = (b.zero(), b.one());
        b.connect(io.pos[0], zero);
        b.connect(io.shift_in[0], one);
        b.connect(io.shift_in[1], zero);
        b.connect(io.pow_in[0], one);
        b.connect(io.pow_in[1], zero);
        for &w in io.state_in.iter().chain(&io.prio_in) {
            b.connect(w, zero);
        }
        b.connect(io.hits_in, zero);
        b.connect(io.hits_out, one);
        b.connect(io.len, io.total_len);
        b.connect(io.lhs[0], io.rhs[0]);
        b.connect(io.lhs[1], io.rhs[1]);
        let mut input = io.pubdata.to_vec();
        input.extend(io.digest);
        input.push(io.total_len);
        let h = b.hash_n_to_hash_no_pad::<PoseidonHash>(input);
        b.connect(io.gamma[0], h.elements[0]);
        b.connect(io.gamma[1], h.elements[1]);
        b.register_public_inputs(&io.digest);
        b.register_public_inputs(&io.pubdata);
        b.register_public_inputs(&io.prio_out);
        let rows = b.num_gates();
        Self {
            data: b.build::<C>(),
            top: proof,
            rows,
        }
    }

    /// Proves the root over the top proof.
    pub fn prove(
        &self,
        top: &ProofWithPublicInputs<F, C, D>,
    ) -> Result<ProofWithPublicInputs<F, C, D>> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.top, top)?;
        let start = Instant::now();
        let p = self.data.prove(pw)?;
        log::info!("commitment root proven in {:?}", start.elapsed());
        Ok(p)
    }
}
