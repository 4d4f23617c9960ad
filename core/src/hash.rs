//! Poseidon hashing (plonky2's width-12 permutation) for everything inside the state, and
//! keccak-256 for what L1 checks.
//!
//! Two hashes, each where it is cheapest: Poseidon is a handful of rows in a plonky2 circuit
//! and is used for tree nodes, leaves and the signing hash; keccak-256 is what the EVM
//! computes for 30 + 6 gas per word, so it commits to the pubdata the contract receives as
//! calldata (and the circuit recomputes the same digest).

use std::fmt;
use std::str::FromStr;

use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::field::{canonical_from_u64, Field, PrimeField64, F};

/// A Poseidon digest: four Goldilocks elements.
///
/// A newtype rather than plonky2's `HashOut` so that it can carry Quire's canonical byte
/// and hex encodings and be a map key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Digest(pub [u64; 4]);

impl Digest {
    /// The all-zero digest: the value of an empty leaf.
    pub const ZERO: Digest = Digest([0; 4]);

    /// The digest as plonky2 field elements.
    pub fn elements(&self) -> [F; 4] {
        self.0.map(F::from_noncanonical_u64)
    }

    /// Builds a digest from field elements (stored canonically).
    pub fn from_elements(e: [F; 4]) -> Self {
        Digest(e.map(|x| x.to_canonical_u64()))
    }

    /// As a plonky2 `HashOut`.
    pub fn to_hash_out(&self) -> HashOut<F> {
        HashOut {
            elements: self.elements(),
        }
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

impl From<HashOut<F>> for Digest {
    fn from(h: HashOut<F>) -> Self {
        Digest::from_elements(h.elements)
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
/// circuits compute with `hash_n_to_hash_no_pad`.
pub fn hash_elements(input: &[F]) -> Digest {
    PoseidonHash::hash_no_pad(input).into()
}

/// Poseidon two-to-one compression of two digests: the inner-node hash of every tree.
pub fn hash_two(left: &Digest, right: &Digest) -> Digest {
    PoseidonHash::two_to_one(left.to_hash_out(), right.to_hash_out()).into()
}

/// keccak-256, the L1-facing commitment hash (pubdata and priority operations).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    use sha3::{Digest as _, Keccak256};
    Keccak256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;

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
