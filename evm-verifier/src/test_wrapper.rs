//! A second wrapper-shaped circuit: the "proof of a different circuit" of the forge tests
//! (same config and proof length as the real wrapper, different circuit), and the circuit of
//! the transcript/layout unit tests (cheaper to prove than the real wrapper).
//!
//! An inner circuit proven with `PoseidonGoldilocksConfig` (standard recursion config)
//! exposes [`NUM_PUBLIC_INPUTS`] public inputs; the wrapper (`KeccakGoldilocksConfig`, the
//! high-rate FRI config of [`wrapper_config`]) verifies one inner proof recursively and
//! re-exposes the inner public inputs as its own. A recursive verifier of a Poseidon-config
//! proof is exactly what the real wrapper contains, so the gate set matches.

use anyhow::Result;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;
pub use quire_circuits::config::wrapper_config;
pub use quire_circuits::gadgets::{D, F};

/// Inner (aggregation-side) config: the batch proofs' own.
pub type InnerC = quire_circuits::config::C;
/// EVM-facing config: the real wrapper's.
pub type OuterC = quire_circuits::config::WrapperConfig;

/// Public inputs of the wrapper (decision D9).
pub const NUM_PUBLIC_INPUTS: usize = 24;

/// The inner circuit and the wrapper circuit, built (no proof yet).
pub struct TestWrapper {
    /// Inner circuit: 24 public inputs x_i with one constraint tying them together
    /// (x_0 · x_1 + x_2 = t for a private t) and a Poseidon hash, so the proof is not trivial.
    pub inner: CircuitData<F, InnerC, D>,
    inner_pis: Vec<plonky2::iop::target::Target>,
    inner_t: plonky2::iop::target::Target,
    /// The wrapper: verifies one inner proof, re-exposes its public inputs.
    pub wrapper: CircuitData<F, OuterC, D>,
    proof_target: plonky2::plonk::proof::ProofWithPublicInputsTarget<D>,
}

impl TestWrapper {
    /// Builds both circuits (deterministic: the same circuit digest every time).
    pub fn build() -> Self {
        let mut b = CircuitBuilder::<F, D>::new(quire_circuits::config::circuit_config());
        let inner_pis = b.add_virtual_targets(NUM_PUBLIC_INPUTS);
        b.register_public_inputs(&inner_pis);
        let inner_t = b.add_virtual_target();
        let m = b.mul_add(inner_pis[0], inner_pis[1], inner_pis[2]);
        b.connect(m, inner_t);
        let h = b.hash_n_to_hash_no_pad::<PoseidonHash>(inner_pis.clone());
        let zero = b.zero();
        let z = b.mul(h.elements[0], zero);
        b.assert_zero(z);
        let inner = b.build::<InnerC>();

        let mut w = CircuitBuilder::<F, D>::new(wrapper_config());
        let proof_target = w.add_virtual_proof_with_pis(&inner.common);
        let vd = w.constant_verifier_data(&inner.verifier_only);
        w.verify_proof::<InnerC>(&proof_target, &vd, &inner.common);
        w.register_public_inputs(&proof_target.public_inputs);
        let wrapper = w.build::<OuterC>();
        Self {
            inner,
            inner_pis,
            inner_t,
            wrapper,
            proof_target,
        }
    }

    /// Proves the inner circuit with the given public inputs (each < p), then the wrapper.
    pub fn prove(&self, public_inputs: &[u64]) -> Result<ProofWithPublicInputs<F, OuterC, D>> {
        anyhow::ensure!(
            public_inputs.len() == NUM_PUBLIC_INPUTS,
            "need 24 public inputs"
        );
        let xs: Vec<F> = public_inputs
            .iter()
            .map(|&v| F::from_canonical_u64(v))
            .collect();
        let mut pw = PartialWitness::new();
        for (t, x) in self.inner_pis.iter().zip(&xs) {
            pw.set_target(*t, *x)?;
        }
        pw.set_target(self.inner_t, xs[0] * xs[1] + xs[2])?;
        let inner_proof = self.inner.prove(pw)?;
        self.inner.verify(inner_proof.clone())?;

        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.proof_target, &inner_proof)?;
        let proof = self.wrapper.prove(pw)?;
        debug_assert_eq!(
            proof
                .public_inputs
                .iter()
                .map(|x| x.to_canonical_u64())
                .collect::<Vec<_>>(),
            public_inputs
        );
        Ok(proof)
    }
}
