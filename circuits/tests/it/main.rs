//! The integration tests of `quire-circuits`, one binary (each file was its own binary and
//! linked plonky2 again).

mod batch_commitments;
mod fixtures;
mod step_circuit;
