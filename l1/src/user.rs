//! What a user (the CLI) does on L1: deposit ETH or an ERC-20, request a full exit, and
//! collect what executed batches made claimable.

use std::sync::Arc;

use ethers::contract::{ContractCall, EthEvent};
use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, Bytes, TransactionReceipt, H256, U256};
use quire_core::account::AccountId;
use quire_core::schnorr::PublicKey;
use quire_core::token::TokenId;
use quire_core::tx::PriorityOp;

use crate::bindings::erc20::IERC20;
use crate::bindings::rollup::{DepositQueuedFilter, FullExitQueuedFilter, Rollup, WithdrawnFilter};
use crate::error::L1Error;
use crate::watcher::decode_priority_op;

/// A priority operation a user queued, as read back from the transaction's receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    /// The operation as the L2 will see it (with its priority id).
    pub op: PriorityOp,
    /// The L1 transaction.
    pub tx: H256,
    /// Its block.
    pub block: u64,
    /// The priority fee the transaction paid on top (wei).
    pub fee: U256,
}

/// Sends a call, waits until mined (`confirmations` deep) and insists on success.
async fn send_call<M: Middleware + 'static, D: ethers::abi::Detokenize>(
    call: ContractCall<M, D>,
    confirmations: usize,
) -> Result<TransactionReceipt, L1Error> {
    let pending = call.send().await.map_err(L1Error::contract)?;
    let hash = *pending;
    let receipt = pending
        .confirmations(confirmations.max(1))
        .await
        .map_err(L1Error::rpc)?
        .ok_or_else(|| L1Error::Rpc(format!("transaction {hash:?} was dropped")))?;
    if receipt.status != Some(1.into()) {
        return Err(L1Error::TxFailed {
            hash,
            block: receipt.block_number.map_or(0, |b| b.as_u64()),
        });
    }
    Ok(receipt)
}

/// The priority operation a receipt queued, which paid `fee`.
fn queued(receipt: &TransactionReceipt, rollup: EthAddress, fee: U256) -> Result<Queued, L1Error> {
    let log = receipt
        .logs
        .iter()
        .find(|l| {
            l.address == rollup
                && matches!(l.topics.first(), Some(t) if *t == DepositQueuedFilter::signature()
                    || *t == FullExitQueuedFilter::signature())
        })
        .ok_or_else(|| L1Error::InvalidEvent("the transaction queued no priority op".into()))?;
    Ok(Queued {
        op: decode_priority_op(log)?,
        tx: receipt.transaction_hash,
        block: receipt.block_number.map_or(0, |b| b.as_u64()),
        fee,
    })
}

/// Wei every priority request (deposit, full-exit request) pays the operator on top
/// (`Rollup.priorityFee`, fixed at deployment; D16).
pub async fn priority_fee<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
) -> Result<U256, L1Error> {
    Rollup::new(rollup, client)
        .priority_fee()
        .call()
        .await
        .map_err(L1Error::contract)
}

/// Deposits `amount_wei` (a positive multiple of 1 gwei) to the L2 account of `to`; the
/// transaction's value is `amount_wei` plus the priority fee.
pub async fn deposit_eth<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    to: &PublicKey,
    amount_wei: U256,
    confirmations: usize,
) -> Result<Queued, L1Error> {
    let fee = priority_fee(client.clone(), rollup).await?;
    let r = Rollup::new(rollup, client);
    let call = r
        .deposit_eth(Bytes::from(to.to_bytes().to_vec()))
        .value(amount_wei + fee);
    let receipt = send_call(call, confirmations).await?;
    queued(&receipt, rollup, fee)
}

/// Deposits `amount` (L1 units, a multiple of the token's scale) of a registered ERC-20 to
/// the L2 account of `to`, first approving the rollup if the allowance is short; the
/// transaction's value is the priority fee.
pub async fn deposit_erc20<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    token: EthAddress,
    amount: U256,
    to: &PublicKey,
    confirmations: usize,
) -> Result<Queued, L1Error> {
    let owner = client
        .default_sender()
        .ok_or_else(|| L1Error::Config("the client has no signer".into()))?;
    let erc20 = IERC20::new(token, client.clone());
    let allowance = erc20
        .allowance(owner, rollup)
        .call()
        .await
        .map_err(L1Error::contract)?;
    if allowance < amount {
        send_call(erc20.approve(rollup, amount), confirmations).await?;
    }
    let fee = priority_fee(client.clone(), rollup).await?;
    let r = Rollup::new(rollup, client);
    let call = r
        .deposit_erc20(token, amount, Bytes::from(to.to_bytes().to_vec()))
        .value(fee);
    let receipt = send_call(call, confirmations).await?;
    queued(&receipt, rollup, fee)
}

/// Asks the L2 to move the whole `token` balance of `account` to L1; it pays out only if the
/// sender is the account's L1 owner. The transaction's value is the priority fee.
pub async fn request_full_exit<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    account: AccountId,
    token: TokenId,
    confirmations: usize,
) -> Result<Queued, L1Error> {
    let fee = priority_fee(client.clone(), rollup).await?;
    let r = Rollup::new(rollup, client);
    let call = r.request_full_exit(account.get(), token.0).value(fee);
    let receipt = send_call(call, confirmations).await?;
    queued(&receipt, rollup, fee)
}

/// What `owner` can claim of `token` (L1 units) from executed batches and exits.
pub async fn claimable<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    owner: EthAddress,
    token: TokenId,
) -> Result<U256, L1Error> {
    Rollup::new(rollup, client)
        .claimable(owner, U256::from(token.0))
        .call()
        .await
        .map_err(L1Error::contract)
}

/// Pays `owner`'s whole claimable balance of `token` to `owner` (anyone may send this; the
/// funds always go to the owner). Returns the amount paid (L1 units) and the transaction.
pub async fn claim<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    owner: EthAddress,
    token: TokenId,
    confirmations: usize,
) -> Result<(U256, H256), L1Error> {
    let r = Rollup::new(rollup, client);
    let receipt = send_call(r.claim(owner, token.0), confirmations).await?;
    // The amount paid is the one the contract logged, not a balance read before sending.
    let paid = receipt
        .logs
        .iter()
        .filter(|l| l.address == rollup && l.topics.first() == Some(&WithdrawnFilter::signature()))
        .find_map(|l| WithdrawnFilter::decode_log(&l.clone().into()).ok())
        .ok_or_else(|| L1Error::InvalidEvent("claim emitted no Withdrawn".into()))?;
    Ok((paid.amount, receipt.transaction_hash))
}

/// Starts exodus (`activateExodusMode`): possible once the oldest priority operation no
/// executed batch consumed is past its deadline. Returns the transaction.
pub async fn activate_exodus<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    confirmations: usize,
) -> Result<H256, L1Error> {
    let r = Rollup::new(rollup, client);
    let receipt = send_call(r.activate_exodus_mode(), confirmations).await?;
    Ok(receipt.transaction_hash)
}

/// In exodus, makes deposit `priority_id` (queued, never consumed by an executed batch)
/// claimable again by its depositor (`reclaimDeposit`; anyone may send it). Returns the
/// transaction.
pub async fn reclaim_deposit<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    priority_id: u64,
    confirmations: usize,
) -> Result<H256, L1Error> {
    let r = Rollup::new(rollup, client);
    let receipt = send_call(r.reclaim_deposit(priority_id), confirmations).await?;
    Ok(receipt.transaction_hash)
}

/// The amount L1 still holds for deposit `priority_id` (zero once reclaimed), and its
/// deadline.
pub async fn queued_amount<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    priority_id: u64,
) -> Result<(u64, u64), L1Error> {
    let (op, deadline) = Rollup::new(rollup, client)
        .priority_op(priority_id)
        .call()
        .await
        .map_err(L1Error::contract)?;
    Ok((op.amount, deadline))
}

/// Executes the proven batch `batch` with its payout records (anyone may, in exodus too):
/// `executeBatch` with the first page, then `executePayouts` for each further page, so no
/// transaction credits more than one page (EIP-7825's gas cap, D12). Returns the
/// transactions.
pub async fn execute_batch<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    batch: &crate::StoredBatch,
    payouts: &[u8],
    confirmations: usize,
) -> Result<Vec<H256>, L1Error> {
    let r = Rollup::new(rollup, client);
    let pages = crate::types::payout_pages(payouts);
    let mut txs = Vec::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        let receipt = if i == 0 {
            let call = r.execute_batch((*batch).into(), page.records.clone(), page.next.0);
            send_call(call, confirmations).await?
        } else {
            let call = r.execute_payouts(page.records.clone(), page.next.0);
            send_call(call, confirmations).await?
        };
        txs.push(receipt.transaction_hash);
    }
    Ok(txs)
}

/// In exodus, exits the balances `proof` opens against `last_executed` (the last executed
/// batch, as L1 stores it): each becomes claimable by the account's L1 owner; pool shares as
/// their part of the pool's settled reserves. Anyone may send it. Returns the transaction.
pub async fn exit<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    last_executed: &crate::StoredBatch,
    proof: &quire_core::state::AccountProof,
    confirmations: usize,
) -> Result<H256, L1Error> {
    let r = Rollup::new(rollup, client);
    let call = r.exit(
        (*last_executed).into(),
        crate::convert::to_sol_account_proof(proof)?,
    );
    Ok(send_call(call, confirmations).await?.transaction_hash)
}

/// In exodus, records a pool's reserves and share supply at `last_executed` from its
/// settlement proof (`State::pool_settlement_proof`), once per pool, so its shares can exit.
/// Anyone may send it. Returns the transaction.
pub async fn settle_pool<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    last_executed: &crate::StoredBatch,
    proof: &quire_core::state::AccountProof,
    confirmations: usize,
) -> Result<H256, L1Error> {
    let r = Rollup::new(rollup, client);
    let call = r.settle_pool(
        (*last_executed).into(),
        crate::convert::to_sol_account_proof(proof)?,
    );
    Ok(send_call(call, confirmations).await?.transaction_hash)
}

/// Whether `(account, token)` has exited in exodus.
pub async fn is_exited<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    account: AccountId,
    token: TokenId,
) -> Result<bool, L1Error> {
    Rollup::new(rollup, client)
        .is_exited(account.get(), token.0)
        .call()
        .await
        .map_err(L1Error::contract)
}

/// Whether the pool whose account is `pool` has been settled for exodus (pool `i` is
/// account `2 + i`).
pub async fn pool_settled<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
    pool: AccountId,
) -> Result<bool, L1Error> {
    let index = pool
        .get()
        .checked_sub(2)
        .and_then(|i| u8::try_from(i).ok())
        .ok_or_else(|| L1Error::Config(format!("account {pool} is not a pool's")))?;
    let (settled, _, _, _) = Rollup::new(rollup, client)
        .pool_settlement(index)
        .call()
        .await
        .map_err(L1Error::contract)?;
    Ok(settled)
}
