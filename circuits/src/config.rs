//! Every circuit's plonky2 configuration, in one place.
//!
//! Two configurations exist and no more: the Poseidon one of every inner circuit (steps,
//! chunks, aggregation, commitments, the batch node), which recursion is cheap for, and the
//! keccak one of the EVM wrapper, which an L1 verifier is cheap for. A circuit that picks its
//! own configuration would change the verifier data of everything above it.

use plonky2::fri::reduction_strategies::FriReductionStrategy;
use plonky2::fri::FriConfig;
use plonky2::plonk::circuit_data::CircuitConfig;
use plonky2::plonk::config::{KeccakGoldilocksConfig, PoseidonGoldilocksConfig};

/// The hasher configuration of the inner batch proofs (steps, chunks, aggregation,
/// commitments, batch node).
pub type C = PoseidonGoldilocksConfig;

/// The configuration of the transaction circuits: plonky2's standard recursion config
/// (135 wires, 80 routed, 2 constants, degree-8 quotient, 100-bit FRI with rate 1/8).
/// The transaction proofs are aggregated by recursion, which is what this config is tuned
/// for, and it is wide enough for two [`crate::gadgets::gates::EcMulStepGate`] steps per
/// row.
pub fn circuit_config() -> CircuitConfig {
    CircuitConfig::standard_recursion_config()
}

/// The outer config of the wrapper proof.
pub type WrapperConfig = KeccakGoldilocksConfig;

/// The wrapper's circuit config: the standard recursion config with rate 1/256, Merkle
/// caps of height 0 (one root per commitment), 10 FRI queries and 20 bits of grinding
/// (10 × 8 + 20 = 100 bits, as the standard config).
pub fn wrapper_config() -> CircuitConfig {
    CircuitConfig {
        fri_config: FriConfig {
            rate_bits: 8,
            cap_height: 0,
            proof_of_work_bits: 20,
            reduction_strategy: FriReductionStrategy::ConstantArityBits(4, 5),
            num_query_rounds: 10,
        },
        ..CircuitConfig::standard_recursion_config()
    }
}
