//! Property tests for EcGFp5 and the Schnorr scheme: round trips, rejection of every
//! tampered or non-canonical input, and the group laws.

use proptest::prelude::*;
use quire_core::ecgfp5::{Gfp5, Point, Scalar};
use quire_core::field::{F, GOLDILOCKS_ORDER};
use quire_core::hash::Digest;
use quire_core::schnorr::{self, PublicKey, SecretKey, Signature, SignatureError};

fn scalar_strategy() -> impl Strategy<Value = Scalar> {
    prop::collection::vec(any::<u8>(), 64).prop_map(|b| {
        let arr: [u8; 64] = b.try_into().expect("64 bytes");
        Scalar::from_bytes_wide(&arr)
    })
}

fn nonzero_scalar_strategy() -> impl Strategy<Value = Scalar> {
    scalar_strategy().prop_filter("nonzero", |s| !s.is_zero())
}

fn msg_strategy() -> impl Strategy<Value = Digest> {
    prop::array::uniform4(0..GOLDILOCKS_ORDER).prop_map(Digest)
}

fn seed_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..64)
}

fn point_strategy() -> impl Strategy<Value = Point> {
    scalar_strategy().prop_map(|k| Point::mul_generator(&k))
}

/// The scalar n + v for a 320-bit v chosen so that the sum fits in 40 bytes.
fn bytes_at_least_n(offset: &[u8; 40]) -> [u8; 40] {
    // 2^320 − n > 2^318, so any offset below 2^318 keeps n + offset under 2^320.
    let mut off = *offset;
    off[39] &= 0x3F;
    let mut out = [0u8; 40];
    let mut carry = 0u16;
    let n_bytes: Vec<u8> = Scalar::MODULUS
        .iter()
        .flat_map(|l| l.to_le_bytes())
        .collect();
    for i in 0..40 {
        let v = n_bytes[i] as u16 + off[i] as u16 + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sign_verify_round_trip(seed in seed_strategy(), msg in msg_strategy()) {
        let sk = SecretKey::from_seed(&seed);
        let pk = sk.public_key();
        let sig = schnorr::sign(&sk, &msg);
        prop_assert_eq!(schnorr::verify(&pk, &msg, &sig), Ok(()));
        // Through the byte encodings too.
        let pk2 = PublicKey::from_bytes(&pk.to_bytes()).expect("valid key");
        let sig2 = Signature::from_bytes(&sig.to_bytes()).expect("valid signature");
        prop_assert_eq!(schnorr::verify(&pk2, &msg, &sig2), Ok(()));
        prop_assert_eq!(sig2, sig);
        // Deterministic.
        prop_assert_eq!(schnorr::sign(&sk, &msg), sig);
    }

    #[test]
    fn altered_signature_byte_is_rejected(
        seed in seed_strategy(),
        msg in msg_strategy(),
        idx in 0usize..72,
        flip in 1u8..=255,
    ) {
        let sk = SecretKey::from_seed(&seed);
        let mut bytes = schnorr::sign(&sk, &msg).to_bytes();
        bytes[idx] ^= flip;
        if let Ok(sig) = Signature::from_bytes(&bytes) {
            prop_assert_eq!(
                schnorr::verify(&sk.public_key(), &msg, &sig),
                Err(SignatureError::Invalid)
            );
        }
    }

    #[test]
    fn altered_message_is_rejected(
        seed in seed_strategy(),
        msg in msg_strategy(),
        idx in 0usize..4,
        delta in 1u64..GOLDILOCKS_ORDER,
    ) {
        let sk = SecretKey::from_seed(&seed);
        let sig = schnorr::sign(&sk, &msg);
        let mut other = msg;
        other.0[idx] = (F::from_canonical_u64(other.0[idx]) + F::from_canonical_u64(delta))
            .to_canonical_u64();
        prop_assert_eq!(
            schnorr::verify(&sk.public_key(), &other, &sig),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn altered_public_key_is_rejected(
        seed in seed_strategy(),
        msg in msg_strategy(),
        idx in 0usize..40,
        flip in 1u8..=255,
    ) {
        let sk = SecretKey::from_seed(&seed);
        let sig = schnorr::sign(&sk, &msg);
        let mut bytes = sk.public_key().to_bytes();
        bytes[idx] ^= flip;
        match PublicKey::from_bytes(&bytes) {
            Ok(pk) => prop_assert_eq!(
                schnorr::verify(&pk, &msg, &sig),
                Err(SignatureError::Invalid)
            ),
            Err(e) => prop_assert!(matches!(
                e,
                SignatureError::NonCanonicalKey
                    | SignatureError::KeyNotOnCurve
                    | SignatureError::NeutralKey
            )),
        }
    }

    #[test]
    fn signature_for_another_key_is_rejected(
        seed in seed_strategy(),
        other_seed in seed_strategy(),
        msg in msg_strategy(),
    ) {
        prop_assume!(seed != other_seed);
        let sig = schnorr::sign(&SecretKey::from_seed(&seed), &msg);
        let other = SecretKey::from_seed(&other_seed).public_key();
        prop_assert_eq!(schnorr::verify(&other, &msg, &sig), Err(SignatureError::Invalid));
    }

    #[test]
    fn non_canonical_s_is_rejected(
        seed in seed_strategy(),
        msg in msg_strategy(),
        offset in prop::array::uniform32(any::<u8>()),
    ) {
        let sk = SecretKey::from_seed(&seed);
        let mut bytes = schnorr::sign(&sk, &msg).to_bytes();
        let mut off = [0u8; 40];
        off[..32].copy_from_slice(&offset);
        // Both s + n (the same residue: the classic malleation) and any other s >= n.
        let mut s = [0u8; 40];
        s.copy_from_slice(&bytes[..40]);
        prop_assert!(Scalar::from_bytes_canonical(&s).is_some());
        let s_plus_n = {
            let mut v = [0u8; 40];
            let mut carry = 0u16;
            let n_bytes: Vec<u8> =
                Scalar::MODULUS.iter().flat_map(|l| l.to_le_bytes()).collect();
            for i in 0..40 {
                let t = s[i] as u16 + n_bytes[i] as u16 + carry;
                v[i] = t as u8;
                carry = t >> 8;
            }
            (carry == 0).then_some(v)
        };
        for candidate in [Some(bytes_at_least_n(&off)), s_plus_n].into_iter().flatten() {
            prop_assert_eq!(Scalar::from_bytes_canonical(&candidate), None);
            bytes[..40].copy_from_slice(&candidate);
            prop_assert_eq!(Signature::from_bytes(&bytes), Err(SignatureError::NonCanonicalS));
        }
    }

    #[test]
    fn non_canonical_e_is_rejected(
        seed in seed_strategy(),
        msg in msg_strategy(),
        limb in 0usize..4,
        excess in 0u64..(u64::MAX - GOLDILOCKS_ORDER),
    ) {
        let sk = SecretKey::from_seed(&seed);
        let sig = schnorr::sign(&sk, &msg);
        let mut bytes = sig.to_bytes();
        // e_i + p when it fits (the same field element, non-canonically), else p + excess.
        let e = sig.e[limb].to_canonical_u64();
        let bad = e.checked_add(GOLDILOCKS_ORDER).unwrap_or(GOLDILOCKS_ORDER + excess);
        bytes[40 + 8 * limb..48 + 8 * limb].copy_from_slice(&bad.to_le_bytes());
        prop_assert_eq!(Signature::from_bytes(&bytes), Err(SignatureError::NonCanonicalE));
    }

    #[test]
    fn bad_lengths_are_rejected(len in 0usize..200) {
        prop_assume!(len != 72);
        let bytes = vec![0u8; len];
        prop_assert_eq!(
            Signature::from_bytes(&bytes),
            Err(SignatureError::BadLength { expected: 72, got: len })
        );
    }

    #[test]
    fn non_canonical_key_is_rejected(
        k in nonzero_scalar_strategy(),
        limb in 0usize..5,
        excess in 0u64..(u64::MAX - GOLDILOCKS_ORDER),
    ) {
        let pk = SecretKey::from_bytes(&k.to_bytes()).expect("nonzero").public_key();
        let mut bytes = pk.to_bytes();
        let v = u64::from_le_bytes(bytes[8 * limb..8 * limb + 8].try_into().expect("8"));
        let bad = v.checked_add(GOLDILOCKS_ORDER).unwrap_or(GOLDILOCKS_ORDER + excess);
        bytes[8 * limb..8 * limb + 8].copy_from_slice(&bad.to_le_bytes());
        prop_assert_eq!(PublicKey::from_bytes(&bytes), Err(SignatureError::NonCanonicalKey));
    }

    #[test]
    fn random_field_elements_decode_consistently(limbs in prop::array::uniform5(0..GOLDILOCKS_ORDER)) {
        let w = Gfp5::from_canonical_u64s(limbs);
        match Point::decode(&w) {
            Some(p) => {
                prop_assert_eq!(p.encode(), w);
                if w.is_zero() {
                    prop_assert_eq!(PublicKey::from_bytes(&w.to_bytes()), Err(SignatureError::NeutralKey));
                } else {
                    let pk = PublicKey::from_bytes(&w.to_bytes()).expect("valid");
                    prop_assert_eq!(pk.point(), &p);
                }
            }
            None => prop_assert_eq!(
                PublicKey::from_bytes(&w.to_bytes()),
                Err(SignatureError::KeyNotOnCurve)
            ),
        }
    }

    #[test]
    fn encode_decode_round_trip(p in point_strategy()) {
        let w = p.encode();
        let q = Point::decode(&w).expect("an encoding decodes");
        prop_assert_eq!(q, p);
        prop_assert_eq!(q.encode(), w);
        prop_assert_eq!(Gfp5::from_bytes(&w.to_bytes()), Some(w));
    }

    #[test]
    fn group_laws(p in point_strategy(), q in point_strategy(), r in point_strategy()) {
        prop_assert_eq!(p.add(&q).add(&r), p.add(&q.add(&r)));
        prop_assert_eq!(p.add(&q), q.add(&p));
        prop_assert!(p.add(&p.neg()).is_neutral());
        prop_assert_eq!(p.add(&Point::NEUTRAL), p);
        prop_assert_eq!(p.double(), p.add(&p));
        prop_assert_eq!(&p - &q, p.add(&q.neg()));
    }

    #[test]
    fn scalar_multiplication_laws(k in scalar_strategy(), l in scalar_strategy(), q in point_strategy()) {
        let g = Point::GENERATOR;
        prop_assert_eq!(Point::mul_generator(&l).mul(&k), Point::mul_generator(&(k * l)));
        prop_assert_eq!(g.mul(&k), Point::mul_generator(&k));
        prop_assert_eq!(
            Point::mul_generator(&(k + l)),
            Point::mul_generator(&k).add(&Point::mul_generator(&l))
        );
        prop_assert_eq!(
            Point::mul_add_generator_vartime(&k, &l, &q),
            Point::mul_generator(&k).add(&q.mul(&l))
        );
        prop_assert_eq!(q.mul(&k), q.mul_double_and_add_vartime(&k));
        prop_assert_eq!(q.mul(&-k), q.mul(&k).neg());
    }

    #[test]
    fn scalar_field_laws(a in scalar_strategy(), b in scalar_strategy(), c in scalar_strategy()) {
        prop_assert_eq!((a + b) + c, a + (b + c));
        prop_assert_eq!((a * b) * c, a * (b * c));
        prop_assert_eq!(a * (b + c), a * b + a * c);
        prop_assert_eq!(a - a, Scalar::ZERO);
        prop_assert_eq!(a + (-a), Scalar::ZERO);
        prop_assert_eq!(a * Scalar::ONE, a);
        prop_assert_eq!(Scalar::from_bytes_canonical(&a.to_bytes()), Some(a));
    }
}

#[test]
fn neutral_key_is_rejected() {
    assert_eq!(
        PublicKey::from_bytes(&[0u8; 40]),
        Err(SignatureError::NeutralKey)
    );
    assert_eq!(
        PublicKey::from_point(&Point::NEUTRAL),
        Err(SignatureError::NeutralKey)
    );
    // The neutral key would accept (s = k, e = H(k·G ‖ 0 ‖ msg)) for any message;
    // it can't even be parsed.
    let zero_hex = format!("0x{}", "00".repeat(40));
    assert_eq!(
        zero_hex.parse::<PublicKey>(),
        Err(SignatureError::NeutralKey)
    );
}

#[test]
fn zero_s_never_verifies_trivially() {
    // s = 0, e = 0 gives R' = 0 (neutral), which verification must reject outright.
    let sk = SecretKey::from_seed(b"zero");
    let msg = Digest([9; 4]);
    let sig = Signature {
        s: Scalar::ZERO,
        e: [F::from_canonical_u64(0); 4],
    };
    assert_eq!(
        schnorr::verify(&sk.public_key(), &msg, &sig),
        Err(SignatureError::Invalid)
    );
}
