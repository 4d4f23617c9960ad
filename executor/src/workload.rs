//! Funded states and transaction batches for benchmarks, property tests and load tests.
//!
//! A [`World`] is a genesis state with ETH and 16 ERC-20s, one pool (ETH, token k) for each
//! k in 1..=16, and `n` accounts opened by deposit, each holding ETH and token 1; the first
//! [`LIQUIDITY_PROVIDERS`] accounts seed pools 0 and 1. [`World::batch`] signs a batch of a
//! named [`Workload`] with correct nonces.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, PoolSpec, State};
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::{
    AddLiquidity, Deposit, L2Tx, Operation, PriorityOp, RemoveLiquidity, Swap, Transfer, Withdraw,
};

/// Chain id of generated worlds.
pub const CHAIN_ID: u32 = 0x5157;
/// Accounts that seed pools 0 and 1 with liquidity at setup.
pub const LIQUIDITY_PROVIDERS: usize = 256;
/// Initial ETH and token-1 balance of every account.
pub const INITIAL_BALANCE: u64 = 1 << 40;
/// Fee paid by transactions that pay one.
pub const FEE: u64 = 100;

/// The executor benchmark's workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Transfers between uniformly random accounts, no fee.
    Uniform,
    /// Transfers among the first `n` accounts only (Block-STM's sweep).
    Accounts(usize),
    /// Sender and receiver drawn from the hottest 10% of accounts with probability `p`%.
    Hot(u8),
    /// Uniform transfers that all pay a fee to the one fee account.
    FeeHotspot,
    /// Every transfer from account 0.
    OneSender,
    /// Swaps against pool 0 only.
    Swap1Pool,
    /// Swaps spread over 16 pools.
    Swap16Pools,
    /// 60% transfers, 20% swaps over 2 pools, 20% liquidity operations and withdrawals.
    Hybrid,
}

impl Workload {
    /// The benchmark's name for the workload.
    pub fn name(&self) -> String {
        match self {
            Workload::Uniform => "uniform".into(),
            Workload::Accounts(n) => format!("accounts-{n}"),
            Workload::Hot(p) => format!("hot-{p}"),
            Workload::FeeHotspot => "fee-hotspot".into(),
            Workload::OneSender => "one-sender".into(),
            Workload::Swap1Pool => "swap-1pool".into(),
            Workload::Swap16Pools => "swap-16pools".into(),
            Workload::Hybrid => "hybrid".into(),
        }
    }
}

/// A funded state with its accounts' keys.
#[derive(Clone)]
pub struct World {
    /// The state.
    pub state: State,
    /// Keys of the opened accounts.
    pub keys: Vec<SecretKey>,
    /// Their account ids.
    pub ids: Vec<AccountId>,
    /// Pool account ids, in creation order.
    pub pools: Vec<AccountId>,
}

/// The L1 address account `i`'s deposits come from (its owner).
pub fn owner_of(i: usize) -> Address {
    Address([(i % 251) as u8; 20])
}

fn genesis() -> Genesis {
    let tokens = (1..=16u8)
        .map(|id| TokenInfo {
            id: TokenId(id),
            symbol: format!("TK{id}"),
            l1_address: Address([id; 20]),
            scale: 1,
        })
        .collect();
    let pools = (1..=16u8)
        .map(|k| PoolSpec {
            token_a: TokenId::ETH,
            token_b: TokenId(k),
            fee_bps: 30,
        })
        .collect();
    Genesis {
        chain_id: CHAIN_ID,
        operator: SecretKey::from_seed(b"workload operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens,
        pools,
    }
}

impl World {
    /// Builds a world of `n` funded accounts (at least [`LIQUIDITY_PROVIDERS`]).
    pub fn new(n: usize) -> World {
        let n = n.max(LIQUIDITY_PROVIDERS);
        let g = genesis();
        let mut state = match State::genesis(&g) {
            Ok(s) => s,
            Err(e) => unreachable!("the workload genesis is valid: {e}"),
        };
        let pools: Vec<AccountId> = state.pools().keys().copied().collect();
        let keys: Vec<SecretKey> = (0..n as u64)
            .into_par_iter()
            .map(|i| SecretKey::from_seed(&i.to_le_bytes()))
            .collect();
        let pubkeys: Vec<_> = keys.par_iter().map(|k| k.public_key()).collect();
        let mut ids = Vec::with_capacity(n);
        for (i, pk) in pubkeys.iter().enumerate() {
            for token in [TokenId::ETH, TokenId(1), TokenId(2)] {
                let op = Operation::Priority(PriorityOp::Deposit(Deposit {
                    priority_id: state.next_priority_id(),
                    from: owner_of(i),
                    to: *pk,
                    token,
                    amount: INITIAL_BALANCE,
                }));
                if let Err(e) = state.apply(&op) {
                    unreachable!("deposits into a fresh world succeed: {e}");
                }
            }
            ids.push(
                state
                    .account_id(pk, &owner_of(i))
                    .unwrap_or_else(|| unreachable!()),
            );
        }
        let mut world = World {
            state,
            keys,
            ids,
            pools,
        };
        // Seed pools 0 and 1 from the liquidity providers.
        for lp in 0..LIQUIDITY_PROVIDERS {
            for (nonce, &pool) in world.pools[..2].iter().enumerate() {
                let tx = L2Tx::AddLiquidity(AddLiquidity {
                    account: world.ids[lp],
                    pool,
                    max_amount_a: INITIAL_BALANCE / 8,
                    max_amount_b: INITIAL_BALANCE / 8,
                    min_shares: 0,
                    fee: 0,
                    nonce: nonce as u32,
                });
                let op = tx.sign(&world.keys[lp], CHAIN_ID).into();
                if let Err(e) = world.state.apply(&op) {
                    unreachable!("seeding liquidity succeeds: {e}");
                }
            }
        }
        // Pools 2..16 (tokens 3..=16) get liquidity from provider 0, who deposits each
        // token first.
        for (k, &pool) in world.pools[2..].iter().enumerate() {
            let dep = Operation::Priority(PriorityOp::Deposit(Deposit {
                priority_id: world.state.next_priority_id(),
                from: Address([0; 20]),
                to: world.keys[0].public_key(),
                token: TokenId(3 + k as u8),
                amount: INITIAL_BALANCE,
            }));
            let add = L2Tx::AddLiquidity(AddLiquidity {
                account: world.ids[0],
                pool,
                max_amount_a: INITIAL_BALANCE / 64,
                max_amount_b: INITIAL_BALANCE / 64,
                min_shares: 0,
                fee: 0,
                nonce: 2 + k as u32,
            });
            for op in [dep, add.sign(&world.keys[0], CHAIN_ID).into()] {
                if let Err(e) = world.state.apply(&op) {
                    unreachable!("seeding pool {k} succeeds: {e}");
                }
            }
        }
        world.state.root();
        world
    }

    /// A signed batch of `n` transactions of `workload`, with nonces following the state.
    pub fn batch(&self, workload: Workload, n: usize, seed: u64) -> Vec<Operation> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let accounts = self.ids.len();
        let mut nonces: Vec<u32> = self
            .ids
            .iter()
            .map(|&id| self.state.account(id).map_or(0, |a| a.nonce))
            .collect();
        let hot = (accounts / 10).max(1);
        let mut plan: Vec<(usize, L2Tx)> = Vec::with_capacity(n);
        for _ in 0..n {
            let pick = |rng: &mut ChaCha8Rng| rng.gen_range(0..accounts);
            let (from, tx) = match workload {
                Workload::Uniform | Workload::FeeHotspot => {
                    let (a, b) = (pick(&mut rng), pick(&mut rng));
                    let fee = if workload == Workload::FeeHotspot {
                        FEE
                    } else {
                        0
                    };
                    (a, self.transfer(a, b, fee, &mut nonces))
                }
                Workload::Accounts(k) => {
                    let k = k.min(accounts);
                    let (a, b) = (rng.gen_range(0..k), rng.gen_range(0..k));
                    (a, self.transfer(a, b, 0, &mut nonces))
                }
                Workload::Hot(p) => {
                    let one = |rng: &mut ChaCha8Rng| {
                        if rng.gen_range(0..100u8) < p {
                            rng.gen_range(0..hot)
                        } else {
                            rng.gen_range(0..accounts)
                        }
                    };
                    let (a, b) = (one(&mut rng), one(&mut rng));
                    (a, self.transfer(a, b, 0, &mut nonces))
                }
                Workload::OneSender => {
                    let b = pick(&mut rng);
                    (0, self.transfer(0, b, 0, &mut nonces))
                }
                Workload::Swap1Pool => {
                    let a = pick(&mut rng);
                    (a, self.swap(a, 0, &mut rng, &mut nonces))
                }
                Workload::Swap16Pools => {
                    let a = pick(&mut rng);
                    let pool = rng.gen_range(0..self.pools.len());
                    (a, self.swap(a, pool, &mut rng, &mut nonces))
                }
                Workload::Hybrid => {
                    let roll = rng.gen_range(0..100);
                    if roll < 60 {
                        let (a, b) = (pick(&mut rng), pick(&mut rng));
                        (a, self.transfer(a, b, FEE, &mut nonces))
                    } else if roll < 80 {
                        let a = pick(&mut rng);
                        let pool = rng.gen_range(0..2);
                        (a, self.swap(a, pool, &mut rng, &mut nonces))
                    } else if roll < 90 {
                        let lp = rng.gen_range(0..LIQUIDITY_PROVIDERS);
                        (
                            lp,
                            self.liquidity(lp, rng.gen_range(0..2), &mut rng, &mut nonces),
                        )
                    } else {
                        let a = pick(&mut rng);
                        let nonce = bump(&mut nonces, a);
                        let tx = L2Tx::Withdraw(Withdraw {
                            from: self.ids[a],
                            to: Address([7; 20]),
                            token: TokenId::ETH,
                            amount: 1 + rng.gen_range(0..1_000_000),
                            fee: FEE,
                            nonce,
                        });
                        (a, tx)
                    }
                }
            };
            plan.push((from, tx));
        }
        plan.into_par_iter()
            .with_min_len(64)
            .map(|(from, tx)| tx.sign(&self.keys[from], CHAIN_ID).into())
            .collect()
    }

    fn transfer(&self, a: usize, b: usize, fee: u64, nonces: &mut [u32]) -> L2Tx {
        let nonce = bump(nonces, a);
        L2Tx::Transfer(Transfer {
            from: self.ids[a],
            to: self.ids[b],
            token: TokenId::ETH,
            amount: 1 + (nonce as u64 % 1000),
            fee,
            nonce,
        })
    }

    fn swap(&self, a: usize, pool: usize, rng: &mut ChaCha8Rng, nonces: &mut [u32]) -> L2Tx {
        let nonce = bump(nonces, a);
        L2Tx::Swap(Swap {
            account: self.ids[a],
            pool: self.pools[pool],
            token_in: TokenId::ETH,
            amount_in: 1_000 + rng.gen_range(0..1_000_000),
            min_amount_out: 0,
            fee: FEE,
            nonce,
        })
    }

    fn liquidity(&self, lp: usize, pool: usize, rng: &mut ChaCha8Rng, nonces: &mut [u32]) -> L2Tx {
        let nonce = bump(nonces, lp);
        if rng.gen_bool(0.5) {
            L2Tx::AddLiquidity(AddLiquidity {
                account: self.ids[lp],
                pool: self.pools[pool],
                max_amount_a: 1_000_000,
                max_amount_b: 1_000_000,
                min_shares: 0,
                fee: FEE,
                nonce,
            })
        } else {
            L2Tx::RemoveLiquidity(RemoveLiquidity {
                account: self.ids[lp],
                pool: self.pools[pool],
                shares: 10_000,
                min_amount_a: 0,
                min_amount_b: 0,
                fee: FEE,
                nonce,
            })
        }
    }
}

fn bump(nonces: &mut [u32], a: usize) -> u32 {
    let n = nonces[a];
    nonces[a] += 1;
    n
}
