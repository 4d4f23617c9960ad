//! `quire-sequencer`: the sequencer service. Configuration: a TOML file (`--config`), then
//! `QUIRE_*` environment variables, then these flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use quire_sequencer::app;
use quire_sequencer::config::Config;
use quire_service_kit::LogOutput;

#[derive(Parser)]
#[command(
    name = "quire-sequencer",
    version,
    about = "Quire sequencer: API, mempool, batcher"
)]
struct Args {
    /// TOML configuration file.
    #[arg(long, env = "QUIRE_CONFIG")]
    config: Option<PathBuf>,
    /// Listen address (overrides config and env).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Database URL: sqlite:PATH or postgres://… (overrides config and env).
    #[arg(long)]
    database_url: Option<String>,
    /// Genesis JSON for a new database.
    #[arg(long)]
    genesis: Option<PathBuf>,
    /// Enable /v1/dev/* (devnet only; refused together with L1 settlement).
    #[arg(long)]
    dev: bool,
    /// L1 JSON-RPC URL: turns on L1 settlement (overrides `[l1] rpc_url`).
    #[arg(long)]
    l1_rpc_url: Option<String>,
    /// L1 deployment JSON written by `quire-l1-deploy` (overrides `[l1] deployment`).
    #[arg(long)]
    l1_deployment: Option<PathBuf>,
    /// File with the L1 operator key, hex (`QUIRE_L1_OPERATOR_KEY` takes precedence).
    #[arg(long)]
    l1_operator_key_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    config.apply_env(|k| std::env::var(k).ok())?;
    if let Some(l) = args.listen {
        config.listen = l;
    }
    if let Some(u) = args.database_url {
        config.database_url = u;
    }
    if let Some(g) = args.genesis {
        config.genesis = Some(g);
    }
    if args.dev {
        config.api.dev_endpoints = true;
    }
    if let Some(u) = args.l1_rpc_url {
        config.l1.get_or_insert_with(Default::default).rpc_url = u;
    }
    if let Some(d) = args.l1_deployment {
        config.l1.get_or_insert_with(Default::default).deployment = d;
    }
    if let Some(k) = args.l1_operator_key_file {
        config
            .l1
            .get_or_insert_with(Default::default)
            .operator_key_file = Some(k);
    }
    config.validate()?;
    quire_service_kit::init_tracing(&config.log_format, LogOutput::Stdout, "info");
    let running = app::start(config).await.context("starting the sequencer")?;
    println!("quire-sequencer listening on http://{}", running.addr);
    running
        .run_until(quire_service_kit::shutdown_signal())
        .await;
    Ok(())
}
