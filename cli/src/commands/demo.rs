//! `quire demo`: a generated workload on the reference state transition, with no service
//! and no proof.
//!
//! It exercises `quire-core` alone (signing, verification, tree updates), so it runs
//! anywhere and its state root is a deterministic function of the flags: a quick check
//! that a build computes what it should, and a rough measure of the state transition's
//! speed. Errors are plain `anyhow` ones (exit 1): nothing here is refused by a service.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use quire_core::account::{AccountId, Address, FEE_ACCOUNT};
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, PoolSpec, State};
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::{AddLiquidity, Deposit, L2Tx, Operation, PriorityOp, Swap, Transfer};

/// `quire demo`.
#[derive(Args, Debug, Clone)]
pub struct DemoCommand {
    /// Accounts to open by deposit.
    #[arg(long, default_value_t = 1_000)]
    pub accounts: u32,
    /// L2 transactions to generate after the deposits.
    #[arg(long, default_value_t = 10_000)]
    pub txs: u32,
    /// Seed of the workload generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// The demo's one ERC-20, paired with ETH in its one pool.
const USDC: TokenId = TokenId(1);

impl DemoCommand {
    /// Opens the accounts, seeds the pool, applies the workload and prints the results.
    pub fn run(self) -> Result<()> {
        let DemoCommand {
            accounts,
            txs,
            seed,
        } = self;
        if accounts < 2 {
            bail!("--accounts must be at least 2");
        }
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let genesis = genesis();
        let mut state = State::genesis(&genesis).context("building genesis")?;
        let pool = *state.pools().keys().next().context("genesis has a pool")?;
        println!("genesis root  {}", state.root());

        let started = Instant::now();
        let keys: Vec<SecretKey> = (0..accounts)
            .map(|i| SecretKey::from_seed(&[&seed.to_le_bytes()[..], &i.to_le_bytes()].concat()))
            .collect();
        let ids = open_accounts(&mut state, &keys)?;
        // Seed the pool with liquidity from the first account.
        let add = L2Tx::AddLiquidity(AddLiquidity {
            account: ids[0],
            pool,
            max_amount_a: 100_000_000_000,
            max_amount_b: 100_000_000_000,
            min_shares: 0,
            fee: 0,
            nonce: 0,
        });
        state
            .apply(&add.sign(&keys[0], genesis.chain_id).into())
            .context("seeding the pool")?;

        let mut nonces = vec![0u32; keys.len()];
        nonces[0] = 1;
        let (mut ok, mut rejected) = (0u32, 0u32);
        for _ in 0..txs {
            let i = rng.gen_range(0..keys.len());
            let tx = random_tx(&mut rng, &ids, i, nonces[i], pool);
            // A rejection (an overdrawn balance, a swap the pool refuses) is part of the
            // workload: it is counted, and the nonce stays.
            match state.apply(&tx.sign(&keys[i], genesis.chain_id).into()) {
                Ok(_) => {
                    nonces[i] += 1;
                    ok += 1;
                }
                Err(_) => rejected += 1,
            }
        }
        let root = state.root();
        let secs = started.elapsed().as_secs_f64();
        println!("accounts      {}", state.num_accounts());
        println!(
            "applied       {ok} L2 transactions ({rejected} rejected), {} deposits",
            accounts * 2
        );
        println!(
            "fee account   {} gwei ETH",
            state.balance(FEE_ACCOUNT, TokenId::ETH)
        );
        println!("state root    {root}");
        println!("time          {secs:.2} s (signing, verification and tree updates included)");
        Ok(())
    }
}

/// A fixed genesis (ETH, USDC and their pool), so that the root depends on the flags only.
fn genesis() -> Genesis {
    Genesis {
        chain_id: 1,
        operator: SecretKey::from_seed(b"quire demo operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![TokenInfo {
            id: USDC,
            symbol: "USDC".into(),
            l1_address: Address([0x11; 20]),
            scale: 1,
        }],
        pools: vec![PoolSpec {
            token_a: TokenId::ETH,
            token_b: USDC,
            fee_bps: 30,
        }],
    }
}

/// Opens one account per key by depositing ETH and USDC, as L1 address `[i; 20]`.
fn open_accounts(state: &mut State, keys: &[SecretKey]) -> Result<Vec<AccountId>> {
    let mut ids = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        for (token, amount) in [
            (TokenId::ETH, 1_000_000_000_000u64),
            (USDC, 1_000_000_000_000),
        ] {
            let op = Operation::Priority(PriorityOp::Deposit(Deposit {
                priority_id: state.next_priority_id(),
                from: Address([i as u8; 20]),
                to: key.public_key(),
                token,
                amount,
            }));
            state.apply(&op).context("deposit")?;
        }
        ids.push(
            state
                .account_id(&key.public_key(), &Address([i as u8; 20]))
                .context("deposit opened the account")?,
        );
    }
    Ok(ids)
}

/// One transaction of account `ids[i]`: a transfer 80% of the time, else a swap.
fn random_tx(
    rng: &mut ChaCha20Rng,
    ids: &[AccountId],
    i: usize,
    nonce: u32,
    pool: AccountId,
) -> L2Tx {
    if rng.gen_bool(0.8) {
        L2Tx::Transfer(Transfer {
            from: ids[i],
            to: ids[rng.gen_range(0..ids.len())],
            token: if rng.gen_bool(0.5) {
                TokenId::ETH
            } else {
                USDC
            },
            amount: rng.gen_range(1..1_000_000),
            fee: 10,
            nonce,
        })
    } else {
        L2Tx::Swap(Swap {
            account: ids[i],
            pool,
            token_in: if rng.gen_bool(0.5) {
                TokenId::ETH
            } else {
                USDC
            },
            amount_in: rng.gen_range(1_000..1_000_000),
            min_amount_out: 0,
            fee: 10,
            nonce,
        })
    }
}
