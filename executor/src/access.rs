//! Read/write sets derived from a transaction's fields alone (Sealevel-style).
//!
//! A *slot* is one account's nonce or one (account, token) balance; pool reserves are the
//! pool account's balances. Each transaction declares
//! - **exclusive** slots: anything it reads — debited balances (the debit checks the
//!   balance), its signer's nonce, pool reserves and share supply (the AMM reads them);
//! - **credits**: balances it only adds to. A credit needs no read, so credits to one slot
//!   commute with each other, and a hot receiver (the fee account, the bridge reserve, an
//!   exchange's deposit address) does not serialize the batch.
//!
//! Over-approximating is safe (it only costs parallelism); missing a read would not be, so
//! every slot that [`quire_core::state::State::plan_l2`] reads is exclusive here. Account
//! existence and keys are also read, but they never change inside a run of L2
//! transactions: only deposits open accounts, and the executor runs them sequentially.

use smallvec::SmallVec;

use quire_core::account::{AccountId, BRIDGE_ACCOUNT, FEE_ACCOUNT};
use quire_core::amm::Pool;
use quire_core::state::State;
use quire_core::token::TokenId;
use quire_core::tx::L2Tx;

/// A slot packed into a `u64`: `account << 9 | is_nonce << 8 | token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot(u64);

impl Slot {
    /// A balance slot.
    pub fn balance(account: AccountId, token: TokenId) -> Self {
        Slot(((account.get() as u64) << 9) | token.0 as u64)
    }

    /// A nonce slot.
    pub fn nonce(account: AccountId) -> Self {
        Slot(((account.get() as u64) << 9) | (1 << 8))
    }
}

/// The slots one transaction touches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessSet {
    /// Slots read (and possibly written). Inline: no transaction reads more than six.
    pub exclusive: SmallVec<[Slot; 6]>,
    /// Slots only added to; never also listed in `exclusive`.
    pub credits: SmallVec<[Slot; 3]>,
}

impl AccessSet {
    fn finish(mut self) -> Self {
        self.exclusive.sort_unstable();
        self.exclusive.dedup();
        self.credits.sort_unstable();
        self.credits.dedup();
        let exclusive = &self.exclusive;
        self.credits.retain(|c| exclusive.binary_search(c).is_err());
        self
    }
}

/// The access set of an L2 transaction, given the state's (static) pool registry.
pub fn access_set(state: &State, tx: &L2Tx) -> AccessSet {
    let pool = |id: AccountId| -> Option<&Pool> { state.pools().get(&id) };
    let bal = Slot::balance;
    let mut set = AccessSet::default();
    set.exclusive.push(Slot::nonce(tx.signer()));
    match tx {
        L2Tx::Transfer(t) => {
            set.exclusive.push(bal(t.from, t.token));
            set.credits
                .extend([bal(t.to, t.token), bal(FEE_ACCOUNT, t.token)]);
        }
        L2Tx::Withdraw(t) => {
            set.exclusive.push(bal(t.from, t.token));
            set.credits
                .extend([bal(BRIDGE_ACCOUNT, t.token), bal(FEE_ACCOUNT, t.token)]);
        }
        L2Tx::Swap(t) => {
            if let Some(p) = pool(t.pool) {
                let token_out = p.counterpart(t.token_in).unwrap_or(p.token_b);
                set.exclusive.extend([
                    bal(t.account, t.token_in),
                    bal(p.account, p.token_a),
                    bal(p.account, p.token_b),
                ]);
                set.credits
                    .extend([bal(t.account, token_out), bal(FEE_ACCOUNT, t.token_in)]);
            }
        }
        L2Tx::AddLiquidity(t) => {
            if let Some(p) = pool(t.pool) {
                set.exclusive.extend([
                    bal(t.account, p.token_a),
                    bal(t.account, p.token_b),
                    bal(p.account, p.token_a),
                    bal(p.account, p.token_b),
                    bal(p.account, p.share_token),
                ]);
                set.credits.extend([
                    bal(t.account, p.share_token),
                    bal(BRIDGE_ACCOUNT, p.share_token),
                    bal(FEE_ACCOUNT, p.token_a),
                ]);
            }
        }
        L2Tx::RemoveLiquidity(t) => {
            if let Some(p) = pool(t.pool) {
                set.exclusive.extend([
                    bal(t.account, p.token_a),
                    bal(t.account, p.share_token),
                    bal(p.account, p.token_a),
                    bal(p.account, p.token_b),
                    bal(p.account, p.share_token),
                ]);
                set.credits
                    .extend([bal(t.account, p.token_b), bal(FEE_ACCOUNT, p.token_a)]);
            }
        }
    }
    set.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_both_credited_and_read_is_exclusive_only() {
        let a = AccountId::new(5).unwrap_or_else(|| unreachable!());
        let s = AccessSet {
            exclusive: [Slot::balance(a, TokenId(1)), Slot::nonce(a)]
                .into_iter()
                .collect(),
            credits: [Slot::balance(a, TokenId(1)), Slot::balance(a, TokenId(2))]
                .into_iter()
                .collect(),
        }
        .finish();
        assert_eq!(s.credits.as_slice(), &[Slot::balance(a, TokenId(2))]);
        assert_ne!(Slot::nonce(a), Slot::balance(a, TokenId(0)));
    }
}
