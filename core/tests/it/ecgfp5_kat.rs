//! Known-answer tests for GF(p^5), EcGFp5 and Schnorr.
//!
//! `vectors/ecgfp5.json` comes from the independent Python implementation
//! (`vectors/gen_vectors.py`: affine short-Weierstrass formulas, Euclidean inversion,
//! Tonelli–Shanks in GF(p^5)), so agreement cross-checks two unrelated implementations.
//! `vectors/schnorr.json` was produced once by this crate's signer (the Python side
//! cannot compute Poseidon) and is pinned here as a regression test; the Python script
//! independently checks pk = sk·G and s·G − e·Q = R for every entry.
//!
//! Regenerate the Schnorr vectors (only when the scheme deliberately changes) with
//! `cargo run -p quire-core --example gen_schnorr_vectors`, then run
//! `python3 core/tests/vectors/gen_vectors.py --check-schnorr`. The generator's code lives
//! in that example and is included here as a module, so the test below can check that the
//! pinned file is exactly what it writes.

use quire_core::ecgfp5::{Gfp5, Point, Scalar};
use quire_core::hash::Digest;
use quire_core::schnorr::{self, PublicKey, SecretKey, Signature, SignatureError};
use serde_json::Value;

const ECGFP5_JSON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/ecgfp5.json");

#[path = "../../examples/gen_schnorr_vectors.rs"]
#[allow(dead_code)]
mod gen;
use gen::{commitment, msg_bytes, SCHNORR_JSON};

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn bytes<const L: usize>(v: &Value) -> [u8; L] {
    let s = v.as_str().expect("hex string");
    let b = hex::decode(s).expect("valid hex");
    b.try_into().expect("right length")
}

fn fe(v: &Value) -> Gfp5 {
    Gfp5::from_bytes(&bytes::<40>(v)).expect("canonical field element")
}

fn scalar(v: &Value) -> Scalar {
    Scalar::from_bytes_canonical(&bytes::<40>(v)).expect("canonical scalar")
}

fn point(v: &Value) -> Point {
    Point::decode(&fe(v)).expect("valid point encoding")
}

fn cases<'a>(doc: &'a Value, key: &str) -> &'a Vec<Value> {
    let arr = doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("missing {key}"));
    assert!(!arr.is_empty(), "{key} is empty");
    arr
}

#[test]
fn params_match() {
    let doc = load(ECGFP5_JSON);
    let p = &doc["params"];
    assert_eq!(p["p"], "18446744069414584321");
    let n_le = bytes::<40>(&p["n_le"]);
    let mut limbs = [0u64; 5];
    for (l, c) in limbs.iter_mut().zip(n_le.chunks_exact(8)) {
        *l = u64::from_le_bytes(c.try_into().expect("8 bytes"));
    }
    assert_eq!(limbs, Scalar::MODULUS);
    assert_eq!(fe(&p["a"]), Gfp5::from_canonical_u64s([2, 0, 0, 0, 0]));
    assert_eq!(fe(&p["b"]), Gfp5::from_canonical_u64s([0, 263, 0, 0, 0]));
    // The generator: its encoding is w = 4, and its x is the value stated by the
    // reference implementation.
    assert_eq!(Point::GENERATOR.encode(), fe(&p["generator"]));
    assert_eq!(Point::generator().to_xu().0, fe(&p["generator_x"]));
    assert_eq!(point(&p["generator"]), Point::GENERATOR);
}

#[test]
fn gfp5_arithmetic() {
    let doc = load(ECGFP5_JSON);
    for c in cases(&doc, "gfp5") {
        let (a, b) = (fe(&c["a"]), fe(&c["b"]));
        assert_eq!(a + b, fe(&c["add"]), "{c}");
        assert_eq!(a - b, fe(&c["sub"]), "{c}");
        assert_eq!(a * b, fe(&c["mul"]), "{c}");
        assert_eq!(a.square(), fe(&c["square"]), "{c}");
        match &c["inv"] {
            Value::Null => assert_eq!(a.try_inverse(), None),
            inv => assert_eq!(a.try_inverse(), Some(fe(inv)), "{c}"),
        }
        assert_eq!(
            i64::from(a.legendre()),
            c["legendre"].as_i64().expect("int")
        );
    }
    for c in cases(&doc, "gfp5_sqrt") {
        let a = fe(&c["a"]);
        assert_eq!(
            i64::from(a.legendre()),
            c["legendre"].as_i64().expect("int")
        );
        let is_square = c["is_square"].as_bool().expect("bool");
        match a.sqrt() {
            Some(r) => {
                assert!(is_square, "{c}");
                assert_eq!(r.square(), a);
            }
            None => assert!(!is_square, "{c}"),
        }
        assert_eq!(a.is_square(), is_square);
    }
    for c in cases(&doc, "gfp5_noncanonical") {
        assert_eq!(Gfp5::from_bytes(&bytes::<40>(c)), None, "{c}");
    }
}

#[test]
fn generator_multiples() {
    let doc = load(ECGFP5_JSON);
    for c in cases(&doc, "mul_generator") {
        let k = scalar(&c["k"]);
        let w = fe(&c["point"]);
        let expected = Point::decode(&w).expect("valid");
        assert_eq!(Point::mul_generator(&k).encode(), w, "mul_generator {c}");
        assert_eq!(Point::GENERATOR.mul(&k).encode(), w, "mul {c}");
        assert_eq!(Point::GENERATOR.mul_double_and_add_vartime(&k), expected);
        assert_eq!(expected.encode(), w);
        assert_eq!(expected.is_neutral(), k.is_zero());
    }
}

#[test]
fn variable_base_multiples() {
    let doc = load(ECGFP5_JSON);
    for c in cases(&doc, "mul") {
        let p = point(&c["p"]);
        let k = scalar(&c["k"]);
        assert_eq!(p.mul(&k).encode(), fe(&c["point"]), "{c}");
        // The combined verification routine with a zero generator scalar is k·P too.
        assert_eq!(
            Point::mul_add_generator_vartime(&Scalar::ZERO, &k, &p).encode(),
            fe(&c["point"])
        );
    }
}

#[test]
fn group_law() {
    let doc = load(ECGFP5_JSON);
    for c in cases(&doc, "add") {
        let (p, q) = (point(&c["p"]), point(&c["q"]));
        assert_eq!(p.add(&q).encode(), fe(&c["sum"]), "{c}");
        assert_eq!((&p + &q).encode(), fe(&c["sum"]));
        assert_eq!(p.double().encode(), fe(&c["double_p"]), "{c}");
        assert_eq!(p.neg().encode(), fe(&c["neg_p"]), "{c}");
    }
}

#[test]
fn decoding() {
    let doc = load(ECGFP5_JSON);
    for c in cases(&doc, "decode_valid") {
        let w = fe(&c["w"]);
        let p = Point::decode(&w).expect("valid encoding");
        assert_eq!(p.encode(), w);
        assert_eq!(p, Point::mul_generator(&scalar(&c["k"])));
    }
    let mut seen_noncanonical = false;
    let mut seen_off_curve = false;
    for c in cases(&doc, "decode_invalid") {
        let b = bytes::<40>(&c["w"]);
        match c["reason"].as_str().expect("reason") {
            "non-canonical" => {
                seen_noncanonical = true;
                assert_eq!(Gfp5::from_bytes(&b), None, "{c}");
                assert_eq!(
                    PublicKey::from_bytes(&b),
                    Err(SignatureError::NonCanonicalKey)
                );
            }
            "not-on-curve" => {
                seen_off_curve = true;
                let w = Gfp5::from_bytes(&b).expect("canonical");
                assert_eq!(Point::decode(&w), None, "{c}");
                assert_eq!(
                    PublicKey::from_bytes(&b),
                    Err(SignatureError::KeyNotOnCurve)
                );
            }
            other => panic!("unknown reason {other}"),
        }
    }
    assert!(seen_noncanonical && seen_off_curve);
}

#[test]
fn scalars() {
    let doc = load(ECGFP5_JSON);
    for c in cases(&doc, "scalar_canonical") {
        let valid = c["valid"].as_bool().expect("bool");
        let decoded = Scalar::from_bytes_canonical(&bytes::<40>(&c["bytes"]));
        assert_eq!(decoded.is_some(), valid, "{c}");
        if let Some(s) = decoded {
            assert_eq!(s.to_bytes(), bytes::<40>(&c["bytes"]));
        }
    }
    for c in cases(&doc, "scalar_wide") {
        let s = Scalar::from_bytes_wide(&bytes::<64>(&c["bytes"]));
        assert_eq!(s, scalar(&c["reduced"]), "{c}");
    }
    for c in cases(&doc, "scalar_arith") {
        let (a, b) = (scalar(&c["a"]), scalar(&c["b"]));
        assert_eq!(a + b, scalar(&c["add"]), "{c}");
        assert_eq!(a - b, scalar(&c["sub"]), "{c}");
        assert_eq!(a * b, scalar(&c["mul"]), "{c}");
        assert_eq!(-a, scalar(&c["neg_a"]), "{c}");
    }
}

#[test]
fn curve_order() {
    // n·G = 0 by plain double-and-add over the bits of n (n itself is not a scalar).
    let mut acc = Point::NEUTRAL;
    let g = Point::GENERATOR;
    for i in (0..320).rev() {
        acc = acc.double();
        if (Scalar::MODULUS[i / 64] >> (i % 64)) & 1 == 1 {
            acc = acc.add(&g);
        }
    }
    assert!(acc.is_neutral());
    assert!(!g.is_neutral());
    // Hence (n − 1)·G = −G, by every multiplication routine.
    let nm1 = -Scalar::ONE;
    assert_eq!(Point::mul_generator(&nm1), g.neg());
    assert_eq!(g.mul(&nm1), g.neg());
    assert!(Point::mul_add_generator_vartime(&nm1, &Scalar::ONE, &g).is_neutral());
}

// ---------------------------------------------------------------------------------------
// Schnorr vectors.

fn msg_from(v: &Value) -> Digest {
    Digest::from_bytes(&bytes::<32>(v)).expect("canonical message limbs")
}

#[test]
fn schnorr_vectors_up_to_date() {
    // The file on disk is exactly what the generator example writes: the example's input
    // list is the single definition of the vector set.
    let on_disk = std::fs::read_to_string(SCHNORR_JSON).expect("read schnorr.json");
    assert!(
        on_disk == gen::render(),
        "schnorr.json is stale: run `cargo run -p quire-core --example gen_schnorr_vectors` \
         (only if the scheme changed on purpose)"
    );
}

#[test]
fn schnorr_vectors() {
    let doc = load(SCHNORR_JSON);
    let pinned = cases(&doc, "cases");
    for c in pinned {
        let seed = hex::decode(c["seed"].as_str().expect("seed")).expect("hex");
        let msg = msg_from(&c["msg"]);
        let sk = SecretKey::from_seed(&seed);
        assert_eq!(sk.to_bytes(), bytes::<40>(&c["sk"]), "sk {c}");
        let pk = PublicKey::from_bytes(&bytes::<40>(&c["pk"])).expect("valid pk");
        assert_eq!(sk.public_key(), pk, "pk {c}");
        assert_eq!(
            msg_bytes(&pk.hash()),
            c["pk_hash"].as_str().expect("pk_hash")
        );
        let sig_bytes = bytes::<72>(&c["sig"]);
        let sig = Signature::from_bytes(&sig_bytes).expect("valid signature");
        assert_eq!(schnorr::sign(&sk, &msg).to_bytes(), sig_bytes, "sig {c}");
        assert_eq!(schnorr::verify(&pk, &msg, &sig), Ok(()));
        assert_eq!(commitment(&pk, &sig), fe(&c["r"]));
        // e is the Poseidon challenge of (R, pk, msg).
        assert_eq!(schnorr::challenge(&fe(&c["r"]), &pk, &msg), sig.e);
    }
}
