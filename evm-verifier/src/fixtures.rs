//! Fixtures for the forge tests of the generated verifier (`contracts/test/fixtures/verifier/`):
//! a real wrapper proof of the devnet's circuits ([`devnet_circuits`]: `BatchShape::DEVNET`,
//! the chain id and pools of `deploy/genesis.example.json`) over a fixture batch (one full
//! exit, [`fixture_batch`]) in the
//! [`calldata`](quire_circuits::calldata) encoding with its public inputs, plonky2's intermediate values
//! (every transcript challenge, the gate constraints and the vanishing polynomial at ζ), and
//! plonky2's verdict on a broad sample of altered proofs and public inputs; plus a proof of a
//! different circuit (the stand-in wrapper of [`test_wrapper`](super::test_wrapper)).

use std::path::Path;

use anyhow::{ensure, Context, Result};
use plonky2::field::extension::FieldExtension;
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;
use plonky2::plonk::vars::EvaluationVars;
use serde::Serialize;

use super::gates::GateSet;
use super::test_wrapper::{OuterC, TestWrapper, D, F};
use super::transcript::{self, Trace};
use quire_circuits::calldata::{self, ProofShape};

/// The circuit the verifier is generated for, and one proof of it.
pub type Target = (
    CircuitData<F, OuterC, D>,
    ProofWithPublicInputs<F, OuterC, D>,
);

/// The L1 address that requests the fixture batch's full exit (the forge test pranks it).
pub const FIXTURE_REQUESTER: [u8; 20] = [0x5a; 20];
/// The account id of the fixture batch's full exit (never opened: it exits nothing).
pub const FIXTURE_ACCOUNT: u32 = 99;
/// The account id of the *other* batch's full exit (same shape, another batch).
pub const OTHER_ACCOUNT: u32 = 98;

/// The devnet's batch circuits: `BatchShape::DEVNET`, built for the devnet genesis
/// (`quire_core::chain::devnet_genesis`): only its chain id and pools enter the circuits (the
/// token L1 addresses do not), so the committed verifier is the devnet's.
pub fn devnet_circuits() -> Result<quire_circuits::BatchCircuits> {
    let (state, _) = quire_circuits::witness::genesis(&quire_core::chain::devnet_genesis()?)?;
    let params = quire_circuits::step::StepParams::from_state(&state);
    Ok(quire_circuits::BatchCircuits::build(
        &params,
        quire_circuits::BatchShape::DEVNET,
    ))
}

/// The fixture batch on the devnet genesis: a full exit of ETH from `account` requested by
/// [`FIXTURE_REQUESTER`] (priority id 0), padded to the shape. Returns the witness and the
/// batch's pubdata.
pub fn fixture_batch(account: u32) -> Result<(quire_circuits::witness::BatchWitness, Vec<u8>)> {
    use quire_core::account::{AccountId, Address};
    use quire_core::token::TokenId;
    use quire_core::tx::{FullExit, Operation, PriorityOp};
    let (mut state, mut shadow) =
        quire_circuits::witness::genesis(&quire_core::chain::devnet_genesis()?)?;
    let op = Operation::Priority(PriorityOp::FullExit(FullExit {
        priority_id: 0,
        account: AccountId::new(account).context("account id")?,
        owner: Address(FIXTURE_REQUESTER),
        token: TokenId::ETH,
    }));
    let mut w = quire_circuits::witness::replay_batch(&mut state, &mut shadow, &[op], None)?;
    let pubdata: Vec<u8> = w.steps.iter().flat_map(|s| s.pubdata().to_vec()).collect();
    w.pad_to_multiple(quire_circuits::BatchShape::DEVNET.capacity(), &mut shadow)?;
    Ok((w, pubdata))
}

/// The EVM wrapper circuit the verifier is generated for (the devnet's), without a proof.
pub fn target_circuit() -> Result<CircuitData<F, OuterC, D>> {
    Ok(devnet_circuits()?.wrapper.data)
}

/// The devnet wrapper circuit and a real proof of the fixture batch.
pub fn target() -> Result<Target> {
    let c = devnet_circuits()?;
    let (w, _) = fixture_batch(FIXTURE_ACCOUNT)?;
    let proof = c
        .prove_steps(&w.steps, &quire_circuits::NoHooks)
        .map_err(|e| anyhow::anyhow!("proving the fixture batch: {e}"))?;
    Ok((c.wrapper.data, proof))
}

/// What the forge test of the real Rollup with the real verifier reads
/// (`rollup_batch.json`): the genesis and new roots (L1 form), the fixture batch's pubdata
/// and proof, the requester and account of its full exit, and the other batch's account and
/// pubdata (a valid proof of one batch must not prove the other).
#[derive(Serialize)]
pub struct RollupBatchFixture {
    /// Genesis state root, 0x-hex bytes32.
    pub genesis_root: String,
    /// State root after the batch.
    pub new_root: String,
    /// The batch's pubdata.
    pub pubdata: String,
    /// The wrapper proof in the EVM encoding.
    pub proof: String,
    /// The public inputs the proof was made for (decimal strings).
    pub public_inputs: Vec<String>,
    /// Full-exit requester.
    pub requester: String,
    /// Full-exit account.
    pub account: u32,
    /// The other batch's account.
    pub other_account: u32,
    /// The other batch's pubdata.
    pub other_pubdata: String,
    /// The other batch's state root after it.
    pub other_new_root: String,
}

/// One altered proof and plonky2's verdict on it.
#[derive(Serialize)]
pub struct Mutation {
    /// Byte offset in the encoded proof.
    pub offset: usize,
    /// The byte is XORed with this (nonzero).
    pub xor: u8,
    /// Whether plonky2 accepts the altered proof (a proof that does not decode, e.g. a
    /// non-canonical element, counts as rejected).
    pub valid: bool,
}

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
    /// plonky2's `evaluate_gate_constraints` at ζ, (c0, c1) per constraint.
    pub gate_constraints: Vec<String>,
    /// Per challenge round: Z_H(ζ)·t(ζ) (c0, c1), which equals the vanishing polynomial.
    pub quotient_side: Vec<String>,
    /// Altered proofs with plonky2's verdicts.
    pub mutations: Vec<Mutation>,
    /// plonky2's verdict when public input j is replaced by (x_j + 1) mod p.
    pub pi_mutations_valid: Vec<bool>,
    /// The same challenges, by name.
    pub trace: Trace,
}

fn dec(v: impl IntoIterator<Item = u64>) -> Vec<String> {
    v.into_iter().map(|x| x.to_string()).collect()
}

fn ext(x: <F as plonky2::field::extension::Extendable<D>>::Extension) -> [u64; 2] {
    let a: [F; D] = FieldExtension::<D>::to_basefield_array(&x);
    [a[0].to_canonical_u64(), a[1].to_canonical_u64()]
}

/// plonky2's verdict on an encoded proof with the given public inputs.
pub fn verdict(data: &CircuitData<F, OuterC, D>, bytes: &[u8], pis: &[u64]) -> bool {
    let Ok(shape) = ProofShape::from_common(&data.common) else {
        return false;
    };
    match calldata::decode(&shape, bytes, pis) {
        Ok(p) => data.verify(p).is_ok(),
        Err(_) => false,
    }
}

/// Offsets of the altered bytes: spread over every section, deterministic.
pub fn mutation_offsets(shape: &ProofShape, n: usize) -> Vec<usize> {
    let o = shape.offsets();
    let mut v = vec![
        o.caps,
        o.caps + 24,
        o.caps + 25,
        o.caps + 50,
        o.openings,
        o.openings + 7,
        o.openings_next - 1,
        o.openings_next,
        o.fri_caps,
        o.final_poly,
        o.pow_witness,
        o.pow_witness + 3,
        o.queries,
        o.total - 1,
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    while v.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push((x % o.total as u64) as usize);
    }
    v
}

/// Builds the fixture of a valid proof.
pub fn proof_fixture(
    data: &CircuitData<F, OuterC, D>,
    proof: &ProofWithPublicInputs<F, OuterC, D>,
    num_mutations: usize,
) -> Result<ProofFixture> {
    let common = &data.common;
    let shape = ProofShape::from_common(common)?;
    data.verify(proof.clone())
        .context("plonky2 rejects its own proof")?;
    let bytes = calldata::encode(&shape, proof)?;
    let pis: Vec<u64> = proof
        .public_inputs
        .iter()
        .map(|x| x.to_canonical_u64())
        .collect();
    ensure!(verdict(data, &bytes, &pis), "decoded proof rejected");
    let trace = transcript::trace(proof, common, &data.verifier_only);
    let ch = proof.get_challenges(
        proof.get_public_inputs_hash(),
        &data.verifier_only.circuit_digest,
        common,
    )?;
    let o = &proof.proof.openings;
    let pih = proof.get_public_inputs_hash();
    let vars = EvaluationVars {
        local_constants: &o.constants,
        local_wires: &o.wires,
        public_inputs_hash: &pih,
    };
    // plonky2's `evaluate_gate_constraints` (crate-private), through the public
    // `Gate::eval_filtered` of every gate with its selector.
    let gs = GateSet::from_common(common)?;
    let mut gc = vec![
        <F as plonky2::field::extension::Extendable<D>>::Extension::ZERO;
        common.num_gate_constraints
    ];
    for g in &gs.gates {
        let c = common.gates[g.row].0.eval_filtered(
            vars,
            g.row,
            g.selector_index,
            g.group.0..g.group.1,
            gs.num_selectors,
            common.num_lookup_selectors,
        );
        for (i, x) in c.into_iter().enumerate() {
            gc[i] += x;
        }
    }
    let zeta = ch.plonk_zeta;
    let zn = zeta.exp_power_of_2(common.degree_bits());
    let zh = zn - <F as plonky2::field::extension::Extendable<D>>::Extension::ONE;
    let mut quotient_side = Vec::new();
    for chunk in o.quotient_polys.chunks(common.quotient_degree_factor) {
        let mut acc = <F as plonky2::field::extension::Extendable<D>>::Extension::ZERO;
        for q in chunk.iter().rev() {
            acc = acc * zn + *q;
        }
        quotient_side.extend(ext(zh * acc));
    }
    let mutations = mutation_offsets(&shape, num_mutations)
        .into_iter()
        .enumerate()
        .map(|(i, offset)| {
            let xor = 1u8 << (i % 8);
            let mut b = bytes.clone();
            b[offset] ^= xor;
            Mutation {
                offset,
                xor,
                valid: verdict(data, &b, &pis),
            }
        })
        .collect();
    let p = F::ORDER;
    let pi_mutations_valid = (0..pis.len())
        .map(|j| {
            let mut q = pis.clone();
            q[j] = (q[j] + 1) % p;
            verdict(data, &bytes, &q)
        })
        .collect();
    Ok(ProofFixture {
        name: "wrapper".into(),
        proof: format!("0x{}", hex_str(&bytes)),
        public_inputs: dec(pis.iter().copied()),
        valid: true,
        challenges: dec(trace.flatten()),
        gate_constraints: dec(gc.into_iter().flat_map(ext)),
        quotient_side: dec(quotient_side),
        mutations,
        pi_mutations_valid,
        trace,
    })
}

/// A proof of another circuit (the stand-in wrapper), encoded in its own shape, and
/// plonky2's verdict on it under the target circuit.
#[derive(Serialize)]
pub struct OtherCircuitFixture {
    /// Encoded proof, 0x-hex.
    pub proof: String,
    /// Its public inputs.
    pub public_inputs: Vec<String>,
    /// Whether plonky2's verifier of the target circuit accepts it (never).
    pub valid: bool,
    /// Whether it has the target's proof length (then the contract must reject it on
    /// content, not on length).
    pub same_length: bool,
}

/// Proves the target circuit and the stand-in wrapper and writes `proof_0.json`,
/// `other_circuit.json` and `shape.json` into `dir`.
pub fn export(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let (data, proof) = target()?;
    let shape = ProofShape::from_common(&data.common)?;
    let (w, pubdata) = fixture_batch(FIXTURE_ACCOUNT)?;
    let (ow, other_pubdata) = fixture_batch(OTHER_ACCOUNT)?;
    let end_root = |w: &quire_circuits::witness::BatchWitness| {
        w.steps.last().map_or(w.old_root, |s| s.root_after)
    };
    let rfx = RollupBatchFixture {
        genesis_root: format!("0x{}", hex_str(&w.old_root.to_l1_bytes32())),
        new_root: format!("0x{}", hex_str(&end_root(&w).to_l1_bytes32())),
        pubdata: format!("0x{}", hex_str(&pubdata)),
        proof: format!("0x{}", hex_str(&calldata::encode(&shape, &proof)?)),
        public_inputs: dec(proof.public_inputs.iter().map(|x| x.to_canonical_u64())),
        requester: format!("0x{}", hex_str(&FIXTURE_REQUESTER)),
        account: FIXTURE_ACCOUNT,
        other_account: OTHER_ACCOUNT,
        other_pubdata: format!("0x{}", hex_str(&other_pubdata)),
        other_new_root: format!("0x{}", hex_str(&end_root(&ow).to_l1_bytes32())),
    };
    std::fs::write(
        dir.join("rollup_batch.json"),
        serde_json::to_string_pretty(&rfx)?,
    )?;
    std::fs::write(
        dir.join("shape.json"),
        serde_json::to_string_pretty(&shape_json(&shape))?,
    )?;
    let fx = proof_fixture(&data, &proof, 64)?;
    std::fs::write(dir.join("proof_0.json"), serde_json::to_string_pretty(&fx)?)?;

    let tw = TestWrapper::build();
    let other_shape = ProofShape::from_common(&tw.wrapper.common)?;
    let pis = sample_public_inputs(1);
    let other = tw.prove(&pis)?;
    let other_bytes = calldata::encode(&other_shape, &other)?;
    let other_pis: Vec<u64> = other
        .public_inputs
        .iter()
        .map(|x| x.to_canonical_u64())
        .collect();
    let ofx = OtherCircuitFixture {
        proof: format!("0x{}", hex_str(&other_bytes)),
        public_inputs: dec(other_pis.iter().copied()),
        valid: verdict(&data, &other_bytes, &other_pis),
        same_length: other_bytes.len() == shape.offsets().total,
    };
    ensure!(!ofx.valid, "the target accepts another circuit's proof");
    std::fs::write(
        dir.join("other_circuit.json"),
        serde_json::to_string_pretty(&ofx)?,
    )?;
    // Left over from the stand-in era (two proofs of the test wrapper).
    let stale = dir.join("proof_1.json");
    if stale.exists() {
        std::fs::remove_file(stale)?;
    }
    Ok(())
}

/// Public inputs of the stand-in wrapper's proofs: D9-shaped (4 + 4 limbs, 16 32-bit words).
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

fn shape_json(s: &ProofShape) -> serde_json::Value {
    let o = s.offsets();
    serde_json::json!({
        "num_constants": s.num_constants, "num_routed_wires": s.num_routed_wires, "num_wires": s.num_wires,
        "num_challenges": s.num_challenges, "num_partial_products": s.num_partial_products,
        "quotient_degree_factor": s.quotient_degree_factor, "degree_bits": s.degree_bits,
        "rate_bits": s.rate_bits, "cap_height": s.cap_height, "reduction_arity_bits": s.reduction_arity_bits,
        "final_poly_len": s.final_poly_len, "num_query_rounds": s.num_query_rounds, "pow_bits": s.pow_bits,
        "num_public_inputs": s.num_public_inputs, "proof_bytes": o.total, "query_bytes": s.query_bytes(),
        "offsets": {"caps": o.caps, "openings": o.openings, "openings_next": o.openings_next, "fri_caps": o.fri_caps,
            "final_poly": o.final_poly, "pow_witness": o.pow_witness, "queries": o.queries},
    })
}

/// Lowercase hex.
pub fn hex_str(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
