//! Key files: one JSON file per named key in a directory (default `~/.quire/keys`).
//!
//! A key file holds the L2 Schnorr secret and, optionally, an L1 private key. Secrets are
//! stored in plain hex — the protection is the file system: the directory is created 0700
//! and every file 0600, created with `O_EXCL` so an existing key is never overwritten (a
//! lost key is lost funds). Loading checks the stored public key against the secret, so a
//! damaged file is noticed before it signs anything.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ethers::signers::{LocalWallet, Signer};
use serde::{Deserialize, Serialize};

use quire_core::account::Address;
use quire_core::schnorr::{PublicKey, SecretKey, SECRET_KEY_LEN};

use super::error::{Result, WalletError};

/// Version of the key file format.
pub const KEY_FILE_VERSION: u32 = 1;

/// The stored form of a key.
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyFile {
    /// Format version.
    pub version: u32,
    /// The key's name (its file is `<name>.json`).
    pub name: String,
    /// The L2 public key (checked against the secret on load).
    pub public_key: PublicKey,
    /// The L2 secret, 0x-hex of its 40-byte encoding.
    pub l2_secret: String,
    /// The L1 address of `l1_private_key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1_address: Option<Address>,
    /// The L1 private key, 0x-hex of 32 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1_private_key: Option<String>,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("name", &self.name)
            .field("public_key", &self.public_key)
            .field("l1_address", &self.l1_address)
            .finish_non_exhaustive()
    }
}

/// A loaded key, ready to sign.
#[derive(Clone, Debug)]
pub struct Key {
    /// Its name.
    pub name: String,
    /// The L2 secret.
    pub secret: SecretKey,
    /// The L1 private key (0x-hex) and its address, if the key has one.
    pub l1: Option<(String, Address)>,
}

impl Key {
    /// The L2 public key.
    pub fn public_key(&self) -> PublicKey {
        self.secret.public_key()
    }

    /// The L1 address, if any.
    pub fn l1_address(&self) -> Option<Address> {
        self.l1.as_ref().map(|(_, a)| *a)
    }
}

/// Parses an L2 secret from hex (`0x` optional).
pub fn parse_l2_secret(field: &str, hex_str: &str) -> Result<SecretKey> {
    let bytes = hex::decode(hex_str.trim().trim_start_matches("0x"))
        .map_err(|_| WalletError::invalid(field, "not hex"))?;
    let bytes: [u8; SECRET_KEY_LEN] = bytes.try_into().map_err(|_| {
        WalletError::invalid(field, format!("an L2 secret is {SECRET_KEY_LEN} bytes"))
    })?;
    SecretKey::from_bytes(&bytes)
        .map_err(|_| WalletError::invalid(field, "not a valid L2 secret key"))
}

/// Parses an L1 private key (`0x` optional); returns it normalized and its address.
pub fn parse_l1_key(field: &str, hex_str: &str) -> Result<(String, Address)> {
    let raw = hex_str.trim().trim_start_matches("0x");
    let bytes = hex::decode(raw).map_err(|_| WalletError::invalid(field, "not hex"))?;
    if bytes.len() != 32 {
        return Err(WalletError::invalid(field, "an L1 private key is 32 bytes"));
    }
    let wallet = LocalWallet::from_bytes(&bytes)
        .map_err(|_| WalletError::invalid(field, "not a valid secp256k1 private key"))?;
    Ok((
        format!("0x{}", hex::encode(&bytes)),
        Address(wallet.address().0),
    ))
}

/// Names are file names: keep them simple so `--key` never escapes the directory.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(WalletError::invalid(
            "--name",
            format!("{name:?}: use letters, digits, '-', '_' or '.' (at most 64)"),
        ))
    }
}

/// The key directory.
#[derive(Clone, Debug)]
pub struct Keystore {
    dir: PathBuf,
}

impl Keystore {
    /// The keystore in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Keystore { dir: dir.into() }
    }

    /// `~/.quire/keys`, or `./.quire/keys` if there is no home directory.
    pub fn default_dir() -> PathBuf {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."))
            .join(".quire")
            .join("keys")
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of key `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    fn io(&self, what: &str, path: &Path, e: std::io::Error) -> WalletError {
        WalletError::local(format!("{what} {}: {e}", path.display()))
    }

    /// Stores a key as `<name>.json`, mode 0600, refusing to overwrite.
    pub fn create(
        &self,
        name: &str,
        secret: &SecretKey,
        l1: Option<(String, Address)>,
    ) -> Result<PathBuf> {
        check_name(name)?;
        create_private_dir(&self.dir).map_err(|e| self.io("creating", &self.dir, e))?;
        let path = self.path(name);
        let file = KeyFile {
            version: KEY_FILE_VERSION,
            name: name.to_string(),
            public_key: secret.public_key(),
            l2_secret: format!("0x{}", hex::encode(secret.to_bytes())),
            l1_address: l1.as_ref().map(|(_, a)| *a),
            l1_private_key: l1.map(|(k, _)| k),
        };
        let mut text = serde_json::to_string_pretty(&file)
            .map_err(|e| WalletError::local(format!("encoding key file: {e}")))?;
        text.push('\n');
        let mut f = match open_new_private(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(WalletError::invalid(
                    "--name",
                    format!(
                        "key {name:?} already exists at {}; refusing to overwrite it",
                        path.display()
                    ),
                ))
            }
            Err(e) => return Err(self.io("creating", &path, e)),
        };
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| self.io("writing", &path, e))?;
        tracing::info!(path = %path.display(), "key stored");
        Ok(path)
    }

    /// Reads and checks key `name`.
    pub fn load(&self, name: &str) -> Result<Key> {
        check_name(name)
            .map_err(|_| WalletError::invalid("--key", format!("bad name {name:?}")))?;
        let path = self.path(name);
        let text = fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                WalletError::invalid(
                    "--key",
                    format!(
                        "no key {name:?} in {} (create one with `quire key new --name {name}`)",
                        self.dir.display()
                    ),
                )
            } else {
                self.io("reading", &path, e)
            }
        })?;
        warn_if_readable_by_others(&path);
        let file: KeyFile = serde_json::from_str(&text)
            .map_err(|e| WalletError::local(format!("{}: {e}", path.display())))?;
        if file.version != KEY_FILE_VERSION {
            return Err(WalletError::local(format!(
                "{}: unsupported key file version {}",
                path.display(),
                file.version
            )));
        }
        let damaged = |what: &str| WalletError::local(format!("{}: {what}", path.display()));
        let secret = parse_l2_secret("l2_secret", &file.l2_secret)
            .map_err(|_| damaged("l2_secret is not a valid secret"))?;
        if secret.public_key() != file.public_key {
            return Err(damaged("public_key does not match l2_secret"));
        }
        let l1 = match &file.l1_private_key {
            None => None,
            Some(k) => {
                let (k, addr) = parse_l1_key("l1_private_key", k)
                    .map_err(|_| damaged("l1_private_key is not valid"))?;
                if file.l1_address.is_some_and(|a| a != addr) {
                    return Err(damaged("l1_address does not match l1_private_key"));
                }
                Some((k, addr))
            }
        };
        Ok(Key {
            name: file.name,
            secret,
            l1,
        })
    }

    /// Names of the stored keys, sorted.
    pub fn list(&self) -> Result<Vec<String>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io("reading", &self.dir, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| self.io("reading", &self.dir, e))?;
            let file_name = entry.file_name();
            let Some(s) = file_name.to_str() else {
                continue;
            };
            if let Some(n) = s.strip_suffix(".json") {
                if check_name(n).is_ok() {
                    names.push(n.to_string());
                }
            }
        }
        names.sort();
        Ok(names)
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        // `mode` is filtered by the umask; set it exactly.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn open_new_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.set_permissions(fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

#[cfg(not(unix))]
fn open_new_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = fs::metadata(path) {
        if m.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "key file is accessible by other users; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}
