//! Typed configuration: defaults, then a TOML file, then environment variables, then
//! command-line flags — each layer overrides the one before.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::executor::ExecutorConfig;
use crate::mempool::MempoolConfig;

/// When a batch closes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchConfig {
    /// Most operations per batch.
    pub max_txs: usize,
    /// Longest wait, in milliseconds, before a non-empty batch closes.
    pub max_wait_ms: u64,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            max_txs: 4096,
            max_wait_ms: 250,
        }
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
    /// A genesis JSON file; the built-in devnet genesis if absent. Only read when the
    /// database is new: afterwards the stored genesis is authoritative.
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
        }
    }
}

/// A configuration problem, naming the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("parsing {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why, naming the field.
        message: String,
    },
    /// An environment variable has an invalid value.
    #[error("environment variable {name}: {message}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Why.
        message: String,
    },
}

impl Config {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.to_string(),
        })
    }

    /// Applies `QUIRE_*` environment variables (and `DATABASE_URL`).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            v.parse().map_err(|e: T::Err| ConfigError::Env {
                name,
                message: e.to_string(),
            })
        }
        if let Some(v) = get("DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("QUIRE_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("QUIRE_LISTEN") {
            self.listen = parse("QUIRE_LISTEN", v)?;
        }
        if let Some(v) = get("QUIRE_GENESIS") {
            self.genesis = Some(v.into());
        }
        if let Some(v) = get("QUIRE_LOG_FORMAT") {
            self.log_format = v;
        }
        if let Some(v) = get("QUIRE_BATCH_MAX_TXS") {
            self.batch.max_txs = parse("QUIRE_BATCH_MAX_TXS", v)?;
        }
        if let Some(v) = get("QUIRE_BATCH_MAX_WAIT_MS") {
            self.batch.max_wait_ms = parse("QUIRE_BATCH_MAX_WAIT_MS", v)?;
        }
        if let Some(v) = get("QUIRE_MEMPOOL_MAX_TXS") {
            self.mempool.max_txs = parse("QUIRE_MEMPOOL_MAX_TXS", v)?;
        }
        if let Some(v) = get("QUIRE_MIN_FEE") {
            self.mempool.min_fee = parse("QUIRE_MIN_FEE", v)?;
        }
        if let Some(v) = get("QUIRE_DEV_ENDPOINTS") {
            self.api.dev_endpoints = parse("QUIRE_DEV_ENDPOINTS", v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut c = Config::from_file(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.batch.max_txs, 10);
        assert_eq!(c.batch.max_wait_ms, BatchConfig::default().max_wait_ms);
        c.apply_env(|k| (k == "QUIRE_BATCH_MAX_TXS").then(|| "20".to_string()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.batch.max_txs, 20);
        let err = c.apply_env(|k| (k == "QUIRE_LISTEN").then(|| "nope".to_string()));
        assert!(err.unwrap_err().to_string().contains("QUIRE_LISTEN"));
        std::fs::write(&file, "[batch]\nmax_tx = 1\n").unwrap_or_else(|e| panic!("{e}"));
        let err = Config::from_file(&file).unwrap_err().to_string();
        assert!(err.contains("max_tx"), "{err}");
    }
}
