//! Poseidon hashing (plonky2's width-12 permutation) for everything inside the state, and
//! keccak-256 for what L1 checks.
//!
//! Two hashes, each where it is cheapest: Poseidon is a handful of rows in a plonky2 circuit
//! and is used for tree nodes, leaves and the signing hash; keccak-256 is what the EVM
//! computes for 30 + 6 gas per word, so it commits to the pubdata the contract receives as
//! calldata (and the circuit recomputes the same digest).
//!
//! Poseidon is Quire's own implementation of plonky2's ([`poseidon`]), so that nothing
//! outside the circuits links plonky2 (decision D20).

pub mod poseidon;
pub mod poseidon_constants;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::field::{canonical_from_u64, F};

/// A Poseidon digest: four Goldilocks elements.
///
/// Limbs are stored canonically (each below p), so the derived equality, hashing and
/// ordering are those of the field elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Digest(pub [u64; 4]);

impl Digest {
    /// The all-zero digest: the value of an empty leaf.
    pub const ZERO: Digest = Digest([0; 4]);

    /// The digest as field elements.
    pub fn elements(&self) -> [F; 4] {
        self.0.map(F::from_noncanonical_u64)
    }

    /// Builds a digest from field elements (stored canonically).
    pub fn from_elements(e: [F; 4]) -> Self {
        Digest(e.map(|x| x.to_canonical_u64()))
    }

    /// The L1 (Solidity) form: a `bytes32` holding the four limbs in order, each as 8
    /// big-endian bytes, so `uint64(uint256(x) >> 192)` is limb 0.
    pub fn to_l1_bytes32(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// Canonical encoding: four little-endian u64 limbs, 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        out
    }

    /// Decodes the canonical encoding; `None` if any limb is not below p, so that every
    /// digest has exactly one byte representation.
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *limb = canonical_from_u64(u64::from_le_bytes(b))?.to_canonical_u64();
        }
        Some(Digest(limbs))
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.to_bytes()))
    }
}

/// Why a hex digest was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestParseError {
    /// Not 0x-prefixed hex of exactly 32 bytes.
    #[error("expected 0x-prefixed hex of 32 bytes")]
    BadHex,
    /// A limb is not a canonical field element.
    #[error("digest limb is not a canonical field element")]
    NonCanonical,
}

impl FromStr for Digest {
    type Err = DigestParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes: [u8; 32] = parse_hex_array(s).ok_or(DigestParseError::BadHex)?;
        Digest::from_bytes(&bytes).ok_or(DigestParseError::NonCanonical)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses `0x`-prefixed hex into a fixed-size array; `None` on any other length or format.
pub fn parse_hex_array<const N: usize>(s: &str) -> Option<[u8; N]> {
    let body = s.strip_prefix("0x")?;
    let bytes = hex::decode(body).ok()?;
    bytes.try_into().ok()
}

/// Poseidon sponge over field elements (plonky2's `hash_no_pad`), the same function the
/// circuits compute with `hash_n_to_hash_no_pad`: absorb in chunks of [`poseidon::RATE`]
/// by overwriting the rate part of a zero state, permuting after each chunk, and output the
/// first four elements. No padding (every input length Quire hashes is fixed by its
/// type); the empty input hashes to zero, as in plonky2.
pub fn hash_elements(input: &[F]) -> Digest {
    let mut state = [F::ZERO; poseidon::WIDTH];
    for chunk in input.chunks(poseidon::RATE) {
        state[..chunk.len()].copy_from_slice(chunk);
        state = poseidon::permute(state);
    }
    Digest::from_elements([state[0], state[1], state[2], state[3]])
}

/// Poseidon two-to-one compression of two digests (plonky2's `two_to_one`): the inner-node
/// hash of every tree. One permutation of (left, right, 0, 0, 0, 0), first four out.
pub fn hash_two(left: &Digest, right: &Digest) -> Digest {
    let mut state = [F::ZERO; poseidon::WIDTH];
    state[..4].copy_from_slice(&left.elements());
    state[4..8].copy_from_slice(&right.elements());
    let out = poseidon::permute(state);
    Digest::from_elements([out[0], out[1], out[2], out[3]])
}

/// keccak-256, the L1-facing commitment hash (pubdata and priority operations).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    use sha3::{Digest as _, Keccak256};
    Keccak256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_bytes_round_trip_and_reject_non_canonical() {
        let d = hash_elements(&[F::ONE, F::TWO]);
        assert_eq!(Digest::from_bytes(&d.to_bytes()), Some(d));
        let mut bad = d.to_bytes();
        bad[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(Digest::from_bytes(&bad), None);
        let s = d.to_string();
        assert_eq!(s.parse::<Digest>(), Ok(d));
        assert_eq!("0x12".parse::<Digest>(), Err(DigestParseError::BadHex));
    }

    #[test]
    fn two_to_one_is_order_sensitive() {
        let a = hash_elements(&[F::ONE]);
        let b = hash_elements(&[F::TWO]);
        assert_ne!(hash_two(&a, &b), hash_two(&b, &a));
    }

    #[test]
    fn keccak_known_answer() {
        // keccak-256 of the empty string.
        assert_eq!(
            hex::encode(keccak256(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
    }
}
