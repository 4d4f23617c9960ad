//! Schnorr signatures over EcGFp5 with a Poseidon challenge.
//!
//! The scheme is shaped for the circuit that re-verifies every signature of a batch:
//! the signature carries the challenge e (four Goldilocks elements) rather than the
//! commitment R, so the verifier recomputes R' = s·G − e·Q and only has to *encode* it —
//! decoding a point (a square root) never happens in the circuit.
//!
//! - Keys: a secret key is a nonzero scalar sk; the public key is Q = sk·G, published as
//!   its 40-byte canonical encoding w (never the neutral element).
//! - Challenge: e = Poseidon `hash_no_pad`(R.encode() ‖ pk ‖ msg), i.e. 5 + 5 + 4 field
//!   elements in, 4 out. As a scalar, e means Σ e_i·2^(64i) < 2^256 < n.
//! - Signing: deterministic nonce k = SHA-512(domain ‖ sk ‖ msg ‖ counter) mod n
//!   (counter = 0, bumped only in the 2^−319-likely case k = 0), R = k·G,
//!   s = k + e·sk mod n. Deterministic nonces mean no RNG failure can leak the key.
//! - Verification: reject unless s < n and every e_i < p (enforced when decoding),
//!   R' = s·G − e·Q is not the neutral element, and Poseidon(R'.encode() ‖ pk ‖ msg) = e.
//!
//! Encodings: signature = s (40 bytes LE) ‖ e_0..e_3 (8 bytes LE each) = 72 bytes; both
//! keys and signatures have exactly one accepted encoding (no malleability).

use core::fmt;
use core::str::FromStr;

use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha512};

use crate::ecgfp5::{Gfp5, Point, Scalar};
use crate::field::{canonical_from_u64, F};
use crate::hash::{hash_elements, Digest};

/// Length of an encoded public key.
pub const PUBLIC_KEY_LEN: usize = 40;
/// Length of an encoded secret key.
pub const SECRET_KEY_LEN: usize = 40;
/// Length of an encoded signature: s (40 bytes) then e (4 × 8 bytes).
pub const SIGNATURE_LEN: usize = 72;

/// Domain separator of [`SecretKey::from_seed`].
const KEYGEN_DOMAIN: &[u8] = b"quire/ecgfp5-schnorr/keygen/v1";
/// Domain separator of the deterministic signing nonce.
const NONCE_DOMAIN: &[u8] = b"quire/ecgfp5-schnorr/nonce/v1";

/// Why a key or signature was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// An encoding had the wrong number of bytes.
    #[error("wrong length: expected {expected} bytes, got {got}")]
    BadLength {
        /// The required length.
        expected: usize,
        /// The length received.
        got: usize,
    },
    /// A hex string was malformed (missing `0x`, odd length, non-hex digit).
    #[error("malformed hex string")]
    BadHex,
    /// A public key limb was not below p.
    #[error("public key is not canonically encoded (a limb is >= p)")]
    NonCanonicalKey,
    /// A public key was a canonical field element but not the encoding of a curve point.
    #[error("public key is not the encoding of an EcGFp5 point")]
    KeyNotOnCurve,
    /// A public key was the neutral element (w = 0), which any signature would forge.
    #[error("public key is the neutral element")]
    NeutralKey,
    /// A secret key was zero or not below the group order.
    #[error("secret key is zero or not below the group order")]
    InvalidSecretKey,
    /// The signature's s was not below the group order n.
    #[error("signature scalar s is not below the group order")]
    NonCanonicalS,
    /// A limb of the signature's challenge e was not below p.
    #[error("signature challenge e is not canonically encoded (a limb is >= p)")]
    NonCanonicalE,
    /// The signature is well-formed but does not verify for this key and message.
    #[error("signature does not verify")]
    Invalid,
}

/// A secret signing key: a nonzero scalar modulo the group order, with its public key
/// cached (signing needs it for the challenge).
#[derive(Clone)]
pub struct SecretKey {
    sk: Scalar,
    pk: PublicKey,
}

impl SecretKey {
    fn from_scalar(sk: Scalar) -> Result<Self, SignatureError> {
        if sk.is_zero() {
            return Err(SignatureError::InvalidSecretKey);
        }
        let pk = PublicKey::from_point(&Point::mul_generator(&sk))
            .map_err(|_| SignatureError::InvalidSecretKey)?;
        Ok(Self { sk, pk })
    }

    /// Derives a key from seed material: SHA-512(domain ‖ seed ‖ counter) reduced mod n,
    /// with the 32-bit little-endian counter starting at 0 and bumped only if the result
    /// is zero (probability 2^−319). The seed should carry at least 128 bits of entropy.
    pub fn from_seed(seed: &[u8]) -> SecretKey {
        let mut counter = 0u32;
        loop {
            let digest = Sha512::new()
                .chain_update(KEYGEN_DOMAIN)
                .chain_update(seed)
                .chain_update(counter.to_le_bytes())
                .finalize();
            if let Ok(key) = Self::from_scalar(Scalar::from_bytes_wide(&digest.into())) {
                return key;
            }
            counter += 1;
        }
    }

    /// A fresh random key.
    pub fn random<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> SecretKey {
        loop {
            if let Ok(key) = Self::from_scalar(Scalar::random(rng)) {
                return key;
            }
        }
    }

    /// Decodes a secret key (40 bytes LE), rejecting zero and values `>= n`.
    pub fn from_bytes(bytes: &[u8; SECRET_KEY_LEN]) -> Result<SecretKey, SignatureError> {
        let sk = Scalar::from_bytes_canonical(bytes).ok_or(SignatureError::InvalidSecretKey)?;
        Self::from_scalar(sk)
    }

    /// The 40-byte encoding.
    pub fn to_bytes(&self) -> [u8; SECRET_KEY_LEN] {
        self.sk.to_bytes()
    }

    /// The secret scalar.
    pub fn scalar(&self) -> &Scalar {
        &self.sk
    }

    /// The public key sk·G.
    pub fn public_key(&self) -> PublicKey {
        self.pk
    }

    /// Signs `msg` (see [`sign`]).
    pub fn sign(&self, msg: &Digest) -> Signature {
        sign(self, msg)
    }
}

impl fmt::Debug for SecretKey {
    /// Never prints the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(pk = {})", self.pk)
    }
}

impl Drop for SecretKey {
    /// Best-effort wipe of the secret scalar (no `unsafe` volatile write is allowed in
    /// this crate, so the compiler may still elide it).
    fn drop(&mut self) {
        self.sk = Scalar::ZERO;
        core::hint::black_box(&self.sk);
    }
}

/// A public key: the canonical encoding w of a non-neutral group element, together with
/// the decoded point (decoding costs a square root, so it is done once, at parsing).
#[derive(Clone, Copy)]
pub struct PublicKey {
    w: Gfp5,
    point: Point,
}

impl PublicKey {
    /// Decodes a public key, rejecting limbs `>= p`, field elements that encode no point,
    /// and the neutral element.
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LEN]) -> Result<PublicKey, SignatureError> {
        let w = Gfp5::from_bytes(bytes).ok_or(SignatureError::NonCanonicalKey)?;
        Self::from_encoding(&w)
    }

    /// Like [`PublicKey::from_bytes`], for a slice of any length.
    pub fn from_slice(bytes: &[u8]) -> Result<PublicKey, SignatureError> {
        let arr: &[u8; PUBLIC_KEY_LEN] =
            bytes.try_into().map_err(|_| SignatureError::BadLength {
                expected: PUBLIC_KEY_LEN,
                got: bytes.len(),
            })?;
        Self::from_bytes(arr)
    }

    /// The key whose encoding is `w` (rejecting invalid encodings and the neutral).
    pub fn from_encoding(w: &Gfp5) -> Result<PublicKey, SignatureError> {
        if w.is_zero() {
            return Err(SignatureError::NeutralKey);
        }
        let point = Point::decode(w).ok_or(SignatureError::KeyNotOnCurve)?;
        Ok(Self { w: *w, point })
    }

    /// The key for a group element, rejecting the neutral.
    pub fn from_point(point: &Point) -> Result<PublicKey, SignatureError> {
        if point.is_neutral() {
            return Err(SignatureError::NeutralKey);
        }
        Ok(Self {
            w: point.encode(),
            point: *point,
        })
    }

    /// The 40-byte canonical encoding.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.w.to_bytes()
    }

    /// The encoding w as a field element.
    pub fn encoding(&self) -> Gfp5 {
        self.w
    }

    /// The group element Q.
    pub fn point(&self) -> &Point {
        &self.point
    }

    /// The five canonical limbs of w, as hashed into challenges and account leaves.
    pub fn elements(&self) -> [F; 5] {
        self.w.limbs()
    }

    /// Poseidon `hash_no_pad` of [`PublicKey::elements`]: the account's `pubkey_hash`.
    pub fn hash(&self) -> Digest {
        hash_elements(&self.elements())
    }

    /// Verifies `sig` on `msg` under this key (see [`verify`]).
    pub fn verify(&self, msg: &Digest, sig: &Signature) -> Result<(), SignatureError> {
        verify(self, msg, sig)
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.w == other.w
    }
}

impl Eq for PublicKey {}

impl core::hash::Hash for PublicKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.w.hash(state);
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

impl fmt::Display for PublicKey {
    /// `0x`-prefixed lowercase hex of the 40-byte encoding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.to_bytes()))
    }
}

impl FromStr for PublicKey {
    type Err = SignatureError;
    /// Parses `0x`-prefixed hex and validates like [`PublicKey::from_bytes`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_slice(&parse_hex(s)?)
    }
}

/// A signature: the response s and the challenge e.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    /// s = k + e·sk mod n.
    pub s: Scalar,
    /// e = Poseidon(R ‖ pk ‖ msg), four field elements.
    pub e: [F; 4],
}

impl Signature {
    /// The 72-byte encoding: s (40 bytes LE), then e_0..e_3 (canonical u64 LE each).
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out[..40].copy_from_slice(&self.s.to_bytes());
        for (chunk, e) in out[40..].chunks_exact_mut(8).zip(self.e) {
            chunk.copy_from_slice(&e.to_canonical_u64().to_le_bytes());
        }
        out
    }

    /// Decodes exactly 72 bytes, rejecting s `>= n` and any e limb `>= p`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Signature, SignatureError> {
        if bytes.len() != SIGNATURE_LEN {
            return Err(SignatureError::BadLength {
                expected: SIGNATURE_LEN,
                got: bytes.len(),
            });
        }
        let mut s_bytes = [0u8; 40];
        s_bytes.copy_from_slice(&bytes[..40]);
        let s = Scalar::from_bytes_canonical(&s_bytes).ok_or(SignatureError::NonCanonicalS)?;
        let mut e = [F::ZERO; 4];
        for (ei, chunk) in e.iter_mut().zip(bytes[40..].chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *ei = canonical_from_u64(u64::from_le_bytes(b)).ok_or(SignatureError::NonCanonicalE)?;
        }
        Ok(Signature { s, e })
    }

    /// The challenge as a scalar, Σ e_i·2^(64i).
    pub fn e_scalar(&self) -> Scalar {
        Scalar::from_u256(self.e.map(|x| x.to_canonical_u64()))
    }
}

impl fmt::Display for Signature {
    /// `0x`-prefixed lowercase hex of the 72-byte encoding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.to_bytes()))
    }
}

impl FromStr for Signature {
    type Err = SignatureError;
    /// Parses `0x`-prefixed hex and validates like [`Signature::from_bytes`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(&parse_hex(s)?)
    }
}

/// Decodes `0x`-prefixed hex (either case).
fn parse_hex(s: &str) -> Result<Vec<u8>, SignatureError> {
    let digits = s.strip_prefix("0x").ok_or(SignatureError::BadHex)?;
    hex::decode(digits).map_err(|_| SignatureError::BadHex)
}

// (De)serialized as `0x` hex strings; deserialization runs the full validation, so a
// `PublicKey` or `Signature` obtained from JSON is always canonical.
impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The challenge e = Poseidon `hash_no_pad`(r ‖ pk ‖ msg) over 5 + 5 + 4 field elements,
/// where `r` is the encoding of the commitment R.
pub fn challenge(r: &Gfp5, pk: &PublicKey, msg: &Digest) -> [F; 4] {
    let mut input = [F::ZERO; 14];
    input[..5].copy_from_slice(&r.limbs());
    input[5..10].copy_from_slice(&pk.elements());
    input[10..].copy_from_slice(&msg.elements());
    hash_elements(&input).elements()
}

/// The deterministic nonce k = SHA-512(domain ‖ sk ‖ msg ‖ counter) mod n, nonzero.
fn nonce(sk: &SecretKey, msg: &Digest) -> Scalar {
    let mut msg_bytes = [0u8; 32];
    for (chunk, m) in msg_bytes.chunks_exact_mut(8).zip(msg.0) {
        chunk.copy_from_slice(&m.to_le_bytes());
    }
    let mut counter = 0u32;
    loop {
        let digest = Sha512::new()
            .chain_update(NONCE_DOMAIN)
            .chain_update(sk.to_bytes())
            .chain_update(msg_bytes)
            .chain_update(counter.to_le_bytes())
            .finalize();
        let k = Scalar::from_bytes_wide(&digest.into());
        if !k.is_zero() {
            return k;
        }
        counter += 1;
    }
}

/// Signs a message (already hashed to four field elements, e.g. a transaction's
/// signing hash). Deterministic: the same key and message give the same signature.
pub fn sign(sk: &SecretKey, msg: &Digest) -> Signature {
    let k = nonce(sk, msg);
    // k != 0, so R is not the neutral element.
    let r = Point::mul_generator(&k);
    let e = challenge(&r.encode(), &sk.pk, msg);
    let e_scalar = Scalar::from_u256(e.map(|x| x.to_canonical_u64()));
    Signature {
        s: k + e_scalar * sk.sk,
        e,
    }
}

/// Verifies a signature: R' = s·G − e·Q must not be the neutral element and
/// Poseidon(R'.encode() ‖ pk ‖ msg) must equal e. Variable-time (all inputs public).
pub fn verify(pk: &PublicKey, msg: &Digest, sig: &Signature) -> Result<(), SignatureError> {
    // s·G + e·(−Q): keeping e positive keeps its wNAF at 256 bits.
    let r = Point::mul_add_generator_vartime(&sig.s, &sig.e_scalar(), &pk.point.neg());
    if r.is_neutral() {
        return Err(SignatureError::Invalid);
    }
    if challenge(&r.encode(), pk, msg) != sig.e {
        return Err(SignatureError::Invalid);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(v: u64) -> Digest {
        Digest([v, v + 1, v + 2, v + 3])
    }

    #[test]
    fn round_trip_and_tamper() {
        let sk = SecretKey::from_seed(b"unit test seed");
        let pk = sk.public_key();
        let m = msg(42);
        let sig = sk.sign(&m);
        assert_eq!(sig, sk.sign(&m), "signing is deterministic");
        assert_eq!(pk.verify(&m, &sig), Ok(()));
        assert_eq!(pk.verify(&msg(43), &sig), Err(SignatureError::Invalid));
        let mut bad = sig;
        bad.s += Scalar::ONE;
        assert_eq!(pk.verify(&m, &bad), Err(SignatureError::Invalid));
        let other = SecretKey::from_seed(b"other").public_key();
        assert_eq!(other.verify(&m, &sig), Err(SignatureError::Invalid));
        assert_eq!(Signature::from_bytes(&sig.to_bytes()), Ok(sig));
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()), Ok(pk));
        let restored = SecretKey::from_bytes(&sk.to_bytes()).expect("valid key");
        assert_eq!(restored.public_key(), pk);
    }

    #[test]
    fn rejects_neutral_and_zero() {
        assert_eq!(
            PublicKey::from_bytes(&[0u8; 40]),
            Err(SignatureError::NeutralKey)
        );
        assert_eq!(
            SecretKey::from_bytes(&[0u8; 40]).map(|k| k.public_key()),
            Err(SignatureError::InvalidSecretKey)
        );
    }

    #[test]
    fn serde_hex() {
        let sk = SecretKey::from_seed(b"serde");
        let pk = sk.public_key();
        let sig = sk.sign(&msg(1));
        let json = serde_json::to_string(&(pk, sig)).expect("serialize");
        assert!(json.starts_with("[\"0x"));
        let (pk2, sig2): (PublicKey, Signature) = serde_json::from_str(&json).expect("parse");
        assert_eq!((pk2, sig2), (pk, sig));
        assert!(serde_json::from_str::<PublicKey>("\"0x00\"").is_err());
        let no_prefix = format!("\"{}\"", hex::encode(pk.to_bytes()));
        assert!(serde_json::from_str::<PublicKey>(&no_prefix).is_err());
    }
}
