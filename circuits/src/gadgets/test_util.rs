//! Shared test helpers: proving with failures caught, the known-answer vector files.

use std::panic::{catch_unwind, AssertUnwindSafe};

use anyhow::{anyhow, Result};
use plonky2::iop::target::Target;
use plonky2::iop::witness::PartialWitness;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use quire_core::ecgfp5::{Gfp5, Point, Scalar};
use serde_json::Value;

use super::{D, F};

pub(crate) type C = PoseidonGoldilocksConfig;

pub(crate) fn builder() -> CircuitBuilder<F, D> {
    CircuitBuilder::new(crate::config::circuit_config())
}

/// Proves and verifies; any failure — witness generation, an unsatisfied constraint
/// (plonky2's prover panics on those), verification — is an `Err`. Returns the public
/// inputs.
pub(crate) fn prove_with(data: &CircuitData<F, C, D>, pw: PartialWitness<F>) -> Result<Vec<F>> {
    let proof = catch_unwind(AssertUnwindSafe(|| data.prove(pw))).map_err(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        anyhow!("prover panicked: {msg}")
    })??;
    let public_inputs = proof.public_inputs.clone();
    data.verify(proof)?;
    Ok(public_inputs)
}

/// Builds, proves and verifies.
pub(crate) fn prove(builder: CircuitBuilder<F, D>, pw: PartialWitness<F>) -> Result<Vec<F>> {
    let data = builder.build::<C>();
    prove_with(&data, pw)
}

/// Registers targets as public inputs, so that a proof reveals their values.
pub(crate) fn expose(
    builder: &mut CircuitBuilder<F, D>,
    targets: impl IntoIterator<Item = Target>,
) {
    for t in targets {
        builder.register_public_input(t);
    }
}

pub(crate) fn load(name: &str) -> Value {
    let path = format!(
        "{}/../core/tests/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn cases<'a>(doc: &'a Value, key: &str) -> &'a [Value] {
    let v = doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("missing {key}"));
    assert!(!v.is_empty(), "{key} is empty");
    v
}

pub(crate) fn bytes<const L: usize>(v: &Value) -> [u8; L] {
    let b = hex::decode(v.as_str().expect("hex string")).expect("hex");
    b.try_into().expect("length")
}

pub(crate) fn fe(v: &Value) -> Gfp5 {
    Gfp5::from_bytes(&bytes::<40>(v)).expect("canonical")
}

pub(crate) fn scalar(v: &Value) -> Scalar {
    Scalar::from_bytes_canonical(&bytes::<40>(v)).expect("canonical scalar")
}

pub(crate) fn point(v: &Value) -> Point {
    Point::decode(&fe(v)).expect("valid encoding")
}

/// The five limbs of a GF(p^5) element followed by nothing else, for comparing public
/// inputs.
pub(crate) fn limbs(v: &Gfp5) -> Vec<F> {
    v.plonky2_limbs().to_vec()
}
