//! The sequential reference state transition: every rule of every operation.
//!
//! Each operation first computes all its effects against a small overlay of the balances it
//! touches (so aliasing — a transfer to oneself, the operator paying a fee to itself — needs
//! no special case), and writes them to the state only if every check passed: a rejected
//! operation changes nothing. Zero-amount credits and debits touch nothing.

use super::*;
use crate::amm::{self, AmmError, MINIMUM_LIQUIDITY};
use crate::hash::Digest;
use crate::schnorr;
use crate::tx::packing::{pack_fee, round_fee_up};
use crate::tx::{pubdata, Deposit, FullExit, L2Tx, Operation, PriorityOp, SignedTx};

/// What one operation does to a balance slot.
///
/// A slot that is only credited records a delta ([`SlotEffect::Add`]): a credit needs no
/// read, so the parallel executor can merge the credits of many transactions to one hot
/// slot (the fee account) in any order. A slot that is debited is read and records its
/// final value ([`SlotEffect::Set`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotEffect {
    /// The slot's new value.
    Set(u64),
    /// An amount added to whatever the slot holds.
    Add(u64),
}

/// Everything an accepted L2 transaction writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effects {
    /// Balance slots, each at most once.
    pub balances: Vec<(AccountId, TokenId, SlotEffect)>,
    /// The signer's new nonce.
    pub nonce: (AccountId, u32),
}

/// An accepted L2 transaction: its receipt and its writes, not yet applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// The receipt.
    pub receipt: Receipt,
    /// The writes.
    pub effects: Effects,
}

/// Pending balance changes of one operation, read through to the state.
struct Overlay<'s> {
    state: &'s State,
    // A handful of slots per operation: a vector beats a map here.
    slots: Vec<(AccountId, TokenId, SlotEffect)>,
}

impl<'s> Overlay<'s> {
    fn new(state: &'s State) -> Self {
        Self {
            state,
            slots: Vec::with_capacity(6),
        }
    }

    fn slot(&mut self, account: AccountId, token: TokenId) -> Option<&mut SlotEffect> {
        self.slots
            .iter_mut()
            .find(|(a, t, _)| *a == account && *t == token)
            .map(|s| &mut s.2)
    }

    fn get(&mut self, account: AccountId, token: TokenId) -> u64 {
        let base = self.state.balance(account, token);
        match self.slot(account, token) {
            Some(SlotEffect::Set(v)) => *v,
            // The sum stays ≤ MAX_AMOUNT: every credit was checked when recorded.
            Some(SlotEffect::Add(d)) => base + *d,
            None => base,
        }
    }

    fn debit(&mut self, account: AccountId, token: TokenId, amount: u128) -> Result<(), TxError> {
        if amount == 0 {
            return Ok(());
        }
        let available = self.get(account, token);
        if amount > available as u128 {
            return Err(TxError::InsufficientBalance {
                account,
                token,
                needed: amount,
                available,
            });
        }
        let new = SlotEffect::Set(available - amount as u64);
        match self.slot(account, token) {
            Some(effect) => *effect = new,
            None => self.slots.push((account, token, new)),
        }
        Ok(())
    }

    fn credit(&mut self, account: AccountId, token: TokenId, amount: u64) -> Result<(), TxError> {
        if amount == 0 {
            return Ok(());
        }
        let overflow = TxError::BalanceOverflow { account, token };
        let fits = |v: u64| v.checked_add(amount).filter(|&s| s <= MAX_AMOUNT).is_some();
        if !fits(self.get(account, token)) {
            return Err(overflow);
        }
        match self.slot(account, token) {
            Some(SlotEffect::Set(v)) => *v += amount,
            Some(SlotEffect::Add(d)) => *d += amount,
            None => self.slots.push((account, token, SlotEffect::Add(amount))),
        }
        Ok(())
    }

    /// The balance writes, releasing the borrow of the state.
    fn into_writes(self) -> Vec<(AccountId, TokenId, SlotEffect)> {
        self.slots
    }
}

/// `1 ≤ v < 2^63`.
fn positive(field: &'static str, value: u64) -> Result<(), TxError> {
    if value == 0 || value > MAX_AMOUNT {
        return Err(TxError::AmountOutOfRange { field, value });
    }
    Ok(())
}

/// `0 ≤ v < 2^63`.
fn bounded(field: &'static str, value: u64) -> Result<(), TxError> {
    if value > MAX_AMOUNT {
        return Err(TxError::AmountOutOfRange { field, value });
    }
    Ok(())
}

fn packable_fee(fee: u64) -> Result<(), TxError> {
    bounded("fee", fee)?;
    if pack_fee(fee).is_none() {
        return Err(TxError::FeeNotPackable {
            fee,
            suggestion: round_fee_up(fee),
        });
    }
    Ok(())
}

/// The receipt of an accepted operation with this outcome.
fn receipt(op: &Operation, hash: Digest, outcome: Outcome) -> Receipt {
    let pubdata = pubdata::encode(op, &outcome).unwrap_or_else(|e| {
        unreachable!("outcome matches its operation and fees are checked: {e}")
    });
    let op_type = match op {
        Operation::L2(s) => s.tx.op_type(),
        Operation::Priority(PriorityOp::Deposit(_)) => crate::tx::OpType::Deposit,
        Operation::Priority(PriorityOp::FullExit(_)) => crate::tx::OpType::FullExit,
    };
    Receipt {
        hash,
        op_type,
        outcome,
        pubdata,
    }
}

impl State {
    /// Writes balance effects. `Add` is checked: it cannot overflow while every token's
    /// supply is bounded by the bridge reserve (D1), and if it ever did, nothing is written.
    fn write_balances(
        &mut self,
        writes: &[(AccountId, TokenId, SlotEffect)],
    ) -> Result<(), TxError> {
        let mut values = Vec::with_capacity(writes.len());
        for &(account, token, effect) in writes {
            self.account(account)
                .ok_or(TxError::UnknownAccount(account))?;
            let value = match effect {
                SlotEffect::Set(v) => v,
                SlotEffect::Add(d) => self
                    .balance(account, token)
                    .checked_add(d)
                    .filter(|&v| v <= MAX_AMOUNT)
                    .ok_or(TxError::BalanceOverflow { account, token })?,
            };
            values.push((account, token, value));
        }
        for (account, token, value) in values {
            self.write_balance(account, token, value);
        }
        Ok(())
    }

    /// Applies the effects of a planned transaction (see [`State::plan_l2`]).
    pub fn commit_effects(&mut self, effects: &Effects) -> Result<(), TxError> {
        let (signer, nonce) = effects.nonce;
        self.account(signer)
            .ok_or(TxError::UnknownAccount(signer))?;
        self.write_balances(&effects.balances)?;
        self.write_nonce(signer, nonce);
        Ok(())
    }

    /// Applies one operation with every rule, verifying the signature of L2 transactions.
    /// On error the state is unchanged.
    pub fn apply(&mut self, op: &Operation) -> Result<Receipt, TxError> {
        self.apply_with(op, |pk, msg, sig| schnorr::verify(pk, msg, sig).is_ok())
    }

    /// Applies one operation whose signature was already checked: `signature_valid` must be
    /// the result of [`schnorr::verify`] against the signer's key and this operation's
    /// signing hash. For executors that verify signatures in a separate parallel stage.
    pub fn apply_preverified(
        &mut self,
        op: &Operation,
        signature_valid: bool,
    ) -> Result<Receipt, TxError> {
        self.apply_with(op, |_, _, _| signature_valid)
    }

    fn apply_with(
        &mut self,
        op: &Operation,
        verify: impl FnOnce(&PublicKey, &Digest, &schnorr::Signature) -> bool,
    ) -> Result<Receipt, TxError> {
        match op {
            Operation::L2(signed) => {
                let hash = signed.tx.signing_hash(self.chain_id);
                let planned =
                    self.plan_l2(signed, hash, |pk| verify(pk, &hash, &signed.signature))?;
                self.commit_effects(&planned.effects)?;
                Ok(planned.receipt)
            }
            Operation::Priority(p) => {
                let outcome = self.apply_priority(p)?;
                Ok(receipt(op, p.hash(), outcome))
            }
        }
    }

    fn pool_of(&self, pool: AccountId) -> Result<&Pool, TxError> {
        self.pools.get(&pool).ok_or(TxError::UnknownPool(pool))
    }

    /// Whether an L2 transaction may name `token`. Every L1 asset id may: the rollup contract
    /// decides which L1 assets exist (governance registers them at any time) and a balance of
    /// one can only come from a deposit the contract accepted, so L2 rules never wait for the
    /// sequencer to learn of a registration (issue 14, part 3; the circuit has no registry
    /// either). Share-token ids exist only as genesis pools' shares.
    fn token_usable(&self, token: TokenId) -> Result<(), TxError> {
        if token.is_l1_asset() || self.tokens.contains(token) {
            Ok(())
        } else {
            Err(TxError::UnknownToken(token))
        }
    }

    /// Rule 1 of an L2 transaction: the checks that need no account state (amount and fee
    /// ranges, fee packing, token and pool registry). Public so the API can reject such
    /// transactions before they reach the mempool, with the same error.
    pub fn check_static(&self, tx: &L2Tx) -> Result<(), TxError> {
        match tx {
            L2Tx::Transfer(t) => {
                positive("amount", t.amount)?;
                packable_fee(t.fee)?;
                self.token_usable(t.token)
            }
            L2Tx::Withdraw(t) => {
                positive("amount", t.amount)?;
                packable_fee(t.fee)?;
                self.token_usable(t.token)?;
                if !t.token.is_l1_asset() {
                    return Err(TxError::NotAnL1Asset(t.token));
                }
                // Funds sent to address zero would be debited on L2 and never claimable.
                if t.to == Address::ZERO {
                    return Err(TxError::ZeroRecipient);
                }
                Ok(())
            }
            L2Tx::Swap(t) => {
                positive("amount_in", t.amount_in)?;
                bounded("min_amount_out", t.min_amount_out)?;
                packable_fee(t.fee)?;
                let pool = self.pool_of(t.pool)?;
                pool.counterpart(t.token_in)
                    .map(|_| ())
                    .ok_or(TxError::TokenNotInPool {
                        pool: t.pool,
                        token: t.token_in,
                    })
            }
            L2Tx::AddLiquidity(t) => {
                positive("max_amount_a", t.max_amount_a)?;
                positive("max_amount_b", t.max_amount_b)?;
                bounded("min_shares", t.min_shares)?;
                packable_fee(t.fee)?;
                self.pool_of(t.pool).map(|_| ())
            }
            L2Tx::RemoveLiquidity(t) => {
                positive("shares", t.shares)?;
                bounded("min_amount_a", t.min_amount_a)?;
                bounded("min_amount_b", t.min_amount_b)?;
                packable_fee(t.fee)?;
                self.pool_of(t.pool).map(|_| ())
            }
        }
    }

    /// Checks every rule of an L2 transaction against the current state and computes its
    /// receipt and writes without applying them. `hash` must be the transaction's signing
    /// hash for this chain; `verify` is called (at most once, after the static and signer
    /// checks) with the signer's key and must say whether the signature is valid.
    ///
    /// [`State::apply`] is `plan_l2` then [`State::commit_effects`]; the parallel executor
    /// plans many transactions against a shared state and merges their effects.
    pub fn plan_l2(
        &self,
        signed: &SignedTx,
        hash: Digest,
        verify: impl FnOnce(&PublicKey) -> bool,
    ) -> Result<Planned, TxError> {
        let tx = &signed.tx;
        self.check_static(tx)?;

        // Rules 2–4: signer, signature, nonce.
        let signer_id = tx.signer();
        let signer = self
            .account(signer_id)
            .ok_or(TxError::UnknownAccount(signer_id))?;
        let pubkey = signer
            .pubkey
            .as_ref()
            .ok_or(TxError::KeylessAccount(signer_id))?;
        if !verify(pubkey) {
            return Err(TxError::BadSignature);
        }
        if tx.nonce() != signer.nonce {
            return Err(TxError::BadNonce {
                expected: signer.nonce,
                got: tx.nonce(),
            });
        }
        let next_nonce = signer.nonce.checked_add(1).ok_or(TxError::NonceOverflow)?;

        // Rules 5–7, computed on an overlay and committed only on success.
        let mut o = Overlay::new(self);
        let outcome = match tx {
            L2Tx::Transfer(t) => {
                let to = self.account(t.to).ok_or(TxError::UnknownAccount(t.to))?;
                if to.pubkey.is_none() {
                    return Err(TxError::KeylessAccount(t.to));
                }
                o.debit(t.from, t.token, t.amount as u128 + t.fee as u128)?;
                o.credit(t.to, t.token, t.amount)?;
                o.credit(FEE_ACCOUNT, t.token, t.fee)?;
                Outcome::Transfer
            }
            L2Tx::Withdraw(t) => {
                o.debit(t.from, t.token, t.amount as u128 + t.fee as u128)?;
                o.credit(BRIDGE_ACCOUNT, t.token, t.amount)?;
                o.credit(FEE_ACCOUNT, t.token, t.fee)?;
                Outcome::Withdraw
            }
            L2Tx::Swap(t) => {
                let pool = self.pool_of(t.pool)?;
                let token_out = pool
                    .counterpart(t.token_in)
                    .ok_or(TxError::TokenNotInPool {
                        pool: t.pool,
                        token: t.token_in,
                    })?;
                let r_in = self.balance(pool.account, t.token_in);
                let r_out = self.balance(pool.account, token_out);
                let out = amm::swap_output(r_in, r_out, t.amount_in, pool.fee_bps)?;
                if out < t.min_amount_out {
                    return Err(AmmError::Slippage {
                        got: out,
                        limit: t.min_amount_out,
                    }
                    .into());
                }
                o.debit(t.account, t.token_in, t.amount_in as u128 + t.fee as u128)?;
                o.credit(pool.account, t.token_in, t.amount_in)?;
                o.debit(pool.account, token_out, out as u128)?;
                o.credit(t.account, token_out, out)?;
                o.credit(FEE_ACCOUNT, t.token_in, t.fee)?;
                Outcome::Swap { amount_out: out }
            }
            L2Tx::AddLiquidity(t) => {
                let pool = self.pool_of(t.pool)?;
                let supply = self.pool_supply(pool);
                let ra = self.balance(pool.account, pool.token_a);
                let rb = self.balance(pool.account, pool.token_b);
                let add = amm::add_liquidity(ra, rb, supply, t.max_amount_a, t.max_amount_b)?;
                if add.shares < t.min_shares {
                    return Err(AmmError::Slippage {
                        got: add.shares,
                        limit: t.min_shares,
                    }
                    .into());
                }
                let locked = if supply == 0 { MINIMUM_LIQUIDITY } else { 0 };
                o.debit(
                    t.account,
                    pool.token_a,
                    add.amount_a as u128 + t.fee as u128,
                )?;
                o.debit(t.account, pool.token_b, add.amount_b as u128)?;
                o.credit(pool.account, pool.token_a, add.amount_a)?;
                o.credit(pool.account, pool.token_b, add.amount_b)?;
                o.debit(
                    pool.account,
                    pool.share_token,
                    add.shares as u128 + locked as u128,
                )?;
                o.credit(t.account, pool.share_token, add.shares)?;
                // The first deposit's locked shares go to the keyless bridge account, which
                // can never move them.
                o.credit(BRIDGE_ACCOUNT, pool.share_token, locked)?;
                o.credit(FEE_ACCOUNT, pool.token_a, t.fee)?;
                Outcome::AddLiquidity {
                    amount_a: add.amount_a,
                    amount_b: add.amount_b,
                    shares: add.shares,
                }
            }
            L2Tx::RemoveLiquidity(t) => {
                let pool = self.pool_of(t.pool)?;
                let supply = self.pool_supply(pool);
                let ra = self.balance(pool.account, pool.token_a);
                let rb = self.balance(pool.account, pool.token_b);
                let (a, b) = amm::remove_liquidity(ra, rb, supply, t.shares)?;
                if a < t.min_amount_a {
                    return Err(AmmError::Slippage {
                        got: a,
                        limit: t.min_amount_a,
                    }
                    .into());
                }
                if b < t.min_amount_b {
                    return Err(AmmError::Slippage {
                        got: b,
                        limit: t.min_amount_b,
                    }
                    .into());
                }
                // The fee comes from the balance held before the burn.
                o.debit(t.account, pool.token_a, t.fee as u128)?;
                o.debit(t.account, pool.share_token, t.shares as u128)?;
                o.credit(pool.account, pool.share_token, t.shares)?;
                o.debit(pool.account, pool.token_a, a as u128)?;
                o.debit(pool.account, pool.token_b, b as u128)?;
                o.credit(t.account, pool.token_a, a)?;
                o.credit(t.account, pool.token_b, b)?;
                o.credit(FEE_ACCOUNT, pool.token_a, t.fee)?;
                Outcome::RemoveLiquidity {
                    amount_a: a,
                    amount_b: b,
                }
            }
        };
        let effects = Effects {
            balances: o.into_writes(),
            nonce: (signer_id, next_nonce),
        };
        let op = Operation::L2(signed.clone());
        Ok(Planned {
            receipt: receipt(&op, hash, outcome),
            effects,
        })
    }

    fn apply_priority(&mut self, op: &PriorityOp) -> Result<Outcome, TxError> {
        let expected = self.next_priority_id;
        if op.priority_id() != expected {
            return Err(TxError::PriorityOutOfOrder {
                expected,
                got: op.priority_id(),
            });
        }
        let outcome = match op {
            PriorityOp::Deposit(d) => self.apply_deposit(d),
            PriorityOp::FullExit(e) => self.apply_full_exit(e),
        };
        self.next_priority_id += 1;
        Ok(outcome)
    }

    fn apply_deposit(&mut self, d: &Deposit) -> Outcome {
        let refund = |reason| Outcome::Deposit {
            account: BRIDGE_ACCOUNT,
            created: false,
            credited: false,
            refund: Some(reason),
        };
        // Any L1 asset id: the contract queues deposits of registered tokens only, and the
        // circuit credits every L1 asset id, so a token registered after genesis is credited
        // like ETH (issue 14, part 3). A share-token id can never come from L1.
        if !d.token.is_l1_asset() {
            return refund(RefundReason::UnknownToken);
        }
        if d.amount == 0 || d.amount > MAX_AMOUNT {
            return refund(RefundReason::AmountOutOfRange);
        }
        // The account is the pair (key, sender): a deposit never credits an account some other
        // L1 address owns (D10; the first-depositor front-run of issue 14).
        let existing = self.account_id(&d.to, &d.from);
        if existing.is_none() && self.num_accounts() >= AccountId::LIMIT {
            return refund(RefundReason::AccountTreeFull);
        }
        // The bridge reserve holds MAX_AMOUNT − supply: running short means the token's
        // total supply would pass 2^63 − 1.
        if self.balance(BRIDGE_ACCOUNT, d.token) < d.amount {
            return refund(RefundReason::SupplyCapReached);
        }
        // Cannot overflow while the bridge bounds the supply (D1); checked all the same.
        let held = existing.map_or(0, |id| self.balance(id, d.token));
        let Some(new_balance) = held.checked_add(d.amount).filter(|&v| v <= MAX_AMOUNT) else {
            return refund(RefundReason::SupplyCapReached);
        };
        let account = match existing {
            Some(id) => id,
            None => self.push_account(Account::with_key(d.to, d.from)),
        };
        let bridge = self.balance(BRIDGE_ACCOUNT, d.token);
        self.write_balance(BRIDGE_ACCOUNT, d.token, bridge - d.amount);
        self.write_balance(account, d.token, new_balance);
        Outcome::Deposit {
            account,
            created: existing.is_none(),
            credited: true,
            refund: None,
        }
    }

    fn apply_full_exit(&mut self, e: &FullExit) -> Outcome {
        let amount = match self.account(e.account) {
            Some(acc)
                if acc.pubkey.is_some() && acc.l1_owner == e.owner && e.token.is_l1_asset() =>
            {
                acc.balance(e.token)
            }
            _ => 0,
        };
        // The bridge holds MAX_AMOUNT − supply ≥ any balance, so this cannot overflow (D1);
        // checked all the same, exiting nothing if it did.
        let bridge = self.balance(BRIDGE_ACCOUNT, e.token);
        let amount = if bridge.checked_add(amount).is_some_and(|v| v <= MAX_AMOUNT) {
            amount
        } else {
            0
        };
        if amount > 0 {
            self.write_balance(e.account, e.token, 0);
            self.write_balance(BRIDGE_ACCOUNT, e.token, bridge + amount);
        }
        Outcome::FullExit { amount }
    }
}
