//! Custom plonky2 gates for EcGFp5 (see the module docs of [`crate::gadgets`]).

pub(crate) mod alg;
mod ec_mul_step;

pub use ec_mul_step::{EcMulStepGate, EcMulStepGenerator};
