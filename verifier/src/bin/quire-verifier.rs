//! `quire-verifier`: verify every batch of a Quire chain from L1 data alone.
//!
//! ```text
//! quire-verifier --l1-rpc URL --rollup ADDR --genesis genesis.json [--follow]
//! ```
//!
//! Prints one line per batch (stage, operations, root matches, proof valid) on stdout;
//! progress goes to stderr (a spinner on a terminal). Exit status: 0 everything verified,
//! 1 bad flags, 2 a mismatch (the message names the batch or the file) or an unreadable
//! chain.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use quire_chain::{ChainArgs, ChainSource};
use quire_verifier::{ChainVerifier, ProofChecker, VerifyError};

/// Verify a Quire chain from L1 data alone.
#[derive(Parser, Debug)]
#[command(name = "quire-verifier", version)]
struct Args {
    /// L1 JSON-RPC endpoint.
    #[arg(long, env = "QUIRE_L1_RPC")]
    l1_rpc: String,
    /// A deployment file: defaults for --rollup, --genesis and the batch shape.
    #[arg(long, env = "QUIRE_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// The chain.
    #[command(flatten)]
    chain: ChainArgs,
    /// Keep verifying as new batches land.
    #[arg(long)]
    follow: bool,
    /// Seconds between reads of L1 with --follow.
    #[arg(long, default_value_t = 12)]
    interval: u64,
    /// Check roots and data only, not proofs (no circuit building).
    #[arg(long)]
    no_proofs: bool,
}

/// Progress on stderr: a spinner on a terminal, nothing otherwise.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(pb))
    }

    fn say(&self, msg: impl Into<String>) {
        if let Some(pb) = &self.0 {
            pb.set_message(msg.into());
        }
    }

    fn line(&self, line: &str) {
        match &self.0 {
            Some(pb) => pb.suspend(|| println!("{line}")),
            None => println!("{line}"),
        }
    }
}

async fn run(args: Args, source: ChainSource, progress: &Progress) -> Result<(), VerifyError> {
    progress.say("reading L1");
    let mirror = source.sync(&args.l1_rpc).await?;
    let view = mirror.view().await?;
    let checker = if args.no_proofs {
        None
    } else {
        progress.say("building the circuits to check proofs with");
        Some(ProofChecker::build(&source.genesis, source.shape)?)
    };
    let mut verifier = ChainVerifier::new(&view, &source.genesis, checker)?;
    progress.line("genesis: root matches the rollup's");
    let mut view = view;
    loop {
        progress.say(format!("verifying batches after {}", verifier.proven()));
        for v in verifier.advance(&view)? {
            progress.line(&v.to_string());
        }
        if !args.follow {
            return Ok(());
        }
        progress.say(format!(
            "verified up to batch {}; waiting for new batches",
            verifier.proven()
        ));
        tokio::time::sleep(Duration::from_secs(args.interval.max(1))).await;
        mirror.sync().await?;
        view = mirror.view().await?;
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let source = match args.chain.resolve(args.deployment.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let progress = Progress::new();
    match runtime.block_on(run(args, source, &progress)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(pb) = &progress.0 {
                pb.finish_and_clear();
            }
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
