//! `quire exodus status|activate|exit|reclaim-deposit`: leaving the rollup when its
//! operator has stopped, from L1 data alone (no sequencer).
//!
//! Each reads the chain into a local mirror file first (`--mirror`, default
//! `~/.quire/chain/<rollup>.sqlite`; later runs read only new blocks). Exits are proven
//! against the state rebuilt at the last executed batch, which this command checks root by
//! root against L1; the usual `quire claim` then pays what they made claimable.

use clap::{Args, Subcommand};
use ethers::providers::Middleware;
use quire_chain::{plan_exit, reclaimable_deposits, ChainArgs, ChainSource, QueueStatus, Rebuilt};
use quire_core::account::{AccountId, Address};
use quire_core::token::TokenId;
use quire_core::tx::PriorityOp;
use quire_l1::convert::to_eth_address;
use quire_l1::user;

use super::Global;
use crate::wallet::error::{Result, WalletError};
use crate::wallet::l1::CONFIRMATIONS;

fn source(args: &ChainArgs, g: &Global) -> Result<ChainSource> {
    Ok(args.resolve(g.deployment.as_deref())?)
}

/// `quire exodus`.
#[derive(Subcommand, Debug, Clone)]
pub enum ExodusCommand {
    /// Exodus mode, the oldest pending priority operation and its deadline, the last
    /// executed batch.
    Status(StatusCommand),
    /// Start exodus (possible once a priority operation is past its deadline).
    Activate(ActivateCommand),
    /// Exit the key's balances (pool shares as their part of the reserves) against the
    /// last executed root; then `quire claim`.
    Exit(ExitCommand),
    /// Make the key's deposits that no executed batch consumed claimable again.
    ReclaimDeposit(ReclaimCommand),
}

impl ExodusCommand {
    /// Runs one exodus command.
    pub async fn run(self, g: &Global) -> Result<()> {
        match self {
            ExodusCommand::Status(c) => c.run(g).await,
            ExodusCommand::Activate(c) => c.run(g).await,
            ExodusCommand::Exit(c) => c.run(g).await,
            ExodusCommand::ReclaimDeposit(c) => c.run(g).await,
        }
    }
}

/// `quire exodus status`.
#[derive(Args, Debug, Clone)]
pub struct StatusCommand {
    /// The chain.
    #[command(flatten)]
    pub chain: ChainArgs,
}

impl StatusCommand {
    /// Prints the queue's status as L1 shows it.
    pub async fn run(self, g: &Global) -> Result<()> {
        let source = source(&self.chain, g)?;
        let rpc = g.l1_rpc()?;
        let mirror = source.sync(rpc).await?;
        let view = mirror.view().await?;
        let s = QueueStatus::of(&view);
        let provider = ChainSource::provider(rpc)?;
        let l1 = quire_l1::rollup_status(provider.clone(), source.rollup, None).await?;
        let now = provider
            .get_block(l1.block)
            .await
            .map_err(quire_l1::L1Error::rpc)?
            .map_or(0, |b| b.timestamp.as_u64());
        println!(
            "exodus mode: {}",
            if l1.exodus_mode { "active" } else { "off" }
        );
        println!(
            "batches: committed {}, proven {}, executed {} (L1 block {})",
            l1.batches_committed, l1.batches_proven, l1.batches_executed, l1.block
        );
        println!(
            "priority operations: {} queued, {} pending",
            l1.priority_ops_queued, s.pending
        );
        match &s.oldest_pending {
            Some(op) => {
                let state = if now > op.deadline {
                    "past: anyone may `quire exodus activate`"
                } else {
                    "not reached"
                };
                println!(
                    "oldest pending: priority operation {} (L1 block {}), deadline {} ({state}; L1 time {now})",
                    op.op.priority_id(),
                    op.l1_block,
                    op.deadline
                );
            }
            None => println!("oldest pending: none"),
        }
        Ok(())
    }
}

/// `quire exodus activate`.
#[derive(Args, Debug, Clone)]
pub struct ActivateCommand {
    /// The chain.
    #[command(flatten)]
    pub chain: ChainArgs,
}

impl ActivateCommand {
    /// Sends `activateExodusMode` from the key's L1 address.
    pub async fn run(self, g: &Global) -> Result<()> {
        let source = source(&self.chain, g)?;
        let key = g.load_key()?;
        let client = g.l1_signer(&key).await?;
        let tx = g
            .l1_deadline("activateExodusMode", async {
                Ok(user::activate_exodus(client, source.rollup, CONFIRMATIONS).await?)
            })
            .await?;
        println!("{tx:?}");
        println!("exodus mode is active: batches stop; exit with `quire exodus exit`");
        Ok(())
    }
}

/// `quire exodus reclaim-deposit`.
#[derive(Args, Debug, Clone)]
pub struct ReclaimCommand {
    /// The chain.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// One deposit [default: every pending deposit the key's L1 address made].
    #[arg(long)]
    pub priority_id: Option<u64>,
}

impl ReclaimCommand {
    /// Sends `reclaimDeposit` for each deposit not yet reclaimed.
    pub async fn run(self, g: &Global) -> Result<()> {
        let source = source(&self.chain, g)?;
        let key = g.load_key()?;
        let client = g.l1_signer(&key).await?;
        let mirror = source.sync(g.l1_rpc()?).await?;
        let view = mirror.view().await?;
        let depositor = Address(client.address().0);
        let pending = reclaimable_deposits(&view, self.priority_id.is_none().then_some(depositor));
        let wanted: Vec<_> = pending
            .into_iter()
            .filter(|w| self.priority_id.is_none_or(|id| id == w.op.priority_id()))
            .collect();
        if wanted.is_empty() {
            return Err(WalletError::invalid(
                "--priority-id",
                "no pending deposit to reclaim (consumed by an executed batch, or none queued)",
            ));
        }
        for w in wanted {
            let id = w.op.priority_id();
            let (amount, _) = user::queued_amount(client.clone(), source.rollup, id).await?;
            if amount == 0 {
                println!("deposit {id}: already reclaimed");
                continue;
            }
            let tx = g
                .l1_deadline("reclaimDeposit", async {
                    Ok(
                        user::reclaim_deposit(client.clone(), source.rollup, id, CONFIRMATIONS)
                            .await?,
                    )
                })
                .await?;
            let (token, owner) = match &w.op {
                PriorityOp::Deposit(d) => (d.token, d.from),
                PriorityOp::FullExit(e) => (e.token, e.owner),
            };
            println!("{tx:?}");
            println!(
                "deposit {id}: {amount} (L2 units) of token {token} claimable by {owner}; `quire claim --token {token}`"
            );
        }
        Ok(())
    }
}

/// `quire exodus exit`.
#[derive(Args, Debug, Clone)]
pub struct ExitCommand {
    /// The chain.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Only this token (id) [default: every balance].
    #[arg(long)]
    pub token: Option<u8>,
    /// The account [default: the one of (the key, its L1 address)].
    #[arg(long)]
    pub account: Option<u32>,
}

impl ExitCommand {
    /// Rebuilds the state at the last executed batch, executes proven batches still
    /// pending, settles the pools the key's shares need, and exits.
    pub async fn run(self, g: &Global) -> Result<()> {
        let source = source(&self.chain, g)?;
        let key = g.load_key()?;
        let client = g.l1_signer(&key).await?;
        let rollup = source.rollup;
        let mut mirror = source.sync(g.l1_rpc()?).await?;
        let mut view = mirror.view().await?;
        if !view.exodus {
            return Err(WalletError::Refused {
                code: "not_in_exodus".into(),
                message: "exodus mode is not active (see `quire exodus status`)".into(),
                field: None,
            });
        }
        // Exits wait for every proven batch to be executed; anyone may execute them.
        if view.proven > view.executed {
            for n in view.executed + 1..=view.proven {
                let b = view.batch(n)?.clone();
                let txs = g
                    .l1_deadline("executeBatch", async {
                        Ok(user::execute_batch(
                            client.clone(),
                            rollup,
                            &b.info,
                            &b.payouts,
                            CONFIRMATIONS,
                        )
                        .await?)
                    })
                    .await?;
                println!("executed batch {n} ({} transaction(s))", txs.len());
            }
            mirror = source.sync(g.l1_rpc()?).await?;
            view = mirror.view().await?;
        }
        let mut rebuilt = Rebuilt::at(&view, &source.genesis, view.executed)?;
        let owner = Address(client.address().0);
        let account = match self.account {
            Some(id) => AccountId::new(id)
                .ok_or_else(|| WalletError::invalid("--account", "must be below 2^24"))?,
            None => rebuilt
                .state
                .account_id(&key.public_key(), &owner)
                .ok_or_else(|| {
                    WalletError::invalid(
                        "--key",
                        format!(
                            "no account of this key and L1 address {owner} at batch {}",
                            rebuilt.batch
                        ),
                    )
                })?,
        };
        let token = self.token.map(TokenId);
        let held: Vec<TokenId> = rebuilt
            .state
            .account(account)
            .map(|a| a.balances.keys().copied().collect())
            .unwrap_or_default();
        let mut exited = Vec::new();
        for t in held {
            if user::is_exited(client.clone(), rollup, account, t).await? {
                exited.push(t);
            }
        }
        let plan = plan_exit(&mut rebuilt.state, account, token, |t| exited.contains(&t))
            .map_err(|e| WalletError::invalid("--account", e.to_string()))?;
        let last = view.batch(view.executed)?.info;
        for (pool, proof) in &plan.pools {
            if user::pool_settled(client.clone(), rollup, *pool).await? {
                continue;
            }
            let tx = g
                .l1_deadline("settlePool", async {
                    Ok(
                        user::settle_pool(client.clone(), rollup, &last, proof, CONFIRMATIONS)
                            .await?,
                    )
                })
                .await?;
            println!("{tx:?}");
            println!("pool {pool} settled at batch {}", last.batch_number);
        }
        for proof in &plan.proofs {
            let tx = g
                .l1_deadline("exit", async {
                    Ok(user::exit(client.clone(), rollup, &last, proof, CONFIRMATIONS).await?)
                })
                .await?;
            println!("{tx:?}");
        }
        for (t, amount) in &plan.assets {
            println!("exited {amount} (L2 units) of token {t} from account {account}");
        }
        for s in &plan.shares {
            println!(
                "exited {} shares of token {}: {} of token {} and {} of token {}",
                s.shares, s.share_token, s.a.1, s.a.0, s.b.1, s.b.0
            );
        }
        for (t, shares) in &plan.dust {
            println!("not exited: {shares} shares of token {t} are worth less than one unit of either reserve");
        }
        println!(
            "claimable by {} on L1: `quire claim --token <id>` for each token above",
            to_eth_address(&plan.owner)
        );
        Ok(())
    }
}
