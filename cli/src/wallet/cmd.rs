//! The wallet's clap commands and what they print.
//!
//! Results go to stdout (a transaction's hash alone on its first line, so scripts can
//! capture it); progress, notes and errors go to stderr. Every flag can also come from a
//! `QUIRE_*` environment variable where that makes sense (URLs, files, the key name).

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Subcommand};
use rand::rngs::OsRng;
use rand::RngCore;

use quire_api::{ErrorCode, TxStatus};
use quire_core::account::{AccountId, Address};
use quire_core::hash::Digest;
use quire_core::schnorr::{PublicKey, SecretKey};
use quire_core::token::TokenId;

use super::error::{Result, WalletError};
use super::keystore::{parse_l1_key, parse_l2_secret, Key, Keystore};
use super::l1::{claimable_all, format_l1_amount, L1Wallet};
use super::l2::{
    AddLiquidityRequest, Prepared, RemoveLiquidityRequest, SwapRequest, TransferRequest, Wallet,
    WithdrawRequest,
};
use super::wait::{wait_for_priority_op, wait_for_tx, Progress, WaitFor};

/// Flags shared by every wallet command.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The sequencer's HTTP API.
    #[arg(
        long,
        global = true,
        env = "QUIRE_SEQUENCER_URL",
        default_value = "http://127.0.0.1:3030"
    )]
    pub sequencer_url: String,
    /// L1 JSON-RPC endpoint (deposits, exits, claims; ERC-20 decimals).
    #[arg(long, global = true, env = "QUIRE_L1_RPC")]
    pub l1_rpc: Option<String>,
    /// The deployment file written by `quire-l1-deploy` / `quire-devnet`.
    #[arg(long, global = true, env = "QUIRE_DEPLOYMENT")]
    pub deployment: Option<PathBuf>,
    /// Directory of key files [default: ~/.quire/keys].
    #[arg(long, global = true, env = "QUIRE_KEYSTORE")]
    pub keystore: Option<PathBuf>,
    /// Name of the key to use.
    #[arg(long, global = true, env = "QUIRE_KEY", default_value = "default")]
    pub key: String,
    /// Amounts are integers in L2 units instead of decimals in the token's units.
    #[arg(long, global = true, env = "QUIRE_RAW_AMOUNTS")]
    pub raw_amounts: bool,
    /// Longest `--wait`, in seconds.
    #[arg(long, global = true, env = "QUIRE_WAIT_TIMEOUT", default_value_t = 600)]
    pub timeout: u64,
    /// No progress display.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

impl Global {
    fn keystore(&self) -> Keystore {
        Keystore::new(self.keystore.clone().unwrap_or_else(Keystore::default_dir))
    }

    fn progress(&self) -> Progress {
        if self.quiet {
            Progress::Quiet
        } else {
            Progress::auto()
        }
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }

    async fn wallet(&self) -> Result<Wallet> {
        Wallet::connect(
            &self.sequencer_url,
            self.l1_rpc.as_deref(),
            self.raw_amounts,
        )
        .await
    }

    fn l1_config(&self) -> Result<(&str, &std::path::Path)> {
        let rpc = self
            .l1_rpc
            .as_deref()
            .ok_or_else(|| WalletError::invalid("--l1-rpc", "required for L1 commands"))?;
        let dep = self
            .deployment
            .as_deref()
            .ok_or_else(|| WalletError::invalid("--deployment", "required for L1 commands"))?;
        Ok((rpc, dep))
    }

    async fn l1(&self, key: &Key) -> Result<L1Wallet> {
        let (rpc, dep) = self.l1_config()?;
        L1Wallet::connect(rpc, dep, key).await
    }
}

/// `--wait` of commands that submit L2 transactions.
#[derive(Args, Debug, Clone)]
pub struct WaitArg {
    /// How far to follow the transaction before returning.
    #[arg(long, value_enum, default_value_t = WaitFor::Soft)]
    pub wait: WaitFor,
    /// Use this nonce instead of the account's current one (to queue several).
    #[arg(long)]
    pub nonce: Option<u32>,
}

/// The wallet's subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum WalletCommand {
    /// Manage keys (stored in --keystore, mode 0600).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Deposit ETH or an ERC-20 from L1 into the L2 account of (key, this L1 address),
    /// opened by the first such deposit: the depositing address is the account's L1 owner.
    Deposit {
        /// Token symbol or id.
        #[arg(long)]
        token: String,
        /// Amount in the token's units (e.g. 0.5 for ETH).
        #[arg(long)]
        amount: String,
        /// The L2 public key credited [default: the key's]. The account credited is the
        /// pair (that key, this key's L1 address): the sender stays its L1 owner.
        #[arg(long)]
        to: Option<String>,
        /// `none`, or `soft` (the L2 has credited it; needs the sequencer's L1 watcher).
        #[arg(long, value_enum, default_value_t = WaitFor::Soft)]
        wait: WaitFor,
    },
    /// Force the whole balance of a token out of an L2 account from L1 (L1 owner only).
    FullExit {
        /// Token symbol or id.
        #[arg(long)]
        token: String,
        /// The L2 account [default: the key's].
        #[arg(long)]
        account: Option<u32>,
    },
    /// Pay out on L1 what executed batches made claimable.
    Claim {
        /// Token symbol or id.
        #[arg(long)]
        token: String,
        /// The owner to pay [default: the key's L1 address].
        #[arg(long)]
        owner: Option<String>,
    },
    /// Balances, nonce, and what is claimable on L1 (alias: balance).
    #[command(alias = "balance")]
    Account {
        /// An account id [default: the key's account].
        #[arg(long, conflicts_with = "pubkey")]
        id: Option<u32>,
        /// An L2 public key and its account's L1 owner, as `<key>@<L1 address>` (an
        /// account is the pair: several L1 addresses may have opened one for a key).
        #[arg(long)]
        pubkey: Option<String>,
    },
    /// Move tokens to another L2 account.
    Transfer {
        /// Account id of the receiver, or `<public key>@<L1 owner>`.
        #[arg(long)]
        to: String,
        /// Token symbol or id.
        #[arg(long)]
        token: String,
        /// Amount in the token's units.
        #[arg(long)]
        amount: String,
        /// Fee to the operator, in the same token.
        #[arg(long, default_value = "0")]
        fee: String,
        /// `--wait` and `--nonce`.
        #[command(flatten)]
        wait: WaitArg,
    },
    /// Sell a token to an AMM pool.
    Swap {
        /// Pool account id, or TOKEN_A/TOKEN_B.
        #[arg(long)]
        pool: String,
        /// Token sold.
        #[arg(long)]
        token_in: String,
        /// Amount sold.
        #[arg(long)]
        amount_in: String,
        /// Least acceptable amount of the other token.
        #[arg(long)]
        min_out: String,
        /// Fee to the operator, in the token sold.
        #[arg(long, default_value = "0")]
        fee: String,
        /// `--wait` and `--nonce`.
        #[command(flatten)]
        wait: WaitArg,
    },
    /// Deposit both reserve tokens into a pool for liquidity shares.
    AddLiquidity {
        /// Pool account id, or TOKEN_A/TOKEN_B.
        #[arg(long)]
        pool: String,
        /// Most of the pool's token A to add.
        #[arg(long)]
        max_a: String,
        /// Most of the pool's token B to add.
        #[arg(long)]
        max_b: String,
        /// Fewest shares acceptable.
        #[arg(long, default_value = "0")]
        min_shares: String,
        /// Fee to the operator, in token A.
        #[arg(long, default_value = "0")]
        fee: String,
        /// `--wait` and `--nonce`.
        #[command(flatten)]
        wait: WaitArg,
    },
    /// Burn liquidity shares for the pool's tokens.
    RemoveLiquidity {
        /// Pool account id, or TOKEN_A/TOKEN_B.
        #[arg(long)]
        pool: String,
        /// Shares to burn.
        #[arg(long)]
        shares: String,
        /// Least acceptable amount of token A.
        #[arg(long, default_value = "0")]
        min_a: String,
        /// Least acceptable amount of token B.
        #[arg(long, default_value = "0")]
        min_b: String,
        /// Fee to the operator, in token A.
        #[arg(long, default_value = "0")]
        fee: String,
        /// `--wait` and `--nonce`.
        #[command(flatten)]
        wait: WaitArg,
    },
    /// Withdraw from L2 to an L1 address (claimable once the batch is finalized).
    Withdraw {
        /// L1 recipient [default: the key's L1 address].
        #[arg(long)]
        to: Option<String>,
        /// Token symbol or id.
        #[arg(long)]
        token: String,
        /// Amount in the token's units.
        #[arg(long)]
        amount: String,
        /// Fee to the operator, in the same token.
        #[arg(long, default_value = "0")]
        fee: String,
        /// `--wait` and `--nonce`.
        #[command(flatten)]
        wait: WaitArg,
    },
    /// A transaction's status.
    Tx {
        /// The transaction hash (0x…).
        hash: String,
        /// Follow it up to this stage.
        #[arg(long, value_enum, default_value_t = WaitFor::None)]
        wait: WaitFor,
    },
}

/// `quire key …`.
#[derive(Subcommand, Debug, Clone)]
pub enum KeyCommand {
    /// Generate a new L2 key (and optionally an L1 key).
    New {
        /// Name of the key file [default: the global --key].
        #[arg(long)]
        name: Option<String>,
        /// Also generate an L1 private key.
        #[arg(long)]
        with_l1: bool,
    },
    /// Store an existing L2 secret, and optionally an L1 private key.
    Import {
        /// Name of the key file [default: the global --key].
        #[arg(long)]
        name: Option<String>,
        /// The L2 secret (hex). Prefer the environment variable: flags end up in shell history.
        #[arg(long, env = "QUIRE_IMPORT_L2_SECRET", hide_env_values = true)]
        l2_secret: String,
        /// An L1 private key (hex).
        #[arg(long, env = "QUIRE_IMPORT_L1_KEY", hide_env_values = true)]
        l1_key: Option<String>,
    },
    /// List the stored keys.
    List,
    /// Show a key: public key, L1 address, L2 account.
    Show {
        /// Also print the secrets.
        #[arg(long)]
        show_secret: bool,
    },
}

/// Prints a wallet error and turns it into the process exit status.
pub fn exit(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let WalletError::Refused { code, field, .. } = &e {
                eprintln!("code: {code}");
                if let Some(f) = field {
                    eprintln!("field: {f}");
                }
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Runs one wallet command.
pub async fn run(g: &Global, cmd: WalletCommand) -> Result<()> {
    match cmd {
        WalletCommand::Key(k) => key_command(g, k).await,
        WalletCommand::Deposit {
            token,
            amount,
            to,
            wait,
        } => {
            let key = g.keystore().load(&g.key)?;
            let to = match to {
                Some(s) => PublicKey::from_str(s.trim())
                    .map_err(|e| WalletError::invalid("--to", format!("{s:?}: {e}")))?,
                None => key.public_key(),
            };
            if wait > WaitFor::Soft {
                return Err(WalletError::invalid(
                    "--wait",
                    "a deposit can be followed up to `soft` (credited on L2)",
                ));
            }
            let l1 = g.l1(&key).await?;
            let out = l1_deadline(
                g,
                "the deposit's L1 transaction",
                l1.deposit(&token, &amount, &to),
            )
            .await?;
            println!("{:?}", out.queued.tx);
            println!("{}", out.summary);
            println!(
                "priority operation {} queued in L1 block {}",
                out.queued.op.priority_id(),
                out.queued.block
            );
            if wait == WaitFor::Soft {
                let seq = quire_api::Client::new(&g.sequencer_url)?;
                wait_for_priority_op(
                    &seq,
                    out.queued.op.priority_id(),
                    g.timeout(),
                    &g.progress(),
                )
                .await?;
                println!("credited on L2");
            }
            Ok(())
        }
        WalletCommand::FullExit { token, account } => {
            let key = g.keystore().load(&g.key)?;
            let account = match account {
                Some(n) => AccountId::new(n)
                    .ok_or_else(|| WalletError::invalid("--account", "below 2^24"))?,
                None => g.wallet().await?.own_account(&key).await?.account_id()?,
            };
            let l1 = g.l1(&key).await?;
            let q = l1_deadline(
                g,
                "the full exit's L1 transaction",
                l1.full_exit(account, &token),
            )
            .await?;
            println!("{:?}", q.tx);
            println!(
                "full exit of account {account} queued as priority operation {} (L1 block {}); \
                 claim once its batch is finalized",
                q.op.priority_id(),
                q.block
            );
            Ok(())
        }
        WalletCommand::Claim { token, owner } => {
            let key = g.keystore().load(&g.key)?;
            let l1 = g.l1(&key).await?;
            let owner = match owner {
                Some(s) => Address::from_str(s.trim())
                    .map_err(|e| WalletError::invalid("--owner", format!("{s:?}: {e}")))?,
                None => l1.address,
            };
            let out = l1_deadline(g, "the claim's L1 transaction", l1.claim(owner, &token)).await?;
            println!("{}", out.tx);
            println!("{}", out.summary);
            Ok(())
        }
        WalletCommand::Account { id, pubkey } => account(g, id, pubkey).await,
        WalletCommand::Transfer {
            to,
            token,
            amount,
            fee,
            wait,
        } => {
            let req = TransferRequest {
                to,
                token,
                amount,
                fee,
                nonce: wait.nonce,
            };
            l2_command(g, wait.wait, |w, k| {
                Box::pin(async move { w.prepare_transfer(&k, &req).await })
            })
            .await
        }
        WalletCommand::Swap {
            pool,
            token_in,
            amount_in,
            min_out,
            fee,
            wait,
        } => {
            let req = SwapRequest {
                pool,
                token_in,
                amount_in,
                min_out,
                fee,
                nonce: wait.nonce,
            };
            l2_command(g, wait.wait, |w, k| {
                Box::pin(async move { w.prepare_swap(&k, &req).await })
            })
            .await
        }
        WalletCommand::AddLiquidity {
            pool,
            max_a,
            max_b,
            min_shares,
            fee,
            wait,
        } => {
            let req = AddLiquidityRequest {
                pool,
                max_a,
                max_b,
                min_shares,
                fee,
                nonce: wait.nonce,
            };
            l2_command(g, wait.wait, |w, k| {
                Box::pin(async move { w.prepare_add_liquidity(&k, &req).await })
            })
            .await
        }
        WalletCommand::RemoveLiquidity {
            pool,
            shares,
            min_a,
            min_b,
            fee,
            wait,
        } => {
            let req = RemoveLiquidityRequest {
                pool,
                shares,
                min_a,
                min_b,
                fee,
                nonce: wait.nonce,
            };
            l2_command(g, wait.wait, |w, k| {
                Box::pin(async move { w.prepare_remove_liquidity(&k, &req).await })
            })
            .await
        }
        WalletCommand::Withdraw {
            to,
            token,
            amount,
            fee,
            wait,
        } => {
            let req = WithdrawRequest {
                to,
                token,
                amount,
                fee,
                nonce: wait.nonce,
            };
            l2_command(g, wait.wait, |w, k| {
                Box::pin(async move { w.prepare_withdraw(&k, &req).await })
            })
            .await
        }
        WalletCommand::Tx { hash, wait } => {
            let hash = Digest::from_str(hash.trim())
                .map_err(|e| WalletError::invalid("<HASH>", format!("{e}")))?;
            let seq = quire_api::Client::new(&g.sequencer_url)?;
            if wait != WaitFor::None {
                wait_for_tx(&seq, &hash, wait, g.timeout(), &g.progress()).await?;
            }
            let view = seq
                .transaction(&hash)
                .await?
                .ok_or_else(|| WalletError::Refused {
                    code: ErrorCode::NotFound.as_str().into(),
                    message: format!("the sequencer does not know {hash}"),
                    field: None,
                })?;
            println!("status: {}", view.status.name());
            if let Some(b) = view.status.batch_number() {
                println!("batch: {b}");
            }
            match &view.status {
                TxStatus::Pending => {}
                TxStatus::Executed { receipt, .. } => println!("receipt: {receipt}"),
                TxStatus::Rejected { code, message, .. } => {
                    println!("code: {code}");
                    println!("message: {message}");
                }
            }
            Ok(())
        }
    }
}

/// Bounds an L1 transaction's wait for its receipt by `--timeout` (a chain that stops
/// mining would otherwise hold the command forever).
async fn l1_deadline<T>(
    g: &Global,
    what: &str,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(g.timeout(), fut).await {
        Ok(r) => r,
        Err(_) => Err(WalletError::Timeout {
            target: what.into(),
            last: "sent, not yet mined (it may still be mined later)".into(),
            after: g.timeout(),
        }),
    }
}

type PrepareFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Prepared>> + 'a>>;

/// Loads the key, connects, prepares (validating every flag), submits, prints the hash,
/// then waits.
async fn l2_command<F>(g: &Global, wait: WaitFor, prepare: F) -> Result<()>
where
    F: for<'a> FnOnce(&'a Wallet, Key) -> PrepareFuture<'a>,
{
    let key = g.keystore().load(&g.key)?;
    let wallet = g.wallet().await?;
    let prepared = prepare(&wallet, key).await?;
    for note in &prepared.notes {
        eprintln!("note: {note}");
    }
    let hash = wallet.submit(&prepared).await?;
    println!("{hash}");
    println!("{}", prepared.summary);
    if let Some(view) =
        wait_for_tx(&wallet.sequencer, &hash, wait, g.timeout(), &g.progress()).await?
    {
        match view.status.batch_number() {
            Some(b) => println!("{} (batch {b})", view.status.name()),
            None => println!("{}", view.status.name()),
        }
    }
    Ok(())
}

async fn account(g: &Global, id: Option<u32>, pubkey: Option<String>) -> Result<()> {
    let wallet = g.wallet().await?;
    let info = match (id, pubkey) {
        (Some(n), _) => {
            let id = AccountId::new(n).ok_or_else(|| WalletError::invalid("--id", "below 2^24"))?;
            wallet.sequencer.account(id).await?
        }
        (None, Some(pk)) => {
            let id = wallet.recipient("--pubkey", &pk).await?;
            wallet.sequencer.account(id).await?
        }
        (None, None) => {
            let key = g.keystore().load(&g.key)?;
            Some(wallet.own_account(&key).await?)
        }
    };
    let Some(info) = info else {
        return Err(WalletError::Refused {
            code: ErrorCode::NotFound.as_str().into(),
            message: "no such L2 account (an L1 deposit opens one)".into(),
            field: None,
        });
    };
    println!("account:  {}", info.id);
    if let Some(pk) = &info.pubkey {
        println!("pubkey:   {pk}");
    }
    println!("l1 owner: {}", info.l1_owner);
    println!("nonce:    {}", info.nonce);
    println!("balances:");
    for t in &info.balances {
        let id = TokenId(*t.0);
        println!("  {}", wallet.format(info.balance(id)?, id));
    }
    if let (Some(rpc), Some(dep)) = (g.l1_rpc.as_deref(), g.deployment.as_deref()) {
        let claimable = claimable_all(rpc, dep, info.l1_owner).await?;
        if claimable.is_empty() {
            println!("claimable on L1 by {}: nothing", info.l1_owner);
        } else {
            println!("claimable on L1 by {}:", info.l1_owner);
            for (token, amount) in claimable {
                println!("  {}", format_l1_amount(amount, &token));
            }
        }
    }
    Ok(())
}

async fn key_command(g: &Global, cmd: KeyCommand) -> Result<()> {
    let store = g.keystore();
    match cmd {
        KeyCommand::New { name, with_l1 } => {
            let name = name.unwrap_or_else(|| g.key.clone());
            let secret = SecretKey::random(&mut OsRng);
            let l1 = if with_l1 {
                let mut bytes = [0u8; 32];
                OsRng.fill_bytes(&mut bytes);
                Some(parse_l1_key("--with-l1", &hex::encode(bytes))?)
            } else {
                None
            };
            let path = store.create(&name, &secret, l1.clone())?;
            println!("name:       {name}");
            println!("file:       {}", path.display());
            println!("public key: {}", secret.public_key());
            if let Some((_, a)) = l1 {
                println!("l1 address: {a}");
            }
            Ok(())
        }
        KeyCommand::Import {
            name,
            l2_secret,
            l1_key,
        } => {
            let name = name.unwrap_or_else(|| g.key.clone());
            let secret = parse_l2_secret("--l2-secret", &l2_secret)?;
            let l1 = l1_key.map(|k| parse_l1_key("--l1-key", &k)).transpose()?;
            let path = store.create(&name, &secret, l1.clone())?;
            println!("name:       {name}");
            println!("file:       {}", path.display());
            println!("public key: {}", secret.public_key());
            if let Some((_, a)) = l1 {
                println!("l1 address: {a}");
            }
            Ok(())
        }
        KeyCommand::List => {
            for name in store.list()? {
                match store.load(&name) {
                    Ok(k) => println!("{name}\t{}", k.public_key()),
                    Err(e) => println!("{name}\t(unreadable: {e})"),
                }
            }
            Ok(())
        }
        KeyCommand::Show { show_secret } => {
            let key = store.load(&g.key)?;
            println!("name:       {}", key.name);
            println!("file:       {}", store.path(&g.key).display());
            println!("public key: {}", key.public_key());
            if let Some(a) = key.l1_address() {
                println!("l1 address: {a}");
            }
            // The account id is a convenience: the key is still shown when offline.
            match (quire_api::Client::new(&g.sequencer_url), key.l1_address()) {
                (_, None) => {
                    println!("l2 account: none (an account needs the L1 address that opens it)")
                }
                (Ok(seq), Some(owner)) => {
                    println!("l2 address: {}@{owner}", key.public_key());
                    match seq.account_by_key(&key.public_key(), &owner).await {
                        Ok(Some(a)) => println!("l2 account: {}", a.id),
                        Ok(None) => {
                            println!("l2 account: none yet (deposit from {owner} to open one)")
                        }
                        Err(e) => println!("l2 account: unknown ({e})"),
                    }
                }
                (Err(e), Some(_)) => println!("l2 account: unknown ({e})"),
            }
            if show_secret {
                println!("l2 secret:  0x{}", hex::encode(key.secret.to_bytes()));
                if let Some((k, _)) = &key.l1 {
                    println!("l1 key:     {k}");
                }
            }
            Ok(())
        }
    }
}
