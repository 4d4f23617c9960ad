//! Rows and prove time of chained keccak-f\[1600\] permutations (brief H1's figure):
//! `cargo run -p quire-prover --example keccak_prove [-- <permutations>]` (default 8).
//!
//! The input state is 1,600 bit-checked virtual targets set from a fixed seed, each
//! permutation feeds the next, and the last state is a public input, so nothing folds.
//! Prints `name=value` lines like `quire-prover circuit-stats`.

use std::time::Instant;

use anyhow::{Context, Result};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use quire_circuits::gadgets::{D, F};
use quire_circuits::keccak::{CircuitBuilderKeccak, KeccakState};

fn main() -> Result<()> {
    let perms: usize = match std::env::args().nth(1) {
        Some(a) => a
            .parse()
            .context("the argument is the number of permutations")?,
        None => 8,
    };
    let mut b = CircuitBuilder::<F, D>::new(quire_circuits::config::circuit_config());
    let input: KeccakState =
        core::array::from_fn(|_| core::array::from_fn(|_| b.add_virtual_bool_target_safe()));
    let start = b.num_gates();
    let mut state = input;
    for _ in 0..perms {
        state = b.keccak_f1600(&state);
    }
    let rows = b.num_gates() - start;
    for lane in &state {
        for bit in lane {
            b.register_public_input(bit.target);
        }
    }
    let t = Instant::now();
    let data = b.build::<PoseidonGoldilocksConfig>();
    let build_s = t.elapsed().as_secs_f64();
    let mut pw = PartialWitness::new();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for lane in &input {
        for bit in lane {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            pw.set_bool_target(*bit, seed & 1 == 1)?;
        }
    }
    let t = Instant::now();
    let proof = data.prove(pw)?;
    let prove_s = t.elapsed().as_secs_f64();
    data.verify(proof)?;
    println!("keccak_permutations={perms}");
    println!("keccak_rows={rows}");
    println!("keccak_f_rows={:.0}", rows as f64 / perms as f64);
    println!("degree_bits={}", data.common.degree_bits());
    println!("build_s={build_s:.2}");
    println!("prove_s={prove_s:.2}");
    Ok(())
}
