//! `quire-l1-deploy`: deploys Quire's L1 contracts for an L2 genesis and writes the
//! deployment file services read.
//!
//! ```sh
//! QUIRE_L1_PRIVATE_KEY=0x… quire-l1-deploy --rpc-url http://127.0.0.1:8545 \
//!     --genesis genesis.json --verifier 0x… --out deployment.json
//! ```

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;
use ethers::types::Address;
use quire_core::chain::BatchShape;
use quire_core::state::Genesis;
use quire_l1::{DeployConfig, VerifierChoice};

/// Deploys the verifier and the Rollup contract, registers the genesis tokens, appoints
/// operators and writes the deployment file.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// L1 JSON-RPC endpoint.
    #[arg(long, env = "QUIRE_L1_RPC_URL")]
    rpc_url: String,
    /// Deployer's private key (hex). Prefer the environment variable over the command line,
    /// which other users of the machine can read.
    #[arg(long, env = "QUIRE_L1_PRIVATE_KEY", hide_env_values = true)]
    private_key: String,
    /// The L2 genesis (core's `Genesis` as JSON): the rollup starts from its root, and its
    /// tokens are registered in order.
    #[arg(long)]
    genesis: PathBuf,
    /// Address of an already deployed batch verifier.
    #[arg(long, conflicts_with = "deploy_quire_verifier")]
    verifier: Option<Address>,
    /// Deploy contracts/src/verifier/QuireVerifier.sol (the generated plonky2 verifier; it
    /// accepts the proofs of the wrapper circuit it was generated from).
    #[arg(long)]
    deploy_quire_verifier: bool,
    /// Seconds a priority operation may wait before exodus can start (3600 ..= 2592000;
    /// default 14 days, see docs/decisions.md D16).
    #[arg(long, default_value_t = quire_l1::flood::PRODUCTION_PRIORITY_DEADLINE_SECS)]
    priority_deadline_secs: u64,
    /// Wei each deposit and full-exit request pays the operator (at most 10^17; default
    /// 0.002 ETH, what makes flooding the queue into exodus cost > 100 ETH, D16).
    #[arg(long, default_value_t = quire_l1::flood::PRODUCTION_PRIORITY_FEE_WEI)]
    priority_fee_wei: u128,
    /// Who claims the priority fees; default: the first operator, else the deployer.
    #[arg(long)]
    fee_recipient: Option<Address>,
    /// Operator addresses (repeat); default: the deployer.
    #[arg(long = "operator")]
    operators: Vec<Address>,
    /// Final governance (must then call `acceptGovernance`); default: the deployer.
    #[arg(long)]
    governance: Option<Address>,
    /// Confirmations to wait for on each deployment transaction.
    #[arg(long, default_value_t = 1)]
    confirmations: usize,
    /// The batch shape the verifier accepts, recorded in the deployment file (the sequencer
    /// and the prover refuse to run past it): steps per chunk proof.
    #[arg(long, default_value_t = BatchShape::DEVNET.chunk_steps)]
    chunk_steps: usize,
    /// Binary aggregation levels above the chunks (capacity = chunk_steps · 2^levels).
    #[arg(long, default_value_t = BatchShape::DEVNET.levels)]
    levels: u32,
    /// Priority operations one batch may hold.
    #[arg(long, default_value_t = BatchShape::DEVNET.max_priority)]
    max_priority: usize,
    /// Levels of the commitment segment tree.
    #[arg(long, default_value_t = BatchShape::DEVNET.segment_levels)]
    segment_levels: u32,
    /// Where to write the deployment file.
    #[arg(long, default_value = "deployment.json")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let verifier = match (args.verifier, args.deploy_quire_verifier) {
        (Some(a), false) => VerifierChoice::Existing(a),
        (None, true) => VerifierChoice::DeployQuireVerifier,
        _ => bail!("pass either --verifier <address> or --deploy-quire-verifier"),
    };
    let text = std::fs::read_to_string(&args.genesis)
        .with_context(|| format!("reading {}", args.genesis.display()))?;
    let genesis: Genesis = serde_json::from_str(&text)
        .with_context(|| format!("parsing {}", args.genesis.display()))?;
    let mut cfg = DeployConfig::from_genesis(&genesis, verifier, args.priority_deadline_secs);
    cfg.priority_fee_wei = args.priority_fee_wei;
    cfg.fee_recipient = args.fee_recipient;
    cfg.operators = args.operators;
    cfg.governance = args.governance;
    cfg.confirmations = args.confirmations;
    cfg.batch_shape = BatchShape {
        chunk_steps: args.chunk_steps,
        levels: args.levels,
        max_priority: args.max_priority,
        segment_levels: args.segment_levels,
    };

    let client =
        quire_l1::connect(&args.rpc_url, &args.private_key, Duration::from_millis(500)).await?;
    let deployment = quire_l1::deploy(client, &cfg).await?;
    deployment.save(&args.out)?;
    println!(
        "rollup {:?} (verifier {:?}) on chain {} at block {}; wrote {}",
        deployment.rollup,
        deployment.verifier,
        deployment.chain_id,
        deployment.block_number,
        args.out.display()
    );
    Ok(())
}
