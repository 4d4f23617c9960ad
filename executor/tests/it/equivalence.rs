//! The parallel executor equals the sequential reference on random batches: every receipt
//! (each rejection with its reason), the diff and the new root.
//!
//! Batches mix skewed account choice (a few hot senders and receivers), hot pools, priority
//! operations (deposits opening accounts, full exits) between L2 runs, and invalid
//! transactions: bad nonces, overdrafts, bad signatures, amounts out of range, unpackable
//! fees, unknown and keyless receivers. The executor runs with no sequential cutoff so the
//! parallel path is always taken.

use std::sync::OnceLock;

use proptest::prelude::*;
use quire_core::account::{AccountId, Address, MAX_AMOUNT};
use quire_core::schnorr::SecretKey;
use quire_core::token::TokenId;
use quire_core::tx::{
    AddLiquidity, Deposit, FullExit, L2Tx, Operation, PriorityOp, RemoveLiquidity, Swap, Transfer,
    Withdraw,
};
use quire_executor::workload::{World, CHAIN_ID, LIQUIDITY_PROVIDERS};
use quire_executor::{execute_parallel, execute_parallel_verified, ExecutorConfig};

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| World::new(LIQUIDITY_PROVIDERS))
}

/// One random operation, before it is bound to the evolving nonces of the batch.
#[derive(Clone, Debug)]
struct Choice {
    kind: u8,
    from: usize,
    to: usize,
    amount: u64,
    fee: u64,
    flaw: u8,
}

/// Account index with a skew: half the picks hit the 4 hottest accounts.
fn skewed() -> impl Strategy<Value = usize> + Clone {
    prop_oneof![1 => 0usize..4, 1 => 0usize..LIQUIDITY_PROVIDERS]
}

fn choice() -> impl Strategy<Value = Choice> {
    (
        0u8..10,
        skewed(),
        skewed(),
        prop_oneof![4 => 1u64..100_000, 1 => Just(0u64), 1 => Just(MAX_AMOUNT), 1 => Just(MAX_AMOUNT + 1), 1 => 1u64 << 40..1u64 << 41],
        prop_oneof![Just(0u64), Just(100u64), Just(2049u64)],
        prop_oneof![10 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8), 1 => Just(4u8)],
    )
        .prop_map(|(kind, from, to, amount, fee, flaw)| Choice { kind, from, to, amount, fee, flaw })
}

/// Binds choices to a batch: nonces follow the expected successes, priority ids the queue.
fn build(w: &World, choices: &[Choice]) -> Vec<Operation> {
    let mut nonces: Vec<u32> = w
        .ids
        .iter()
        .map(|&id| w.state.account(id).map_or(0, |a| a.nonce))
        .collect();
    let mut priority = w.state.next_priority_id();
    let fresh_key = |i: usize| SecretKey::from_seed(format!("fresh {i}").as_bytes());
    let mut out = Vec::with_capacity(choices.len());
    for (n, c) in choices.iter().enumerate() {
        let (a, b) = (w.ids[c.from], w.ids[c.to]);
        // Flaws: 1 wrong nonce, 2 bad signature, 3 unknown receiver, 4 keyless receiver.
        let nonce = nonces[c.from] + u32::from(c.flaw == 1);
        let to = match c.flaw {
            3 => AccountId::new(5_000_000).unwrap(),
            4 => w.pools[0],
            _ => b,
        };
        let pool = w.pools[c.to % 2];
        let tx = match c.kind {
            0 => {
                priority += 1;
                // Half the deposits open a new account.
                let key = if c.to % 2 == 0 {
                    fresh_key(n)
                } else {
                    w.keys[c.to].clone()
                };
                out.push(Operation::Priority(PriorityOp::Deposit(Deposit {
                    priority_id: priority - 1,
                    from: Address([c.from as u8; 20]),
                    to: key.public_key(),
                    token: TokenId((c.fee % 3) as u8),
                    amount: c.amount,
                })));
                continue;
            }
            1 => {
                priority += 1;
                out.push(Operation::Priority(PriorityOp::FullExit(FullExit {
                    priority_id: priority - 1,
                    account: a,
                    owner: Address([(c.from % 251) as u8; 20]),
                    token: TokenId::ETH,
                })));
                continue;
            }
            2..=4 => L2Tx::Transfer(Transfer {
                from: a,
                to,
                token: TokenId((c.kind - 2) % 2),
                amount: c.amount,
                fee: c.fee,
                nonce,
            }),
            5 => L2Tx::Withdraw(Withdraw {
                from: a,
                to: Address([9; 20]),
                token: TokenId::ETH,
                amount: c.amount,
                fee: c.fee,
                nonce,
            }),
            6 | 7 => L2Tx::Swap(Swap {
                account: a,
                pool,
                token_in: if c.kind == 6 {
                    TokenId::ETH
                } else {
                    TokenId(1 + (c.to % 2) as u8)
                },
                amount_in: c.amount,
                min_amount_out: c.fee,
                fee: c.fee,
                nonce,
            }),
            8 => L2Tx::AddLiquidity(AddLiquidity {
                account: a,
                pool,
                max_amount_a: c.amount,
                max_amount_b: c.amount / 3 + 1,
                min_shares: 0,
                fee: c.fee,
                nonce,
            }),
            _ => L2Tx::RemoveLiquidity(RemoveLiquidity {
                account: a,
                pool,
                shares: c.amount,
                min_amount_a: 0,
                min_amount_b: 0,
                fee: c.fee,
                nonce,
            }),
        };
        let mut signed = tx.sign(&w.keys[c.from], CHAIN_ID);
        if c.flaw == 2 {
            let mut bytes = signed.signature.to_bytes();
            bytes[41] ^= 1; // a limb of e: still canonical, no longer the challenge
            signed.signature = quire_core::schnorr::Signature::from_bytes(&bytes).unwrap();
        }
        if c.flaw == 0 {
            nonces[c.from] += 1;
        }
        out.push(Operation::L2(signed));
    }
    out
}

fn check(batch: &[Operation], config: &ExecutorConfig) -> Result<(), TestCaseError> {
    let w = world();
    let mut reference = w.state.clone();
    let receipts: Vec<_> = batch.iter().map(|op| reference.apply(op)).collect();
    let diff = reference.pending_diff();
    let root = reference.root();

    let mut state = w.state.clone();
    let out = execute_parallel(&mut state, batch, config).expect("merge cannot fail");
    prop_assert_eq!(&out.receipts, &receipts);
    prop_assert_eq!(&out.diff, &diff);
    prop_assert_eq!(out.root, root);
    prop_assert_eq!(state.root(), root);

    // With the verdicts the mempool would supply (signatures verified at admission).
    let verified: Vec<bool> = batch
        .iter()
        .map(|op| match op {
            Operation::L2(s) => w
                .state
                .account(s.tx.signer())
                .and_then(|a| a.pubkey)
                .is_some_and(|pk| {
                    quire_core::schnorr::verify(&pk, &s.tx.signing_hash(CHAIN_ID), &s.signature)
                        .is_ok()
                }),
            Operation::Priority(_) => false,
        })
        .collect();
    let mut state = w.state.clone();
    let out =
        execute_parallel_verified(&mut state, batch, &verified, config).expect("merge cannot fail");
    prop_assert_eq!(&out.receipts, &receipts);
    prop_assert_eq!(out.root, root);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("QUIRE_EQUIVALENCE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1500),
        ..ProptestConfig::default()
    })]

    #[test]
    fn parallel_execution_equals_the_sequential_reference(
        choices in prop::collection::vec(choice(), 1..160),
        min_parallel_level in 1usize..4,
    ) {
        let batch = build(world(), &choices);
        check(&batch, &ExecutorConfig { sequential_below: 0, min_parallel_level })?;
    }
}

#[test]
fn a_hot_fee_account_batch_is_one_wide_level_and_still_equal() {
    let w = world();
    let batch = w.batch(quire_executor::workload::Workload::FeeHotspot, 400, 3);
    let mut state = w.state.clone();
    let out = execute_parallel(&mut state, &batch, &ExecutorConfig::default()).unwrap();
    // Credits to the fee account do not serialize: the critical path stays short.
    assert!(
        out.stats.critical_path < 20,
        "critical path {}",
        out.stats.critical_path
    );
    assert_eq!(out.stats.accepted, 400);
    check(&batch, &ExecutorConfig::default()).unwrap();
}
