//! `quire-sequencer`: the sequencer service. Configuration: a TOML file (`--config`), then
//! `QUIRE_*` environment variables, then these flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use quire_sequencer::app;
use quire_sequencer::config::{Config, Flags, LayeredConfig};
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

impl Args {
    /// The flags given, each with the setting it overrides (over the file and the
    /// environment: `quire_sequencer::config::ENV_VARS`).
    fn flags(&self) -> Flags {
        Flags::new()
            .set("listen", self.listen)
            .set("database_url", self.database_url.as_ref())
            .set("genesis", self.genesis.as_ref())
            .set("api.dev_endpoints", self.dev.then_some(true))
            .set("l1.rpc_url", self.l1_rpc_url.as_ref())
            .set("l1.deployment", self.l1_deployment.as_ref())
            .set("l1.operator_key_file", self.l1_operator_key_file.as_ref())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = Config::load(
        args.config.as_deref(),
        |k| std::env::var(k).ok(),
        args.flags(),
    )?;
    config.validate()?;
    quire_service_kit::init_tracing(&config.log_format, LogOutput::Stdout, "info");
    let running = app::start(config).await.context("starting the sequencer")?;
    println!("quire-sequencer listening on http://{}", running.addr);
    running
        .run_until(quire_service_kit::shutdown_signal())
        .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_sets_its_setting_over_the_environment() {
        let args = Args::try_parse_from([
            "quire-sequencer",
            "--listen",
            "127.0.0.1:1",
            "--database-url",
            "postgres://h/db",
            "--genesis",
            "g.json",
            "--dev",
            "--l1-rpc-url",
            "http://h:1",
            "--l1-deployment",
            "d.json",
            "--l1-operator-key-file",
            "k.hex",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let env = |k: &str| match k {
            "QUIRE_LISTEN" => Some("127.0.0.1:2".to_string()),
            "QUIRE_L1_RPC_URL" => Some("http://env:1".to_string()),
            "QUIRE_L1_CONFIRMATIONS" => Some("3".to_string()),
            _ => None,
        };
        let c = Config::load(None, env, args.flags()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.listen, SocketAddr::from(([127, 0, 0, 1], 1)));
        assert_eq!(c.database_url, "postgres://h/db");
        assert_eq!(c.genesis, Some(PathBuf::from("g.json")));
        assert!(c.api.dev_endpoints);
        let l1 = c.l1.unwrap_or_else(|| panic!("section turned on"));
        assert_eq!(l1.rpc_url, "http://h:1");
        assert_eq!(l1.deployment, PathBuf::from("d.json"));
        assert_eq!(l1.operator_key_file, Some(PathBuf::from("k.hex")));
        assert_eq!(l1.confirmations, 3);

        // No flags: the environment's values, and `--dev` absent leaves the setting alone.
        let args = Args::try_parse_from(["quire-sequencer"]).unwrap_or_else(|e| panic!("{e}"));
        let env = |k: &str| (k == "QUIRE_DEV_ENDPOINTS").then(|| "true".to_string());
        let c = Config::load(None, env, args.flags()).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.api.dev_endpoints);
        assert!(c.l1.is_none());
    }
}
