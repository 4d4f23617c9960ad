//! Schnorr verification: [`CircuitBuilderSchnorr::verify_schnorr`], the in-circuit twin
//! of `quire_core::schnorr::verify`.
//!
//! Native verification (`quire_core::schnorr`): decode the key (w canonical, on the curve,
//! not the neutral), decode the signature (s < n, every e_i < p), compute
//! R' = s·G − e·Q, reject if R' is the neutral, accept iff
//! Poseidon `hash_no_pad`(R'.encode() ‖ pk limbs ‖ msg) = e. The circuit makes the same
//! checks in the same terms:
//!
//! | native | circuit |
//! |---|---|
//! | w limbs < p | automatic: a limb is a field element |
//! | w ≠ 0, on the curve | [`CircuitBuilderCurve::decode_point`](super::CircuitBuilderCurve::decode_point) (u·w = 1, the quadratic has a root, the root is a non-square) |
//! | s < n | [`CircuitBuilderScalar::add_virtual_scalar_target`] (limbs split into bits, n − 1 − s ≥ 0) |
//! | e_i < p, e < n | automatic for the limbs; [`CircuitBuilderScalar::challenge_bits`] takes their canonical bits, so the integer e is the native one (< 2^256 < n) |
//! | R' = s·G − e·Q | [`CircuitBuilderCurveMul::curve_mul_add_generator`] with −Q |
//! | R' ≠ neutral, R'.encode() | [`CircuitBuilderCurve::encode_point_non_neutral`](super::CircuitBuilderCurve::encode_point_non_neutral) (w_R·u_R = 1) |
//! | challenge(R', pk, msg) = e | Poseidon `hash_n_to_hash_no_pad` over the same 14 elements, connected to e |

use anyhow::Result;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, WitnessWrite};
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult};
use quire_core::schnorr::{PublicKey, Signature};

use super::curve::PointTarget;
use super::gfp5::{read_gfp5_target, set_gfp5, write_gfp5_target, Gfp5Target, WitnessGfp5};
use super::mul::CircuitBuilderCurveMul;
use super::scalar::{CircuitBuilderScalar, ScalarTarget, WitnessScalar};
use super::{D, F};

/// A public key: its canonical encoding w (what is hashed into account leaves and
/// challenges) and the decoded group element.
#[derive(Clone, Copy, Debug)]
pub struct PublicKeyTarget {
    /// The encoding w: five limbs.
    pub w: Gfp5Target,
    /// The decoded element Q (never the neutral).
    pub point: PointTarget,
}

/// A signature (s, e): s range-checked below n, e four field elements.
#[derive(Clone, Debug)]
pub struct SignatureTarget {
    /// The response s.
    pub s: ScalarTarget,
    /// The challenge e.
    pub e: [Target; 4],
}

/// Schnorr keys, signatures and verification.
pub trait CircuitBuilderSchnorr: CircuitBuilderCurveMul + CircuitBuilderScalar {
    /// A public key set by the witness ([`WitnessSchnorr::set_public_key_target`]),
    /// decoded with every check of `PublicKey::from_encoding`.
    fn add_virtual_public_key_target(&mut self) -> PublicKeyTarget {
        let w = self.add_virtual_gfp5_target();
        self.public_key_from_encoding(w)
    }

    /// The public key with encoding `w` (e.g. five limbs read from an account leaf's
    /// preimage), rejecting the neutral and encodings of no point.
    fn public_key_from_encoding(&mut self, w: Gfp5Target) -> PublicKeyTarget {
        let point = self.decode_point(w);
        PublicKeyTarget { w, point }
    }

    /// A signature set by the witness ([`WitnessSchnorr::set_signature_target`]), with
    /// s < n enforced.
    fn add_virtual_signature_target(&mut self) -> SignatureTarget {
        let s = self.add_virtual_scalar_target();
        let e = self.plonky2().add_virtual_target_arr();
        SignatureTarget { s, e }
    }

    /// Poseidon `hash_no_pad`(r ‖ pk.w ‖ msg): `quire_core::schnorr::challenge`.
    fn schnorr_challenge(
        &mut self,
        r: Gfp5Target,
        pk: &PublicKeyTarget,
        msg: HashOutTarget,
    ) -> [Target; 4] {
        let inputs: Vec<Target> = r.0.into_iter().chain(pk.w.0).chain(msg.elements).collect();
        self.plonky2()
            .hash_n_to_hash_no_pad::<PoseidonHash>(inputs)
            .elements
    }

    /// R' = s·G − e·Q.
    fn schnorr_commitment(&mut self, pk: &PublicKeyTarget, sig: &SignatureTarget) -> PointTarget {
        let e_bits = self.challenge_bits(sig.e);
        let neg_q = self.curve_neg(pk.point);
        self.curve_mul_add_generator(sig.s.bits(), &e_bits, neg_q)
    }

    /// Asserts that `sig` is a valid signature of `msg` under `pk`: proving fails unless
    /// `quire_core::schnorr::verify(pk, msg, sig)` accepts.
    fn verify_schnorr(&mut self, pk: &PublicKeyTarget, msg: HashOutTarget, sig: &SignatureTarget) {
        let r = self.schnorr_commitment(pk, sig);
        let w_r = self.encode_point_non_neutral(r);
        let e = self.schnorr_challenge(w_r, pk, msg);
        let b = self.plonky2();
        for (x, y) in e.into_iter().zip(sig.e) {
            b.connect(x, y);
        }
    }

    /// Like [`CircuitBuilderSchnorr::verify_schnorr`] when `enabled` is true; when it is
    /// false, any signature passes. The key's decoding and s < n stay unconditional: a
    /// disabled check still needs a valid key encoding and a range-checked s (any
    /// s < n and any e will do, e.g. zeros).
    fn verify_schnorr_conditional(
        &mut self,
        enabled: BoolTarget,
        pk: &PublicKeyTarget,
        msg: HashOutTarget,
        sig: &SignatureTarget,
    ) {
        let r = self.schnorr_commitment(pk, sig);
        // w_R·u_R = 1 only when enabled (a disabled check may have R' = neutral).
        let w_r = self.add_virtual_gfp5_target();
        self.plonky2().add_simple_generator(InverseOrZeroGenerator {
            x: r.u,
            inverse: w_r,
        });
        let prod = self.mul_gfp5(r.u, w_r);
        let one = self.gfp5_one();
        let e = self.schnorr_challenge(w_r, pk, msg);
        let b = self.plonky2();
        for (x, y) in prod.0.into_iter().zip(one.0) {
            b.conditional_assert_eq(enabled.target, x, y);
        }
        for (x, y) in e.into_iter().zip(sig.e) {
            b.conditional_assert_eq(enabled.target, x, y);
        }
    }
}

impl<T: CircuitBuilderCurveMul + CircuitBuilderScalar + ?Sized> CircuitBuilderSchnorr for T {}

/// Setting keys and signatures.
pub trait WitnessSchnorr: WitnessWrite<F> {
    /// Sets a key's encoding (its point is generated from it).
    fn set_public_key_target(&mut self, t: &PublicKeyTarget, pk: &PublicKey) -> Result<()> {
        set_gfp5(self, t.w, pk.encoding())
    }

    /// Sets a signature.
    fn set_signature_target(&mut self, t: &SignatureTarget, sig: &Signature) -> Result<()> {
        self.set_scalar_target(&t.s, &sig.s)?;
        for (x, v) in t.e.into_iter().zip(sig.e) {
            self.set_target(x, v.into())?;
        }
        Ok(())
    }
}

impl<T: WitnessWrite<F> + ?Sized> WitnessSchnorr for T {}

/// Sets `inverse` to 1/x, or 0 for x = 0.
#[derive(Debug, Clone)]
pub struct InverseOrZeroGenerator {
    x: Gfp5Target,
    inverse: Gfp5Target,
}

impl SimpleGenerator<F, D> for InverseOrZeroGenerator {
    fn id(&self) -> String {
        "Gfp5InverseOrZeroGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        self.x.0.to_vec()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let x = witness.get_gfp5_target(self.x);
        set_gfp5(out, self.inverse, x.inverse_or_zero())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common_data: &CommonCircuitData<F, D>) -> IoResult<()> {
        write_gfp5_target(dst, self.x)?;
        write_gfp5_target(dst, self.inverse)
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Self {
            x: read_gfp5_target(src)?,
            inverse: read_gfp5_target(src)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitData;
    use quire_core::ecgfp5::{Gfp5, Point, Scalar};
    use quire_core::field::{F as QF, GOLDILOCKS_ORDER};
    use quire_core::hash::Digest;
    use quire_core::schnorr::{self, SecretKey, SignatureError};
    use rand::{Rng, RngCore, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::gadgets::curve::CircuitBuilderCurve;
    use crate::gadgets::test_util::{
        builder, bytes, cases, expose, fe, limbs, load, prove, prove_with, C,
    };
    use crate::gadgets::{GadgetBuilder, GateSet, WithGates};

    fn msg_of(v: &serde_json::Value) -> Digest {
        Digest::from_bytes(&bytes::<32>(v)).expect("canonical message")
    }

    /// Every pinned signature of `schnorr.json` verifies in one circuit, and the circuit's
    /// commitment R' encodes to the pinned `r`.
    #[test]
    fn known_answer_vectors_verify() {
        let doc = load("schnorr.json");
        let mut builder = builder();
        let mut pw = PartialWitness::new();
        let mut expected = Vec::new();
        for c in cases(&doc, "cases") {
            let pk = PublicKey::from_bytes(&bytes::<40>(&c["pk"])).expect("valid key");
            let sig = Signature::from_bytes(&bytes::<72>(&c["sig"])).expect("valid signature");
            let msg = msg_of(&c["msg"]);
            assert_eq!(schnorr::verify(&pk, &msg, &sig), Ok(()));

            let tpk = builder.add_virtual_public_key_target();
            let tsig = builder.add_virtual_signature_target();
            let tmsg = builder.add_virtual_hash();
            pw.set_public_key_target(&tpk, &pk).expect("set");
            pw.set_signature_target(&tsig, &sig).expect("set");
            pw.set_hash_target(tmsg, msg.to_hash_out()).expect("set");
            builder.verify_schnorr(&tpk, tmsg, &tsig);

            let r = builder.schnorr_commitment(&tpk, &tsig);
            let w_r = builder.encode_point_non_neutral(r);
            expose(&mut builder, w_r.0);
            expected.extend(limbs(&fe(&c["r"])));
        }
        assert_eq!(prove(builder, pw).expect("all vectors verify"), expected);
    }

    /// The single-verification circuit, built once.
    struct Verifier {
        data: CircuitData<F, C, D>,
        pk: PublicKeyTarget,
        msg: HashOutTarget,
        sig: SignatureTarget,
    }

    impl Verifier {
        fn new(gates: GateSet) -> Self {
            let mut builder = builder();
            let (pk, msg, sig) = {
                let mut b = WithGates::new(&mut builder, gates);
                let pk = b.add_virtual_public_key_target();
                let msg = b.plonky2().add_virtual_hash();
                let sig = b.add_virtual_signature_target();
                b.verify_schnorr(&pk, msg, &sig);
                (pk, msg, sig)
            };
            Self {
                data: builder.build::<C>(),
                pk,
                msg,
                sig,
            }
        }

        /// Proves with a raw key encoding w, a message and a signature given as s (any
        /// 320-bit value) and e.
        fn prove_raw(&self, w: Gfp5, msg: &Digest, s: [u64; 5], e: [QF; 4]) -> bool {
            let mut pw = PartialWitness::new();
            set_gfp5(&mut pw, self.pk.w, w).expect("set");
            pw.set_hash_target(self.msg, msg.to_hash_out())
                .expect("set");
            pw.set_scalar_limbs(&self.sig.s, s).expect("set");
            for (t, v) in self.sig.e.into_iter().zip(e) {
                pw.set_target(t, v.into()).expect("set");
            }
            prove_with(&self.data, pw).is_ok()
        }

        fn accepts(&self, pk: &PublicKey, msg: &Digest, sig: &Signature) -> bool {
            self.prove_raw(pk.encoding(), msg, sig.s.to_u64_limbs(), sig.e)
        }
    }

    fn random_msg(rng: &mut ChaCha20Rng) -> Digest {
        Digest(core::array::from_fn(|_| rng.gen_range(0..GOLDILOCKS_ORDER)))
    }

    /// s + n as a 320-bit integer (s < n < 2^319, so it fits).
    fn plus_n(s: &Scalar) -> [u64; 5] {
        let (a, n) = (s.to_u64_limbs(), Scalar::MODULUS);
        let mut out = [0u64; 5];
        let mut carry = 0u64;
        for i in 0..5 {
            let t = a[i] as u128 + n[i] as u128 + carry as u128;
            out[i] = t as u64;
            carry = (t >> 64) as u64;
        }
        assert_eq!(carry, 0);
        out
    }

    /// The circuit accepts exactly what quire-core accepts: random keys and messages
    /// verify, and every alteration (message, e, s, s + n, key, invalid key encodings)
    /// makes proving fail, as it makes the native verifier reject.
    #[test]
    fn accepts_exactly_what_native_accepts() {
        let v = Verifier::new(GateSet::ALL);
        let mut rng = ChaCha20Rng::seed_from_u64(31);
        for _ in 0..2 {
            let mut seed = [0u8; 32];
            rng.fill_bytes(&mut seed);
            let sk = SecretKey::from_seed(&seed);
            let pk = sk.public_key();
            let msg = random_msg(&mut rng);
            let sig = sk.sign(&msg);
            assert_eq!(schnorr::verify(&pk, &msg, &sig), Ok(()));
            assert!(v.accepts(&pk, &msg, &sig), "valid signature");

            // Altered message.
            let mut m2 = msg;
            let limb = rng.gen_range(0..4);
            m2.0[limb] = (m2.0[limb] + 1) % GOLDILOCKS_ORDER;
            assert!(schnorr::verify(&pk, &m2, &sig).is_err());
            assert!(!v.accepts(&pk, &m2, &sig), "altered message");
            // Signature of another message.
            let other_sig = sk.sign(&m2);
            assert!(schnorr::verify(&pk, &msg, &other_sig).is_err());
            assert!(
                !v.accepts(&pk, &msg, &other_sig),
                "other message's signature"
            );
            // Altered e (each limb) and altered s.
            for i in 0..4 {
                let mut bad = sig;
                bad.e[i] += QF::ONE;
                assert!(schnorr::verify(&pk, &msg, &bad).is_err());
                assert!(!v.accepts(&pk, &msg, &bad), "altered e[{i}]");
            }
            for delta in [Scalar::ONE, -Scalar::ONE, Scalar::random(&mut rng)] {
                let bad = Signature {
                    s: sig.s + delta,
                    e: sig.e,
                };
                assert!(schnorr::verify(&pk, &msg, &bad).is_err());
                assert!(!v.accepts(&pk, &msg, &bad), "altered s");
            }
            // s + n: the same group element, rejected because s >= n (natively at decoding).
            let s_plus_n = plus_n(&sig.s);
            let mut encoded = sig.to_bytes();
            for (i, l) in s_plus_n.iter().enumerate() {
                encoded[8 * i..8 * i + 8].copy_from_slice(&l.to_le_bytes());
            }
            assert_eq!(
                Signature::from_bytes(&encoded),
                Err(SignatureError::NonCanonicalS)
            );
            assert!(!v.prove_raw(pk.encoding(), &msg, s_plus_n, sig.e), "s + n");
            // Another valid key.
            let other = SecretKey::random(&mut rng).public_key();
            assert!(schnorr::verify(&other, &msg, &sig).is_err());
            assert!(!v.accepts(&other, &msg, &sig), "other key");
            // Key encodings that are no key: the neutral, and field elements off the curve.
            assert_eq!(
                PublicKey::from_encoding(&Gfp5::ZERO),
                Err(SignatureError::NeutralKey)
            );
            assert!(
                !v.prove_raw(Gfp5::ZERO, &msg, sig.s.to_u64_limbs(), sig.e),
                "neutral key"
            );
            let mut off_curve = 0;
            while off_curve < 2 {
                let w = Gfp5::random(&mut rng);
                if PublicKey::from_encoding(&w).is_err() {
                    assert!(
                        !v.prove_raw(w, &msg, sig.s.to_u64_limbs(), sig.e),
                        "off-curve key"
                    );
                    off_curve += 1;
                }
            }
        }
    }

    /// A forgery attempt that the native verifier would catch only through R' ≠ neutral:
    /// with pk = G, s = e (as integers) gives R' = s·G − e·G = neutral, whatever e is.
    #[test]
    fn neutral_commitment_is_rejected() {
        let v = Verifier::new(GateSet::ALL);
        let pk = PublicKey::from_point(&Point::GENERATOR).expect("valid");
        let msg = Digest([1; 4]);
        let e = [QF::from_canonical_u64(5), QF::ZERO, QF::ZERO, QF::ZERO];
        let sig = Signature {
            s: Scalar::from_u64(5),
            e,
        };
        assert_eq!(
            schnorr::verify(&pk, &msg, &sig),
            Err(SignatureError::Invalid)
        );
        assert!(!v.accepts(&pk, &msg, &sig));
    }

    /// The same verification built from plonky2's standard gates only (no custom gate)
    /// accepts a valid signature and rejects an altered one.
    #[test]
    fn verification_without_custom_gates() {
        let v = Verifier::new(GateSet::NONE);
        let sk = SecretKey::from_seed(b"no custom gates");
        let msg = Digest([9; 4]);
        let sig = sk.sign(&msg);
        assert!(v.accepts(&sk.public_key(), &msg, &sig));
        let mut bad = sig;
        bad.e[0] += QF::ONE;
        assert!(!v.accepts(&sk.public_key(), &msg, &bad));
    }

    #[test]
    fn conditional_verification() {
        let mut builder = builder();
        let enabled = builder.add_virtual_bool_target_safe();
        let pk = builder.add_virtual_public_key_target();
        let msg = builder.add_virtual_hash();
        let sig = builder.add_virtual_signature_target();
        builder.verify_schnorr_conditional(enabled, &pk, msg, &sig);
        let data = builder.build::<C>();
        let sk = SecretKey::from_seed(b"conditional");
        let m = Digest([3; 4]);
        let good = sk.sign(&m);
        let zero = Signature {
            s: Scalar::ZERO,
            e: [QF::ZERO; 4],
        };
        let mut bad = good;
        bad.e[1] += QF::ONE;
        for (on, s, ok) in [
            (true, good, true),
            (true, bad, false),
            (true, zero, false),
            (false, good, true),
            (false, bad, true),
            (false, zero, true), // R' = neutral is fine when disabled
        ] {
            let mut pw = PartialWitness::new();
            pw.set_bool_target(enabled, on).expect("set");
            pw.set_public_key_target(&pk, &sk.public_key())
                .expect("set");
            pw.set_hash_target(msg, m.to_hash_out()).expect("set");
            pw.set_signature_target(&sig, &s).expect("set");
            assert_eq!(prove_with(&data, pw).is_ok(), ok, "enabled = {on}, {s:?}");
        }
    }

    /// A regression guard on the gadget's size (see `quire-prover circuit-stats`).
    #[test]
    fn row_budget() {
        let stats = crate::stats::schnorr_stats(GateSet::ALL);
        assert!(stats.rows <= 200, "{stats:?}");
        assert!(stats.degree <= 256, "{stats:?}");
    }

    /// A proof with both custom gates verifies inside a recursive circuit (their
    /// `eval_unfiltered_circuit` is what the aggregation circuits of issue #6 will run).
    #[test]
    fn recursively_verifiable() {
        let v = Verifier::new(GateSet::ALL);
        let sk = SecretKey::from_seed(b"recursion");
        let m = Digest([11; 4]);
        let sig = sk.sign(&m);
        let mut pw = PartialWitness::new();
        pw.set_public_key_target(&v.pk, &sk.public_key())
            .expect("set");
        pw.set_hash_target(v.msg, m.to_hash_out()).expect("set");
        pw.set_signature_target(&v.sig, &sig).expect("set");
        let proof = v.data.prove(pw).expect("valid");

        let mut outer = builder();
        let proof_t = outer.add_virtual_proof_with_pis(&v.data.common);
        let vd = outer.constant_verifier_data(&v.data.verifier_only);
        outer.verify_proof::<C>(&proof_t, &vd, &v.data.common);
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&proof_t, &proof).expect("set");
        prove(outer, pw).expect("recursive verification");
    }
}
