//! Deployment of the verifier and the `Rollup` contract to any RPC, token registration, and
//! the deployment file services read.

use std::path::Path;
use std::sync::Arc;

use ethers::contract::EthEvent;
use ethers::providers::Middleware;
use ethers::types::{Address as EthAddress, TransactionReceipt, H256, U256};
use quire_core::state::{Genesis, State};
use quire_core::token::TokenInfo;
use serde::{Deserialize, Serialize};

use crate::bindings::quire_verifier::QuireVerifier;
use crate::bindings::rollup::{BatchCommittedFilter, Rollup, TokenRegisteredFilter};
use crate::convert::to_eth_address;
use crate::error::L1Error;
use crate::types::StoredBatch;

/// Which batch verifier the rollup is bound to (immutable once deployed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "address", rename_all = "snake_case")]
pub enum VerifierChoice {
    /// Deploy `contracts/src/verifier/QuireVerifier.sol` (the generated plonky2 verifier)
    /// from the committed artifact. While issue #7 is unfinished that contract reverts
    /// `Unimplemented()` after the transcript, so a rollup bound to it cannot prove batches:
    /// use [`VerifierChoice::Existing`] until it is complete.
    DeployQuireVerifier,
    /// Use a verifier already deployed at this address (it must have code). Whoever picks the
    /// address vouches for it: the rollup trusts its answer for every batch.
    Existing(EthAddress),
}

/// What to deploy.
#[derive(Clone, Debug)]
pub struct DeployConfig {
    /// The L2 genesis state root in its L1 form (`Digest::to_l1_bytes32`).
    pub genesis_root: H256,
    /// The batch verifier.
    pub verifier: VerifierChoice,
    /// The final governance address; `None` keeps the deployer. The deployer is governance
    /// while it registers tokens and operators, then nominates this address, which must call
    /// `acceptGovernance` (the contract's transfer is two-step).
    pub governance: Option<EthAddress>,
    /// Operators allowed to commit batches; empty means the deployer.
    pub operators: Vec<EthAddress>,
    /// ERC-20 tokens to register, in L2 genesis order: ids must be 1, 2, … (ETH is 0 and is
    /// registered by the constructor).
    pub tokens: Vec<TokenInfo>,
    /// Seconds a priority operation may wait for execution before anyone can start exodus
    /// (the contract accepts 1 hour ..= 30 days).
    pub priority_deadline_secs: u64,
    /// Blocks to wait on top of each deployment transaction's block (1 = mined).
    pub confirmations: usize,
}

impl DeployConfig {
    /// The configuration matching an L2 genesis: its root and its tokens, in order.
    pub fn from_genesis(
        genesis: &Genesis,
        verifier: VerifierChoice,
        priority_deadline_secs: u64,
    ) -> Result<Self, L1Error> {
        let mut state = State::genesis(genesis)
            .map_err(|e| L1Error::Config(format!("invalid genesis: {e}")))?;
        Ok(DeployConfig {
            genesis_root: H256(state.root().to_l1_bytes32()),
            verifier,
            governance: None,
            operators: Vec::new(),
            tokens: genesis.tokens.clone(),
            priority_deadline_secs,
            confirmations: 1,
        })
    }
}

/// A registered token as recorded in the deployment file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployedToken {
    /// Token id (ETH is 0).
    pub id: u8,
    /// Display symbol.
    pub symbol: String,
    /// The ERC-20 address (zero for ETH).
    pub address: EthAddress,
    /// L1 amount = L2 amount × scale, as a decimal string (JSON numbers lose precision
    /// past 2^53 in many readers).
    pub scale: String,
}

/// The deployment file: everything services need to find and follow the contracts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// The L1 chain id.
    pub chain_id: u64,
    /// The `Rollup` contract.
    pub rollup: EthAddress,
    /// The batch verifier the rollup calls.
    pub verifier: EthAddress,
    /// How the verifier was chosen.
    pub verifier_choice: VerifierChoice,
    /// The exodus balance-proof verifier the rollup created in its constructor.
    pub balance_proof_verifier: EthAddress,
    /// The address that deployed (and is governance until `pending_governance` accepts).
    pub deployer: EthAddress,
    /// Governance nominee that still has to call `acceptGovernance`, if any.
    pub pending_governance: Option<EthAddress>,
    /// Addresses allowed to commit batches.
    pub operators: Vec<EthAddress>,
    /// L1 block holding the rollup's creation: the watcher starts reading here.
    pub block_number: u64,
    /// Hash of that block, so a watcher notices if the deployment itself was reorged out.
    pub block_hash: H256,
    /// The L2 genesis root the rollup starts from.
    pub genesis_root: H256,
    /// Seconds a priority operation may wait before exodus can start.
    pub priority_deadline_secs: u64,
    /// Registered tokens, ETH first.
    pub tokens: Vec<DeployedToken>,
    /// Batch 0 as the constructor emitted it (the `last` argument of the first commit).
    pub genesis_batch: StoredBatch,
}

impl Deployment {
    /// Reads a deployment file.
    pub fn load(path: &Path) -> Result<Self, L1Error> {
        let text = std::fs::read_to_string(path).map_err(|source| L1Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| L1Error::Json {
            path: path.display().to_string(),
            source,
        })
    }

    /// Writes the deployment file atomically (temporary file, then rename), so a service
    /// starting concurrently never reads half a file.
    pub fn save(&self, path: &Path) -> Result<(), L1Error> {
        let io = |source| L1Error::Io {
            path: path.display().to_string(),
            source,
        };
        let mut text = serde_json::to_string_pretty(self).map_err(|source| L1Error::Json {
            path: path.display().to_string(),
            source,
        })?;
        text.push('\n');
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

/// Contract calls and deployments end here: waits for `confirmations` and insists on success.
async fn confirmed<M: Middleware>(
    pending: ethers::providers::PendingTransaction<'_, M::Provider>,
    confirmations: usize,
    what: &str,
) -> Result<TransactionReceipt, L1Error> {
    let hash = *pending;
    let receipt = pending
        .confirmations(confirmations)
        .await
        .map_err(L1Error::rpc)?
        .ok_or_else(|| L1Error::Rpc(format!("{what}: transaction {hash:?} was dropped")))?;
    if receipt.status != Some(1.into()) {
        return Err(L1Error::TxFailed {
            hash,
            block: receipt.block_number.map_or(0, |b| b.as_u64()),
        });
    }
    Ok(receipt)
}

/// Deploys the verifier (or checks the given one) and the rollup, appoints operators,
/// registers tokens, and nominates governance; returns what the deployment file holds.
///
/// `client` must sign (e.g. a `SignerMiddleware`): its default sender is the deployer.
pub async fn deploy<M: Middleware + 'static>(
    client: Arc<M>,
    cfg: &DeployConfig,
) -> Result<Deployment, L1Error> {
    let deployer = client
        .default_sender()
        .ok_or_else(|| L1Error::Config("the client has no signer".into()))?;
    let chain_id = client.get_chainid().await.map_err(L1Error::rpc)?.as_u64();
    let confirmations = cfg.confirmations.max(1);
    check_tokens(&cfg.tokens)?;

    let verifier = match cfg.verifier {
        VerifierChoice::DeployQuireVerifier => {
            let deployer_tx = QuireVerifier::deploy(client.clone(), ())
                .map_err(|e| L1Error::Config(format!("QuireVerifier deployer: {e}")))?
                .confirmations(confirmations);
            let contract = deployer_tx.send().await.map_err(L1Error::contract)?;
            tracing::info!(address = ?contract.address(), "deployed QuireVerifier");
            contract.address()
        }
        VerifierChoice::Existing(addr) => {
            let code = client.get_code(addr, None).await.map_err(L1Error::rpc)?;
            if code.is_empty() {
                return Err(L1Error::Config(format!(
                    "no contract at verifier address {addr:?}"
                )));
            }
            addr
        }
    };

    let (rollup, receipt) = Rollup::deploy(
        client.clone(),
        (
            deployer,
            verifier,
            cfg.genesis_root.0,
            cfg.priority_deadline_secs,
        ),
    )
    .map_err(|e| L1Error::Config(format!("Rollup deployer: {e}")))?
    .confirmations(confirmations)
    .send_with_receipt()
    .await
    .map_err(L1Error::contract)?;
    let block_number = receipt
        .block_number
        .ok_or_else(|| L1Error::Rpc("deployment receipt without block".into()))?
        .as_u64();
    let block_hash = receipt
        .block_hash
        .ok_or_else(|| L1Error::Rpc("deployment receipt without block hash".into()))?;
    let genesis_batch = receipt
        .logs
        .iter()
        .filter(|l| l.topics.first() == Some(&BatchCommittedFilter::signature()))
        .find_map(|l| BatchCommittedFilter::decode_log(&l.clone().into()).ok())
        .map(|e| StoredBatch::from(e.info))
        .ok_or_else(|| L1Error::InvalidEvent("constructor emitted no BatchCommitted".into()))?;
    tracing::info!(address = ?rollup.address(), block_number, "deployed Rollup");

    let operators = if cfg.operators.is_empty() {
        vec![deployer]
    } else {
        cfg.operators.clone()
    };
    for op in &operators {
        let call = rollup.set_operator(*op, true);
        let pending = call.send().await.map_err(L1Error::contract)?;
        confirmed::<M>(pending, confirmations, "setOperator").await?;
    }

    let mut tokens = vec![DeployedToken {
        id: 0,
        symbol: "ETH".into(),
        address: EthAddress::zero(),
        scale: "1000000000".into(),
    }];
    for t in &cfg.tokens {
        // Checked by check_tokens: scale < 2^96.
        let call = rollup.register_token(to_eth_address(&t.l1_address), t.scale);
        let pending = call.send().await.map_err(L1Error::contract)?;
        let receipt = confirmed::<M>(pending, confirmations, "registerToken").await?;
        let event = receipt
            .logs
            .iter()
            .filter(|l| l.topics.first() == Some(&TokenRegisteredFilter::signature()))
            .find_map(|l| TokenRegisteredFilter::decode_log(&l.clone().into()).ok())
            .ok_or_else(|| L1Error::InvalidEvent("registerToken emitted no event".into()))?;
        if event.token_id != t.id.0 {
            return Err(L1Error::Config(format!(
                "token {} ({}) was registered as id {} on L1: the L2 genesis and the contract disagree",
                t.id, t.symbol, event.token_id
            )));
        }
        tokens.push(DeployedToken {
            id: t.id.0,
            symbol: t.symbol.clone(),
            address: to_eth_address(&t.l1_address),
            scale: t.scale.to_string(),
        });
    }

    let pending_governance = match cfg.governance {
        Some(g) if g != deployer => {
            let call = rollup.transfer_governance(g);
            let pending = call.send().await.map_err(L1Error::contract)?;
            confirmed::<M>(pending, confirmations, "transferGovernance").await?;
            Some(g)
        }
        _ => None,
    };

    let balance_proof_verifier = rollup
        .balance_proof_verifier()
        .call()
        .await
        .map_err(L1Error::contract)?;

    Ok(Deployment {
        chain_id,
        rollup: rollup.address(),
        verifier,
        verifier_choice: cfg.verifier,
        balance_proof_verifier,
        deployer,
        pending_governance,
        operators,
        block_number,
        block_hash,
        genesis_root: cfg.genesis_root,
        priority_deadline_secs: cfg.priority_deadline_secs,
        tokens,
        genesis_batch,
    })
}

/// Ids 1, 2, … in order (the contract assigns the next id), nonzero addresses, scales the
/// contract accepts (1 ..< 2^96).
fn check_tokens(tokens: &[TokenInfo]) -> Result<(), L1Error> {
    for (i, t) in tokens.iter().enumerate() {
        if usize::from(t.id.0) != i + 1 {
            return Err(L1Error::Config(format!(
                "token {} ({}) must have id {}: ids follow registration order after ETH",
                t.id,
                t.symbol,
                i + 1
            )));
        }
        if t.l1_address.0 == [0; 20] {
            return Err(L1Error::Config(format!(
                "token {} has no L1 address",
                t.symbol
            )));
        }
        if t.scale == 0 || t.scale >= 1u128 << 96 {
            return Err(L1Error::Config(format!(
                "token {} scale {} is outside 1 ..< 2^96",
                t.symbol, t.scale
            )));
        }
    }
    Ok(())
}

/// Reads the registered tokens from the contract (id, address, scale), ETH first.
pub async fn registered_tokens<M: Middleware + 'static>(
    client: Arc<M>,
    rollup: EthAddress,
) -> Result<Vec<(u8, EthAddress, U256)>, L1Error> {
    let rollup = Rollup::new(rollup, client);
    let count = rollup
        .token_count()
        .call()
        .await
        .map_err(L1Error::contract)?;
    let mut out = Vec::with_capacity(usize::from(count));
    for id in 0..count {
        let (addr, scale) = rollup.tokens(id).call().await.map_err(L1Error::contract)?;
        out.push((id, addr, scale));
    }
    Ok(out)
}
