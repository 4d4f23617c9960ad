//! A binary recursion node: a circuit that verifies two proofs of the same child circuit
//! (whose verifier data is a constant of the node, so only proofs of that exact child are
//! accepted) and joins their public inputs into its own.
//!
//! The chunk aggregation tree and the commitment segment tree are both made of such nodes;
//! they differ only in how the two children's public inputs are joined, which the caller
//! passes as a closure.

use std::time::Instant;

use anyhow::Result;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::{ProofWithPublicInputs, ProofWithPublicInputsTarget};

use crate::config::{circuit_config, C};
use crate::gadgets::{D, F};

/// A node over two proofs of one child circuit.
pub struct BinaryNode {
    /// The node circuit.
    pub data: CircuitData<F, C, D>,
    left: ProofWithPublicInputsTarget<D>,
    right: ProofWithPublicInputsTarget<D>,
    /// Rows before `build`.
    pub rows: usize,
    /// What the node is, for the log line of each proof.
    what: &'static str,
}

impl BinaryNode {
    /// Builds a node over two proofs of `child`: `join` gets the builder and the left and
    /// right public inputs, adds the node's own constraints and returns its public inputs.
    pub fn build(
        child: &CircuitData<F, C, D>,
        what: &'static str,
        join: impl FnOnce(&mut CircuitBuilder<F, D>, &[Target], &[Target]) -> Vec<Target>,
    ) -> Self {
        let mut b = CircuitBuilder::<F, D>::new(circuit_config());
        let vd = b.constant_verifier_data::<C>(&child.verifier_only);
        let left = b.add_virtual_proof_with_pis(&child.common);
        let right = b.add_virtual_proof_with_pis(&child.common);
        b.verify_proof::<C>(&left, &vd, &child.common);
        b.verify_proof::<C>(&right, &vd, &child.common);
        let public_inputs = join(&mut b, &left.public_inputs, &right.public_inputs);
        b.register_public_inputs(&public_inputs);
        let rows = b.num_gates();
        Self {
            data: b.build::<C>(),
            left,
            right,
            rows,
            what,
        }
    }

    /// Proves the node over two child proofs.
    pub fn prove(
        &self,
        left: &ProofWithPublicInputs<F, C, D>,
        right: &ProofWithPublicInputs<F, C, D>,
    ) -> Result<ProofWithPublicInputs<F, C, D>> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.left, left)?;
        pw.set_proof_with_pis_target(&self.right, right)?;
        let start = Instant::now();
        let p = self.data.prove(pw)?;
        log::info!("{} proven in {:?}", self.what, start.elapsed());
        Ok(p)
    }
}
