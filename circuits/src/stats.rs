//! Circuit measurements: the rows one Schnorr verification adds to a circuit.

use std::sync::{Mutex, OnceLock};

use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::config::PoseidonGoldilocksConfig;

use crate::config::circuit_config;

use crate::gadgets::{CircuitBuilderSchnorr, GadgetBuilder, GateSet, WithGates, D, F};

/// Size of a circuit holding exactly one Schnorr verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchnorrStats {
    /// The gates the gadgets could use.
    pub gates: GateSet,
    /// `builder.num_gates()` after `verify_schnorr`, before `build` (the gadget's rows;
    /// excludes the constant rows `build` appends).
    pub rows: usize,
    /// Rows before blinding and padding as `build` lays them out: `rows` plus the
    /// constant gates, the public-input gate and its hash; `None` when not observed
    /// (plonky2 reports it through `log` at debug level; see [`install_row_logger`]).
    pub rows_built: Option<usize>,
    /// The padded degree (`common.degree()`).
    pub degree: usize,
    /// Rows (`num_gates()`) of a circuit that recursively verifies a proof of the
    /// one-verification circuit: the custom gates' constraints are evaluated there too.
    pub recursive_verifier_rows: usize,
}

/// Builds the one-verification circuit with the given gates and measures it.
pub fn schnorr_stats(gates: GateSet) -> SchnorrStats {
    let mut builder = CircuitBuilder::<F, D>::new(circuit_config());
    {
        let mut b = WithGates::new(&mut builder, gates);
        let pk = b.add_virtual_public_key_target();
        let msg = b.plonky2().add_virtual_hash();
        let sig = b.add_virtual_signature_target();
        b.verify_schnorr(&pk, msg, &sig);
    }
    let rows = builder.num_gates();
    let before = last_built_rows();
    let data = builder.build::<PoseidonGoldilocksConfig>();
    let after = last_built_rows();
    let mut outer = CircuitBuilder::<F, D>::new(circuit_config());
    let proof = outer.add_virtual_proof_with_pis(&data.common);
    let vd = outer.add_virtual_verifier_data(data.common.config.fri_config.cap_height);
    outer.verify_proof::<PoseidonGoldilocksConfig>(&proof, &vd, &data.common);
    SchnorrStats {
        gates,
        rows,
        rows_built: if after != before {
            after.map(|(_, n)| n)
        } else {
            None
        },
        degree: data.common.degree(),
        recursive_verifier_rows: outer.num_gates(),
    }
}

/// Wall-clock time to prove (and verify) one valid signature with the one-verification
/// circuit built with `gates` (building excluded).
pub fn schnorr_prove_time(gates: GateSet) -> anyhow::Result<std::time::Duration> {
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use quire_core::schnorr::SecretKey;

    use crate::gadgets::WitnessSchnorr;

    let mut builder = CircuitBuilder::<F, D>::new(circuit_config());
    let (pk, msg, sig) = {
        let mut b = WithGates::new(&mut builder, gates);
        let pk = b.add_virtual_public_key_target();
        let msg = b.plonky2().add_virtual_hash();
        let sig = b.add_virtual_signature_target();
        b.verify_schnorr(&pk, msg, &sig);
        (pk, msg, sig)
    };
    let data = builder.build::<PoseidonGoldilocksConfig>();
    let sk = SecretKey::from_seed(b"circuit-stats");
    let m = quire_core::hash::Digest([1, 2, 0, quire_core::field::GOLDILOCKS_ORDER - 1]);
    let signature = sk.sign(&m);
    let mut pw = PartialWitness::new();
    pw.set_public_key_target(&pk, &sk.public_key())?;
    pw.set_hash_target(msg, m.to_hash_out())?;
    pw.set_signature_target(&sig, &signature)?;
    let start = std::time::Instant::now();
    let proof = data.prove(pw)?;
    data.verify(proof)?;
    Ok(start.elapsed())
}

/// The most recent "Degree before blinding & padding" plonky2 logged, with a sequence
/// number so callers can tell whether a new one arrived.
fn last_built_rows() -> Option<(u64, usize)> {
    *built_rows().lock().unwrap_or_else(|e| e.into_inner())
}

fn built_rows() -> &'static Mutex<Option<(u64, usize)>> {
    static ROWS: OnceLock<Mutex<Option<(u64, usize)>>> = OnceLock::new();
    ROWS.get_or_init(|| Mutex::new(None))
}

/// A `log` sink that records plonky2's pre-padding row count (and forwards nothing else).
struct RowLogger;

impl log::Log for RowLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("plonky2")
    }

    fn log(&self, record: &log::Record<'_>) {
        let msg = record.args().to_string();
        if let Some(n) = msg
            .strip_prefix("Degree before blinding & padding: ")
            .and_then(|n| n.trim().parse::<usize>().ok())
        {
            let mut slot = built_rows().lock().unwrap_or_else(|e| e.into_inner());
            let seq = slot.map_or(0, |(s, _)| s + 1);
            *slot = Some((seq, n));
        }
    }

    fn flush(&self) {}
}

/// Installs the logger that lets [`schnorr_stats`] report `rows_built`. Call once, from a
/// binary (a process has one logger); returns false if another logger is installed.
pub fn install_row_logger() -> bool {
    static LOGGER: RowLogger = RowLogger;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
        true
    } else {
        false
    }
}

/// Sizes of the batch circuits, as `name=value` lines (`quire-prover circuit-stats
/// --batch`). Every operation kind shares one step circuit (one-hot selectors), so each
/// `*_step_rows` is the rows one step adds to a chunk (`num_gates()` of a 2-step chunk
/// minus that of a 1-step chunk). `aggregation_rows` is a node over two 2-step chunks. The
/// commitment circuit, batch node and wrapper are those of `BatchShape::DEVNET` (pools as
/// here), and `wrapper_proof_bytes` is the EVM calldata encoding of a real proof of a batch
/// of padding steps (what `Rollup.proveBatch` forwards).
pub fn batch_stats() -> anyhow::Result<Vec<(String, String)>> {
    use quire_core::account::Address;
    use quire_core::schnorr::SecretKey;
    use quire_core::state::{Genesis, PoolSpec};
    use quire_core::token::{TokenId, TokenInfo};

    use crate::chunk::ChunkCircuit;
    use crate::keccak::CircuitBuilderKeccak;
    use crate::step::StepParams;

    let g = Genesis {
        chain_id: 7,
        operator: SecretKey::from_seed(b"operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![TokenInfo {
            id: TokenId(1),
            symbol: "USDC".into(),
            l1_address: Address([1; 20]),
            scale: 1,
        }],
        pools: vec![PoolSpec {
            token_a: TokenId::ETH,
            token_b: TokenId(1),
            fee_bps: 30,
        }],
    };
    let (state, mut shadow) = crate::witness::genesis(&g)?;
    let params = StepParams::from_state(&state);
    let mut out = Vec::new();
    let mut put = |k: &str, v: String| out.push((k.to_string(), v));
    let c1 = ChunkCircuit::build_with(&params, 1);
    let c2 = ChunkCircuit::build_with(&params, 2);
    let step = c2.rows - c1.rows;
    for kind in [
        "transfer",
        "swap",
        "withdraw",
        "add_liquidity",
        "remove_liquidity",
        "deposit",
        "full_exit",
        "padding",
    ] {
        put(&format!("{kind}_step_rows"), step.to_string());
    }
    put("chunk_steps", "2".into());
    put("chunk_rows", c2.rows.to_string());
    put("chunk_degree", c2.data.common.degree().to_string());
    let node1 = crate::aggregate::aggregation_node(&c2.data);
    put("aggregation_rows", node1.rows.to_string());
    put("aggregation_degree", node1.data.common.degree().to_string());
    // The devnet shape's batch stack: commitment circuit, batch node, wrapper (24 inputs).
    let shape = crate::BatchShape::DEVNET;
    let bc = crate::BatchCircuits::build(&params, shape);
    put("batch_shape", format!("{shape:?}"));
    put(
        "commitment_segment_rows",
        bc.commitment.segment.rows.to_string(),
    );
    put(
        "commitment_segment_degree",
        bc.commitment.segment.data.common.degree().to_string(),
    );
    put("commitment_root_rows", bc.commitment.root.rows.to_string());
    put(
        "commitment_root_degree",
        bc.commitment.root.data.common.degree().to_string(),
    );
    put("batch_node_rows", bc.batch.rows.to_string());
    put(
        "batch_node_degree",
        bc.batch.data.common.degree().to_string(),
    );
    put("wrapper_rows", bc.wrapper.rows.to_string());
    put(
        "wrapper_degree",
        bc.wrapper.data.common.degree().to_string(),
    );
    let steps: Vec<_> = (0..shape.capacity())
        .map(|_| shadow.padding_step())
        .collect::<anyhow::Result<_>>()?;
    let proof = bc
        .prove_steps(&steps, &crate::NoHooks)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    put("wrapper_proof_bytes", bc.encode(&proof)?.len().to_string());
    // One keccak-f[1600] permutation: 25 layers of 64 `KeccakRoundGate` rows (see
    // circuits::keccak; 13,445 rows from standard gates before the gate).
    let mut b = CircuitBuilder::<F, D>::new(circuit_config());
    // Every bit a variable: constant bits would fold and understate the cost.
    let state_bits: [[_; 64]; 25] =
        core::array::from_fn(|_| core::array::from_fn(|_| b.add_virtual_bool_target_safe()));
    let start = b.num_gates();
    b.keccak_f1600(&state_bits);
    put("keccak_f_rows", (b.num_gates() - start).to_string());
    Ok(out)
}
