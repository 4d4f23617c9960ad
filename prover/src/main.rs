//! `quire-prover`: the prover service's command line (more subcommands come with the
//! prover service itself).

use clap::{Parser, Subcommand};
use quire_circuits::gadgets::GateSet;
use quire_circuits::stats;
use quire_prover::config::{Flags, LayeredConfig};

#[derive(Parser)]
#[command(name = "quire-prover", version, about = "Quire prover")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print circuit sizes: the rows of one in-circuit Schnorr verification, with and
    /// without the custom gate.
    CircuitStats {
        /// Also prove one signature with each circuit and print the time.
        #[arg(long)]
        prove: bool,
        /// Also print the batch circuits' sizes (step, chunk, aggregation node, wrapper;
        /// builds and proves them, ~a minute in release).
        #[arg(long)]
        batch: bool,
    },
    /// Run a prover worker: claim batches from the database's job queue, prove them, store
    /// the proofs (configuration: `--config` TOML, then `QUIRE_PROVER_*` variables, then
    /// these flags). Prints one line per event on stdout (`proven batch=N …`); logs go to
    /// stderr. Stops on SIGTERM/Ctrl-C.
    Run(RunArgs),
    /// Generate the Solidity verifier of the EVM wrapper circuit into contracts/src/verifier/
    /// (issue #7), for the devnet's circuits (`BatchShape::DEVNET`, the chain id and pools of
    /// deploy/genesis.example.json).
    ExportVerifier {
        /// Repository root to write under.
        #[arg(long, default_value = ".")]
        root: std::path::PathBuf,
        /// Also write the forge fixtures (a real wrapper proof of a fixture batch, altered
        /// proofs with plonky2's verdicts, a proof of another circuit, the batch for the
        /// real-Rollup test)
        /// (contracts/test/fixtures/verifier/).
        #[arg(long)]
        fixtures: bool,
    },
}

/// Flags of `quire-prover run` (each overrides the config file and the environment).
#[derive(clap::Args)]
struct RunArgs {
    /// TOML configuration file.
    #[arg(long, env = "QUIRE_PROVER_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// Database URL: sqlite:PATH or postgres://… (default: the sequencer's default file).
    #[arg(long)]
    database_url: Option<String>,
    /// Worker id stored in the queue (default HOST-PID-RANDOM).
    #[arg(long)]
    worker_id: Option<String>,
    /// Prometheus endpoint address, or `off`.
    #[arg(long)]
    metrics_listen: Option<String>,
    /// A job whose heartbeat is older than this is reclaimed (ms).
    #[arg(long)]
    heartbeat_timeout_ms: Option<u64>,
    /// Heartbeat period (ms).
    #[arg(long)]
    heartbeat_interval_ms: Option<u64>,
    /// Claims of a job before it is marked failed.
    #[arg(long)]
    max_attempts: Option<u32>,
    /// Steps per chunk proof.
    #[arg(long)]
    chunk_steps: Option<usize>,
    /// Aggregation levels above the chunks (capacity = chunk_steps · 2^levels).
    #[arg(long)]
    levels: Option<u32>,
    /// Priority-operation slots at the start of a batch.
    #[arg(long)]
    max_priority: Option<usize>,
    /// Levels of the commitment segment tree (2^segment_levels segments, at most `levels`).
    #[arg(long)]
    segment_levels: Option<u32>,
    /// Exit once no job is queued or being proven.
    #[arg(long)]
    exit_when_idle: bool,
    /// Log format: text or json.
    #[arg(long)]
    log_format: Option<String>,
}

impl RunArgs {
    /// The flags given, each with the setting it overrides (over the file and the
    /// environment: `quire_prover::config::ENV_VARS`).
    fn flags(&self) -> anyhow::Result<Flags> {
        let metrics_listen = match self.metrics_listen.as_deref() {
            None => None,
            Some("off") => Some(None),
            Some(addr) => {
                Some(Some(addr.parse::<std::net::SocketAddr>().map_err(|e| {
                    anyhow::anyhow!("--metrics-listen {addr}: {e}")
                })?))
            }
        };
        Ok(Flags::new()
            .set("database_url", self.database_url.as_ref())
            .set("worker_id", self.worker_id.as_ref())
            .set("metrics_listen", metrics_listen)
            .set("heartbeat_timeout_ms", self.heartbeat_timeout_ms)
            .set("heartbeat_interval_ms", self.heartbeat_interval_ms)
            .set("max_attempts", self.max_attempts)
            .set("circuits.chunk_steps", self.chunk_steps)
            .set("circuits.levels", self.levels)
            .set("circuits.max_priority", self.max_priority)
            .set("circuits.segment_levels", self.segment_levels)
            .set("exit_when_idle", self.exit_when_idle.then_some(true))
            .set("log_format", self.log_format.as_ref()))
    }
}

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => {
            if let Err(e) = run_worker(args) {
                eprintln!("quire-prover run failed: {e:#}");
                std::process::exit(1);
            }
        }
        Command::CircuitStats { prove, batch } => {
            circuit_stats(prove);
            if batch {
                if let Err(e) = batch_stats() {
                    eprintln!("batch circuit stats failed: {e:#}");
                    std::process::exit(1);
                }
            }
        }
        Command::ExportVerifier { root, fixtures } => {
            if let Err(e) = export_verifier(&root, fixtures) {
                eprintln!("export-verifier failed: {e:#}");
                std::process::exit(1);
            }
        }
    }
}

fn run_worker(args: RunArgs) -> anyhow::Result<()> {
    use quire_prover::{CircuitProver, ServiceConfig, WorkerEvent};
    use std::sync::Arc;

    let config = ServiceConfig::load(
        args.config.as_deref(),
        |k| std::env::var(k).ok(),
        args.flags()?,
    )?;
    config.validate()?;
    // Logs to stderr: stdout carries the event lines.
    let ansi = quire_prover::progress::stderr_is_terminal();
    quire_service_kit::init_tracing(
        &config.log_format,
        quire_service_kit::LogOutput::Stderr { ansi },
        "info",
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async move {
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            quire_service_kit::shutdown_signal().await;
            tracing::info!("shutdown requested");
            let _ = stop.send(true);
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // Events on stdout, one line each, for operators' scripts and the tests.
        let printer = tokio::spawn(async move {
            while let Some(e) = rx.recv().await {
                match e {
                    WorkerEvent::Metrics { addr } => println!("metrics http://{addr}/metrics"),
                    WorkerEvent::Claimed { batch, attempt } => {
                        println!("claimed batch={batch} attempt={attempt}")
                    }
                    WorkerEvent::Proven {
                        batch,
                        attempt,
                        millis,
                    } => {
                        println!("proven batch={batch} attempt={attempt} ms={millis}")
                    }
                    WorkerEvent::Failed {
                        batch,
                        attempt,
                        retrying,
                        error,
                    } => println!(
                        "failed batch={batch} attempt={attempt} retrying={retrying} error={error:?}"
                    ),
                    WorkerEvent::Released { batch } => println!("released batch={batch}"),
                    WorkerEvent::LeaseLost { batch } => println!("lease_lost batch={batch}"),
                    WorkerEvent::Reclaimed {
                        batch,
                        from,
                        requeued,
                    } => println!(
                        "reclaimed batch={batch} from={} requeued={requeued}",
                        from.as_deref().unwrap_or("?")
                    ),
                }
            }
        });
        let prover = Arc::new(CircuitProver::new(config.circuits));
        let summary = quire_prover::run(config, prover, stop_rx, Some(tx)).await;
        let _ = printer.await;
        summary
    });
    // A proof abandoned on shutdown may still occupy a blocking thread (plonky2 cannot be
    // interrupted mid-proof): do not wait for it, the job was released.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    let summary = result?;
    println!(
        "stopped proven={} retried={} failed={} released={} lease_lost={} reclaimed={}",
        summary.proven,
        summary.retried,
        summary.failed,
        summary.released,
        summary.lease_lost,
        summary.reclaimed
    );
    Ok(())
}

fn export_verifier(root: &std::path::Path, fixtures: bool) -> anyhow::Result<()> {
    use quire_evm_verifier::{fixtures as fx, solidity};
    let (data, _) = fx::target()?;
    let files = solidity::generate(&data.common, &data.verifier_only)?;
    solidity::write_all(root, &files)?;
    for f in &files {
        println!("wrote {}", f.path);
    }
    if fixtures {
        let dir = root.join("contracts/test/fixtures/verifier");
        fx::export(&dir)?;
        println!("wrote {}", dir.display());
    }
    Ok(())
}

fn circuit_stats(prove: bool) {
    stats::install_row_logger();
    let variants = [("", GateSet::ALL), ("_without_custom_gates", GateSet::NONE)];
    println!("# one verify_schnorr in CircuitConfig::standard_recursion_config()");
    println!("# rows: builder.num_gates() before build; built: rows as laid out by build (with constants and the public-input gate), before padding; degree: padded;");
    println!("# recursive_verifier_rows: num_gates() of a circuit verifying one proof of it");
    for (suffix, gates) in variants {
        let s = stats::schnorr_stats(gates);
        println!("schnorr_verify_rows{suffix}={}", s.rows);
        if let Some(built) = s.rows_built {
            println!("schnorr_verify_rows_built{suffix}={built}");
        }
        println!("schnorr_verify_degree{suffix}={}", s.degree);
        println!(
            "schnorr_recursive_verifier_rows{suffix}={}",
            s.recursive_verifier_rows
        );
        if prove {
            match stats::schnorr_prove_time(gates) {
                Ok(t) => println!("schnorr_verify_prove_ms{suffix}={}", t.as_millis()),
                Err(e) => {
                    eprintln!("proving failed: {e:#}");
                    std::process::exit(1);
                }
            }
        }
    }
}

/// Sizes of the batch circuits (`stats::batch_stats`): one `name=value` per line.
fn batch_stats() -> anyhow::Result<()> {
    println!("# batch circuits (standard recursion config; one step circuit for every kind)");
    for (name, value) in stats::batch_stats()? {
        println!("{name}={value}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_prover::ServiceConfig;

    fn run_args(flags: &[&str]) -> RunArgs {
        let cli = Cli::try_parse_from(["quire-prover", "run"].iter().chain(flags))
            .unwrap_or_else(|e| panic!("{e}"));
        match cli.command {
            Command::Run(args) => args,
            _ => panic!("not run"),
        }
    }

    #[test]
    fn every_run_flag_sets_its_setting_over_the_environment() {
        let args = run_args(&[
            "--database-url",
            "postgres://h/db",
            "--worker-id",
            "w1",
            "--metrics-listen",
            "127.0.0.1:1",
            "--heartbeat-timeout-ms",
            "70",
            "--heartbeat-interval-ms",
            "30",
            "--max-attempts",
            "9",
            "--chunk-steps",
            "2",
            "--levels",
            "3",
            "--max-priority",
            "1",
            "--segment-levels",
            "1",
            "--exit-when-idle",
            "--log-format",
            "json",
        ]);
        let env = |k: &str| match k {
            "QUIRE_PROVER_MAX_ATTEMPTS" => Some("4".to_string()),
            "QUIRE_PROVER_POLL_INTERVAL_MS" => Some("5".to_string()),
            "QUIRE_PROVER_METRICS_LISTEN" => Some("off".to_string()),
            _ => None,
        };
        let flags = args.flags().unwrap_or_else(|e| panic!("{e}"));
        let c = ServiceConfig::load(None, env, flags).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.database_url, "postgres://h/db");
        assert_eq!(c.worker_id.as_deref(), Some("w1"));
        assert_eq!(c.metrics_listen, Some(([127, 0, 0, 1], 1).into()));
        assert_eq!((c.heartbeat_timeout_ms, c.heartbeat_interval_ms), (70, 30));
        assert_eq!((c.max_attempts, c.poll_interval_ms), (9, 5));
        let shape = c.circuits;
        assert_eq!(
            (
                shape.chunk_steps,
                shape.levels,
                shape.max_priority,
                shape.segment_levels
            ),
            (2, 3, 1, 1)
        );
        assert!(c.exit_when_idle);
        assert_eq!(c.log_format, "json");

        // `--metrics-listen off` unsets; an unparsable address names the flag.
        let flags = run_args(&["--metrics-listen", "off"]).flags();
        let c = ServiceConfig::load(None, |_| None, flags.unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.metrics_listen, None);
        let err = run_args(&["--metrics-listen", "nope"]).flags().err();
        assert!(err
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("--metrics-listen"));
        // No flags: the defaults (`exit_when_idle` absent leaves the environment's value).
        let env = |k: &str| (k == "QUIRE_PROVER_EXIT_WHEN_IDLE").then(|| "true".to_string());
        let flags = run_args(&[]).flags().unwrap_or_else(|e| panic!("{e}"));
        let c = ServiceConfig::load(None, env, flags).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.exit_when_idle);
        assert_eq!(c.metrics_listen, ServiceConfig::default().metrics_listen);
    }
}
