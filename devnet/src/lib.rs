//! # quire-devnet
//!
//! `quire-devnet`: a local L1 (anvil), the real contracts, a sequencer and a prover on an
//! embedded SQLite database, in one command (issue #9).
//!
//! It is a crate and a binary of its own so that the wallet (`quire`, crate `quire-cli`)
//! links neither the sequencer nor the prover's circuits. Everything runs in this process
//! except anvil (a child process, killed on every exit path): `cargo run --bin quire-devnet`
//! builds only this binary, so the devnet must not rely on `quire-sequencer` or
//! `quire-prover` binaries being built.
//!
//! - [`Devnet::start`] installs/checks the pinned npm toolchain, starts anvil, deploys the
//!   devnet token, the generated `QuireVerifier` and `Rollup` for the devnet genesis
//!   (`deploy/genesis.example.json`, whose chain id and pools the verifier was generated
//!   for), writes the deployment file and genesis into the devnet directory, starts the
//!   sequencer and the prover worker on one SQLite file there, and funds the demo keys by
//!   real L1 deposits;
//! - [`Devnet::shutdown`] stops API intake, lets in-flight writes and the batcher finish,
//!   stops the prover, then kills anvil;
//! - [`run`] is the command: start, print, wait for Ctrl-C (or SIGTERM), shut down.
//!
//! **A second run resets the directory.** anvil keeps its chain in memory, so a new run has a
//! new L1 with new contract addresses; an L2 database from the previous chain would refer to
//! deposits that no longer exist. The devnet therefore deletes the files it owns in the
//! directory (database, deployment, genesis) before starting, and leaves anything else there
//! alone.

pub mod chain;
pub mod demo;
pub mod services;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use quire_core::state::Genesis;
use quire_l1::anvil::Anvil;
use quire_l1::Deployment;

pub use demo::{demo_secret, DemoAccount, DEMO_ETH_WEI, DEMO_USDC, FIRST_DEMO_L1_ACCOUNT};
pub use services::{
    ProverHandle, DEVNET_CONFIRMATIONS, DEVNET_MAX_PRIORITY_OPS, DEVNET_MAX_TXS, PROVER_L1_ACCOUNT,
    SEQUENCER_L1_ACCOUNT,
};

/// Options of `quire-devnet`.
#[derive(Args, Debug, Clone)]
pub struct DevnetArgs {
    /// Directory of the devnet's files (database, deployment, genesis); reset on every run.
    #[arg(long, default_value = ".quire-devnet")]
    pub dir: PathBuf,
    /// anvil's port (0: any free port).
    #[arg(long, default_value_t = 8545)]
    pub l1_port: u16,
    /// The sequencer API's port (0: any free port).
    #[arg(long, default_value_t = 3030)]
    pub sequencer_port: u16,
    /// Seconds between L1 blocks (so the watcher's confirmation depth advances).
    #[arg(long, default_value_t = 1)]
    pub block_time: u64,
    /// Do not start the prover (batches are committed but never proven).
    #[arg(long)]
    pub no_prover: bool,
    /// Demo accounts to fund by L1 deposits (at most 8: anvil accounts 2.. pay for them).
    /// Two fill one batch of the DEVNET shape (4 priority operations).
    #[arg(long, default_value_t = 2)]
    pub demo_accounts: usize,
}

impl Default for DevnetArgs {
    fn default() -> Self {
        Self {
            dir: PathBuf::from(".quire-devnet"),
            l1_port: 8545,
            sequencer_port: 3030,
            block_time: 1,
            no_prover: false,
            demo_accounts: 2,
        }
    }
}

/// A running devnet.
pub struct Devnet {
    /// The L1 (killed on drop).
    pub anvil: Anvil,
    /// The contracts as deployed.
    pub deployment: Deployment,
    /// Where the deployment file was written.
    pub deployment_path: PathBuf,
    /// The L2 genesis the rollup and the sequencer start from.
    pub genesis: Genesis,
    /// Where the genesis was written.
    pub genesis_path: PathBuf,
    /// `sqlite:…` URL of the database the sequencer and the prover share.
    pub database_url: String,
    /// The sequencer, running in this process.
    pub sequencer: quire_sequencer::app::Running,
    /// The prover worker, running in this process (absent with `--no-prover`).
    pub prover: Option<ProverHandle>,
    /// Funded demo accounts.
    pub demo: Vec<DemoAccount>,
}

impl Devnet {
    /// Starts everything (see the module docs). On error, whatever was started is stopped.
    pub async fn start(args: &DevnetArgs) -> Result<Devnet> {
        chain::ensure_toolchain()?;
        let files = chain::reset_dir(&args.dir)?;
        let anvil = chain::start_anvil(args.l1_port, args.block_time)?;
        tracing::info!(url = %anvil.url, "anvil started");
        let (deployment, genesis) = chain::deploy_contracts(&anvil).await?;
        deployment
            .save(&files.deployment)
            .context("writing the deployment file")?;
        chain::save_genesis(&genesis, &files.genesis)?;
        tracing::info!(rollup = ?deployment.rollup, path = %files.deployment.display(), "contracts deployed");

        let database_url = format!("sqlite:{}", files.database.display());
        let sequencer = services::start_sequencer(
            &database_url,
            &files.genesis,
            &files.deployment,
            &anvil,
            SocketAddr::from(([127, 0, 0, 1], args.sequencer_port)),
        )
        .await?;
        let prover = if args.no_prover {
            None
        } else {
            match services::start_prover(&database_url, &files.deployment, &anvil) {
                Ok(p) => Some(p),
                Err(e) => {
                    sequencer.shutdown().await;
                    return Err(e);
                }
            }
        };
        let mut devnet = Devnet {
            anvil,
            deployment,
            deployment_path: files.deployment,
            genesis,
            genesis_path: files.genesis,
            database_url,
            sequencer,
            prover,
            demo: Vec::new(),
        };
        match demo::fund(
            &devnet.anvil,
            &devnet.deployment,
            args.demo_accounts,
            args.block_time,
        )
        .await
        {
            Ok(d) => devnet.demo = d,
            Err(e) => {
                devnet.shutdown().await;
                return Err(e);
            }
        }
        Ok(devnet)
    }

    /// The sequencer's API base URL (`http://127.0.0.1:PORT`).
    pub fn sequencer_url(&self) -> String {
        format!("http://{}", self.sequencer.addr)
    }

    /// Stops the sequencer (intake first, then the batcher finishes and the database
    /// closes), then the prover (the proof in flight is stored if it ends within the grace
    /// period, else its job is released), then anvil.
    pub async fn shutdown(self) {
        let Devnet {
            mut anvil,
            sequencer,
            prover,
            ..
        } = self;
        sequencer.shutdown().await;
        if let Some(p) = prover {
            p.stop().await;
        }
        anvil.stop();
        tracing::info!("devnet stopped");
    }
}

/// `quire-devnet`: starts the devnet, prints what a user needs, runs until Ctrl-C.
pub async fn run(args: DevnetArgs) -> Result<()> {
    use std::io::IsTerminal as _;
    quire_service_kit::init_tracing(
        "text",
        quire_service_kit::LogOutput::Stderr {
            ansi: std::io::stderr().is_terminal(),
        },
        "info",
    );
    let devnet = Devnet::start(&args).await?;
    print!("{}", demo::banner(&devnet));
    quire_service_kit::shutdown_signal().await;
    tracing::info!("shutdown requested");
    devnet.shutdown().await;
    // Everything is stopped and the database closed. A circuit build or proof may still
    // occupy a blocking thread (plonky2 cannot be interrupted; its job was released), and
    // the runtime would wait for it on drop: exit now instead.
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    std::process::exit(0)
}

/// Shared by the CLI and the end-to-end tests: an `Arc` of the L1 client of anvil account
/// `i`.
pub async fn l1_client(anvil: &Anvil, i: usize) -> Result<Arc<quire_l1::L1Client>> {
    anvil
        .client(i)
        .await
        .with_context(|| format!("connecting anvil account {i}"))
}
