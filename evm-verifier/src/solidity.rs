//! Solidity/Yul generator for the on-chain verifier (`quire-prover export-verifier`).
//!
//! Input: the wrapper circuit's `CommonCircuitData` and `VerifierOnlyCircuitData`
//! (`KeccakGoldilocksConfig`). Output: the files under `contracts/src/verifier/`, every
//! circuit constant baked in (proof layout offsets, the sponge state after the constant part
//! of the transcript, ...). The output is a pure function of the circuit, so a test
//! regenerates it in memory and compares with the committed files (staleness check).
//!
//! Output, three contracts (each under the 24 KB code limit):
//! - `QuireVerifier.sol`: the entry point (`IBatchVerifier`): strict parsing (length,
//!   canonical elements), public-inputs hash (Poseidon `hash_no_pad`), plonky2's Keccak
//!   challenger (overwrite-mode duplex sponge, `KeccakPermutation` with rejection sampling,
//!   outputs popped last-first) giving every challenge, the proof-of-work check, then the two
//!   contracts below, which it deploys in its constructor;
//! - `QuireGates.sol`: the vanishing polynomial at ζ (every gate of `common.gates` with its
//!   selector filter, L_0·(Z − 1), the partial-product checks, combined with the α powers)
//!   and the quotient side Z_H(ζ)·Σ t_i(ζ)·ζ^{n·i} ([`super::gates`]);
//! - `QuireFri.sol`: FRI: initial Merkle paths (Keccak, `KeccakHash<25>`), the batched
//!   reduction at ζ and gζ, every folding step (coset interpolation at β_i, layer Merkle
//!   paths), and the final polynomial.
//!
//! The text of the contracts lives in askama templates (`evm-verifier/templates/`, checked
//! at compile time, no escaping); the Rust side only computes what depends on the circuit
//! (offsets, memory maps, constants, the per-gate Yul of [`super::gates`]) into plain
//! structs, one module per contract, that the templates render.

use std::fmt;

use anyhow::{ensure, Result};
use askama::Template;
use plonky2::plonk::circuit_data::{CommonCircuitData, VerifierOnlyCircuitData};
use quire_circuits::calldata::ProofShape;

use super::test_wrapper::{OuterC, D, F};

mod quire_fri;
mod quire_gates;
mod quire_verifier;

/// Where the generated files go, relative to the repository root.
pub const OUT_DIR: &str = "contracts/src/verifier";

/// One generated file: path relative to the repository root, and content.
pub struct GeneratedFile {
    /// Path relative to the repository root.
    pub path: String,
    /// File content.
    pub content: String,
}

/// Generates every verifier file for the given circuit.
pub fn generate(
    common: &CommonCircuitData<F, D>,
    vd: &VerifierOnlyCircuitData<OuterC, D>,
) -> Result<Vec<GeneratedFile>> {
    let s = ProofShape::from_common(common)?;
    ensure!(
        s.cap_height == 0,
        "the generator supports cap_height 0 only"
    );
    ensure!(s.pow_bits < 64, "PoW bits");
    let ch = Challenges::new(&s);
    let gs = super::gates::GateSet::from_common(common)?;
    let file = |name: &str, content: String| GeneratedFile {
        path: format!("{OUT_DIR}/{name}"),
        content,
    };
    Ok(vec![
        file(
            "QuireVerifier.sol",
            quire_verifier::render(common, vd, &s, &ch, &gs)?,
        ),
        file("QuireGates.sol", quire_gates::render(common, &s, &ch, &gs)?),
        file("QuireFri.sol", quire_fri::render(vd, &s, &ch)?),
    ])
}

/// Writes the generated files under `root` (the repository root).
pub fn write_all(root: &std::path::Path, files: &[GeneratedFile]) -> Result<()> {
    for f in files {
        let p = root.join(&f.path);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(p, &f.content)?;
    }
    Ok(())
}

/// Layout of the challenge vector QuireVerifier computes and passes to the other two
/// contracts (its `CH_*` constants): the start of each group of challenges.
struct Challenges {
    /// The public-inputs hash (4 elements).
    pi_hash: usize,
    /// β, one per challenge round.
    betas: usize,
    /// γ, one per challenge round.
    gammas: usize,
    /// α, one per challenge round.
    alphas: usize,
    /// ζ (an extension element: 2).
    zeta: usize,
    /// FRI's α (2).
    fri_alpha: usize,
    /// FRI's β of each folding layer (2 each).
    fri_betas: usize,
    /// The proof-of-work response.
    pow: usize,
    /// The query indices.
    queries: usize,
    /// Length of the vector.
    len: usize,
}

impl Challenges {
    fn new(s: &ProofShape) -> Self {
        let nc = s.num_challenges;
        let pi_hash = 0;
        let betas = pi_hash + 4;
        let gammas = betas + nc;
        let alphas = gammas + nc;
        let zeta = alphas + nc;
        let fri_alpha = zeta + 2;
        let fri_betas = fri_alpha + 2;
        let pow = fri_betas + 2 * s.reduction_arity_bits.len();
        let queries = pow + 1;
        Self {
            pi_hash,
            betas,
            gammas,
            alphas,
            zeta,
            fri_alpha,
            fri_betas,
            pow,
            queries,
            len: queries + s.num_query_rounds,
        }
    }
}

/// A memory address or mask that the contracts write in hexadecimal (`0x6e00`).
#[derive(Clone, Copy)]
struct Hex(usize);

impl fmt::Display for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// A 32-byte Yul literal.
fn word(b: &[u8]) -> String {
    format!("0x{}", super::fixtures::hex_str(b))
}

/// A gate id for comments: no angle brackets, long weight lists elided.
fn short_id(id: &str) -> String {
    let id = id.replace('<', "(").replace('>', ")");
    match id.find("barycentric_weights: [") {
        Some(i) => match id[i..].find(']') {
            Some(j) => format!("{}...{}", &id[..i + 22], &id[i + j..]),
            None => id,
        },
        None => id,
    }
}

/// Renders a contract template into the file's text. askama drops the final newline of a
/// template file; the generated files end with one.
fn render_file(t: &impl Template) -> Result<String> {
    let mut out = t.render()?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when the committed verifier differs from what the generator produces now
    /// (regenerate with `cargo run --release -p quire-prover -- export-verifier`).
    #[test]
    fn generated_verifier_is_fresh() {
        let data = crate::fixtures::target_circuit().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for f in generate(&data.common, &data.verifier_only).unwrap() {
            let on_disk = std::fs::read_to_string(root.join(&f.path)).unwrap_or_default();
            assert!(
                on_disk == f.content,
                "{} is stale: run `cargo run --release -p quire-prover -- export-verifier`",
                f.path
            );
        }
    }
}
