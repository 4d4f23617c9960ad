//! The Poseidon permutation of plonky2 over Goldilocks, width 12: x^7 S-box, 4 full
//! rounds, 22 partial rounds, 4 full rounds, plonky2's constants and MDS matrix
//! M = circ(MDS_CIRC) + diag(8, 0, …, 0).
//!
//! Two forms of the same permutation:
//! - [`permute`] runs the partial rounds in plonky2's equivalent sparse form (an 11×11
//!   matrix once, then 23 products per round instead of 144), which is what plonky2's
//!   native code runs and what the sequencer pays for on every Merkle node and signature.
//! - [`permute_naive`] is the definition, round by round; the tests hold the two equal.
//!
//! Matrix–vector products accumulate exact integer sums (u128 for the small MDS entries,
//! a 160-bit accumulator for the sparse form's full-width constants) and reduce once per
//! output element, instead of reducing after every product.

use super::poseidon_constants::{
    FAST_PARTIAL_FIRST_ROUND_CONSTANT, FAST_PARTIAL_ROUND_CONSTANTS,
    FAST_PARTIAL_ROUND_INITIAL_MATRIX, FAST_PARTIAL_ROUND_VS, FAST_PARTIAL_ROUND_W_HATS, MDS_CIRC,
    MDS_DIAG_0, ROUND_CONSTANTS,
};
use crate::field::{Acc160, F};

/// State width.
pub const WIDTH: usize = 12;
/// Sponge rate: elements absorbed per permutation (the other 4 are the capacity).
pub const RATE: usize = 8;
const HALF_FULL_ROUNDS: usize = 4;
const PARTIAL_ROUNDS: usize = 22;
const ROUNDS: usize = 2 * HALF_FULL_ROUNDS + PARTIAL_ROUNDS;

#[inline(always)]
fn sbox(x: F) -> F {
    let x2 = x.square();
    let x4 = x2.square();
    let x3 = x * x2;
    x3 * x4
}

#[inline(always)]
fn add_round_constants(state: &mut [F; WIDTH], round: usize) {
    for (s, &c) in state
        .iter_mut()
        .zip(&ROUND_CONSTANTS[WIDTH * round..WIDTH * (round + 1)])
    {
        *s = s.add_canonical_u64(c);
    }
}

/// The circulant part of M as a cyclic convolution kernel: M·s = s ⊛ K (length 12) with
/// K[k] = MDS_CIRC[(12 − k) mod 12], because row r of circ(C) dots s with C shifted by r.
const KERNEL: [i64; WIDTH] = {
    let mut k = [0i64; WIDTH];
    let mut i = 0;
    while i < WIDTH {
        k[i] = MDS_CIRC[(WIDTH - i) % WIDTH] as i64;
        i += 1;
    }
    k
};

/// Splits x mod (X^2n − 1) into its images mod (X^n − 1) and mod (X^n + 1): the sum and the
/// difference of its two halves (the Chinese remainder theorem on X^2n − 1 =
/// (X^n − 1)(X^n + 1)).
#[inline(always)]
const fn crt_split<const N: usize, const H: usize>(x: &[i64; N]) -> ([i64; H], [i64; H]) {
    let mut plus = [0i64; H];
    let mut minus = [0i64; H];
    let mut i = 0;
    while i < H {
        plus[i] = x[i] + x[i + H];
        minus[i] = x[i] - x[i + H];
        i += 1;
    }
    (plus, minus)
}

/// The inverse of [`crt_split`]: halves (p + m)/2 and (p − m)/2, exact because p ± m are
/// twice the halves of an integer product.
#[inline(always)]
fn crt_join<const H: usize, const N: usize>(plus: &[i64; H], minus: &[i64; H]) -> [i64; N] {
    core::array::from_fn(|i| {
        if i < H {
            (plus[i] + minus[i]) >> 1
        } else {
            (plus[i - H] - minus[i - H]) >> 1
        }
    })
}

/// x·y mod (X^N − 1) (`SIGN` = 1) or mod (X^N + 1) (`SIGN` = −1), schoolbook.
#[inline(always)]
fn convolve<const N: usize, const SIGN: i64>(x: &[i64; N], y: &[i64; N]) -> [i64; N] {
    let mut out = [0i64; N];
    for (i, &xi) in x.iter().enumerate() {
        for (j, &yj) in y.iter().enumerate() {
            let term = xi * yj;
            if i + j < N {
                out[i + j] += term;
            } else {
                out[i + j - N] += SIGN * term;
            }
        }
    }
    out
}

/// The kernel's images, precomputed: mod X^6 + 1, and mod X^3 ∓ 1 of its image mod X^6 − 1.
const KERNEL_SPLIT: ([i64; 3], [i64; 3], [i64; 6]) = {
    let (p6, m6) = crt_split::<12, 6>(&KERNEL);
    let (p3, m3) = crt_split::<6, 3>(&p6);
    (p3, m3, m6)
};

/// s ⊛ K for |s_i| < 2^33 by the CRT on X^12 − 1 = (X^3 − 1)(X^3 + 1)(X^6 + 1):
/// 9 + 9 + 36 products instead of 144. Every intermediate stays below 2^46 in magnitude.
#[inline(always)]
fn circulant(s: &[i64; WIDTH]) -> [i64; WIDTH] {
    let (kp3, km3, km6) = &KERNEL_SPLIT;
    let (p6, m6) = crt_split::<12, 6>(s);
    let (p3, m3) = crt_split::<6, 3>(&p6);
    let cyc6: [i64; 6] = crt_join(&convolve::<3, 1>(&p3, kp3), &convolve::<3, -1>(&m3, km3));
    crt_join(&cyc6, &convolve::<6, -1>(&m6, km6))
}

/// state ← M·state. M's entries are below 2^6, so with each element split into 32-bit
/// halves the circulant product of each half is an exact integer below 2^41 (row sums of M
/// are 264 < 2^9), computed with few multiplications ([`circulant`]); each output is
/// reduced once from lo + hi·2^32 (+ the diagonal term) < 2^75.
#[inline(always)]
fn mds_layer(state: &[F; WIDTH]) -> [F; WIDTH] {
    let raw = state.map(|x| x.to_noncanonical_u64());
    let lo = circulant(&raw.map(|x| (x & 0xFFFF_FFFF) as i64));
    let hi = circulant(&raw.map(|x| (x >> 32) as i64));
    core::array::from_fn(|r| {
        let mut acc = lo[r] as u128 + ((hi[r] as u128) << 32);
        if r == 0 {
            acc += raw[0] as u128 * MDS_DIAG_0 as u128;
        }
        F::from_noncanonical_u128(acc)
    })
}

#[inline(always)]
fn full_round(state: &mut [F; WIDTH], round: usize) {
    add_round_constants(state, round);
    for s in state.iter_mut() {
        *s = sbox(*s);
    }
    *state = mds_layer(state);
}

/// The 22 partial rounds in sparse form. Equal to 22 × (constants, S-box on state[0],
/// M) because plonky2 factored M into an initial dense 11×11 part and per-round sparse
/// matrices, moving the round constants through the linear layers.
#[inline(always)]
fn partial_rounds_fast(state: &mut [F; WIDTH]) {
    for (s, &c) in state.iter_mut().zip(&FAST_PARTIAL_FIRST_ROUND_CONSTANT) {
        *s = s.add_canonical_u64(c);
    }
    // The initial matrix: first row and column are (1, 0, …, 0).
    let mut acc = [Acc160::default(); WIDTH];
    for (r, row) in FAST_PARTIAL_ROUND_INITIAL_MATRIX.iter().enumerate() {
        let sr = state[r + 1].to_noncanonical_u64() as u128;
        for (a, &t) in acc[1..].iter_mut().zip(row) {
            a.add(sr * t as u128);
        }
    }
    for (s, a) in state[1..].iter_mut().zip(&acc[1..]) {
        *s = a.reduce_split();
    }

    let mds_0_0 = (MDS_CIRC[0] + MDS_DIAG_0) as u128;
    for round in 0..PARTIAL_ROUNDS {
        state[0] = sbox(state[0]).add_canonical_u64(FAST_PARTIAL_ROUND_CONSTANTS[round]);
        let s0 = state[0];
        let mut d = Acc160::default();
        d.add(s0.to_noncanonical_u64() as u128 * mds_0_0);
        for (s, &w) in state[1..].iter().zip(&FAST_PARTIAL_ROUND_W_HATS[round]) {
            d.add(s.to_noncanonical_u64() as u128 * w as u128);
        }
        for (s, &v) in state[1..].iter_mut().zip(&FAST_PARTIAL_ROUND_VS[round]) {
            *s = s.mul_add(s0, F::from_canonical_u64(v));
        }
        state[0] = d.reduce_split();
    }
}

/// The Poseidon permutation (the fast form).
pub fn permute(mut state: [F; WIDTH]) -> [F; WIDTH] {
    for round in 0..HALF_FULL_ROUNDS {
        full_round(&mut state, round);
    }
    partial_rounds_fast(&mut state);
    for round in HALF_FULL_ROUNDS + PARTIAL_ROUNDS..ROUNDS {
        full_round(&mut state, round);
    }
    state
}

/// The Poseidon permutation as defined, every round written out; the reference
/// [`permute`] is tested against.
pub fn permute_naive(mut state: [F; WIDTH]) -> [F; WIDTH] {
    for round in 0..ROUNDS {
        let partial = (HALF_FULL_ROUNDS..HALF_FULL_ROUNDS + PARTIAL_ROUNDS).contains(&round);
        add_round_constants(&mut state, round);
        if partial {
            state[0] = sbox(state[0]);
        } else {
            for s in state.iter_mut() {
                *s = sbox(*s);
            }
        }
        state = mds_layer(&state);
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn mds_layer_is_the_matrix_product() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for case in 0..64 {
            let state: [F; WIDTH] = if case == 0 {
                [F::from_noncanonical_u64(u64::MAX); WIDTH]
            } else {
                core::array::from_fn(|_| F::from_noncanonical_u64(rng.gen()))
            };
            let expect: [F; WIDTH] = core::array::from_fn(|r| {
                let mut acc = F::ZERO;
                for i in 0..WIDTH {
                    acc += state[(i + r) % WIDTH] * F::from_canonical_u64(MDS_CIRC[i]);
                }
                if r == 0 {
                    acc += state[0] * F::from_canonical_u64(MDS_DIAG_0);
                }
                acc
            });
            assert_eq!(mds_layer(&state), expect);
        }
    }

    #[test]
    fn fast_form_equals_definition() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..64 {
            // Any u64, canonical or not: the permutation must not care.
            let state: [F; WIDTH] = core::array::from_fn(|_| F::from_noncanonical_u64(rng.gen()));
            assert_eq!(permute(state), permute_naive(state));
        }
        let max = [F::from_noncanonical_u64(u64::MAX); WIDTH];
        assert_eq!(permute(max), permute_naive(max));
    }
}
