//! Connecting to an L1 node with a local signing key.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use ethers::middleware::SignerMiddleware;
use ethers::providers::{Http, Middleware, Provider};
use ethers::signers::{LocalWallet, Signer};

use crate::error::L1Error;

/// A provider over HTTP(S) that signs with a local key.
pub type L1Client = SignerMiddleware<Provider<Http>, LocalWallet>;

/// How long one RPC request may take. Without a limit a node that accepts the connection
/// and never answers would hang the watcher, the committer and graceful shutdown with it.
pub const RPC_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A read-only provider for `rpc_url`, polling every `poll_interval` when it waits for
/// transactions (ethers' default is 7 s, far too slow for a devnet); every request times
/// out after [`RPC_REQUEST_TIMEOUT`].
pub fn provider(rpc_url: &str, poll_interval: Duration) -> Result<Provider<Http>, L1Error> {
    let url: reqwest_ethers::Url = rpc_url
        .parse()
        .map_err(|e| L1Error::Config(format!("RPC URL {rpc_url:?}: {e}")))?;
    let client = reqwest_ethers::Client::builder()
        .timeout(RPC_REQUEST_TIMEOUT)
        .build()
        .map_err(|e| L1Error::Config(format!("HTTP client: {e}")))?;
    Ok(Provider::new(Http::new_with_client(url, client)).interval(poll_interval))
}

/// Connects to `rpc_url` and signs with `private_key` (hex, with or without `0x`), for the
/// chain the node reports.
pub async fn connect(
    rpc_url: &str,
    private_key: &str,
    poll_interval: Duration,
) -> Result<Arc<L1Client>, L1Error> {
    let provider = provider(rpc_url, poll_interval)?;
    let chain_id = provider.get_chainid().await.map_err(L1Error::rpc)?.as_u64();
    // Never echo the key in errors: only say it did not parse.
    let wallet = LocalWallet::from_str(private_key.trim().trim_start_matches("0x"))
        .map_err(|_| L1Error::Config("private key is not 32 bytes of hex".into()))?
        .with_chain_id(chain_id);
    Ok(Arc::new(SignerMiddleware::new(provider, wallet)))
}

/// A private key held in memory only: never serialized, never printed (`Debug` shows
/// `<redacted>`): what the sequencer's and the prover's configurations hold their L1 keys in.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a key.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The key itself, for the signer only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}
