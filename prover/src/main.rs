//! `quire-prover`: the prover service's command line (more subcommands come with the
//! prover service itself).

use clap::{Parser, Subcommand};
use quire_prover::gadgets::GateSet;
use quire_prover::stats;

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
    /// Generate the Solidity verifier of the EVM wrapper circuit into contracts/src/verifier/
    /// (issue #7). Until the real wrapper (#6) exists, the circuit is the test wrapper of
    /// `evm_verifier::test_wrapper`.
    ExportVerifier {
        /// Repository root to write under.
        #[arg(long, default_value = ".")]
        root: std::path::PathBuf,
        /// Also prove the test wrapper and write the forge fixtures
        /// (contracts/test/fixtures/verifier/).
        #[arg(long)]
        fixtures: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    match cli.command {
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

fn export_verifier(root: &std::path::Path, fixtures: bool) -> anyhow::Result<()> {
    use quire_prover::evm_verifier::{fixtures as fx, solidity, test_wrapper::TestWrapper};
    let tw = TestWrapper::build();
    let files = solidity::generate(&tw.wrapper.common, &tw.wrapper.verifier_only)?;
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
