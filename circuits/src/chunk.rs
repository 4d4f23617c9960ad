//! A chunk: `k` transaction steps in one circuit, roots chained from one step to the next.
//!
//! Public inputs (12): old root (4), new root (4), and the *record digest* (4): Poseidon
//! `hash_no_pad` over, per step, its record ([`RECORD_LEN`] elements: the [`MAX_PUBDATA`]
//! zero-padded pubdata bytes, the pubdata length, a deposit's key and L1 sender). The
//! keccak-256 commitments of D9 are computed from the same records by the batch's
//! commitment circuit ([`super::commitment`]), which recomputes this digest: that binds
//! them to the proven steps without a keccak in any chunk.

use std::time::Instant;

use anyhow::{ensure, Result};
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;

use super::step::{build_step, StepParams, StepTargets, MAX_PUBDATA, RECORD_LEN};
use super::C;
use crate::gadgets::{D, F};
use crate::witness::StepWitness;
use quire_core::tx::{Operation, PriorityOp};

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
        let mut b = CircuitBuilder::<F, D>::new(crate::config::circuit_config());
        let old_root = b.add_virtual_hash();
        let mut root = old_root;
        let mut steps = Vec::with_capacity(k);
        let mut pd = Vec::with_capacity(k * RECORD_LEN);
        for _ in 0..k {
            let s = build_step(&mut b, params, root);
            root = s.root_out;
            pd.extend(s.record());
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

/// A step's record, natively ([`super::step::StepTargets::record`]).
pub fn step_record(s: &StepWitness) -> Vec<F> {
    let mut r = Vec::with_capacity(RECORD_LEN);
    let pd = s.pubdata();
    for j in 0..MAX_PUBDATA {
        r.push(F::from_canonical_u8(pd.get(j).copied().unwrap_or(0)));
    }
    r.push(F::from_canonical_usize(pd.len()));
    match &s.op {
        Some(Operation::Priority(PriorityOp::Deposit(d))) => {
            r.extend(
                s.pubkey
                    .encoding()
                    .to_canonical_u64s()
                    .map(F::from_canonical_u64),
            );
            r.extend(quire_core::plonky2_interop::to_plonky2(&d.from.elements()));
        }
        _ => r.extend([F::ZERO; 10]),
    }
    r
}

/// The record digest of a run of steps, natively (what a chunk exposes).
pub fn pubdata_digest(steps: &[StepWitness]) -> [F; 4] {
    let input: Vec<F> = steps.iter().flat_map(step_record).collect();
    quire_core::plonky2_interop::hash_plonky2(&input)
}
