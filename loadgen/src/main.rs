//! `quire-loadgen`: signed-transfer load against a running sequencer (see the
//! [`quire_loadgen`] library). Prints one `loadgen …` line of figures; exits non-zero if any
//! transaction was refused or a sampled one did not execute.

use clap::Parser;
use quire_loadgen::{run, LoadConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cfg = LoadConfig::parse();
    let report = run(&cfg).await?;
    println!("{}", report.line(&cfg));
    for (code, n) in &report.refused {
        println!("refused code={code} count={n}");
    }
    if !report.refused.is_empty() || report.executed_checked != report.checked {
        anyhow::bail!("some transactions were refused or did not execute");
    }
    Ok(())
}
