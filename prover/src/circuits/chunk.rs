//! A chunk: `k` transaction steps in one circuit, roots chained from one step to the next.
//!
//! Public inputs (12): old root (4), new root (4), and an interim pubdata digest (4):
//! Poseidon `hash_no_pad` over, per step, its [`MAX_PUBDATA`] zero-padded bytes followed
//! by its pubdata length. The L1 commitment (keccak-256 of the concatenated pubdata, D9) is
//! not computed in-circuit yet: see `prover/README.md`.

use std::time::Instant;

use anyhow::{ensure, Result};
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;

use super::step::{build_step, StepParams, StepTargets, MAX_PUBDATA};
use super::C;
use crate::gadgets::{D, F};
use crate::witness::StepWitness;

/// Number of public inputs of a chunk proof.
pub const CHUNK_PUBLIC_INPUTS: usize = 12;

/// A built chunk circuit.
pub struct ChunkCircuit {
    /// The circuit.
    pub data: CircuitData<F, C, D>,
    /// Steps.
    pub steps: Vec<StepTargets>,
    /// Old root.
    pub old_root: HashOutTarget,
    /// Rows before `build` (`num_gates`).
    pub rows: usize,
}

impl ChunkCircuit {
    /// Builds a chunk of `k` steps for `chain_id`, a chain without pools.
    pub fn build(chain_id: u32, k: usize) -> Self {
        Self::build_with(&StepParams::new(chain_id), k)
    }

    /// Builds a chunk of `k` steps for the chain of `params`.
    pub fn build_with(params: &StepParams, k: usize) -> Self {
        let mut b = CircuitBuilder::<F, D>::new(crate::stats::circuit_config());
        let old_root = b.add_virtual_hash();
        let mut root = old_root;
        let mut steps = Vec::with_capacity(k);
        let mut pd = Vec::with_capacity(k * (MAX_PUBDATA + 1));
        for _ in 0..k {
            let s = build_step(&mut b, params, root);
            root = s.root_out;
            pd.extend(&s.pubdata);
            pd.push(s.pubdata_len);
            steps.push(s);
        }
        let digest = b.hash_n_to_hash_no_pad::<PoseidonHash>(pd);
        b.register_public_inputs(&old_root.elements);
        b.register_public_inputs(&root.elements);
        b.register_public_inputs(&digest.elements);
        let rows = b.num_gates();
        let data = b.build::<C>();
        Self {
            data,
            steps,
            old_root,
            rows,
        }
    }

    /// Proves `steps` (exactly `k` of them, consecutive).
    pub fn prove(&self, steps: &[StepWitness]) -> Result<ProofWithPublicInputs<F, C, D>> {
        ensure!(
            steps.len() == self.steps.len(),
            "chunk needs {} steps",
            self.steps.len()
        );
        let mut pw = PartialWitness::new();
        pw.set_hash_target(self.old_root, steps[0].root_before.to_hash_out())?;
        for (t, w) in self.steps.iter().zip(steps) {
            t.set(&mut pw, w)?;
        }
        let start = Instant::now();
        let proof = self.data.prove(pw)?;
        log::info!(
            "chunk of {} steps proven in {:?}",
            steps.len(),
            start.elapsed()
        );
        Ok(proof)
    }
}

/// The interim pubdata digest of a run of steps, natively (what a chunk exposes).
pub fn pubdata_digest(steps: &[StepWitness]) -> [F; 4] {
    let mut input = Vec::new();
    for s in steps {
        let pd = s.pubdata();
        for j in 0..MAX_PUBDATA {
            input.push(F::from_canonical_u8(pd.get(j).copied().unwrap_or(0)));
        }
        input.push(F::from_canonical_usize(pd.len()));
    }
    quire_core::hash::hash_elements(&input).elements()
}
