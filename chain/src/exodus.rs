//! Leaving in exodus from L1 data alone: where the queue stands, which deposits can be
//! reclaimed, and what an account can exit (with the Merkle proofs `Rollup.exit` and
//! `Rollup.settlePool` take) from the state rebuilt at the last executed batch.

use quire_core::account::{AccountId, Address};
use quire_core::amm::{self, AmmError};
use quire_core::state::{AccountProof, State};
use quire_core::token::TokenId;
use quire_core::tx::PriorityOp;
use quire_l1::WatchedOp;

use crate::view::ChainView;

/// Where the priority queue and the batches stand, as the mirror read them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueStatus {
    /// Exodus mode is on.
    pub exodus: bool,
    /// Last executed batch.
    pub executed: u64,
    /// Last proven batch (exits wait until every proven batch is executed).
    pub proven: u64,
    /// Last committed batch.
    pub committed: u64,
    /// The oldest priority operation no executed batch consumed, if any: its deadline is
    /// when anyone may start exodus.
    pub oldest_pending: Option<WatchedOp>,
    /// Priority operations no executed batch consumed.
    pub pending: u64,
}

impl QueueStatus {
    /// The status the view shows.
    pub fn of(view: &ChainView) -> QueueStatus {
        let first_pending = view.first_unexecuted_priority_id();
        QueueStatus {
            exodus: view.exodus,
            executed: view.executed,
            proven: view.proven,
            committed: view.committed(),
            oldest_pending: view.priority_ops.get(first_pending as usize).cloned(),
            pending: (view.priority_ops.len() as u64).saturating_sub(first_pending),
        }
    }
}

/// Deposits no executed batch consumed, oldest first: what `Rollup.reclaimDeposit` pays
/// back in exodus. `depositor` keeps only those of one L1 address.
pub fn reclaimable_deposits(view: &ChainView, depositor: Option<Address>) -> Vec<WatchedOp> {
    let first_pending = view.first_unexecuted_priority_id();
    view.priority_ops
        .iter()
        .skip(first_pending as usize)
        .filter(|w| match (&w.op, depositor) {
            (PriorityOp::Deposit(d), Some(a)) => d.from == a,
            (PriorityOp::Deposit(_), None) => true,
            _ => false,
        })
        .cloned()
        .collect()
}

/// A share balance's exit: what `Rollup.exit` pays for it (`amm::remove_liquidity`'s
/// rounding against the pool's settled reserves).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareExit {
    /// The share token.
    pub share_token: TokenId,
    /// Shares held.
    pub shares: u64,
    /// The pool's account.
    pub pool: AccountId,
    /// Token A and its amount.
    pub a: (TokenId, u64),
    /// Token B and its amount.
    pub b: (TokenId, u64),
}

/// Everything one account can exit, with the proofs to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitPlan {
    /// The account.
    pub account: AccountId,
    /// Who is paid (the account's L1 owner).
    pub owner: Address,
    /// L1-asset balances: (token, amount in L2 units).
    pub assets: Vec<(TokenId, u64)>,
    /// Share balances and what they pay.
    pub shares: Vec<ShareExit>,
    /// Share balances too small to pay anything (both amounts round to zero; the contract
    /// refuses them as `RemoveLiquidity` does).
    pub dust: Vec<(TokenId, u64)>,
    /// Pools the share exits need settled first (`Rollup.settlePool`, once per pool, by
    /// anyone), with their settlement proofs.
    pub pools: Vec<(AccountId, AccountProof)>,
    /// The exit proofs: one `Rollup.exit` transaction each, at most
    /// [`AccountProof::MAX_OPENINGS`] tokens per proof.
    pub proofs: Vec<AccountProof>,
}

/// Why an account has nothing to exit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExitError {
    /// No such account in the rebuilt state.
    #[error("account {0} does not exist at the last executed batch")]
    UnknownAccount(AccountId),
    /// Keyless accounts (the bridge reserve, pools) belong to nobody.
    #[error("account {0} is keyless: nobody can exit it")]
    Keyless(AccountId),
    /// The account holds nothing exitable (of that token).
    #[error("account {account} holds nothing to exit{}", token.map(|t| format!(" of token {t}")).unwrap_or_default())]
    Nothing {
        /// The account.
        account: AccountId,
        /// The token asked for.
        token: Option<TokenId>,
    },
}

/// What `account` can exit from `state` (the state at the last executed batch), every
/// token or only `token`; `already_exited` says which tokens `Rollup.isExited` reports.
pub fn plan_exit(
    state: &mut State,
    account: AccountId,
    token: Option<TokenId>,
    already_exited: impl Fn(TokenId) -> bool,
) -> Result<ExitPlan, ExitError> {
    let record = state
        .account(account)
        .ok_or(ExitError::UnknownAccount(account))?
        .clone();
    if record.pubkey.is_none() || record.l1_owner == Address::ZERO {
        return Err(ExitError::Keyless(account));
    }
    let mut plan = ExitPlan {
        account,
        owner: record.l1_owner,
        assets: Vec::new(),
        shares: Vec::new(),
        dust: Vec::new(),
        pools: Vec::new(),
        proofs: Vec::new(),
    };
    let mut exiting = Vec::new();
    for (&t, &balance) in &record.balances {
        if token.is_some_and(|only| only != t) || balance == 0 || already_exited(t) {
            continue;
        }
        if t.is_l1_asset() {
            plan.assets.push((t, balance));
            exiting.push(t);
            continue;
        }
        let Some(pool) = state.pools().values().find(|p| p.share_token == t).cloned() else {
            continue;
        };
        let ra = state.balance(pool.account, pool.token_a);
        let rb = state.balance(pool.account, pool.token_b);
        match amm::remove_liquidity(ra, rb, state.pool_supply(&pool), balance) {
            Ok((a, b)) => {
                plan.shares.push(ShareExit {
                    share_token: t,
                    shares: balance,
                    pool: pool.account,
                    a: (pool.token_a, a),
                    b: (pool.token_b, b),
                });
                exiting.push(t);
                if !plan.pools.iter().any(|(p, _)| *p == pool.account) {
                    if let Some(proof) = state.pool_settlement_proof(pool.account) {
                        plan.pools.push((pool.account, proof));
                    }
                }
            }
            Err(AmmError::ZeroOutput) => plan.dust.push((t, balance)),
            Err(_) => continue,
        }
    }
    if exiting.is_empty() {
        return Err(ExitError::Nothing { account, token });
    }
    for tokens in exiting.chunks(AccountProof::MAX_OPENINGS) {
        if let Some(proof) = state.account_proof(account, tokens) {
            plan.proofs.push(proof);
        }
    }
    Ok(plan)
}
