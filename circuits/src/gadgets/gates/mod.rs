//! Custom plonky2 gates: EcGFp5 scalar multiplication (see the module docs of
//! [`crate::gadgets`]) and keccak-f\[1600\] rounds (see [`crate::keccak`]).

pub(crate) mod alg;
mod ec_mul_step;
mod keccak_round;

pub use ec_mul_step::{EcMulStepGate, EcMulStepGenerator};
pub use keccak_round::{KeccakRoundGate, KeccakRoundGenerator, Stage as KeccakRoundStage};
