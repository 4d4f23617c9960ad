//! keccak-256 in plonky2: the in-circuit twin of `quire_core::hash::keccak256` (the hash
//! L1 computes over pubdata and priority operations, decision D9).
//!
//! plonky2 ships no keccak gadget (its keccak is only the Fiat–Shamir hasher of
//! `KeccakGoldilocksConfig`), so this module builds keccak-f\[1600\] on a custom gate,
//! [`KeccakRoundGate`], one state bit per wire:
//!
//! - the state is 64 slices of 25 bits (bit z of every lane); a gate row handles one slice
//!   of one round: χ+ι of round r fused with θ of round r + 1, which needs only the five
//!   column parities of slice z − 1, routed from the neighbouring row;
//! - ρ and π only move bits between slices: they are copy constraints between layers, free;
//! - a permutation is one θ-only layer, 23 fused layers and a last one without θ:
//!   25 × 64 = **1,600 rows** (`quire-prover circuit-stats --batch` prints
//!   `keccak_f_rows=`), against 13,445 rows for the previous construction from standard
//!   gates (XOR = two arithmetic operations, ~11,200 operations per round). Eight chained
//!   permutations are 12,800 rows (degree 2^14) and prove in ~16 s on the shared 2 cores
//!   (`cargo run -p quire-prover --example keccak_prove`).
//!
//! Outside the permutation bits stay targets of standard gates: absorbing a block is an
//! XOR per bit (folded away against constant bits, so the first absorption into the zero
//! state and the fixed padding cost nothing), the message bytes are split into bits (which
//! range-checks them) and the digest bytes are `le_sum`s of bits.
//!
//! [`CircuitBuilderKeccak::keccak256_var`] hashes a prefix of variable length `len` of a
//! buffer: `eq[j] = [len = j]` for every position (exactly one holds: `len ≤ msg.len()`),
//! bytes past `len` asserted zero, pad10*1's two bits added at `len` and at the end of
//! block `⌊len/136⌋` (both land on zero bytes, so the sums stay bits), all blocks
//! absorbed and the digest selected by the same indicators.
//!
//! Byte order is keccak's: byte `i` of a block is bits `8(i mod 8) ..` of lane `i / 8`,
//! little-endian; the digest's bytes are read the same way from the first four lanes.

use plonky2::field::types::Field;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use crate::gadgets::gates::KeccakRoundGate;
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
    /// keccak-256 of the first `len` bytes of `msg`, a message of variable length up to
    /// `msg.len()` bytes (each range-checked to 8 bits here); returns the 32 digest bytes.
    ///
    /// Asserts `len ≤ msg.len()` and that every byte at a position `≥ len` is zero (the
    /// caller's witness must zero them). keccak's pad10*1 is placed at the variable
    /// position: all `⌈(msg.len() + 1) / 136⌉` blocks are absorbed, and the digest is read
    /// from the state after block `⌊len / 136⌋ + 1`.
    fn keccak256_var(&mut self, msg: &[Target], len: Target) -> [Target; 32];
    /// A 32-byte digest as eight 32-bit big-endian words (D9's public-input layout).
    fn digest_words_be(&mut self, digest: &[Target; 32]) -> [Target; 8];
}

/// Absorbs `bits` (a multiple of the rate, padding included) into the zero state and
/// returns the digest bytes read after each block's permutation.
/// One layer of 64 [`KeccakRoundGate`] rows (slice z in the z-th), whose input bit `i` of
/// slice `z` is `input(z, i)`, with round constant `rc` (ignored without χ); returns the
/// output bits by lane. The parities are routed from each row to the next, cyclically.
fn round_layer(
    b: &mut CircuitBuilder<F, D>,
    gate: KeccakRoundGate,
    input: impl Fn(usize, usize) -> Target,
    rc: u64,
) -> [[Target; 64]; 25] {
    let rows: [usize; 64] = core::array::from_fn(|z| {
        let constants = if gate.chi {
            vec![F::from_bool(rc >> z & 1 == 1)]
        } else {
            vec![]
        };
        b.add_gate(gate, constants)
    });
    for (z, &row) in rows.iter().enumerate() {
        for i in 0..25 {
            let w = KeccakRoundGate::wire_in(i % 5, i / 5);
            b.connect(input(z, i), Target::wire(row, w));
        }
        if gate.theta {
            let prev = rows[(z + 63) % 64];
            for x in 0..5 {
                b.connect(
                    Target::wire(prev, KeccakRoundGate::wire_c(x)),
                    Target::wire(row, KeccakRoundGate::wire_cprev(x)),
                );
            }
        }
    }
    core::array::from_fn(|i| {
        core::array::from_fn(|z| Target::wire(rows[z], KeccakRoundGate::wire_out(i % 5, i / 5)))
    })
}

fn absorb_blocks(b: &mut CircuitBuilder<F, D>, bits: &[BoolTarget]) -> Vec<[Target; 32]> {
    let zero = b._false();
    absorb_into(b, [[zero; 64]; 25], bits).1
}

/// Absorbs `bits` (a multiple of the rate) into `state`: XOR of each block, then keccak-f.
/// Returns the state after the last block and the digest bytes read after each block's
/// permutation. The commitment segments chain their sponge through this.
pub(crate) fn absorb_into(
    b: &mut CircuitBuilder<F, D>,
    mut state: KeccakState,
    bits: &[BoolTarget],
) -> (KeccakState, Vec<[Target; 32]>) {
    let mut digests = Vec::with_capacity(bits.len() / (RATE_BYTES * 8));
    for block in bits.chunks(RATE_BYTES * 8) {
        for (i, &bit) in block.iter().enumerate() {
            let (lane, z) = (i / 64, i % 64);
            state[lane][z] = b.xor_bit(state[lane][z], bit);
        }
        state = b.keccak_f1600(&state);
        digests.push(core::array::from_fn(|i| {
            let lane = &state[i / 8];
            let off = 8 * (i % 8);
            b.le_sum(lane[off..off + 8].iter())
        }));
    }
    (state, digests)
}

impl CircuitBuilderKeccak for CircuitBuilder<F, D> {
    fn xor_bit(&mut self, a: BoolTarget, b: BoolTarget) -> BoolTarget {
        let sum = self.add(a.target, b.target);
        let x = self.arithmetic(-F::TWO, F::ONE, a.target, b.target, sum);
        BoolTarget::new_unsafe(x)
    }

    fn keccak_f1600(&mut self, state: &KeccakState) -> KeccakState {
        // θ of round 0 alone, then χ+ι of round r fused with θ of round r + 1; the last
        // layer has no θ. Each layer is 64 gate rows, one per slice z.
        let theta0 = KeccakRoundGate {
            chi: false,
            theta: true,
        };
        let mut a = round_layer(self, theta0, |z, i| state[i][z].target, 0);
        for (r, rc) in RC.into_iter().enumerate() {
            let gate = KeccakRoundGate {
                chi: true,
                theta: r + 1 < RC.len(),
            };
            // ρ and π: B[y, 2x + 3y] = rot(A[x, y], r[x, y]); bit z of B is bit z − r of A.
            let mut src = [(0usize, 0usize); 25];
            for x in 0..5 {
                for y in 0..5 {
                    src[y + 5 * ((2 * x + 3 * y) % 5)] = (x + 5 * y, RHO[x + 5 * y] as usize);
                }
            }
            let prev = a;
            a = round_layer(
                self,
                gate,
                |z, i| {
                    let (lane, rot) = src[i];
                    prev[lane][(z + 64 - rot) % 64]
                },
                rc,
            );
        }
        a.map(|lane| lane.map(BoolTarget::new_unsafe))
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
        let digests = absorb_blocks(self, &bits);
        *digests.last().expect("at least one block is absorbed")
    }

    fn keccak256_var(&mut self, msg: &[Target], len: Target) -> [Target; 32] {
        let n = msg.len();
        let blocks = (n + 1).div_ceil(RATE_BYTES);
        let zero = self._false();
        // eq[j] = [len = j] for j ∈ 0..=n. Exactly one of them holds iff len ≤ n.
        let eq: Vec<BoolTarget> = (0..=n)
            .map(|j| {
                let c = self.constant(F::from_canonical_usize(j));
                self.is_equal(len, c)
            })
            .collect();
        let hits = self.add_many(eq.iter().map(|e| e.target));
        let one = self.one();
        self.connect(hits, one);
        // last[k] = [⌊len / 136⌋ = k]: block k carries the final padding bit and the digest.
        let last: Vec<Target> = (0..blocks)
            .map(|k| {
                let lo = k * RATE_BYTES;
                let hi = (lo + RATE_BYTES).min(n + 1);
                self.add_many(eq[lo..hi].iter().map(|e| e.target))
            })
            .collect();
        // Message bits, bytes at positions ≥ len asserted zero (ge = [i ≥ len] = Σ_{j≤i} eq[j]),
        // then pad10*1 added at the variable positions: both padding bits land on zero
        // bytes, so adding them keeps every bit a bit.
        let mut bits = Vec::with_capacity(blocks * RATE_BYTES * 8);
        let mut ge = self.zero();
        for i in 0..blocks * RATE_BYTES {
            let mut byte: Vec<BoolTarget> = match msg.get(i) {
                Some(&m) => {
                    ge = self.add(ge, eq[i].target);
                    let masked = self.mul(m, ge);
                    self.assert_zero(masked);
                    self.split_le(m, 8)
                }
                None => vec![zero; 8],
            };
            if let Some(e) = eq.get(i) {
                byte[0] = BoolTarget::new_unsafe(self.add(byte[0].target, e.target));
            }
            if i % RATE_BYTES == RATE_BYTES - 1 {
                let l = last[i / RATE_BYTES];
                byte[7] = BoolTarget::new_unsafe(self.add(byte[7].target, l));
            }
            bits.extend(byte);
        }
        let digests = absorb_blocks(self, &bits);
        core::array::from_fn(|i| {
            let mut acc = self.zero();
            for (d, &l) in digests.iter().zip(&last) {
                acc = self.mul_add(d[i], l, acc);
            }
            acc
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
    use plonky2::iop::generator::generate_partial_witness;
    use plonky2::iop::witness::{PartialWitness, Witness, WitnessWrite};
    use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
    use plonky2::plonk::config::PoseidonGoldilocksConfig;

    use super::*;

    type C = PoseidonGoldilocksConfig;

    fn builder() -> CircuitBuilder<F, D> {
        CircuitBuilder::new(CircuitConfig::standard_recursion_config())
    }

    /// A deterministic test message.
    fn message(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + 3) as u8).collect()
    }

    fn set_bytes(pw: &mut PartialWitness<F>, targets: &[Target], bytes: &[u8]) {
        for (&t, &v) in targets.iter().zip(bytes) {
            pw.set_target(t, F::from_canonical_u8(v)).unwrap();
        }
    }

    /// Whether no valid proof comes out: witness generation fails (a copy constraint
    /// conflicts) or the proof does not verify (a gate constraint fails).
    fn fails(data: &CircuitData<F, C, D>, pw: PartialWitness<F>) -> bool {
        match data.prove(pw) {
            Err(_) => true,
            Ok(proof) => data.verify(proof).is_err(),
        }
    }

    /// The digest's values after witness generation (no proof: the constraints are
    /// checked by the proving tests).
    fn digest_values(
        data: &CircuitData<F, C, D>,
        pw: PartialWitness<F>,
        d: &[Target; 32],
    ) -> [u8; 32] {
        let w = generate_partial_witness(pw, &data.prover_only, &data.common).unwrap();
        core::array::from_fn(|i| {
            let v = w.get_target(d[i]).to_canonical_u64();
            u8::try_from(v).unwrap()
        })
    }

    /// keccak-256 of the empty message and of one full block (whose padding is a second
    /// block), against the native hash, proved and verified; the digest words too.
    #[test]
    fn keccak256_matches_native() {
        let mut b = builder();
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
        let data = b.build::<C>();
        let bytes = message(RATE_BYTES);
        let mut pw = PartialWitness::new();
        set_bytes(&mut pw, &msg, &bytes);
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

    /// keccak-256 of fixed lengths on every side of the block boundaries, one circuit,
    /// proved and verified; the same circuit fails to prove with a wrong expected digest.
    #[test]
    fn keccak256_fixed_lengths_prove() {
        const LENS: [usize; 8] = [0, 1, 135, 136, 137, 271, 272, 300];
        let mut b = builder();
        let mut msgs = Vec::new();
        let mut expected = Vec::new();
        for n in LENS {
            let msg = b.add_virtual_targets(n);
            let digest = b.keccak256_bytes(&msg);
            let want = b.add_virtual_targets(32);
            for (&d, &w) in digest.iter().zip(&want) {
                b.connect(d, w);
            }
            msgs.push(msg);
            expected.push(want);
        }
        eprintln!(
            "keccak256 of {LENS:?} bytes (15 permutations): {} rows",
            b.num_gates()
        );
        let data = b.build::<C>();
        let witness = |flip: Option<usize>| {
            let mut pw = PartialWitness::new();
            for (k, n) in LENS.into_iter().enumerate() {
                let bytes = message(n);
                set_bytes(&mut pw, &msgs[k], &bytes);
                let mut want = quire_core::hash::keccak256(&bytes);
                if flip == Some(k) {
                    want[0] ^= 0x80;
                }
                set_bytes(&mut pw, &expected[k], &want);
            }
            pw
        };
        let proof = data.prove(witness(None)).unwrap();
        data.verify(proof).unwrap();
        assert!(fails(&data, witness(Some(4))));
    }

    /// A proof of a circuit with [`KeccakRoundGate`] rows verified inside another circuit
    /// (the gate's recursive constraint evaluation), and that outer proof verified.
    #[test]
    fn keccak_proof_verifies_recursively() {
        let mut b = builder();
        let msg = b.add_virtual_targets(5);
        let digest = b.keccak256_bytes(&msg);
        b.register_public_inputs(&digest);
        let inner = b.build::<C>();
        let bytes = message(5);
        let mut pw = PartialWitness::new();
        set_bytes(&mut pw, &msg, &bytes);
        let proof = inner.prove(pw).unwrap();

        let mut b = builder();
        let vd = b.constant_verifier_data::<C>(&inner.verifier_only);
        let pt = b.add_virtual_proof_with_pis(&inner.common);
        b.verify_proof::<C>(&pt, &vd, &inner.common);
        let native = quire_core::hash::keccak256(&bytes);
        for (&t, &v) in pt.public_inputs.iter().zip(&native) {
            let c = b.constant(F::from_canonical_u8(v));
            b.connect(t, c);
        }
        let outer = b.build::<C>();
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&pt, &proof).unwrap();
        let outer_proof = outer.prove(pw).unwrap();
        outer.verify(outer_proof).unwrap();
    }

    /// The variable-length digest of a 300-byte buffer for lengths on every side of the
    /// block boundaries, against the native hash of the prefix.
    #[test]
    fn keccak256_var_matches_native() {
        const N: usize = 300;
        let mut b = builder();
        let msg = b.add_virtual_targets(N);
        let len = b.add_virtual_target();
        let digest = b.keccak256_var(&msg, len);
        eprintln!(
            "keccak256_var over {N} bytes (3 permutations): {} rows",
            b.num_gates()
        );
        let data = b.build::<C>();
        let bytes = message(N);
        for l in [0, 1, 135, 136, 271, 272, 299, 300] {
            let mut padded = bytes[..l].to_vec();
            padded.resize(N, 0);
            let mut pw = PartialWitness::new();
            set_bytes(&mut pw, &msg, &padded);
            pw.set_target(len, F::from_canonical_usize(l)).unwrap();
            let got = digest_values(&data, pw, &digest);
            assert_eq!(got, quire_core::hash::keccak256(&bytes[..l]), "len {l}");
        }
    }

    /// A real proof of a variable-length digest, and the two ways to cheat it: a wrong
    /// expected digest, and a nonzero byte past `len`.
    #[test]
    fn keccak256_var_proves_and_rejects() {
        const N: usize = 140;
        let mut b = builder();
        let msg = b.add_virtual_targets(N);
        let len = b.add_virtual_target();
        let digest = b.keccak256_var(&msg, len);
        let expected = b.add_virtual_targets(32);
        for (&d, &e) in digest.iter().zip(&expected) {
            b.connect(d, e);
        }
        let data = b.build::<C>();
        let bytes = message(N);
        let l = 137;
        let witness = |padded: &[u8], want: [u8; 32], l: usize| {
            let mut pw = PartialWitness::new();
            set_bytes(&mut pw, &msg, padded);
            set_bytes(&mut pw, &expected, &want);
            pw.set_target(len, F::from_canonical_usize(l)).unwrap();
            pw
        };
        let mut padded = bytes[..l].to_vec();
        padded.resize(N, 0);
        let good = quire_core::hash::keccak256(&bytes[..l]);
        let proof = data.prove(witness(&padded, good, l)).unwrap();
        data.verify(proof).unwrap();

        let mut wrong = good;
        wrong[31] ^= 1;
        assert!(fails(&data, witness(&padded, wrong, l)));

        let mut dirty = padded.clone();
        dirty[l] = 1;
        assert!(fails(&data, witness(&dirty, good, l)));

        // len past the buffer, with the digest of the whole buffer.
        let all = quire_core::hash::keccak256(&bytes);
        assert!(fails(&data, witness(&bytes, all, N + 1)));

        // A "byte" of 256: the bit split rejects it.
        let mut pw = PartialWitness::new();
        pw.set_target(msg[0], F::from_canonical_u64(256)).unwrap();
        set_bytes(&mut pw, &msg[1..], &padded[1..]);
        set_bytes(&mut pw, &expected, &good);
        pw.set_target(len, F::from_canonical_usize(l)).unwrap();
        assert!(fails(&data, pw));
    }
}
