//! `quire-devnet`: anvil, the contracts, a sequencer and a prover on one SQLite file, until
//! Ctrl-C. The work is in the library ([`quire_devnet::run`]), which the end-to-end tests
//! drive too.

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "quire-devnet",
    version,
    about = "Start a local devnet: anvil, the contracts, sequencer and prover on SQLite"
)]
struct Cli {
    #[command(flatten)]
    args: quire_devnet::DevnetArgs,
}

fn main() -> ExitCode {
    let args = Cli::parse().args;
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(quire_devnet::run(args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
