//! keccak-256 in plonky2: the in-circuit twin of `quire_core::hash::keccak256` (the hash
//! L1 computes over pubdata and priority operations, decision D9).
//!
//! plonky2 ships no keccak gadget (its keccak is only the Fiat–Shamir hasher of
//! `KeccakGoldilocksConfig`), so this module builds keccak-f\[1600\] from plonky2's standard
//! gates, one state bit per target:
//!
//! - XOR `a ⊕ b = a + b − 2ab`: two arithmetic operations (a sum, then `−2·a·b + sum`);
//! - χ's `a ⊕ (¬b ∧ c)`: `t = c − b·c` (one operation), then an XOR;
//! - ρ and π are wiring only; ι flips the round constant's bits (`1 − x`);
//! - XORs with constant bits fold away (plonky2 folds arithmetic on constants), so the
//!   first absorption into the zero state and the padding cost nothing.
//!
//! Why bits and not 32-bit limbs: XOR, AND and NOT of limbs need the limbs split into bits
//! (or lookup tables of 2^16 entries, larger than a whole step), so limbs would pay the bit
//! decomposition on top of the same bit operations. Measured (standard recursion config, 20
//! arithmetic operations per row): one permutation is ~11,200 operations per round, about
//! 13,500 rows (`quire-prover circuit-stats --batch` prints `keccak_f_rows=`).
//!
//! Byte order is keccak's: byte `i` of a block is bits `8(i mod 8) ..` of lane `i / 8`,
//! little-endian; the digest's bytes are read the same way from the first four lanes.

use plonky2::field::types::Field;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use crate::gadgets::{D, F};

/// A 64-bit lane, little-endian bits.
pub type Lane = [BoolTarget; 64];
/// The keccak state: 25 lanes, lane `(x, y)` at index `x + 5y`.
pub type KeccakState = [Lane; 25];

/// keccak-256's rate in bytes.
pub const RATE_BYTES: usize = 136;

/// ρ rotation offsets, indexed `x + 5y`.
const RHO: [u32; 25] = [
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
];

/// ι round constants.
const RC: [u64; 24] = [
    0x0000_0000_0000_0001,
    0x0000_0000_0000_8082,
    0x8000_0000_0000_808A,
    0x8000_0000_8000_8000,
    0x0000_0000_0000_808B,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8009,
    0x0000_0000_0000_008A,
    0x0000_0000_0000_0088,
    0x0000_0000_8000_8009,
    0x0000_0000_8000_000A,
    0x0000_0000_8000_808B,
    0x8000_0000_0000_008B,
    0x8000_0000_0000_8089,
    0x8000_0000_0000_8003,
    0x8000_0000_0000_8002,
    0x8000_0000_0000_0080,
    0x0000_0000_0000_800A,
    0x8000_0000_8000_000A,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8080,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8008,
];

/// keccak as a builder extension.
pub trait CircuitBuilderKeccak {
    /// `a ⊕ b`.
    fn xor_bit(&mut self, a: BoolTarget, b: BoolTarget) -> BoolTarget;
    /// The permutation keccak-f\[1600\].
    fn keccak_f1600(&mut self, state: &KeccakState) -> KeccakState;
    /// keccak-256 of a fixed-length message of byte targets (each range-checked to 8
    /// bits here); returns the 32 digest bytes.
    fn keccak256_bytes(&mut self, msg: &[Target]) -> [Target; 32];
    /// A 32-byte digest as eight 32-bit big-endian words (D9's public-input layout).
    fn digest_words_be(&mut self, digest: &[Target; 32]) -> [Target; 8];
}

impl CircuitBuilderKeccak for CircuitBuilder<F, D> {
    fn xor_bit(&mut self, a: BoolTarget, b: BoolTarget) -> BoolTarget {
        let sum = self.add(a.target, b.target);
        let x = self.arithmetic(-F::TWO, F::ONE, a.target, b.target, sum);
        BoolTarget::new_unsafe(x)
    }

    fn keccak_f1600(&mut self, state: &KeccakState) -> KeccakState {
        let mut a = *state;
        for rc in RC {
            // θ
            let c: Vec<Lane> = (0..5)
                .map(|x| {
                    core::array::from_fn(|z| {
                        let mut p = a[x][z];
                        for y in 1..5 {
                            p = self.xor_bit(p, a[x + 5 * y][z]);
                        }
                        p
                    })
                })
                .collect();
            let d: Vec<Lane> = (0..5)
                .map(|x| {
                    core::array::from_fn(|z| {
                        let left = c[(x + 4) % 5][z];
                        let right = c[(x + 1) % 5][(z + 63) % 64];
                        self.xor_bit(left, right)
                    })
                })
                .collect();
            for (i, lane) in a.iter_mut().enumerate() {
                for z in 0..64 {
                    lane[z] = self.xor_bit(lane[z], d[i % 5][z]);
                }
            }
            // ρ and π: B[y, 2x + 3y] = rot(A[x, y], r[x, y]).
            let mut bl = a;
            for x in 0..5 {
                for y in 0..5 {
                    let r = RHO[x + 5 * y] as usize;
                    let src = a[x + 5 * y];
                    let dst = y + 5 * ((2 * x + 3 * y) % 5);
                    bl[dst] = core::array::from_fn(|z| src[(z + 64 - r) % 64]);
                }
            }
            // χ
            for y in 0..5 {
                for x in 0..5 {
                    let nb = bl[(x + 1) % 5 + 5 * y];
                    let cc = bl[(x + 2) % 5 + 5 * y];
                    a[x + 5 * y] = core::array::from_fn(|z| {
                        // ¬b ∧ c = c − b·c
                        let t = self.arithmetic(
                            F::NEG_ONE,
                            F::ONE,
                            nb[z].target,
                            cc[z].target,
                            cc[z].target,
                        );
                        self.xor_bit(bl[x + 5 * y][z], BoolTarget::new_unsafe(t))
                    });
                }
            }
            // ι
            for (z, bit) in a[0].iter_mut().enumerate() {
                if rc >> z & 1 == 1 {
                    *bit = self.not(*bit);
                }
            }
        }
        a
    }

    fn keccak256_bytes(&mut self, msg: &[Target]) -> [Target; 32] {
        let zero = self._false();
        let one = self._true();
        // Message bits, then keccak's pad10*1 (0x01 … 0x80) to a multiple of the rate.
        let mut bits: Vec<BoolTarget> = msg.iter().flat_map(|&m| self.split_le(m, 8)).collect();
        let pad_len = RATE_BYTES - msg.len() % RATE_BYTES;
        let mut pad = vec![0u8; pad_len];
        pad[0] |= 0x01;
        pad[pad_len - 1] |= 0x80;
        for byte in pad {
            for i in 0..8 {
                bits.push(if byte >> i & 1 == 1 { one } else { zero });
            }
        }
        let mut state: KeccakState = [[zero; 64]; 25];
        for block in bits.chunks(RATE_BYTES * 8) {
            for (i, &bit) in block.iter().enumerate() {
                let (lane, z) = (i / 64, i % 64);
                state[lane][z] = self.xor_bit(state[lane][z], bit);
            }
            state = self.keccak_f1600(&state);
        }
        core::array::from_fn(|i| {
            let lane = &state[i / 8];
            let off = 8 * (i % 8);
            self.le_sum(lane[off..off + 8].iter())
        })
    }

    fn digest_words_be(&mut self, digest: &[Target; 32]) -> [Target; 8] {
        let base = F::from_canonical_u64(256);
        core::array::from_fn(|w| {
            digest[4 * w..4 * w + 4]
                .iter()
                .fold(self.zero(), |acc, &byte| {
                    self.mul_const_add(base, acc, byte)
                })
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use plonky2::field::types::PrimeField64;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_data::CircuitConfig;
    use plonky2::plonk::config::PoseidonGoldilocksConfig;

    use super::*;

    /// keccak-256 of the empty message and of one full block (whose padding is a second
    /// block), against the native hash; the digest words too.
    #[test]
    fn keccak256_matches_native() {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let empty = b.keccak256_bytes(&[]);
        let msg = b.add_virtual_targets(RATE_BYTES);
        let full = b.keccak256_bytes(&msg);
        let words = b.digest_words_be(&full);
        b.register_public_inputs(&empty);
        b.register_public_inputs(&full);
        b.register_public_inputs(&words);
        eprintln!(
            "keccak256 of 0 and 136 bytes (3 permutations): {} rows",
            b.num_gates()
        );
        let data = b.build::<PoseidonGoldilocksConfig>();
        let bytes: Vec<u8> = (0..RATE_BYTES).map(|i| (i * 7 + 3) as u8).collect();
        let mut pw = PartialWitness::new();
        for (&t, &v) in msg.iter().zip(&bytes) {
            pw.set_target(t, F::from_canonical_u8(v)).unwrap();
        }
        let proof = data.prove(pw).unwrap();
        let pis: Vec<u64> = proof
            .public_inputs
            .iter()
            .map(|x| x.to_canonical_u64())
            .collect();
        let as_u64 = |d: [u8; 32]| d.iter().map(|&x| x as u64).collect::<Vec<_>>();
        let native_full = quire_core::hash::keccak256(&bytes);
        assert_eq!(pis[..32], as_u64(quire_core::hash::keccak256(&[])));
        assert_eq!(pis[32..64], as_u64(native_full));
        let words: Vec<u64> = native_full
            .chunks(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as u64)
            .collect();
        assert_eq!(pis[64..72], words);
        data.verify(proof).unwrap();
    }
}
