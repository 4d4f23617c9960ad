//! Typed configuration of the worker: defaults, then a TOML file, then environment
//! variables, then command-line flags — each layer overrides the one before (the same
//! layering as the sequencer's configuration).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use quire_circuits::BatchShape;
use serde::{Deserialize, Serialize};

/// The largest capacity the service accepts: 16,384 operations, the largest power of two
/// whose transfers' pubdata and proof still fit one L1 transaction under EIP-7825's cap of
/// 2^24 gas at EIP-7623's calldata floor (18 bytes × 40 gas per transfer: ~11.8 M gas, plus
/// ~2.4 M for the proof when both go in `commitAndProveBatch`); twice that would not.
pub const MAX_CAPACITY: usize = 1 << 14;

/// The most steps one commitment segment covers: a segment's circuit grows with its steps
/// (~0.26 keccak-f of pubdata each, plus two per priority slot), so past ~1,000 it outgrows
/// what a worker proves in reasonable time and memory; larger batches take more segments.
pub const MAX_SEGMENT_STEPS: usize = 1024;

/// Everything the worker reads at start.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// `sqlite:PATH` or `postgres://…`: the sequencer's database (they meet there). The
    /// default is the sequencer's default file.
    pub database_url: String,
    /// This worker's name in `prover_jobs.worker` and in logs; `HOST-PID-RANDOM` if absent.
    pub worker_id: Option<String>,
    /// Wait between two looks at an empty queue, in milliseconds.
    pub poll_interval_ms: u64,
    /// How often the holder of a job refreshes its heartbeat, in milliseconds.
    pub heartbeat_interval_ms: u64,
    /// A job whose heartbeat is older than this (database clock) belongs to a dead worker and
    /// is reclaimed, in milliseconds.
    pub heartbeat_timeout_ms: u64,
    /// Claims of one job before it is marked `failed` (a reclaim after a crash counts: a
    /// batch that kills its workers must not loop forever).
    pub max_attempts: u32,
    /// Back-off before a failed attempt is retried, times the attempt number, in ms.
    pub retry_backoff_ms: u64,
    /// On SIGTERM/Ctrl-C, how long the current proof may still run to be stored before the
    /// job is released back to the queue, in milliseconds.
    pub shutdown_grace_ms: u64,
    /// Prometheus endpoint (`/metrics`, `/healthz`); `None` disables it.
    pub metrics_listen: Option<SocketAddr>,
    /// `text` or `json` logs.
    pub log_format: String,
    /// Exit once no job is queued or being proven (batch runs, tests) instead of polling.
    pub exit_when_idle: bool,
    /// The shape of the batch circuits (a `[circuits]` table with `chunk_steps`, `levels`,
    /// `max_priority`, `segment_levels`).
    ///
    /// The shape is fixed (not chosen per batch) because the wrapper circuit, and so the
    /// Solidity verifier generated from it, depends on it: one shape, one L1 verifier. Its
    /// capacity must be at least the sequencer's `batch.max_txs`, and `max_priority` at
    /// least its `batch.max_priority_ops`; a batch past either fails permanently with an
    /// error naming the numbers. The default is `BatchShape::DEVNET`, the shape of the
    /// committed verifier (`contracts/src/verifier/`).
    pub circuits: BatchShape,
    /// Proof submission to L1 (`proveBatch`); absent: proofs stay in the database.
    pub l1: Option<ProverL1Config>,
}

/// A private key held in memory only (shared with the sequencer's configuration).
pub use quire_l1::Secret;

/// The `[l1]` section: where proofs go. `proveBatch` is open to anyone, so the key needs
/// no role on the rollup, only gas money; it must not be the sequencer's operator key.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProverL1Config {
    /// JSON-RPC URL of the L1 node.
    pub rpc_url: String,
    /// The deployment file written by `quire-l1-deploy`.
    pub deployment: PathBuf,
    /// A file holding the prover's L1 private key (hex); `QUIRE_PROVER_L1_KEY` takes
    /// precedence.
    pub key_file: Option<PathBuf>,
    /// The key from `QUIRE_PROVER_L1_KEY` (never read from the file format).
    #[serde(skip)]
    pub key: Option<Secret>,
    /// How often L1 and the queue are polled, in milliseconds.
    pub poll_interval_ms: u64,
    /// A transaction unmined this long is re-sent with higher fees, in seconds.
    pub stuck_after_secs: u64,
    /// Fee increase per replacement, in percent (at least 10).
    pub bump_percent: u64,
    /// Never offer more than this max fee per gas, in gwei.
    pub max_fee_gwei: u64,
}

impl Default for ProverL1Config {
    fn default() -> Self {
        Self {
            rpc_url: "http://127.0.0.1:8545".into(),
            deployment: PathBuf::from("deployment.json"),
            key_file: None,
            key: None,
            poll_interval_ms: 2_000,
            stuck_after_secs: 60,
            bump_percent: 20,
            max_fee_gwei: 500,
        }
    }
}

impl ProverL1Config {
    /// The key: `QUIRE_PROVER_L1_KEY` if set, else the key file's content.
    pub fn resolve_key(&self) -> Result<Secret, ConfigError> {
        if let Some(k) = &self.key {
            return Ok(k.clone());
        }
        let path = self.key_file.as_ref().ok_or(ConfigError::Invalid {
            field: "l1.key_file",
            message: "no L1 key: set QUIRE_PROVER_L1_KEY or l1.key_file".into(),
        })?;
        Ok(Secret::new(quire_service_kit::config::read_key_file(path)?))
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            database_url: "sqlite:quire-sequencer.db".into(),
            worker_id: None,
            poll_interval_ms: 1000,
            heartbeat_interval_ms: 5_000,
            heartbeat_timeout_ms: 30_000,
            max_attempts: 3,
            retry_backoff_ms: 10_000,
            shutdown_grace_ms: 10_000,
            metrics_listen: Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            log_format: "text".into(),
            exit_when_idle: false,
            circuits: BatchShape::default(),
            l1: None,
        }
    }
}

use quire_service_kit::config::EnvVar;
pub use quire_service_kit::config::{ConfigError, Flags, LayeredConfig};

/// The worker's environment variables, each with the setting it overrides (over the file,
/// under the flags; `QUIRE_PROVER_CONFIG` names the file). `DATABASE_URL`,
/// `QUIRE_DATABASE_URL` and `QUIRE_LOG_FORMAT` are the sequencer's too, so one environment
/// serves both; `QUIRE_PROVER_METRICS_LISTEN=off` disables the endpoint. A variable of the
/// `[l1]` section turns the section on, with defaults for the rest. Where two set one
/// setting, the later wins.
pub const ENV_VARS: &[EnvVar<ServiceConfig>] = &[
    EnvVar::text("DATABASE_URL", "database_url"),
    EnvVar::text("QUIRE_DATABASE_URL", "database_url"),
    EnvVar::text("QUIRE_PROVER_WORKER_ID", "worker_id"),
    EnvVar::number("QUIRE_PROVER_POLL_INTERVAL_MS", "poll_interval_ms"),
    EnvVar::number(
        "QUIRE_PROVER_HEARTBEAT_INTERVAL_MS",
        "heartbeat_interval_ms",
    ),
    EnvVar::number("QUIRE_PROVER_HEARTBEAT_TIMEOUT_MS", "heartbeat_timeout_ms"),
    EnvVar::number("QUIRE_PROVER_MAX_ATTEMPTS", "max_attempts"),
    EnvVar::number("QUIRE_PROVER_RETRY_BACKOFF_MS", "retry_backoff_ms"),
    EnvVar::number("QUIRE_PROVER_SHUTDOWN_GRACE_MS", "shutdown_grace_ms"),
    EnvVar::word_or_off("QUIRE_PROVER_METRICS_LISTEN", "metrics_listen"),
    EnvVar::text("QUIRE_LOG_FORMAT", "log_format"),
    EnvVar::bool("QUIRE_PROVER_EXIT_WHEN_IDLE", "exit_when_idle"),
    EnvVar::number("QUIRE_PROVER_CHUNK_STEPS", "circuits.chunk_steps"),
    EnvVar::number("QUIRE_PROVER_LEVELS", "circuits.levels"),
    EnvVar::number("QUIRE_PROVER_MAX_PRIORITY", "circuits.max_priority"),
    EnvVar::number("QUIRE_PROVER_SEGMENT_LEVELS", "circuits.segment_levels"),
    EnvVar::text("QUIRE_PROVER_L1_RPC_URL", "l1.rpc_url"),
    EnvVar::text("QUIRE_PROVER_L1_DEPLOYMENT", "l1.deployment"),
    EnvVar::text("QUIRE_PROVER_L1_KEY_FILE", "l1.key_file"),
    EnvVar::secret("QUIRE_PROVER_L1_KEY", "l1.key", set_l1_key),
];

/// `QUIRE_PROVER_L1_KEY`: kept out of the file format and the layered values.
fn set_l1_key(config: &mut ServiceConfig, key: String) {
    config.l1.get_or_insert_with(ProverL1Config::default).key = Some(Secret::new(key));
}

impl LayeredConfig for ServiceConfig {
    const ENV_VARS: &'static [EnvVar<Self>] = ENV_VARS;
}

impl ServiceConfig {
    /// Checks the settings against each other.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, message: &str| {
            Err(ConfigError::Invalid {
                field,
                message: message.into(),
            })
        };
        if self.heartbeat_interval_ms == 0 {
            return invalid("heartbeat_interval_ms", "must be positive");
        }
        // Two missed heartbeats may be a slow database, not a dead worker.
        if self.heartbeat_timeout_ms < 2 * self.heartbeat_interval_ms {
            return invalid(
                "heartbeat_timeout_ms",
                "must be at least twice heartbeat_interval_ms",
            );
        }
        if self.max_attempts == 0 {
            return invalid("max_attempts", "must be at least 1");
        }
        if self.poll_interval_ms == 0 {
            return invalid("poll_interval_ms", "must be positive");
        }
        if self.circuits.chunk_steps == 0 {
            return invalid("circuits.chunk_steps", "must be at least 1");
        }
        if self.circuits.levels > 16 {
            return invalid("circuits.levels", "at most 16");
        }
        if self.circuits.capacity() > MAX_CAPACITY {
            return invalid(
                "circuits.chunk_steps",
                "chunk_steps · 2^levels must be at most 16384 (one L1 transaction's pubdata)",
            );
        }
        if self.circuits.segment_levels > self.circuits.levels {
            return invalid(
                "circuits.segment_levels",
                "must be at most circuits.levels (a segment covers whole chunks)",
            );
        }
        if self.circuits.capacity() >> self.circuits.segment_levels > MAX_SEGMENT_STEPS {
            return invalid(
                "circuits.segment_levels",
                "a commitment segment (chunk_steps · 2^(levels − segment_levels) steps) must be at most 1024 steps",
            );
        }
        if self.circuits.max_priority > self.circuits.capacity() >> self.circuits.segment_levels {
            return invalid(
                "circuits.max_priority",
                "must be at most the steps of one commitment segment (chunk_steps · 2^(levels − segment_levels))",
            );
        }
        if self.log_format != "text" && self.log_format != "json" {
            return invalid("log_format", "text or json");
        }
        if let Some(l1) = &self.l1 {
            if !(l1.rpc_url.starts_with("http://") || l1.rpc_url.starts_with("https://")) {
                return invalid("l1.rpc_url", "must be an http:// or https:// URL");
            }
            if l1.key.is_none() && l1.key_file.is_none() {
                return invalid(
                    "l1.key_file",
                    "no L1 key: set QUIRE_PROVER_L1_KEY or l1.key_file",
                );
            }
            if l1.poll_interval_ms == 0 {
                return invalid("l1.poll_interval_ms", "must be positive");
            }
            if l1.bump_percent < 10 {
                return invalid("l1.bump_percent", "at least 10 (nodes refuse less)");
            }
        }
        Ok(())
    }

    /// [`Self::heartbeat_interval_ms`] as a duration.
    pub fn heartbeat_interval(&self) -> Duration {
        Duration::from_millis(self.heartbeat_interval_ms)
    }

    /// [`Self::poll_interval_ms`] as a duration.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    /// [`Self::shutdown_grace_ms`] as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.shutdown_grace_ms)
    }

    /// The configured worker id, or `HOST-PID-RANDOM` (the random part keeps ids unique
    /// when containers reuse host names and pids).
    pub fn resolved_worker_id(&self) -> String {
        if let Some(id) = &self.worker_id {
            return id.clone();
        }
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "prover".into());
        format!(
            "{host}-{}-{:04x}",
            std::process::id(),
            rand::random::<u16>()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flooding calculation (quire_l1::flood, docs D15) assumes the shipped shape's
    /// priority slots: a shape with fewer would make forcing exodus cheaper than it says.
    #[test]
    fn the_flood_calculation_uses_the_shipped_shapes_priority_slots() {
        assert_eq!(
            BatchShape::DEVNET.max_priority as u64,
            quire_l1::flood::REFERENCE_PRIORITY_SLOTS_PER_BATCH
        );
    }

    #[test]
    fn layers_override_in_order_and_errors_name_the_setting() {
        let dir = std::env::temp_dir().join(format!("quire-prover-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("p.toml");
        std::fs::write(
            &file,
            "database_url = \"sqlite:x.db\"\nmax_attempts = 5\n[circuits]\nlevels = 2\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let c = ServiceConfig::from_file(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.max_attempts, 5);
        assert_eq!(c.circuits.levels, 2);
        assert_eq!(c.circuits.chunk_steps, BatchShape::default().chunk_steps);
        assert_eq!(c.database_url, "sqlite:x.db");
        let env = |k: &str| match k {
            "QUIRE_DATABASE_URL" => Some("postgres://h/db".to_string()),
            "QUIRE_PROVER_METRICS_LISTEN" => Some("off".to_string()),
            "QUIRE_PROVER_CHUNK_STEPS" => Some("4".to_string()),
            _ => None,
        };
        let c =
            ServiceConfig::load(Some(&file), env, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.database_url, "postgres://h/db");
        assert_eq!(c.metrics_listen, None);
        assert_eq!(c.circuits.capacity(), 16);
        assert_eq!(c.max_attempts, 5);
        let flags = Flags::new()
            .set("circuits.chunk_steps", Some(2))
            .set("database_url", Some("sqlite:f.db"));
        let c = ServiceConfig::load(Some(&file), env, flags).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (c.circuits.chunk_steps, c.database_url.as_str()),
            (2, "sqlite:f.db")
        );
        let err = ServiceConfig::load(
            Some(&file),
            |k| (k == "QUIRE_PROVER_MAX_ATTEMPTS").then(|| "x".to_string()),
            Flags::new(),
        );
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("QUIRE_PROVER_MAX_ATTEMPTS"));
        std::fs::write(&file, "max_attempt = 1\n").unwrap_or_else(|e| panic!("{e}"));
        let err = ServiceConfig::from_file(&file).unwrap_err().to_string();
        assert!(err.contains("max_attempt"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn l1_variables_turn_the_section_on_and_the_key_stays_out_of_the_format() {
        let key = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
        let env = |k: &str| (k == "QUIRE_PROVER_L1_KEY").then(|| key.to_string());
        let c = ServiceConfig::load(None, env, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        let l1 = c.l1.clone().unwrap_or_else(|| panic!("section turned on"));
        assert_eq!(
            l1.resolve_key()
                .map(|k| k.expose().to_string())
                .ok()
                .as_deref(),
            Some(key)
        );
        assert_eq!(
            l1.poll_interval_ms,
            ProverL1Config::default().poll_interval_ms
        );
        c.validate().unwrap_or_else(|e| panic!("{e}"));
        assert!(!format!("{c:?}").contains(key));
        assert!(!toml::to_string(&c)
            .unwrap_or_else(|e| panic!("{e}"))
            .contains(key));
        let env = |k: &str| (k == "QUIRE_PROVER_L1_RPC_URL").then(|| "http://h:1".to_string());
        let c = ServiceConfig::load(None, env, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        let l1 = c.l1.clone().unwrap_or_else(|| panic!("section turned on"));
        assert_eq!(
            (l1.rpc_url.as_str(), l1.key.is_none()),
            ("http://h:1", true)
        );
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("l1.key_file"));
        let c = ServiceConfig::load(None, |_| None, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c, ServiceConfig::default());
    }

    /// The table is the list of variables: each one, set alone, reaches a setting.
    #[test]
    fn every_variable_of_the_table_sets_its_setting() {
        for var in ENV_VARS {
            let env = |k: &str| (k == var.name).then(|| var.example().to_string());
            let c = ServiceConfig::load(None, env, Flags::new())
                .unwrap_or_else(|e| panic!("{}: {e}", var.name));
            assert_ne!(c, ServiceConfig::default(), "{} sets nothing", var.name);
        }
    }

    #[test]
    fn validation_rejects_a_timeout_shorter_than_two_heartbeats() {
        assert!(ServiceConfig::default().validate().is_ok());
        let c = ServiceConfig {
            heartbeat_interval_ms: 1000,
            heartbeat_timeout_ms: 1500,
            ..ServiceConfig::default()
        };
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("heartbeat_timeout_ms"), "{err}");
        let c = ServiceConfig {
            max_attempts: 0,
            ..ServiceConfig::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn validation_bounds_the_capacity_and_the_commitment_segments() {
        let shape = |chunk_steps, levels, segment_levels, max_priority| ServiceConfig {
            circuits: BatchShape {
                chunk_steps,
                levels,
                max_priority,
                segment_levels,
            },
            ..ServiceConfig::default()
        };
        let field = |c: ServiceConfig| match c.validate() {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        // The largest batch: 2,048 chunks of 8 in 64 segments of 256 steps.
        assert_eq!(field(shape(8, 11, 6, 4)), "ok");
        assert!(field(shape(8, 12, 7, 4)).contains("circuits.chunk_steps"));
        // One segment over 2,048 steps is too large; more segments than chunks is refused.
        assert!(field(shape(8, 8, 0, 4)).contains("circuits.segment_levels"));
        assert!(field(shape(8, 2, 3, 4)).contains("circuits.segment_levels"));
        // Priority slots live in one segment.
        assert!(field(shape(8, 2, 2, 9)).contains("circuits.max_priority"));
        assert_eq!(field(shape(8, 2, 2, 8)), "ok");
    }
}
