//! Fixtures for the forge tests of the generated verifier (`contracts/test/fixtures/verifier/`):
//! proofs of the test wrapper in the [`layout`](super::layout) encoding, their public inputs,
//! plonky2's verdict and every transcript challenge ([`Trace`]).

use std::path::Path;

use anyhow::{Context, Result};
use plonky2::field::types::PrimeField64;
use serde::Serialize;

use super::layout::{self, ProofShape};
use super::test_wrapper::TestWrapper;
use super::transcript::{self, Trace};

/// One proof case.
#[derive(Serialize)]
pub struct ProofFixture {
    /// What the case is.
    pub name: String,
    /// Encoded proof, 0x-hex.
    pub proof: String,
    /// Public inputs (canonical), decimal strings (forge's JSON reader wants strings for u64).
    pub public_inputs: Vec<String>,
    /// plonky2's verdict.
    pub valid: bool,
    /// Transcript challenges in the contract's `challenges()` order, decimal strings.
    pub challenges: Vec<String>,
    /// The same, by name.
    pub trace: Trace,
}

/// Public inputs of the fixture proofs: D9-shaped (4 + 4 limbs, 16 32-bit words).
pub fn sample_public_inputs(seed: u64) -> Vec<u64> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..24)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if i < 8 {
                x % 0xFFFF_FFFF_0000_0001
            } else {
                x & 0xFFFF_FFFF
            }
        })
        .collect()
}

/// Proves the test wrapper and writes `proof_<n>.json` files and `shape.json` into `dir`.
pub fn export(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let tw = TestWrapper::build();
    let shape = ProofShape::from_common(&tw.wrapper.common)?;
    std::fs::write(
        dir.join("shape.json"),
        serde_json::to_string_pretty(&shape_json(&shape))?,
    )?;
    for (i, seed) in [1u64, 2].iter().enumerate() {
        let pis = sample_public_inputs(*seed);
        let proof = tw.prove(&pis)?;
        tw.wrapper
            .verify(proof.clone())
            .context("plonky2 rejects its own proof")?;
        let bytes = layout::encode(&shape, &proof)?;
        let trace = transcript::trace(&proof, &tw.wrapper.common, &tw.wrapper.verifier_only);
        let fx = ProofFixture {
            name: format!("valid_{i}"),
            proof: format!("0x{}", hex_str(&bytes)),
            public_inputs: proof
                .public_inputs
                .iter()
                .map(|x| x.to_canonical_u64().to_string())
                .collect(),
            valid: true,
            challenges: trace.flatten().iter().map(u64::to_string).collect(),
            trace,
        };
        std::fs::write(
            dir.join(format!("proof_{i}.json")),
            serde_json::to_string_pretty(&fx)?,
        )?;
    }
    Ok(())
}

fn shape_json(s: &ProofShape) -> serde_json::Value {
    let o = s.offsets();
    serde_json::json!({
        "num_constants": s.num_constants, "num_routed_wires": s.num_routed_wires, "num_wires": s.num_wires,
        "num_challenges": s.num_challenges, "num_partial_products": s.num_partial_products,
        "quotient_degree_factor": s.quotient_degree_factor, "degree_bits": s.degree_bits,
        "rate_bits": s.rate_bits, "cap_height": s.cap_height, "reduction_arity_bits": s.reduction_arity_bits,
        "final_poly_len": s.final_poly_len, "num_query_rounds": s.num_query_rounds, "pow_bits": s.pow_bits,
        "num_public_inputs": s.num_public_inputs, "proof_bytes": o.total, "query_bytes": s.query_bytes(),
    })
}

/// Lowercase hex.
pub fn hex_str(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
