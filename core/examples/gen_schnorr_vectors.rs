//! Writes `core/tests/vectors/schnorr.json`, the pinned Schnorr known-answer vectors.
//!
//! ```sh
//! cargo run -p quire-core --example gen_schnorr_vectors            # rewrite the file
//! cargo run -p quire-core --example gen_schnorr_vectors -- --check # compare, write nothing
//! python3 core/tests/vectors/gen_vectors.py --check-schnorr        # independent check
//! ```
//!
//! Regenerating changes pinned signatures: do it only when the scheme changes on purpose,
//! and say so in the commit. The test `schnorr_vectors_up_to_date` in
//! `core/tests/ecgfp5_kat.rs` includes this file as a module and asserts that the file on
//! disk is exactly what [`make_schnorr_doc`] produces, so the inputs below are the single
//! definition of the vector set.

use quire_core::ecgfp5::{Gfp5, Point};
use quire_core::field::{F, GOLDILOCKS_ORDER};
use quire_core::hash::Digest;
use quire_core::schnorr::{self, PublicKey, SecretKey, Signature};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};

/// Path of the vector file, relative to nothing: absolute at compile time.
pub const SCHNORR_JSON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/schnorr.json");

/// A message as 32 bytes of hex (four little-endian u64 limbs).
pub fn msg_bytes(m: &Digest) -> String {
    hex::encode(m.to_bytes())
}

/// The inputs of the pinned signature vectors: (seed, message) pairs covering edge-case
/// messages and a few random ones.
pub fn schnorr_inputs() -> Vec<(Vec<u8>, Digest)> {
    let mut rng = ChaCha20Rng::seed_from_u64(0x5eed);
    let p_minus_1 = F::NEG_ONE.to_canonical_u64();
    let mut out = vec![
        (b"quire".to_vec(), Digest([0; 4])),
        (b"quire".to_vec(), Digest([1, 0, 0, 0])),
        (Vec::new(), Digest([p_minus_1; 4])),
        (vec![0u8; 32], Digest([1; 4])),
    ];
    for _ in 0..8 {
        let mut seed = vec![0u8; 32];
        rng.fill_bytes(&mut seed);
        let limbs = [0; 4].map(|_: i32| rng.next_u64() % GOLDILOCKS_ORDER);
        out.push((seed, Digest(limbs)));
    }
    out
}

/// R = s·G − e·Q, recomputed from the signature.
pub fn commitment(pk: &PublicKey, sig: &Signature) -> Gfp5 {
    Point::mul_add_generator_vartime(&sig.s, &sig.e_scalar(), &pk.point().neg()).encode()
}

/// The whole `schnorr.json` document.
pub fn make_schnorr_doc() -> Value {
    let cases: Vec<Value> = schnorr_inputs()
        .into_iter()
        .map(|(seed, msg)| {
            let sk = SecretKey::from_seed(&seed);
            let pk = sk.public_key();
            let sig = schnorr::sign(&sk, &msg);
            let h = pk.hash();
            json!({
                "seed": hex::encode(&seed),
                "sk": hex::encode(sk.to_bytes()),
                "pk": hex::encode(pk.to_bytes()),
                "pk_hash": msg_bytes(&h),
                "msg": msg_bytes(&msg),
                "sig": hex::encode(sig.to_bytes()),
                "r": hex::encode(commitment(&pk, &sig).to_bytes()),
            })
        })
        .collect();
    json!({
        "format": "quire-schnorr-kat/1",
        "comment": "Written by `cargo run -p quire-core --example gen_schnorr_vectors`; \
                    checked independently by gen_vectors.py --check-schnorr; format in README.md.",
        "cases": cases,
    })
}

/// The document as written to disk (pretty JSON, trailing newline).
pub fn render() -> String {
    serde_json::to_string_pretty(&make_schnorr_doc()).expect("json") + "\n"
}

#[allow(dead_code)] // unused when the test includes this file as a module
fn main() {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let text = render();
    if check {
        let current = std::fs::read_to_string(SCHNORR_JSON).expect("read schnorr.json");
        if current != text {
            eprintln!("{SCHNORR_JSON} differs from the regenerated vectors");
            std::process::exit(1);
        }
        println!("{SCHNORR_JSON} is up to date");
    } else {
        std::fs::write(SCHNORR_JSON, text).expect("write schnorr.json");
        println!("wrote {SCHNORR_JSON}");
    }
}
