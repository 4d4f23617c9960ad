//! Circuit measurements: the rows one Schnorr verification adds to a circuit.

use std::sync::{Mutex, OnceLock};

use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitConfig;
use plonky2::plonk::config::PoseidonGoldilocksConfig;

use crate::gadgets::{CircuitBuilderSchnorr, GadgetBuilder, GateSet, WithGates, D, F};

/// The configuration of the transaction circuits: plonky2's standard recursion config
/// (135 wires, 80 routed, 2 constants, degree-8 quotient, 100-bit FRI with rate 1/8).
/// The transaction proofs are aggregated by recursion, which is what this config is tuned
/// for, and it is wide enough for two [`crate::gadgets::gates::EcMulStepGate`] steps per
/// row.
pub fn circuit_config() -> CircuitConfig {
    CircuitConfig::standard_recursion_config()
}

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
    use plonky2::field::types::Field;
    use plonky2::hash::hash_types::HashOut;
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
    let m = HashOut {
        elements: [F::from_canonical_u64(1), F::TWO, F::ZERO, F::NEG_ONE],
    };
    let signature = sk.sign(&m);
    let mut pw = PartialWitness::new();
    pw.set_public_key_target(&pk, &sk.public_key())?;
    pw.set_hash_target(msg, m)?;
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
