//! Known-answer vectors for the L1 contracts (contracts/test/fixtures/l1_vectors.json).
//!
//! ```sh
//! cargo run -p quire-core --example l1_vectors > contracts/test/fixtures/l1_vectors.json
//! ```
//!
//! Everything here comes from core's own code paths — Poseidon, the EcGFp5 key
//! decoder, a real [`State`] driven by [`State::apply`] with signed transactions, the codec,
//! pubdata and `priority_commitment` — so the Solidity tests check the contract against the
//! Rust definitions, not against a second implementation:
//!
//! - `poseidon`: plonky2's round constants (also in the fast partial-round form that both
//!   plonky2's and core's native code use), MDS matrix, permutations, `two_to_one` and
//!   `hash_no_pad` (including a 14-element account leaf); core's Poseidon is checked against
//!   plonky2's in `core/tests/it/plonky2_twins.rs`;
//! - `keys`: 40-byte key encodings and whether `PublicKey::from_bytes` accepts them;
//! - `scenario`: a genesis, the L1 priority queue (deposits, one refunded, full exits) with
//!   each op's canonical encoding and keccak, one batch mixing every operation type (its
//!   pubdata, commitments, the payout records L1 credits, old and new roots), balance
//!   proofs against the new root, and account proofs of several balances each (`exit` of
//!   all of alice's balances, her pool shares included, and the pool's `settlePool` proof)
//!   with the pool exit core's `remove_liquidity` pays;
//! - `front_run`: issue 14's first-deposit front-run (attacker deposit, victim deposit,
//!   attacker's full exit) as core executes it, and the victim's balance proof.
//!
//! The output is deterministic (fixed seeds); regenerate it when core's encodings change.

use quire_core::account::{AccountId, Address};
use quire_core::amm::remove_liquidity;
use quire_core::field::{F, GOLDILOCKS_ORDER};
use quire_core::hash::poseidon::permute;
use quire_core::hash::poseidon_constants::{
    FAST_PARTIAL_FIRST_ROUND_CONSTANT, FAST_PARTIAL_ROUND_CONSTANTS,
    FAST_PARTIAL_ROUND_INITIAL_MATRIX, FAST_PARTIAL_ROUND_VS, FAST_PARTIAL_ROUND_W_HATS, MDS_CIRC,
    MDS_DIAG_0, ROUND_CONSTANTS,
};
use quire_core::hash::{hash_elements, hash_two, keccak256, Digest};
use quire_core::schnorr::{PublicKey, SecretKey};
use quire_core::state::{AccountProof, Genesis, Outcome, PoolSpec, State};
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::{
    priority_commitment, AddLiquidity, Deposit, FullExit, L2Tx, Operation, PriorityOp,
    RemoveLiquidity, Swap, Transfer, Withdraw,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};

const CHAIN_ID: u32 = 7;
const USDC: TokenId = TokenId(1);
const DAI: TokenId = TokenId(2);
/// Registered on L1 (id 3) after this L2's genesis: its deposit is credited all the same
/// (every L1 asset id is usable on L2, D15) and part of it withdrawn.
const WBTC: TokenId = TokenId(3);

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn l1(d: &Digest) -> String {
    hex0x(&d.to_l1_bytes32())
}

fn dec(v: u64) -> String {
    v.to_string()
}

fn poseidon_vectors() -> Value {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let rand_f = |rng: &mut ChaCha20Rng| F::from_canonical_u64(rng.gen_range(0..GOLDILOCKS_ORDER));

    let mut perms = Vec::new();
    let inputs: Vec<[F; 12]> = vec![
        [F::ZERO; 12],
        core::array::from_fn(|i| F::from_canonical_u64(i as u64)),
        [F::NEG_ONE; 12],
        core::array::from_fn(|_| rand_f(&mut rng)),
    ];
    for input in inputs {
        let out = permute(input);
        perms.push(json!({
            "input": input.iter().map(|x| dec(x.to_canonical_u64())).collect::<Vec<_>>(),
            "output": out.iter().map(|x| dec(x.to_canonical_u64())).collect::<Vec<_>>(),
        }));
    }

    let mut two = Vec::new();
    let pairs: Vec<(Digest, Digest)> = vec![
        (Digest::ZERO, Digest::ZERO),
        (Digest([1, 2, 3, 4]), Digest([5, 6, 7, 8])),
        (
            Digest([GOLDILOCKS_ORDER - 1; 4]),
            Digest([0, GOLDILOCKS_ORDER - 1, 0, GOLDILOCKS_ORDER - 1]),
        ),
        (
            Digest(core::array::from_fn(|_| rng.gen_range(0..GOLDILOCKS_ORDER))),
            Digest(core::array::from_fn(|_| rng.gen_range(0..GOLDILOCKS_ORDER))),
        ),
    ];
    for (a, b) in pairs {
        let out = hash_two(&a, &b);
        two.push(json!({ "left": l1(&a), "right": l1(&b), "out": l1(&out) }));
    }

    let mut sponge = Vec::new();
    for len in [0usize, 1, 3, 4, 5, 8, 9, 14, 16, 17, 24] {
        let input: Vec<F> = (0..len).map(|_| rand_f(&mut rng)).collect();
        let out = hash_elements(&input);
        sponge.push(json!({
            "input": input.iter().map(|x| dec(x.to_canonical_u64())).collect::<Vec<_>>(),
            "out": l1(&out),
        }));
    }

    let rows = |m: &[[u64; 11]]| {
        m.iter()
            .map(|r| r.iter().map(|c| dec(*c)).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    json!({
        "round_constants": ROUND_CONSTANTS.iter().map(|c| dec(*c)).collect::<Vec<_>>(),
        "mds_circ": MDS_CIRC.to_vec(),
        "mds_diag": core::iter::once(MDS_DIAG_0).chain([0; 11]).collect::<Vec<_>>(),
        // plonky2's equivalent form of the 22 partial rounds (what its native code runs).
        "fast_partial": {
            "first_round_constant": FAST_PARTIAL_FIRST_ROUND_CONSTANT.iter().map(|c| dec(*c)).collect::<Vec<_>>(),
            "round_constants": FAST_PARTIAL_ROUND_CONSTANTS.iter().map(|c| dec(*c)).collect::<Vec<_>>(),
            "vs": rows(&FAST_PARTIAL_ROUND_VS),
            "w_hats": rows(&FAST_PARTIAL_ROUND_W_HATS),
            "initial_matrix": rows(&FAST_PARTIAL_ROUND_INITIAL_MATRIX),
        },
        "permutations": perms,
        "two_to_one": two,
        "hash_no_pad": sponge,
    })
}

fn key_vectors() -> Value {
    let mut out = Vec::new();
    let mut push = |bytes: [u8; 40], why: &str| {
        out.push(json!({
            "key": hex0x(&bytes),
            "valid": PublicKey::from_bytes(&bytes).is_ok(),
            "note": why,
        }));
    };
    for i in 0..4 {
        let pk = SecretKey::from_seed(format!("key vector {i}").as_bytes()).public_key();
        push(pk.to_bytes(), "real key");
    }
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for _ in 0..12 {
        let mut b = [0u8; 40];
        for chunk in b.chunks_exact_mut(8) {
            chunk.copy_from_slice(&rng.gen_range(0..GOLDILOCKS_ORDER).to_le_bytes());
        }
        push(b, "random canonical w");
    }
    push([0u8; 40], "neutral (w = 0)");
    let mut b = SecretKey::from_seed(b"key vector 0")
        .public_key()
        .to_bytes();
    b[32..40].copy_from_slice(&GOLDILOCKS_ORDER.to_le_bytes());
    push(b, "limb 4 = p (non-canonical)");
    let mut b = SecretKey::from_seed(b"key vector 1")
        .public_key()
        .to_bytes();
    b[0..8].copy_from_slice(&u64::MAX.to_le_bytes());
    push(b, "limb 0 = 2^64 - 1 (non-canonical)");
    let mut b = [0u8; 40];
    b[0] = 1;
    push(b, "w = 1");
    json!(out)
}

struct User {
    key: SecretKey,
    l1: Address,
}

fn scenario() -> Value {
    let token = |id: TokenId, sym: &str, scale: u128| TokenInfo {
        id,
        symbol: sym.into(),
        l1_address: Address([0x10 + id.0; 20]),
        scale,
    };
    let operator = SecretKey::from_seed(b"l1 vectors operator");
    let genesis = Genesis {
        chain_id: CHAIN_ID,
        operator: operator.public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![token(USDC, "USDC", 1), token(DAI, "DAI", 1_000_000_000)],
        pools: vec![PoolSpec {
            token_a: TokenId::ETH,
            token_b: USDC,
            fee_bps: 30,
        }],
    };
    let mut state = State::genesis(&genesis).expect("valid genesis");
    let genesis_root = state.root();
    let pool = *state.pools().keys().next().expect("one pool");
    let share = state.pools()[&pool].share_token;

    let user = |seed: &str, b: u8| User {
        key: SecretKey::from_seed(seed.as_bytes()),
        l1: Address([b; 20]),
    };
    let alice = user("alice", 0xa1);
    let bob = user("bob", 0xb0);
    let carol = user("carol", 0xca);

    // The L1 queue, in order. Amounts are L2 units.
    let mut queue: Vec<PriorityOp> = Vec::new();
    let deposit = |q: &mut Vec<PriorityOp>, u: &User, token: TokenId, amount: u64| {
        let op = PriorityOp::Deposit(Deposit {
            priority_id: q.len() as u64,
            from: u.l1,
            to: u.key.public_key(),
            token,
            amount,
        });
        q.push(op.clone());
        op
    };
    let full_exit =
        |q: &mut Vec<PriorityOp>, account: AccountId, owner: Address, token: TokenId| {
            let op = PriorityOp::FullExit(FullExit {
                priority_id: q.len() as u64,
                account,
                owner,
                token,
            });
            q.push(op.clone());
            op
        };

    let ops: Vec<Operation> = vec![
        deposit(&mut queue, &alice, TokenId::ETH, 10_000_000_000).into(), // 10 ETH
        deposit(&mut queue, &bob, USDC, 5_000_000_000).into(),            // 5000 USDC
        deposit(&mut queue, &alice, USDC, 20_000_000_000).into(),
        deposit(&mut queue, &carol, DAI, 100_000_000_000).into(), // 100 DAI
        deposit(&mut queue, &carol, WBTC, 12_345).into(),         // registered after genesis
    ];

    // Ids are assigned on first deposit: bridge 0, fee 1, pool 2, then alice, bob, carol.
    let apply_all = |state: &mut State, ops: &[Operation]| -> Vec<(Operation, Outcome, Vec<u8>)> {
        ops.iter()
            .map(|op| {
                let r = state.apply(op).unwrap_or_else(|e| panic!("{op:?}: {e}"));
                (op.clone(), r.outcome, r.pubdata)
            })
            .collect()
    };
    let mut executed = apply_all(&mut state, &ops);
    let id = |state: &State, u: &User| {
        state
            .account_id(&u.key.public_key(), &u.l1)
            .expect("opened")
    };
    let (a, b, c) = (id(&state, &alice), id(&state, &bob), id(&state, &carol));

    let sign = |u: &User, tx: L2Tx| Operation::L2(tx.sign(&u.key, CHAIN_ID));
    let l2 = vec![
        sign(
            &alice,
            L2Tx::Transfer(Transfer {
                from: a,
                to: b,
                token: TokenId::ETH,
                amount: 1_000_000_000,
                fee: 1000,
                nonce: 0,
            }),
        ),
        sign(
            &bob,
            L2Tx::Withdraw(Withdraw {
                from: b,
                to: bob.l1,
                token: USDC,
                amount: 1_000_000_000,
                fee: 100,
                nonce: 0,
            }),
        ),
        sign(
            &alice,
            L2Tx::AddLiquidity(AddLiquidity {
                account: a,
                pool,
                max_amount_a: 5_000_000_000,
                max_amount_b: 10_000_000_000,
                min_shares: 0,
                fee: 1000,
                nonce: 1,
            }),
        ),
        sign(
            &bob,
            L2Tx::Swap(Swap {
                account: b,
                pool,
                token_in: TokenId::ETH,
                amount_in: 100_000_000,
                min_amount_out: 0,
                fee: 1000,
                nonce: 1,
            }),
        ),
    ];
    executed.extend(apply_all(&mut state, &l2));
    let shares = state.balance(a, share);
    let l2b = vec![
        sign(
            &alice,
            L2Tx::RemoveLiquidity(RemoveLiquidity {
                account: a,
                pool,
                shares: shares / 4,
                min_amount_a: 0,
                min_amount_b: 0,
                fee: 0,
                nonce: 2,
            }),
        ),
        sign(
            &carol,
            L2Tx::Transfer(Transfer {
                from: c,
                to: a,
                token: DAI,
                amount: 7_000_000_000,
                fee: 0,
                nonce: 0,
            }),
        ),
        sign(
            &carol,
            L2Tx::Withdraw(Withdraw {
                from: c,
                to: Address([0xd0; 20]),
                token: DAI,
                amount: 3_000_000_000,
                fee: 0,
                nonce: 1,
            }),
        ),
        sign(
            &carol,
            L2Tx::Withdraw(Withdraw {
                from: c,
                to: carol.l1,
                token: WBTC,
                amount: 2_345,
                fee: 0,
                nonce: 2,
            }),
        ),
    ];
    executed.extend(apply_all(&mut state, &l2b));
    // Full exits: alice's own (moves her whole ETH balance), and one by bob on alice's
    // account (not the owner: exits 0).
    let exits = vec![
        full_exit(&mut queue, a, alice.l1, TokenId::ETH).into(),
        full_exit(&mut queue, a, bob.l1, USDC).into(),
    ];
    executed.extend(apply_all(&mut state, &exits));
    let new_root = state.root();

    let batch = batch_vectors(&executed, &queue);

    let mut proofs = Vec::new();
    for (account, token, note) in [
        (a, USDC, "alice USDC"),
        (a, DAI, "alice DAI"),
        (b, TokenId::ETH, "bob ETH"),
        (b, USDC, "bob USDC"),
        (c, DAI, "carol DAI"),
        (a, TokenId::ETH, "alice ETH (zero after her full exit)"),
        (State::FEE, TokenId::ETH, "operator fee account ETH"),
        (pool, USDC, "pool reserve USDC (keyless: owner zero)"),
        (a, share, "alice pool shares (share token)"),
    ] {
        proofs.push(proof_vector(&mut state, &new_root, account, token, note));
    }

    // Exodus with the pool: its settlement proof (reserves and its own share balance), and
    // alice exiting every balance she holds, her shares included, in one proof.
    let pool_info = state.pools()[&pool].clone();
    let settle = state.pool_settlement_proof(pool).expect("a pool");
    let (reserve_a, reserve_b) = (
        state.balance(pool, pool_info.token_a),
        state.balance(pool, pool_info.token_b),
    );
    let supply = state.pool_supply(&pool_info);
    let alice_shares = state.balance(a, share);
    let (amount_a, amount_b) =
        remove_liquidity(reserve_a, reserve_b, supply, alice_shares).expect("alice's shares pay");
    let alice_tokens: Vec<TokenId> = state
        .account(a)
        .expect("alice")
        .balances
        .keys()
        .copied()
        .collect();
    let alice_all = state.account_proof(a, &alice_tokens).expect("alice");
    let account_proofs = vec![
        account_proof_vector(
            &new_root,
            &alice_all,
            "alice: every balance she holds, shares included",
        ),
        account_proof_vector(
            &new_root,
            &settle,
            "the pool's settlePool proof: reserves by id, then its shares",
        ),
    ];

    json!({
        "chain_id": CHAIN_ID,
        "genesis_root": l1(&genesis_root),
        "tokens": [
            { "id": 0, "symbol": "ETH", "scale": "1000000000", "on_l2": true },
            { "id": USDC.0, "symbol": "USDC", "scale": "1", "on_l2": true },
            { "id": DAI.0, "symbol": "DAI", "scale": "1000000000", "on_l2": true },
            { "id": WBTC.0, "symbol": "WBTC", "scale": "1", "on_l2": false },
        ],
        "users": {
            "alice": { "l1": alice.l1.to_string(), "key": hex0x(&alice.key.public_key().to_bytes()), "account": a.get() },
            "bob": { "l1": bob.l1.to_string(), "key": hex0x(&bob.key.public_key().to_bytes()), "account": b.get() },
            "carol": { "l1": carol.l1.to_string(), "key": hex0x(&carol.key.public_key().to_bytes()), "account": c.get() },
        },
        "priority_ops": priority_vectors(&queue),
        "priority_commitment": hex0x(&priority_commitment(&queue)),
        "batch": with_roots(batch, &genesis_root, &new_root),
        "balance_proofs": proofs,
        "account_proofs": account_proofs,
        "pool_exit": {
            "pool_account": pool.get(),
            "share_token": share.0,
            "token_a": pool_info.token_a.0,
            "token_b": pool_info.token_b.0,
            "reserve_a": dec(reserve_a),
            "reserve_b": dec(reserve_b),
            "supply": dec(supply),
            "shares": dec(alice_shares),
            "amount_a": dec(amount_a),
            "amount_b": dec(amount_b),
        },
    })
}

/// The L1 side of one batch: each operation's pubdata, the concatenated pubdata and its
/// commitment, the number of priority operations consumed, and the payout records L1
/// credits at execution (refunded deposits, withdrawals, nonzero full exits).
fn batch_vectors(executed: &[(Operation, Outcome, Vec<u8>)], queue: &[PriorityOp]) -> Value {
    let mut pubdata = Vec::new();
    let mut payouts = Vec::new();
    let mut op_vectors = Vec::new();
    let payout = |out: &mut Vec<u8>, to: &Address, token: TokenId, amount: u64| {
        out.extend_from_slice(&to.0);
        out.push(token.0);
        out.extend_from_slice(&amount.to_be_bytes());
    };
    for (op, outcome, pd) in executed {
        pubdata.extend_from_slice(pd);
        let kind = match op {
            Operation::Priority(PriorityOp::Deposit(d)) => {
                if let Outcome::Deposit {
                    credited: false, ..
                } = outcome
                {
                    payout(&mut payouts, &d.from, d.token, d.amount);
                }
                "deposit"
            }
            Operation::Priority(PriorityOp::FullExit(e)) => {
                if let Outcome::FullExit { amount } = outcome {
                    if *amount > 0 {
                        payout(&mut payouts, &e.owner, e.token, *amount);
                    }
                }
                "full_exit"
            }
            Operation::L2(s) => match &s.tx {
                L2Tx::Withdraw(w) => {
                    payout(&mut payouts, &w.to, w.token, w.amount);
                    "withdraw"
                }
                L2Tx::Transfer(_) => "transfer",
                L2Tx::Swap(_) => "swap",
                L2Tx::AddLiquidity(_) => "add_liquidity",
                L2Tx::RemoveLiquidity(_) => "remove_liquidity",
            },
        };
        op_vectors.push(json!({ "kind": kind, "pubdata": hex0x(pd) }));
    }
    json!({
        "ops": op_vectors,
        "pubdata": hex0x(&pubdata),
        "pubdata_commitment": hex0x(&keccak256(&pubdata)),
        "priority_ops_count": queue.len(),
        "payouts": hex0x(&payouts),
    })
}

/// `batch` with its old and new state roots.
fn with_roots(mut batch: Value, old_root: &Digest, new_root: &Digest) -> Value {
    batch["old_root"] = json!(l1(old_root));
    batch["new_root"] = json!(l1(new_root));
    batch
}

/// The L1 queue: each operation's fields, canonical encoding and its keccak (what the
/// contract stores when the operation is queued).
fn priority_vectors(queue: &[PriorityOp]) -> Vec<Value> {
    queue
        .iter()
        .map(|op| {
            let enc = op.encode();
            match op {
                PriorityOp::Deposit(d) => json!({
                    "kind": "deposit",
                    "priority_id": dec(d.priority_id),
                    "from": d.from.to_string(),
                    "to": hex0x(&d.to.to_bytes()),
                    "token": d.token.0,
                    "amount": dec(d.amount),
                    "encoding": hex0x(&enc),
                    "hash": hex0x(&keccak256(&enc)),
                }),
                PriorityOp::FullExit(e) => json!({
                    "kind": "full_exit",
                    "priority_id": dec(e.priority_id),
                    "account": e.account.get(),
                    "owner": e.owner.to_string(),
                    "token": e.token.0,
                    "encoding": hex0x(&enc),
                    "hash": hex0x(&keccak256(&enc)),
                }),
            }
        })
        .collect()
}

/// A balance proof against `root`, in the contract's `StateProof.BalanceProof` fields.
fn proof_vector(
    state: &mut State,
    root: &Digest,
    account: AccountId,
    token: TokenId,
    note: &str,
) -> Value {
    let p = state.balance_proof(account, token).expect("opened account");
    assert!(p.verify(root));
    json!({
        "note": note,
        "account": p.account.get(),
        "token": p.token.0,
        "balance": dec(p.balance),
        "pubkey_hash": l1(&p.pubkey_hash),
        "owner": p.l1_owner.to_string(),
        "nonce": p.nonce,
        "balance_root": l1(&p.balance_root),
        "balance_path": p.balance_path.siblings.iter().map(l1).collect::<Vec<_>>(),
        "account_path": p.account_path.siblings.iter().map(l1).collect::<Vec<_>>(),
    })
}

/// An account proof against `root`, in the contract's `StateProof.AccountProof` fields.
fn account_proof_vector(root: &Digest, p: &AccountProof, note: &str) -> Value {
    assert!(p.verify(root));
    json!({
        "note": note,
        "account": p.account.get(),
        "pubkey_hash": l1(&p.pubkey_hash),
        "owner": p.l1_owner.to_string(),
        "nonce": p.nonce,
        "account_path": p.account_path.siblings.iter().map(l1).collect::<Vec<_>>(),
        "openings": p.openings.iter().map(|o| json!({
            "token": o.token.0,
            "balance": dec(o.balance),
            "path": o.path.siblings.iter().map(l1).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The first-deposit front-run of issue 14 as core executes it: an attacker deposits 1 gwei
/// to a new user's key `K` just ahead of the user's 10 ETH deposit to `K`, then asks for a
/// full exit of the account its deposit opened. Accounts are (key, L1 owner) pairs (D10), so
/// the victim's deposit opens an account of its own and the exit pays the attacker 1 gwei.
/// The Solidity test replays the queue from the same addresses, commits this pubdata and
/// checks what L1 pays, then exits the victim's balance in exodus with the proof below.
fn front_run() -> Value {
    let genesis = Genesis {
        chain_id: CHAIN_ID,
        operator: SecretKey::from_seed(b"l1 vectors operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![],
        pools: vec![],
    };
    let mut state = State::genesis(&genesis).expect("valid genesis");
    let genesis_root = state.root();
    let key = SecretKey::from_seed(b"front-run victim").public_key();
    let attacker = Address([0xa7; 20]);
    let victim = Address([0x71; 20]);
    let deposit = |id: u64, from: Address, amount: u64| {
        PriorityOp::Deposit(Deposit {
            priority_id: id,
            from,
            to: key,
            token: TokenId::ETH,
            amount,
        })
    };
    let mut queue = vec![deposit(0, attacker, 1), deposit(1, victim, 10_000_000_000)];
    let mut executed = Vec::new();
    let mut credited = Vec::new();
    for op in queue.clone() {
        let op = Operation::Priority(op);
        let r = state.apply(&op).expect("priority ops apply");
        if let Outcome::Deposit { account, .. } = r.outcome {
            credited.push(account);
        }
        executed.push((op, r.outcome, r.pubdata));
    }
    // The accounts the two deposits credited, as core's receipts say.
    let (attackers, victims) = (credited[0], credited[1]);
    let exit = PriorityOp::FullExit(FullExit {
        priority_id: 2,
        account: attackers,
        owner: attacker,
        token: TokenId::ETH,
    });
    queue.push(exit.clone());
    let op = Operation::Priority(exit);
    let r = state.apply(&op).expect("priority ops apply");
    executed.push((op, r.outcome, r.pubdata));
    let new_root = state.root();
    json!({
        "genesis_root": l1(&genesis_root),
        "key": hex0x(&key.to_bytes()),
        "attacker": { "l1": attacker.to_string(), "account": attackers.get() },
        "victim": { "l1": victim.to_string(), "account": victims.get() },
        "priority_ops": priority_vectors(&queue),
        "priority_commitment": hex0x(&priority_commitment(&queue)),
        "batch": with_roots(batch_vectors(&executed, &queue), &genesis_root, &new_root),
        "victim_proof": proof_vector(&mut state, &new_root, victims, TokenId::ETH, "the victim's 10 ETH"),
    })
}

fn main() {
    let out = json!({
        "generator": "cargo run -p quire-core --example l1_vectors",
        "max_openings": AccountProof::MAX_OPENINGS,
        "poseidon": poseidon_vectors(),
        "keys": key_vectors(),
        "scenario": scenario(),
        "front_run": front_run(),
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&out).expect("serializable")
    );
}
