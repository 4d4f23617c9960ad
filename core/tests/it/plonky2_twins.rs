//! Core's own field, extension and Poseidon against plonky2's, the implementation the
//! circuits prove with (decision D20): every operation on random and edge inputs,
//! including non-canonical representatives, must give the same canonical value.
//!
//! Plus the fixed answers of `contracts/test/fixtures/l1_vectors.json` (written from
//! plonky2 before core had its own Poseidon), so the permutation is pinned even without
//! plonky2.

use plonky2::field::extension::quintic::QuinticExtension;
use plonky2::field::goldilocks_field::GoldilocksField as P2;
use plonky2::field::types::{Field as _, PrimeField64 as _};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher as _;
use proptest::prelude::*;
use quire_core::ecgfp5::Gfp5;
use quire_core::field::{F, GOLDILOCKS_ORDER};
use quire_core::hash::{hash_elements, hash_two, poseidon, Digest};
use serde_json::Value;

type P2Ext = QuinticExtension<P2>;

/// Any u64, with the edges (0, p − 1, p, 2^64 − 1 …) drawn often.
fn raw() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        prop::sample::select(vec![
            0,
            1,
            0xFFFF_FFFF,
            1 << 32,
            GOLDILOCKS_ORDER - 1,
            GOLDILOCKS_ORDER,
            GOLDILOCKS_ORDER + 1,
            u64::MAX,
        ]),
    ]
}

fn ours(x: u64) -> F {
    F::from_noncanonical_u64(x)
}

fn theirs(x: u64) -> P2 {
    P2::from_noncanonical_u64(x)
}

fn same(a: F, b: P2) -> bool {
    a.to_canonical_u64() == b.to_canonical_u64()
}

fn ext_ours(c: [u64; 5]) -> Gfp5 {
    Gfp5::from_limbs(c.map(ours))
}

fn ext_theirs(c: [u64; 5]) -> P2Ext {
    QuinticExtension(c.map(theirs))
}

fn ext_same(a: Gfp5, b: P2Ext) -> bool {
    a.to_canonical_u64s() == b.0.map(|c| c.to_canonical_u64())
}

proptest! {
    #[test]
    fn base_field_operations(a in raw(), b in raw(), e in any::<u64>()) {
        let (x, y) = (ours(a), ours(b));
        let (u, v) = (theirs(a), theirs(b));
        prop_assert!(same(x + y, u + v));
        prop_assert!(same(x - y, u - v));
        prop_assert!(same(x * y, u * v));
        prop_assert!(same(-x, -u));
        prop_assert!(same(x.square(), u * u));
        prop_assert!(same(x.exp_u64(e), u.exp_u64(e)));
        prop_assert_eq!(x.try_inverse().map(|i| i.to_canonical_u64()), u.try_inverse().map(|i| i.to_canonical_u64()));
        prop_assert_eq!(x == y, u == v);
    }

    #[test]
    fn u128_reduction(hi in any::<u64>(), lo in any::<u64>()) {
        let n = ((hi as u128) << 64) | lo as u128;
        prop_assert!(same(F::from_noncanonical_u128(n), P2::from_noncanonical_u128(n)));
    }

    #[test]
    fn extension_field_operations(a in prop::array::uniform5(raw()), b in prop::array::uniform5(raw()), e in any::<u64>()) {
        let (x, y) = (ext_ours(a), ext_ours(b));
        let (u, v) = (ext_theirs(a), ext_theirs(b));
        prop_assert!(ext_same(x + y, u + v));
        prop_assert!(ext_same(x - y, u - v));
        prop_assert!(ext_same(x * y, u * v));
        prop_assert!(ext_same(x.square(), u * u));
        prop_assert!(ext_same(x.exp_u64(e), u.exp_u64(e)));
        match (x.try_inverse(), u.try_inverse()) {
            (Some(i), Some(j)) => prop_assert!(ext_same(i, j)),
            (None, None) => {}
            _ => prop_assert!(false, "inverse exists on one side only"),
        }
        // The conversions of the interop module round-trip.
        prop_assert_eq!(Gfp5::from(P2Ext::from(x)), x);
    }

    #[test]
    fn permutation(state in prop::array::uniform12(raw())) {
        let out = poseidon::permute(state.map(ours));
        let expect = <P2 as plonky2::hash::poseidon::Poseidon>::poseidon(state.map(theirs));
        for (a, b) in out.iter().zip(expect) {
            prop_assert!(same(*a, b));
        }
    }

    #[test]
    fn sponge_and_compression(input in prop::collection::vec(0..GOLDILOCKS_ORDER, 0..40), l in prop::array::uniform4(0..GOLDILOCKS_ORDER), r in prop::array::uniform4(0..GOLDILOCKS_ORDER)) {
        let ours_in: Vec<F> = input.iter().map(|&x| F::from_canonical_u64(x)).collect();
        let theirs_in: Vec<P2> = input.iter().map(|&x| P2::from_canonical_u64(x)).collect();
        prop_assert_eq!(hash_elements(&ours_in), Digest::from(PoseidonHash::hash_no_pad(&theirs_in)));
        let (dl, dr) = (Digest(l), Digest(r));
        let expect = PoseidonHash::two_to_one(dl.to_hash_out(), dr.to_hash_out());
        prop_assert_eq!(hash_two(&dl, &dr), Digest::from(expect));
        prop_assert_eq!(Digest::from(HashOut { elements: dl.plonky2_elements() }), dl);
    }
}

#[test]
fn known_answers_of_the_l1_fixtures() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../contracts/test/fixtures/l1_vectors.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("fixture JSON");
    // A JSON array of decimal strings, as integers.
    let nums = |v: &Value| -> Vec<u64> {
        v.as_array()
            .expect("array")
            .iter()
            .map(|x| x.as_str().expect("decimal string").parse().expect("u64"))
            .collect()
    };
    let elements =
        |v: &Value| -> Vec<F> { nums(v).into_iter().map(F::from_canonical_u64).collect() };
    let perms = doc["poseidon"]["permutations"]
        .as_array()
        .expect("permutations");
    assert!(perms.len() >= 4);
    for case in perms {
        let input = elements(&case["input"]);
        let out = poseidon::permute(input.try_into().expect("12 elements"));
        assert_eq!(
            out.map(|x| x.to_canonical_u64()).to_vec(),
            nums(&case["output"])
        );
    }
    for case in doc["poseidon"]["hash_no_pad"]
        .as_array()
        .expect("hash_no_pad")
    {
        let input = elements(&case["input"]);
        let out = hash_elements(&input);
        assert_eq!(
            format!("0x{}", hex::encode(out.to_l1_bytes32())),
            case["out"].as_str().expect("out")
        );
    }
}
