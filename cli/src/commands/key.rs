//! `quire key …`: create, import, list and show the key files of `--keystore`.
//!
//! Only `key show` talks to a service, and only for the account id: a key stays readable
//! with the sequencer down.

use clap::{Args, Subcommand};
use rand::rngs::OsRng;
use rand::RngCore;

use quire_core::schnorr::SecretKey;

use super::Global;
use crate::wallet::error::Result;
use crate::wallet::keystore::{parse_l1_key, parse_l2_secret};

/// `quire key …`.
#[derive(Subcommand, Debug, Clone)]
pub enum KeyCommand {
    /// Generate a new L2 key (and optionally an L1 key).
    New(NewKeyCommand),
    /// Store an existing L2 secret, and optionally an L1 private key.
    Import(ImportKeyCommand),
    /// List the stored keys.
    List(ListKeysCommand),
    /// Show a key: public key, L1 address, L2 account.
    Show(ShowKeyCommand),
}

impl KeyCommand {
    /// Runs the chosen key command.
    pub async fn run(self, g: &Global) -> Result<()> {
        match self {
            KeyCommand::New(c) => c.run(g),
            KeyCommand::Import(c) => c.run(g),
            KeyCommand::List(c) => c.run(g),
            KeyCommand::Show(c) => c.run(g).await,
        }
    }
}

/// `quire key new`: fresh secrets from the OS's generator.
#[derive(Args, Debug, Clone)]
pub struct NewKeyCommand {
    /// Name of the key file [default: the global --key].
    #[arg(long)]
    pub name: Option<String>,
    /// Also generate an L1 private key.
    #[arg(long)]
    pub with_l1: bool,
}

impl NewKeyCommand {
    /// Generates the key, writes its file (never over an existing one) and prints it.
    pub fn run(self, g: &Global) -> Result<()> {
        let name = self.name.unwrap_or_else(|| g.key.clone());
        let secret = SecretKey::random(&mut OsRng);
        let l1 = if self.with_l1 {
            let mut bytes = [0u8; 32];
            OsRng.fill_bytes(&mut bytes);
            Some(parse_l1_key("--with-l1", &hex::encode(bytes))?)
        } else {
            None
        };
        store_and_print(g, &name, &secret, l1)
    }
}

/// `quire key import`: secrets that exist elsewhere (the environment variables keep them
/// out of shell history).
#[derive(Args, Debug, Clone)]
pub struct ImportKeyCommand {
    /// Name of the key file [default: the global --key].
    #[arg(long)]
    pub name: Option<String>,
    /// The L2 secret (hex). Prefer the environment variable: flags end up in shell history.
    #[arg(long, env = "QUIRE_IMPORT_L2_SECRET", hide_env_values = true)]
    pub l2_secret: String,
    /// An L1 private key (hex).
    #[arg(long, env = "QUIRE_IMPORT_L1_KEY", hide_env_values = true)]
    pub l1_key: Option<String>,
}

impl ImportKeyCommand {
    /// Validates the secrets, writes the key file (never over an existing one) and prints it.
    pub fn run(self, g: &Global) -> Result<()> {
        let name = self.name.unwrap_or_else(|| g.key.clone());
        let secret = parse_l2_secret("--l2-secret", &self.l2_secret)?;
        let l1 = self
            .l1_key
            .map(|k| parse_l1_key("--l1-key", &k))
            .transpose()?;
        store_and_print(g, &name, &secret, l1)
    }
}

/// What `key new` and `key import` share: the file is written, then described.
fn store_and_print(
    g: &Global,
    name: &str,
    secret: &SecretKey,
    l1: Option<(String, quire_core::account::Address)>,
) -> Result<()> {
    let path = g.keystore().create(name, secret, l1.clone())?;
    println!("name:       {name}");
    println!("file:       {}", path.display());
    println!("public key: {}", secret.public_key());
    if let Some((_, a)) = l1 {
        println!("l1 address: {a}");
    }
    Ok(())
}

/// `quire key list`: one line per key file; an unreadable one is listed, not fatal.
#[derive(Args, Debug, Clone)]
pub struct ListKeysCommand {}

impl ListKeysCommand {
    /// Prints `name<TAB>public key` for each key file.
    pub fn run(self, g: &Global) -> Result<()> {
        let store = g.keystore();
        for name in store.list()? {
            match store.load(&name) {
                Ok(k) => println!("{name}\t{}", k.public_key()),
                Err(e) => println!("{name}\t(unreadable: {e})"),
            }
        }
        Ok(())
    }
}

/// `quire key show`: the `--key`'s public parts, its L2 account when the sequencer knows
/// it, and the secrets only when asked.
#[derive(Args, Debug, Clone)]
pub struct ShowKeyCommand {
    /// Also print the secrets.
    #[arg(long)]
    pub show_secret: bool,
}

impl ShowKeyCommand {
    /// Prints the key; the account id is looked up, but its absence is not an error.
    pub async fn run(self, g: &Global) -> Result<()> {
        let store = g.keystore();
        let key = store.load(&g.key)?;
        println!("name:       {}", key.name);
        println!("file:       {}", store.path(&g.key).display());
        println!("public key: {}", key.public_key());
        if let Some(a) = key.l1_address() {
            println!("l1 address: {a}");
        }
        // The account id is a convenience: the key is still shown when offline.
        match (quire_api::Client::new(&g.sequencer_url), key.l1_address()) {
            (_, None) => {
                println!("l2 account: none (an account needs the L1 address that opens it)")
            }
            (Ok(seq), Some(owner)) => {
                println!("l2 address: {}@{owner}", key.public_key());
                match seq.account_by_key(&key.public_key(), &owner).await {
                    Ok(Some(a)) => println!("l2 account: {}", a.id),
                    Ok(None) => {
                        println!("l2 account: none yet (deposit from {owner} to open one)")
                    }
                    Err(e) => println!("l2 account: unknown ({e})"),
                }
            }
            (Err(e), Some(_)) => println!("l2 account: unknown ({e})"),
        }
        if self.show_secret {
            println!("l2 secret:  0x{}", hex::encode(key.secret.to_bytes()));
            if let Some((k, _)) = &key.l1 {
                println!("l1 key:     {k}");
            }
        }
        Ok(())
    }
}
