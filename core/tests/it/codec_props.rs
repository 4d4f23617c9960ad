//! Codec properties: binary and JSON round trips for every operation kind, strict decoding
//! (truncation, trailing bytes, out-of-range ids, unknown types), fixed pubdata sizes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use proptest::prelude::*;
use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::token::TokenId;
use quire_core::tx::codec::DecodeError;
use quire_core::tx::{
    pubdata, AddLiquidity, Deposit, FullExit, L2Tx, Operation, PriorityOp, RemoveLiquidity,
    SignedTx, Swap, Transfer, Withdraw,
};

fn account() -> impl Strategy<Value = AccountId> + Clone {
    (0u32..AccountId::LIMIT).prop_map(|v| AccountId::new(v).unwrap())
}

fn address() -> impl Strategy<Value = Address> + Clone {
    any::<[u8; 20]>().prop_map(Address)
}

fn l2_tx() -> impl Strategy<Value = L2Tx> {
    let t = (
        account(),
        account(),
        any::<u8>(),
        any::<u64>(),
        any::<u64>(),
        any::<u32>(),
    );
    prop_oneof![
        t.clone().prop_map(
            |(from, to, tk, amount, fee, nonce)| L2Tx::Transfer(Transfer {
                from,
                to,
                token: TokenId(tk),
                amount,
                fee,
                nonce
            })
        ),
        (t.clone(), address()).prop_map(|((from, _, tk, amount, fee, nonce), to)| L2Tx::Withdraw(
            Withdraw {
                from,
                to,
                token: TokenId(tk),
                amount,
                fee,
                nonce
            }
        )),
        (t.clone(), any::<u64>()).prop_map(|((account, pool, tk, amount_in, fee, nonce), min)| {
            L2Tx::Swap(Swap {
                account,
                pool,
                token_in: TokenId(tk),
                amount_in,
                min_amount_out: min,
                fee,
                nonce,
            })
        }),
        (t.clone(), any::<u64>()).prop_map(|((account, pool, _, a, fee, nonce), b)| {
            L2Tx::AddLiquidity(AddLiquidity {
                account,
                pool,
                max_amount_a: a,
                max_amount_b: b,
                min_shares: a ^ b,
                fee,
                nonce,
            })
        }),
        (t, any::<u64>()).prop_map(|((account, pool, _, shares, fee, nonce), m)| {
            L2Tx::RemoveLiquidity(RemoveLiquidity {
                account,
                pool,
                shares,
                min_amount_a: m,
                min_amount_b: m / 3,
                fee,
                nonce,
            })
        }),
    ]
}

fn priority_op() -> impl Strategy<Value = PriorityOp> {
    prop_oneof![
        (
            any::<u64>(),
            address(),
            0usize..4,
            any::<u8>(),
            any::<u64>()
        )
            .prop_map(|(priority_id, from, k, tk, amount)| {
                PriorityOp::Deposit(Deposit {
                    priority_id,
                    from,
                    to: common::keys(4)[k].public_key(),
                    token: TokenId(tk),
                    amount,
                })
            }),
        (any::<u64>(), account(), address(), any::<u8>()).prop_map(
            |(priority_id, account, owner, tk)| {
                PriorityOp::FullExit(FullExit {
                    priority_id,
                    account,
                    owner,
                    token: TokenId(tk),
                })
            }
        ),
    ]
}

fn signed(tx: L2Tx, k: u8) -> SignedTx {
    tx.sign(&SecretKey::from_seed(&[k]), common::CHAIN_ID)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn l2_binary_and_json_round_trip(tx in l2_tx(), k in 0u8..4) {
        prop_assert_eq!(L2Tx::decode(&tx.encode()), Ok(tx.clone()));
        let s = signed(tx, k);
        let bytes = s.encode();
        prop_assert_eq!(SignedTx::decode(&bytes), Ok(s.clone()));
        let json = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(serde_json::from_str::<SignedTx>(&json).unwrap(), s.clone());
        let op = Operation::L2(s);
        prop_assert_eq!(Operation::decode(&op.encode()), Ok(op.clone()));
        prop_assert_eq!(serde_json::from_str::<Operation>(&serde_json::to_string(&op).unwrap()).unwrap(), op);
    }

    #[test]
    fn priority_binary_and_json_round_trip(p in priority_op()) {
        prop_assert_eq!(PriorityOp::decode(&p.encode()), Ok(p.clone()));
        let json = serde_json::to_string(&p).unwrap();
        prop_assert_eq!(serde_json::from_str::<PriorityOp>(&json).unwrap(), p.clone());
        let op = Operation::Priority(p);
        prop_assert_eq!(Operation::decode(&op.encode()), Ok(op));
    }

    #[test]
    fn every_truncation_and_any_trailing_byte_is_rejected(tx in l2_tx(), extra in any::<u8>()) {
        let bytes = signed(tx, 0).encode();
        for cut in 0..bytes.len() {
            prop_assert!(matches!(SignedTx::decode(&bytes[..cut]), Err(DecodeError::UnexpectedEnd(_))));
        }
        let mut longer = bytes.clone();
        longer.push(extra);
        prop_assert_eq!(SignedTx::decode(&longer), Err(DecodeError::TrailingBytes(1)));
    }

    #[test]
    fn signing_hash_binds_every_field_and_the_chain(a in l2_tx(), b in l2_tx()) {
        prop_assert_eq!(a.signing_hash(1) == b.signing_hash(1), a == b);
        prop_assert_ne!(a.signing_hash(1), a.signing_hash(2));
    }
}

#[test]
fn out_of_range_account_id_and_unknown_type_are_rejected() {
    let tx = L2Tx::Transfer(Transfer {
        from: AccountId::new(1).unwrap(),
        to: AccountId::new(2).unwrap(),
        token: TokenId(0),
        amount: 5,
        fee: 0,
        nonce: 0,
    });
    let mut bytes = tx.encode();
    bytes[1] = 1; // from = 0x01000001 ≥ 2^24
    assert_eq!(
        L2Tx::decode(&bytes),
        Err(DecodeError::AccountIdOutOfRange(0x0100_0001))
    );
    let mut bytes = tx.encode();
    bytes[0] = 0x42;
    assert_eq!(L2Tx::decode(&bytes), Err(DecodeError::UnknownType(0x42)));
    assert!(serde_json::from_str::<AccountId>("16777216").is_err());
    assert!(serde_json::from_str::<Transfer>(
        r#"{"from":1,"to":2,"token":0,"amount":"12x","fee":"0","nonce":0}"#
    )
    .is_err());
    let parsed: Transfer =
        serde_json::from_str(r#"{"from":1,"to":2,"token":0,"amount":"12","fee":3,"nonce":0}"#)
            .unwrap();
    assert_eq!((parsed.amount, parsed.fee), (12, 3));
}

#[test]
fn pubdata_has_the_documented_fixed_size_per_operation() {
    use quire_core::tx::OpType;
    let mut w = common::World::new(2);
    let dep = w.deposit(0, TokenId::ETH, 1_000_000);
    let r = w.state.apply(&dep).unwrap();
    assert_eq!(r.pubdata.len(), pubdata::size(OpType::Deposit));
    let dep = w.deposit(1, TokenId::ETH, 1_000_000);
    w.state.apply(&dep).unwrap();
    let (a, b) = (w.id(0), w.id(1));
    let t = L2Tx::Transfer(Transfer {
        from: a,
        to: b,
        token: TokenId::ETH,
        amount: 10,
        fee: 2000,
        nonce: 0,
    });
    let r = w
        .state
        .apply(&t.sign(&w.keys[0], common::CHAIN_ID).into())
        .unwrap();
    assert_eq!(r.pubdata.len(), 18);
    assert_eq!(r.pubdata[0], OpType::Transfer as u8);
    assert_eq!(&r.pubdata[1..4], &a.get().to_be_bytes()[1..]);
    assert_eq!(&r.pubdata[8..16], &10u64.to_be_bytes());
    let wd = L2Tx::Withdraw(Withdraw {
        from: a,
        to: Address([5; 20]),
        token: TokenId::ETH,
        amount: 10,
        fee: 0,
        nonce: 1,
    });
    let r = w
        .state
        .apply(&wd.sign(&w.keys[0], common::CHAIN_ID).into())
        .unwrap();
    assert_eq!(r.pubdata.len(), pubdata::size(OpType::Withdraw));
    assert_eq!(&r.pubdata[15..35], &[5; 20]);
}
