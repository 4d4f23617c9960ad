//! What the services' configurations share: the error that names the setting, reading the
//! TOML file, parsing environment values, reading key files. Each service keeps its own
//! typed configuration and layering (defaults → file → environment → flags).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::de::DeserializeOwned;

/// A configuration problem, naming the file, variable or setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
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
    /// A setting has a value the service cannot run with, or contradicts another.
    #[error("invalid setting {field}: {message}")]
    Invalid {
        /// The setting, as written in the file (`l1.confirmations`).
        field: &'static str,
        /// Why.
        message: String,
    },
}

/// Reads a TOML file; settings it leaves out keep the type's `#[serde(default)]`s.
pub fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.into(),
        message: e.to_string(),
    })
}

/// Parses the value of environment variable `name`, ignoring surrounding whitespace (a
/// trailing newline from `$(cat file)` is not an error).
pub fn parse_env<T: FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.trim().parse().map_err(|e: T::Err| ConfigError::Env {
        name,
        message: e.to_string(),
    })
}

/// The content of a key file, without surrounding whitespace.
pub fn read_key_file(path: &Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    Ok(text.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct Sample {
        port: u16,
        name: String,
    }

    impl Default for Sample {
        fn default() -> Self {
            Sample {
                port: 1,
                name: "d".into(),
            }
        }
    }

    fn temp(name: &str, text: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("quire-kit-{}-{name}", std::process::id()));
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    }

    #[test]
    fn a_file_overrides_only_what_it_names() {
        let p = temp("ok.toml", "port = 9\n");
        let s: Sample = read_toml(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s,
            Sample {
                port: 9,
                name: "d".into()
            }
        );
    }

    #[test]
    fn errors_name_the_file_and_the_field() {
        let p = temp("bad.toml", "port = \"x\"\n");
        let e = read_toml::<Sample>(&p).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("bad.toml") && e.contains("port"), "{e}");
        let missing = read_toml::<Sample>(Path::new("/nonexistent/quire.toml")).err();
        assert!(matches!(missing, Some(ConfigError::Read { .. })));
        let e = parse_env::<u16>("QUIRE_PORT", "70000")
            .err()
            .map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("QUIRE_PORT"));
        assert_eq!(parse_env::<u16>("QUIRE_PORT", " 80\n").ok(), Some(80));
    }

    #[test]
    fn key_files_are_trimmed() {
        let p = temp("key", "0xabc\n");
        assert_eq!(read_key_file(&p).ok().as_deref(), Some("0xabc"));
    }
}
