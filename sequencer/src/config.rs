//! Typed configuration: defaults, then a TOML file, then environment variables, then
//! command-line flags — each layer overrides the one before.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use quire_core::tx::pubdata::MAX_SIZE as MAX_OP_PUBDATA;
use quire_executor::mempool::MempoolConfig;
use quire_executor::ExecutorConfig;

/// The largest `batch.max_pubdata_bytes`: the worst batch the builder admits with that much
/// pubdata settles with every L1 transaction at most 15M gas (`forge test --match-test
/// WorstCase`; the L1 gas budget, `batch.max_l1_gas`, is what binds for costly kinds).
pub const MAX_SAFE_PUBDATA_BYTES: usize = 340_000;

/// When a batch closes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchConfig {
    /// Most operations per batch.
    pub max_txs: usize,
    /// Longest wait, in milliseconds, before a non-empty batch closes.
    pub max_wait_ms: u64,
    /// Most L1 priority operations (deposits, full exits) per batch. The prover's circuit
    /// shape bounds it (the devnet circuit takes 4 priority operations in 8 operations), so
    /// a batch the circuit cannot prove is never built; and so does the contract
    /// (`Rollup.MAX_PRIORITY_OPS_PER_BATCH`, checked when L1 is connected), so a batch L1
    /// cannot commit is never built either.
    pub max_priority_ops: usize,
    /// Most pubdata bytes per batch (each operation counted at its kind's size). The default
    /// keeps a batch's pubdata within one L1 transaction under EIP-7825's 2^24 gas cap at
    /// EIP-7623's calldata floor, with room for the proof in `commitAndProveBatch`
    /// (contracts/README.md): 16,384 transfers fit, 16,384 withdrawals would not. At most
    /// [`MAX_SAFE_PUBDATA_BYTES`].
    pub max_pubdata_bytes: usize,
    /// Most L1 gas the batch's commit may need under the model of `quire_l1::gas` (every
    /// operation at its kind's measured cost, the proof and its verification included): a
    /// batch of costly operations (withdrawals, deposits, full exits) closes before its
    /// pubdata budget would, so every settlement transaction stays under EIP-7825's cap.
    /// At most 15,000,000.
    pub max_l1_gas: u64,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            max_txs: 4096,
            max_wait_ms: 250,
            max_priority_ops: 1024,
            max_pubdata_bytes: 340_000,
            max_l1_gas: quire_l1::gas::MAX_SETTLEMENT_GAS,
        }
    }
}

impl BatchConfig {
    /// Refuses limits past the chain's batch shape (recorded in the deployment file): a
    /// batch with more operations than the circuits hold, or more priority operations than
    /// their slots, could never be proven, and every priority operation queued behind it
    /// would wait until exodus.
    pub fn check_shape(&self, shape: &quire_core::chain::BatchShape) -> Result<(), ConfigError> {
        if self.max_txs > shape.capacity() {
            return Err(ConfigError::Invalid {
                field: "batch.max_txs",
                message: format!(
                    "{} exceeds the chain's batch capacity of {} (the deployment file's \
                     batch_shape: chunk_steps {} × 2^{} levels)",
                    self.max_txs,
                    shape.capacity(),
                    shape.chunk_steps,
                    shape.levels
                ),
            });
        }
        if self.max_priority_ops > shape.priority_slots() {
            return Err(ConfigError::Invalid {
                field: "batch.max_priority_ops",
                message: format!(
                    "{} exceeds the {} priority slots of the chain's batch shape (the \
                     deployment file's batch_shape)",
                    self.max_priority_ops,
                    shape.priority_slots()
                ),
            });
        }
        Ok(())
    }
}

/// HTTP API settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Longest `?wait=soft` wait, in seconds.
    pub max_wait_secs: u64,
    /// Enables `/v1/dev/*` (a faucet that queues deposits as if from L1). Devnet only.
    pub dev_endpoints: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            body_limit_bytes: 64 * 1024,
            max_wait_secs: 30,
            dev_endpoints: false,
        }
    }
}

/// Everything the sequencer reads at start.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the API listens on.
    pub listen: SocketAddr,
    /// `sqlite:PATH` (default) or `postgres://…`.
    pub database_url: String,
    /// A genesis JSON file; if absent, the genesis the `[l1]` deployment file records, else
    /// the built-in devnet genesis. Only read when the database is new: afterwards the
    /// stored genesis is authoritative (and with `[l1]`, its root must be the deployment's).
    pub genesis: Option<PathBuf>,
    /// `text` or `json` logs.
    pub log_format: String,
    /// Batching.
    pub batch: BatchConfig,
    /// Mempool policy.
    pub mempool: MempoolConfig,
    /// API.
    pub api: ApiConfig,
    /// Executor tuning.
    #[serde(skip)]
    pub executor: ExecutorConfig,
    /// Settlement on L1. Absent: dev mode (deposits only from `/v1/dev/deposits`, no batch
    /// leaves the sequencer).
    pub l1: Option<L1Config>,
}

/// A private key held in memory only (shared with the prover's configuration).
pub use quire_l1::Secret;

/// The `[l1]` section: where the rollup lives and how the sequencer talks to it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct L1Config {
    /// JSON-RPC URL of the L1 node.
    pub rpc_url: String,
    /// The deployment file written by `quire-l1-deploy` (`quire_l1::Deployment`).
    pub deployment: PathBuf,
    /// A file holding the operator's private key (hex). `QUIRE_L1_OPERATOR_KEY` takes
    /// precedence; the key is never written to the configuration or the logs.
    pub operator_key_file: Option<PathBuf>,
    /// The key from `QUIRE_L1_OPERATOR_KEY` (never read from the file format).
    #[serde(skip)]
    pub operator_key: Option<Secret>,
    /// Blocks on top of an L1 block before its events (deposits) and the sequencer's own
    /// transactions count.
    pub confirmations: u64,
    /// How often the watcher and the settlement task poll L1, in milliseconds.
    pub poll_interval_ms: u64,
    /// Most blocks one `eth_getLogs` may span.
    pub max_blocks_per_poll: u64,
    /// A transaction unmined this long is re-sent with higher fees, in seconds.
    pub stuck_after_secs: u64,
    /// Fee increase per replacement, in percent (at least 10: nodes refuse less).
    pub bump_percent: u64,
    /// Never offer more than this max fee per gas, in gwei.
    pub max_fee_gwei: u64,
    /// Commit each batch together with its proof (`commitAndProveBatch`, one transaction)
    /// once a prover has stored it, instead of `commitBatch` at once and the prover's
    /// `proveBatch` later. Slower to commit, cheaper on L1: the verifier's execution gas
    /// absorbs EIP-7623's calldata floor on the pubdata (see contracts/README.md).
    pub commit_with_proof: bool,
}

impl Default for L1Config {
    fn default() -> Self {
        Self {
            rpc_url: "http://127.0.0.1:8545".into(),
            deployment: PathBuf::from("deployment.json"),
            operator_key_file: None,
            operator_key: None,
            confirmations: 12,
            poll_interval_ms: 2_000,
            max_blocks_per_poll: 2_000,
            stuck_after_secs: 60,
            bump_percent: 20,
            max_fee_gwei: 500,
            commit_with_proof: false,
        }
    }
}

impl L1Config {
    /// The operator key: `QUIRE_L1_OPERATOR_KEY` if set, else the key file's content.
    pub fn resolve_operator_key(&self) -> Result<Secret, ConfigError> {
        if let Some(k) = &self.operator_key {
            return Ok(k.clone());
        }
        let path = self
            .operator_key_file
            .as_ref()
            .ok_or(ConfigError::Invalid {
                field: "l1.operator_key_file",
                message: "no operator key: set QUIRE_L1_OPERATOR_KEY or l1.operator_key_file"
                    .into(),
            })?;
        Ok(Secret::new(quire_service_kit::config::read_key_file(path)?))
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 3030)),
            database_url: "sqlite:quire-sequencer.db".into(),
            genesis: None,
            log_format: "text".into(),
            batch: BatchConfig::default(),
            mempool: MempoolConfig::default(),
            api: ApiConfig::default(),
            executor: ExecutorConfig::default(),
            l1: None,
        }
    }
}

use quire_service_kit::config::EnvVar;
pub use quire_service_kit::config::{ConfigError, Flags, LayeredConfig};

/// The sequencer's environment variables, each with the setting it overrides (over the file,
/// under the flags; `QUIRE_CONFIG` names the file). A variable of the `[l1]` section turns
/// the section on, with defaults for the rest. Where two set one setting, the later wins.
pub const ENV_VARS: &[EnvVar<Config>] = &[
    EnvVar::text("DATABASE_URL", "database_url"),
    EnvVar::text("QUIRE_DATABASE_URL", "database_url"),
    EnvVar::word("QUIRE_LISTEN", "listen"),
    EnvVar::text("QUIRE_GENESIS", "genesis"),
    EnvVar::text("QUIRE_LOG_FORMAT", "log_format"),
    EnvVar::number("QUIRE_BATCH_MAX_TXS", "batch.max_txs"),
    EnvVar::number("QUIRE_BATCH_MAX_WAIT_MS", "batch.max_wait_ms"),
    EnvVar::number("QUIRE_BATCH_MAX_PRIORITY_OPS", "batch.max_priority_ops"),
    EnvVar::number("QUIRE_BATCH_MAX_PUBDATA_BYTES", "batch.max_pubdata_bytes"),
    EnvVar::number("QUIRE_BATCH_MAX_L1_GAS", "batch.max_l1_gas"),
    EnvVar::number("QUIRE_MEMPOOL_MAX_TXS", "mempool.max_txs"),
    EnvVar::number("QUIRE_MIN_FEE", "mempool.min_fee"),
    EnvVar::bool("QUIRE_DEV_ENDPOINTS", "api.dev_endpoints"),
    EnvVar::text("QUIRE_L1_RPC_URL", "l1.rpc_url"),
    EnvVar::text("QUIRE_L1_DEPLOYMENT", "l1.deployment"),
    EnvVar::text("QUIRE_L1_OPERATOR_KEY_FILE", "l1.operator_key_file"),
    EnvVar::secret("QUIRE_L1_OPERATOR_KEY", "l1.operator_key", set_operator_key),
    EnvVar::number("QUIRE_L1_CONFIRMATIONS", "l1.confirmations"),
    EnvVar::number("QUIRE_L1_POLL_INTERVAL_MS", "l1.poll_interval_ms"),
    EnvVar::bool("QUIRE_L1_COMMIT_WITH_PROOF", "l1.commit_with_proof"),
];

/// `QUIRE_L1_OPERATOR_KEY`: kept out of the file format and the layered values.
fn set_operator_key(config: &mut Config, key: String) {
    config.l1.get_or_insert_with(L1Config::default).operator_key = Some(Secret::new(key));
}

impl LayeredConfig for Config {
    const ENV_VARS: &'static [EnvVar<Self>] = ENV_VARS;
}

impl Config {
    /// Checks values that parse but cannot work, naming the setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, message: &str| {
            Err(ConfigError::Invalid {
                field,
                message: message.into(),
            })
        };
        if self.batch.max_txs == 0 {
            return invalid("batch.max_txs", "must be at least 1");
        }
        if self.batch.max_priority_ops == 0 {
            return invalid(
                "batch.max_priority_ops",
                "must be at least 1 (L1 deposits would never be credited)",
            );
        }
        let mut one = quire_l1::gas::GasBudget::new(self.batch.max_l1_gas);
        if self.batch.max_l1_gas > quire_l1::gas::MAX_SETTLEMENT_GAS
            || !one.try_add(quire_core::tx::OpType::FullExit)
        {
            return invalid(
                "batch.max_l1_gas",
                "must be at most 15000000 (EIP-7825's cap with margin) and hold one operation \
                 of every kind with the proof (at least 6,110,000)",
            );
        }
        if self.batch.max_pubdata_bytes > MAX_SAFE_PUBDATA_BYTES {
            return invalid(
                "batch.max_pubdata_bytes",
                "must be at most 340000: the largest pubdata whose worst batch every settlement \
                 transaction is shown to fit under EIP-7825's gas cap (contracts/test/RollupWorstCase.t.sol)",
            );
        }
        if self.batch.max_pubdata_bytes < MAX_OP_PUBDATA {
            return invalid(
                "batch.max_pubdata_bytes",
                "must be at least 35 (one operation of the largest kind: a withdrawal)",
            );
        }
        let Some(l1) = &self.l1 else {
            return Ok(());
        };
        if self.api.dev_endpoints {
            return invalid(
                "api.dev_endpoints",
                "cannot be combined with [l1]: dev deposits take priority ids L1 never queued",
            );
        }
        if !(l1.rpc_url.starts_with("http://") || l1.rpc_url.starts_with("https://")) {
            return invalid("l1.rpc_url", "must be an http:// or https:// URL");
        }
        if l1.deployment.as_os_str().is_empty() {
            return invalid("l1.deployment", "must name the deployment JSON file");
        }
        if l1.operator_key.is_none() && l1.operator_key_file.is_none() {
            return invalid(
                "l1.operator_key_file",
                "no operator key: set QUIRE_L1_OPERATOR_KEY or l1.operator_key_file",
            );
        }
        if l1.poll_interval_ms == 0 {
            return invalid("l1.poll_interval_ms", "must be at least 1");
        }
        if l1.max_blocks_per_poll == 0 {
            return invalid("l1.max_blocks_per_poll", "must be at least 1");
        }
        if l1.bump_percent < 10 {
            return invalid(
                "l1.bump_percent",
                "must be at least 10 (nodes refuse smaller replacements)",
            );
        }
        if l1.max_fee_gwei == 0 {
            return invalid("l1.max_fee_gwei", "must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_limits_past_the_chains_batch_shape_are_refused() {
        let shape = quire_core::chain::BatchShape::DEVNET;
        let fits = BatchConfig {
            max_txs: 8,
            max_priority_ops: 4,
            ..BatchConfig::default()
        };
        assert!(fits.check_shape(&shape).is_ok());
        // The default limits (4,096 operations) are far past the devnet's circuits.
        let e = BatchConfig::default().check_shape(&shape).err();
        assert!(matches!(
            e,
            Some(ConfigError::Invalid {
                field: "batch.max_txs",
                ..
            })
        ));
        let priority = BatchConfig {
            max_priority_ops: 5,
            ..fits
        };
        let e = priority.check_shape(&shape).err();
        assert!(matches!(
            e,
            Some(ConfigError::Invalid {
                field: "batch.max_priority_ops",
                ..
            })
        ));
    }

    #[test]
    fn layers_override_in_order_and_errors_name_the_setting() {
        let dir = std::env::temp_dir().join(format!("quire-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\n[batch]\nmax_txs = 10\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let c = Config::from_file(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.batch.max_txs, 10);
        assert_eq!(c.batch.max_wait_ms, BatchConfig::default().max_wait_ms);
        let env = |k: &str| (k == "QUIRE_BATCH_MAX_TXS").then(|| "20".to_string());
        let c = Config::load(Some(&file), env, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.batch.max_txs, 20);
        assert_eq!(c.listen, SocketAddr::from(([127, 0, 0, 1], 9000)));
        let flags = Flags::new().set("batch.max_txs", Some(30));
        let c = Config::load(Some(&file), env, flags).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.batch.max_txs, 30);
        let err = Config::load(
            Some(&file),
            |k| (k == "QUIRE_LISTEN").then(|| "nope".to_string()),
            Flags::new(),
        );
        assert!(err.unwrap_err().to_string().contains("QUIRE_LISTEN"));
        std::fs::write(&file, "[batch]\nmax_tx = 1\n").unwrap_or_else(|e| panic!("{e}"));
        let err = Config::from_file(&file).unwrap_err().to_string();
        assert!(err.contains("max_tx"), "{err}");
    }

    #[test]
    fn l1_section_layers_validates_and_never_shows_the_key() {
        let dir = std::env::temp_dir().join(format!("quire-config-l1-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "[l1]\nrpc_url = \"http://127.0.0.1:9545\"\ndeployment = \"d.json\"\nconfirmations = 3\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let c = Config::from_file(&file).unwrap_or_else(|e| panic!("{e}"));
        let l1 = c.l1.clone().unwrap_or_else(|| panic!("section read"));
        assert_eq!(l1.confirmations, 3);
        assert_eq!(l1.poll_interval_ms, L1Config::default().poll_interval_ms);
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("l1.operator_key_file"), "{err}");

        let key = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
        let env = |k: &str| match k {
            "QUIRE_L1_OPERATOR_KEY" => Some(key.to_string()),
            "QUIRE_L1_CONFIRMATIONS" => Some("5".to_string()),
            _ => None,
        };
        let mut c = Config::load(Some(&file), env, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        c.validate().unwrap_or_else(|e| panic!("{e}"));
        let l1 = c.l1.clone().unwrap_or_else(|| panic!("section kept"));
        assert_eq!(l1.confirmations, 5);
        assert_eq!(
            l1.resolve_operator_key()
                .unwrap_or_else(|e| panic!("{e}"))
                .expose(),
            key
        );
        assert!(!format!("{c:?}").contains(key));
        assert!(!toml::to_string(&c)
            .unwrap_or_else(|e| panic!("{e}"))
            .contains(key));

        c.api.dev_endpoints = true;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("api.dev_endpoints"), "{err}");
        c.api.dev_endpoints = false;
        c.batch.max_priority_ops = 0;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("batch.max_priority_ops"), "{err}");
        c.batch.max_priority_ops = 1;
        c.batch.max_pubdata_bytes = 34;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("batch.max_pubdata_bytes"), "{err}");
        c.batch.max_pubdata_bytes = MAX_SAFE_PUBDATA_BYTES + 1;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("batch.max_pubdata_bytes"), "{err}");
        c.batch.max_pubdata_bytes = 35;
        c.batch.max_l1_gas = 15_000_001;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("batch.max_l1_gas"), "{err}");
        c.batch.max_l1_gas = 6_000_000;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("batch.max_l1_gas"), "{err}");
        c.batch.max_l1_gas = quire_l1::gas::MAX_SETTLEMENT_GAS;
        c.batch.max_pubdata_bytes = 35;
        assert!(c.validate().is_ok());

        // Without the section: dev mode, as before.
        let dev = Config::load(None, |_| None, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        assert!(dev.l1.is_none());
        dev.validate().unwrap_or_else(|e| panic!("{e}"));
        // The key alone turns the section on, with defaults for the rest, as it did.
        let env = |k: &str| (k == "QUIRE_L1_OPERATOR_KEY").then(|| key.to_string());
        let c = Config::load(None, env, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        let l1 = c.l1.unwrap_or_else(|| panic!("section turned on"));
        assert_eq!(l1.operator_key, Some(Secret::new(key)));
        assert_eq!(l1.confirmations, L1Config::default().confirmations);
    }

    /// The table is the list of variables: each one, set alone, reaches a setting.
    #[test]
    fn every_variable_of_the_table_sets_its_setting() {
        for var in ENV_VARS {
            let env = |k: &str| (k == var.name).then(|| var.example().to_string());
            let c = Config::load(None, env, Flags::new())
                .unwrap_or_else(|e| panic!("{}: {e}", var.name));
            assert_ne!(c, Config::default(), "{} sets nothing", var.name);
        }
    }
}
